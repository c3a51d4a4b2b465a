"""TAXII 2.1 collections of the hub: which objects, for whom, page by page.

Collections follow the sectors: everything for the alliance, voice/SMS/web indicators
for telcos, accounts for banks. Pages are cut at indicator boundaries (an indicator
travels with its sightings and opinions) and continued with an opaque ``next`` token;
``added_after`` compares with the time an indicator's judgement last changed, which is
also every object's ``date_added`` (the hub keeps only the latest version).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from scamtrace.errors import NotFound, PermissionDenied
from scamtrace.intel.exchange import stix_objects_for
from scamtrace.intel.feeds import decode_cursor, encode_cursor
from scamtrace.intel.models import Indicator
from scamtrace.intel.stix import (
    STIX_NAMESPACE,
    TLP_MARKINGS,
    extension_definitions,
    hub_identity,
    stix_timestamp,
    tlp_marking,
)

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
API_ROOT = "alliance"
MAX_PAGE = 1000


@dataclass(frozen=True)
class Collection:
    """A TAXII collection: its kinds and the roles that may read it."""

    slug: str
    title: str
    description: str
    kinds: tuple[str, ...]
    roles: tuple[str, ...]

    @property
    def id(self) -> str:
        return str(uuid.uuid5(STIX_NAMESPACE, f"taxii-collection:{self.slug}"))

    def as_resource(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "can_read": True,
            "can_write": False,
            "media_types": [STIX_MEDIA_TYPE],
        }


_ANALYSTS = ("police", "regulator", "admin")
COLLECTIONS = (
    Collection(
        "alliance",
        "Alliance indicators",
        "Every indicator with an alliance judgement.",
        (
            "phone",
            "short_code",
            "ussd",
            "sender_id",
            "url",
            "domain",
            "email",
            "line_id",
            "bank_account",
            "promptpay",
            "wallet",
            "imei",
            "imsi",
        ),
        ("telco", "bank") + _ANALYSTS,
    ),
    Collection(
        "telco",
        "Voice, SMS and web",
        "Numbers, sender ids, URLs and domains for SMS firewalls and DNS.",
        ("phone", "short_code", "ussd", "sender_id", "url", "domain", "imei", "imsi"),
        ("telco",) + _ANALYSTS,
    ),
    Collection(
        "bank",
        "Accounts",
        "Mule accounts and PromptPay ids for payment screening.",
        ("bank_account", "promptpay", "phone", "wallet"),
        ("bank",) + _ANALYSTS,
    ),
)


def collections_for(principal) -> list[Collection]:
    """The collections a caller may read."""
    return [c for c in COLLECTIONS if principal.role in c.roles]


def get_collection(principal, collection_id: str) -> Collection:
    """Return one collection, 404 when unknown, 403 when the role may not read it."""
    for collection in COLLECTIONS:
        if collection.id == collection_id:
            if principal.role not in collection.roles:
                raise PermissionDenied(f"role {principal.role!r} may not read this collection")
            return collection
    raise NotFound(f"no collection {collection_id}")


@dataclass
class Page:
    """One page of a collection's objects."""

    objects: list[dict[str, Any]]
    dates: dict[str, datetime]
    more: bool
    next: str | None


def collection_page(
    session: Session,
    principal,
    collection: Collection,
    *,
    added_after: datetime | None,
    limit: int,
    next_token: str | None,
    match_type: set[str] | None,
    match_id: set[str] | None,
) -> Page:
    """Return a page of objects the caller may see.

    Args:
        session: the store session.
        principal: the caller (TLP and groups filter evidence).
        collection: the collection.
        added_after: only objects whose judgement changed after this time.
        limit: at most this many objects (one indicator's objects are never split).
        next_token: the ``next`` of the previous page.
        match_type: ``match[type]`` values.
        match_id: ``match[id]`` values.

    Returns:
        The page.
    """
    limit = max(1, min(limit, MAX_PAGE))
    query = select(Indicator).where(Indicator.kind.in_(collection.kinds), Indicator.score > 0)
    if added_after is not None:
        query = query.where(Indicator.updated_at > added_after)
    if next_token:
        moment, last_id = decode_cursor(next_token)
        query = query.where(
            or_(
                Indicator.updated_at > moment,
                and_(Indicator.updated_at == moment, Indicator.id > last_id),
            )
        )
    candidates = list(
        session.execute(
            query.order_by(Indicator.updated_at, Indicator.id).limit(limit + 1)
        ).scalars()
    )
    objects: list[dict[str, Any]] = []
    dates: dict[str, datetime] = {}
    if next_token is None and added_after is None:
        for obj in [
            hub_identity(),
            *extension_definitions(),
            *(tlp_marking(level) for level in TLP_MARKINGS),
        ]:
            objects.append(obj)
            dates[obj["id"]] = (
                candidates[0].updated_at if candidates else datetime.now().astimezone()
            )
    last: Indicator | None = None
    taken = 0
    for indicator in candidates:
        if taken == limit:
            break
        batch = [
            o
            for o in stix_objects_for(session, principal, [indicator])
            if (not match_type or o["type"] in match_type) and (not match_id or o["id"] in match_id)
        ]
        if taken and len(objects) + len(batch) > limit:
            break
        for obj in batch:
            dates[obj["id"]] = indicator.updated_at
        objects.extend(batch)
        last, taken = indicator, taken + 1
    if match_type or match_id:
        objects = [
            o
            for o in objects
            if (not match_type or o["type"] in match_type) and (not match_id or o["id"] in match_id)
        ]
    more = taken < len(candidates)
    token = encode_cursor(last.updated_at, last.id) if more and last is not None else None
    return Page(objects, dates, more, token)


def manifest_entry(obj: dict[str, Any], added: datetime) -> dict[str, Any]:
    """A manifest record of one object."""
    return {
        "id": obj["id"],
        "date_added": stix_timestamp(added),
        "version": obj.get("modified", obj.get("created", stix_timestamp(added))),
        "media_type": STIX_MEDIA_TYPE,
    }
