"""``/v1/feeds``: blocklists for SMS firewalls, DNS resolvers and bank payment screens."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from scamtrace.api.deps import SessionDep, require_roles
from scamtrace.errors import NotFound
from scamtrace.intel.access import MEMBER_ROLES
from scamtrace.intel.feeds import FEED_KINDS, feed_rows, render_csv, render_rpz, render_text
from scamtrace.orgs.audit import append_audit
from scamtrace.orgs.service import Principal

router = APIRouter(prefix="/v1/feeds", tags=["feeds"])
Member = Annotated[Principal, Depends(require_roles(*MEMBER_ROLES))]
RPZ_ZONE = "rpz.scamtrace.local"


@router.get("")
def list_feeds(member: Member) -> dict[str, list[str]]:
    """The feed URLs (append ``?since=<X-Next-Cursor>`` to pull only changes)."""
    urls = [f"/v1/feeds/{kind}.{fmt}" for kind in FEED_KINDS for fmt in ("txt", "csv")]
    return {"feeds": urls + ["/v1/feeds/rpz.zone", "/v1/feeds/bank-accounts.csv"]}


@router.get("/{feed}")
def read_feed(
    session: SessionDep,
    member: Member,
    feed: str,
    since: str | None = None,
    min_tier: str = Query("high"),
    limit: int = Query(100_000, ge=1, le=1_000_000),
) -> Response:
    """One feed as text, CSV or RPZ; incremental with ``since`` (audited)."""
    if feed == "rpz.zone":
        kinds, fmt = ("domain",), "rpz"
    elif feed == "bank-accounts.csv":
        kinds, fmt = ("bank_account", "promptpay"), "csv"
    else:
        kind, _, fmt = feed.rpartition(".")
        if kind not in FEED_KINDS or fmt not in ("txt", "csv"):
            raise NotFound(f"no feed {feed!r}; see /v1/feeds")
        kinds = (kind,)
    rows, cursor = feed_rows(
        session, kinds=kinds, min_tier=min_tier, since=None if fmt == "rpz" else since, limit=limit
    )
    append_audit(
        session,
        member.actor,
        "intel.feed.read",
        f"feed:{feed}",
        {"rows": len(rows), "since": since, "min_tier": min_tier},
    )
    session.commit()
    if fmt == "rpz":
        body, media = render_rpz(rows, zone=RPZ_ZONE, serial=int(time.time())), "text/dns"
    elif fmt == "csv":
        body, media = render_csv(rows), "text/csv"
    else:
        body, media = render_text(rows, incremental=since is not None), "text/plain"
    headers = {"X-Next-Cursor": cursor} if cursor else {}
    return Response(body, media_type=media, headers=headers)
