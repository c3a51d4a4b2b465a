"""Blocklist feeds: text and CSV per kind, a DNS RPZ zone, a bank-account feed.

A feed carries the alliance judgement (CLEAR and GREEN evidence only; restricted
evidence never leaves through a feed) of indicators at or above a tier, never
allowlisted ones. Pulled with ``?since=<cursor>``, it returns only what changed since:
``add`` rows for indicators that entered and ``remove`` rows for those that left
(cleared on appeal, decayed, allowlisted), so an SMS firewall or a bank's payment
screen can pull every minute. Australia's scam-account sharing runs every two hours.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from scamtrace.errors import InvalidInput
from scamtrace.intel.models import Indicator
from scamtrace.intel.scoring import TIER_FLOORS

FEED_KINDS = (
    "phone",
    "short_code",
    "sender_id",
    "url",
    "domain",
    "bank_account",
    "promptpay",
    "line_id",
    "email",
    "wallet",
)


@dataclass(frozen=True)
class FeedRow:
    """One line of a feed."""

    action: str
    kind: str
    value: str
    tier: str
    score: int
    updated_at: datetime


def encode_cursor(updated_at: datetime, indicator_id: int) -> str:
    """Return the opaque cursor after one row (microseconds and id)."""
    micros = int(updated_at.timestamp() * 1_000_000)
    return f"{micros}-{indicator_id}"


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        micros, indicator_id = cursor.split("-", 1)
        return datetime.fromtimestamp(int(micros) / 1_000_000, tz=UTC), int(indicator_id)
    except ValueError:
        raise InvalidInput(f"malformed feed cursor {cursor!r}") from None


def feed_rows(
    session: Session,
    *,
    kinds: tuple[str, ...],
    min_tier: str = "high",
    since: str | None = None,
    limit: int = 100_000,
) -> tuple[list[FeedRow], str | None]:
    """Return feed rows and the cursor to pass next time.

    Args:
        session: the store session.
        kinds: identifier kinds in the feed.
        min_tier: lowest tier listed (``high`` by default; ``medium`` for warning lists).
        since: cursor of the previous pull; ``None`` for the full list (adds only).
        limit: rows per pull; pull again with the returned cursor for the rest.

    Returns:
        ``(rows, next_cursor)``; ``next_cursor`` is ``since`` when nothing changed.
    """
    if min_tier not in TIER_FLOORS:
        raise InvalidInput(f"min_tier must be one of {', '.join(TIER_FLOORS)}")
    floor = TIER_FLOORS[min_tier]
    listed = and_(Indicator.score >= floor, Indicator.status == "active")
    query = select(Indicator).where(Indicator.kind.in_(kinds))
    if since is None:
        query = query.where(listed)
    else:
        moment, last_id = decode_cursor(since)
        query = query.where(
            or_(
                Indicator.updated_at > moment,
                and_(Indicator.updated_at == moment, Indicator.id > last_id),
            )
        )
    query = query.order_by(Indicator.updated_at, Indicator.id).limit(limit)
    rows, cursor = [], since
    for ind in session.execute(query).scalars():
        cursor = encode_cursor(ind.updated_at, ind.id)
        included = ind.score >= floor and ind.status == "active"
        rows.append(
            FeedRow(
                "add" if included else "remove",
                ind.kind,
                ind.value,
                ind.tier,
                int(ind.score),
                ind.updated_at,
            )
        )
    if since is None and rows:
        # A full pull ends at the newest change overall, so the next pull sees removals too.
        newest = session.execute(
            select(Indicator.updated_at, Indicator.id)
            .order_by(Indicator.updated_at.desc(), Indicator.id.desc())
            .limit(1)
        ).first()
        cursor = encode_cursor(newest.updated_at, newest.id)
    return rows, cursor


def render_text(rows: list[FeedRow], *, incremental: bool) -> str:
    """One value per line; incremental pulls prefix ``+`` (add) or ``-`` (remove)."""
    if not incremental:
        return "".join(f"{r.value}\n" for r in rows)
    return "".join(f"{'+' if r.action == 'add' else '-'}{r.value}\n" for r in rows)


def render_csv(rows: list[FeedRow]) -> str:
    """CSV with a header: action, kind, value, tier, score, updated_at."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["action", "kind", "value", "tier", "score", "updated_at"])
    for r in rows:
        writer.writerow([r.action, r.kind, r.value, r.tier, r.score, r.updated_at.isoformat()])
    return out.getvalue()


def render_rpz(rows: list[FeedRow], *, zone: str, serial: int) -> str:
    """A DNS Response Policy Zone answering NXDOMAIN for each domain and its subdomains.

    Args:
        rows: domain rows (``add`` only are listed).
        zone: the RPZ zone name (``rpz.scamtrace.example``).
        serial: the SOA serial; it must grow with each change for secondaries to reload.

    Returns:
        The zone file text.
    """
    lines = [
        "$TTL 300",
        f"@ IN SOA localhost. hostmaster.{zone}. ({serial} 300 60 86400 60)",
        "@ IN NS localhost.",
    ]
    for r in rows:
        if r.action == "add" and r.kind == "domain":
            lines.append(f"{r.value} CNAME .")
            lines.append(f"*.{r.value} CNAME .")
    return "\n".join(lines) + "\n"
