"""TAXII 2.1 server: discovery, the ``alliance`` API root, collections per sector.

Clients authenticate with the API key as a bearer token or as the HTTP Basic password
(the user name is ignored), since most TAXII clients only speak Basic. Responses carry
the TAXII media type; objects are filtered by TLP and sharing groups like every read.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response

from scamtrace.api.deps import SessionDep
from scamtrace.errors import AuthenticationError, InvalidInput, NotFound, PermissionDenied
from scamtrace.intel.access import MEMBER_ROLES
from scamtrace.intel.stix import stix_timestamp
from scamtrace.intel.taxii import (
    API_ROOT,
    TAXII_MEDIA_TYPE,
    collection_page,
    collections_for,
    get_collection,
    manifest_entry,
)
from scamtrace.orgs.audit import append_audit
from scamtrace.orgs.service import Principal, authenticate_api_key

router = APIRouter(prefix="/taxii2", tags=["taxii"])


def taxii_member(request: Request, session: SessionDep) -> Principal:
    """Authenticate a TAXII client (Bearer, X-API-Key, or Basic with the key as password)."""
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    key = request.headers.get("x-api-key", "")
    if scheme.lower() == "bearer":
        key = credentials.strip()
    elif scheme.lower() == "basic":
        try:
            key = base64.b64decode(credentials).decode().partition(":")[2]
        except (binascii.Error, UnicodeDecodeError):
            raise AuthenticationError("malformed Basic credentials") from None
    if not key:
        raise AuthenticationError(
            "TAXII needs an API key (Bearer, or Basic with the key as password)"
        )
    principal = authenticate_api_key(session, plaintext=key)
    if principal.role not in MEMBER_ROLES:
        raise PermissionDenied("TAXII is for alliance members")
    return principal


TaxiiMember = Annotated[Principal, Depends(taxii_member)]


def _taxii(payload: object, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(payload), media_type=TAXII_MEDIA_TYPE, headers=headers)


def _root(request: Request) -> str:
    return str(request.base_url).rstrip("/") + f"/taxii2/{API_ROOT}/"


@router.get("/")
def discovery(request: Request, member: TaxiiMember) -> Response:
    """TAXII discovery: the server and its API roots."""
    return _taxii(
        {
            "title": "scamtrace TAXII",
            "description": "Alliance scam indicators",
            "default": _root(request),
            "api_roots": [_root(request)],
        }
    )


@router.get(f"/{API_ROOT}/")
def api_root(member: TaxiiMember) -> Response:
    """The alliance API root."""
    return _taxii(
        {
            "title": "scamtrace alliance",
            "versions": [TAXII_MEDIA_TYPE],
            "max_content_length": 10_485_760,
        }
    )


@router.get(f"/{API_ROOT}/collections/")
def list_collections(member: TaxiiMember) -> Response:
    """The collections the caller's role may read."""
    return _taxii({"collections": [c.as_resource() for c in collections_for(member)]})


@router.get(f"/{API_ROOT}/collections/{{collection_id}}/")
def read_collection(member: TaxiiMember, collection_id: str) -> Response:
    """One collection."""
    return _taxii(get_collection(member, collection_id).as_resource())


def _page(request: Request, session, member, collection_id: str, added_after, limit, next_token):
    collection = get_collection(member, collection_id)
    params = request.query_params
    match_type = set(",".join(params.getlist("match[type]")).split(",")) - {""}
    match_id = set(",".join(params.getlist("match[id]")).split(",")) - {""}
    spec = set(",".join(params.getlist("match[spec_version]")).split(",")) - {""}
    if spec and "2.1" not in spec:
        return collection, None
    after = None
    if added_after:
        try:
            after = datetime.fromisoformat(added_after)
        except ValueError:
            raise InvalidInput(f"added_after {added_after!r} is not a timestamp") from None
    page = collection_page(
        session,
        member,
        collection,
        added_after=after,
        limit=limit,
        next_token=next_token,
        match_type=match_type or None,
        match_id=match_id or None,
    )
    append_audit(
        session,
        member.actor,
        "intel.taxii.read",
        f"taxii:{collection.slug}",
        {"objects": len(page.objects), "added_after": added_after},
    )
    session.commit()
    return collection, page


def _date_headers(page) -> dict[str, str]:
    if not page or not page.dates:
        return {}
    dates = sorted(page.dates.values())
    return {
        "X-TAXII-Date-Added-First": stix_timestamp(dates[0]),
        "X-TAXII-Date-Added-Last": stix_timestamp(dates[-1]),
    }


def _paged_envelope(page, render) -> Response:
    """The TAXII envelope of one page (objects or manifest entries), with date headers."""
    body: dict[str, object] = {"more": bool(page and page.more)}
    if page and page.objects:
        body["objects"] = render(page.objects)
    if page and page.next:
        body["next"] = page.next
    return _taxii(body, _date_headers(page))


@router.get(f"/{API_ROOT}/collections/{{collection_id}}/objects/")
def read_objects(
    request: Request,
    session: SessionDep,
    member: TaxiiMember,
    collection_id: str,
    added_after: str | None = None,
    limit: int = Query(500, ge=1),
    next: str | None = None,
) -> Response:
    """Objects of a collection: ``added_after``, ``match[type|id|spec_version]``, ``limit``, ``next``."""
    _, page = _page(request, session, member, collection_id, added_after, limit, next)
    return _paged_envelope(page, lambda objects: objects)


@router.get(f"/{API_ROOT}/collections/{{collection_id}}/objects/{{object_id}}/")
def read_object(
    request: Request,
    session: SessionDep,
    member: TaxiiMember,
    collection_id: str,
    object_id: str,
) -> Response:
    """One object by id (the hub keeps its latest version)."""
    collection = get_collection(member, collection_id)
    page = collection_page(
        session,
        member,
        collection,
        added_after=None,
        limit=1000,
        next_token=None,
        match_type=None,
        match_id={object_id},
    )
    if not page.objects:
        raise NotFound(f"no object {object_id} in this collection")
    return _taxii({"more": False, "objects": page.objects}, _date_headers(page))


@router.get(f"/{API_ROOT}/collections/{{collection_id}}/manifest/")
def read_manifest(
    request: Request,
    session: SessionDep,
    member: TaxiiMember,
    collection_id: str,
    added_after: str | None = None,
    limit: int = Query(500, ge=1),
    next: str | None = None,
) -> Response:
    """The manifest of a collection (ids, versions, dates added), paged like objects."""
    _, page = _page(request, session, member, collection_id, added_after, limit, next)
    return _paged_envelope(
        page, lambda objects: [manifest_entry(o, page.dates[o["id"]]) for o in objects]
    )
