"""The append-only audit log: each row carries the hash of the row before it.

``row_hash = sha256(prev_hash || canonical content)``, where the content is the row's
sequence number, time, actor, action, target and details as canonical JSON. Changing a
row breaks its own hash; deleting one leaves a gap in ``seq`` and a ``prev_hash`` that
no longer matches; reordering breaks both. Deleting the newest rows leaves a shorter
but valid chain, which is why ``scamtrace audit verify --expect HASH`` checks that a
head published earlier (in a ticket, another system) is still in the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from scamtrace.orgs.models import AuditEntry
from scamtrace.store.base import utcnow

GENESIS_HASH = "0" * 64
# Any constant works; it names the one PostgreSQL advisory lock that serialises appends.
_APPEND_LOCK_ID = 0x5CA77ACE


@dataclass(frozen=True)
class ChainBreak:
    """Where and why the audit chain is broken."""

    row_id: int
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"audit row {self.row_id} (seq {self.seq}): {self.reason}"


def _canonical_details(details: dict[str, Any] | None) -> dict[str, Any]:
    # A JSON round trip makes what we hash identical to what the store gives back.
    return json.loads(json.dumps(details or {}, default=str, ensure_ascii=False))


def _content_hash(
    prev_hash: str,
    *,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    target: str,
    details: dict[str, Any],
) -> str:
    content = json.dumps(
        {
            "seq": seq,
            "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": actor,
            "action": action,
            "target": target,
            "details": details,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256((prev_hash + content).encode("utf-8")).hexdigest()


def _row_hash(row: AuditEntry) -> str:
    return _content_hash(
        row.prev_hash,
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        action=row.action,
        target=row.target,
        details=row.details,
    )


@dataclass(frozen=True)
class AuditEvent:
    """One thing to record: who did what to what, with JSON-serialisable details."""

    actor: str
    action: str
    target: str
    details: dict[str, Any] | None = None


def append_audit(
    session: Session,
    actor: str,
    action: str,
    target: str,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one row to the audit log in the caller's transaction (not committed).

    Args:
        session: the session whose transaction also holds the audited change.
        actor: who did it (``member:3/key:ab12cd34``, ``cli:alice``).
        action: what was done, dotted (``member.create``, ``api_key.revoke``).
        target: what it was done to (``member:3``, ``indicator:phone:+66812345678``).
        details: JSON-serialisable facts worth keeping; never secrets.

    Returns:
        The new row, flushed, with ``seq`` and ``row_hash`` set.
    """
    return append_audit_many(session, [AuditEvent(actor, action, target, details)])[0]


def append_audit_many(session: Session, events: Iterable[AuditEvent]) -> list[AuditEntry]:
    """Append several rows at once: one head read, one lock, one bulk insert.

    High-volume audit (every read of protected data, issue 5) should buffer its events
    and append them in batches; the chain is the same as with one call per event.

    Args:
        session: the session whose transaction holds the audited change (not committed).
        events: the events, in the order they happened.

    Returns:
        The new rows, flushed, in order.
    """
    if session.get_bind().dialect.name == "postgresql":
        # Two concurrent appends must not both chain onto the same head.
        session.execute(
            text("SELECT pg_advisory_xact_lock(:lock_id)"), {"lock_id": _APPEND_LOCK_ID}
        )
    seq, prev_hash = audit_head(session)
    values = []
    for event in events:
        seq += 1
        at = utcnow()
        details = _canonical_details(event.details)
        row_hash = _content_hash(
            prev_hash,
            seq=seq,
            at=at,
            actor=event.actor,
            action=event.action,
            target=event.target,
            details=details,
        )
        values.append(
            {
                "seq": seq,
                "at": at,
                "actor": event.actor,
                "action": event.action,
                "target": event.target,
                "details": details,
                "prev_hash": prev_hash,
                "row_hash": row_hash,
            }
        )
        prev_hash = row_hash
    if not values:
        return []
    # ORM bulk INSERT ... RETURNING: one multi-row statement instead of a unit of work.
    rows = list(session.scalars(insert(AuditEntry).returning(AuditEntry), values))
    rows.sort(key=lambda row: row.seq)
    return rows


def verify_audit_chain(session: Session) -> ChainBreak | None:
    """Walk the whole log and return the first break, or ``None`` when it is intact.

    Args:
        session: a session on the store to check.

    Returns:
        The first broken row with the reason (content changed, rows deleted, rows
        reordered), or ``None``.
    """
    expected_prev, expected_seq, previous_id = GENESIS_HASH, 1, 0
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.seq, AuditEntry.id)).scalars()
    for row in rows:
        if _row_hash(row) != row.row_hash:
            return ChainBreak(row.id, row.seq, "content changed since it was written")
        if row.seq > expected_seq:
            missing = (
                f"seq {expected_seq}"
                if row.seq == expected_seq + 1
                else (f"seq {expected_seq}..{row.seq - 1}")
            )
            return ChainBreak(row.id, row.seq, f"{missing} deleted before this row")
        if row.seq < expected_seq or row.id <= previous_id:
            return ChainBreak(row.id, row.seq, "rows reordered or duplicated")
        if row.prev_hash != expected_prev:
            return ChainBreak(row.id, row.seq, "does not follow the row before it (reordered)")
        expected_prev, expected_seq, previous_id = row.row_hash, row.seq + 1, row.id
    return None


def audit_head(session: Session) -> tuple[int, str]:
    """Return ``(seq, row_hash)`` of the newest row, ``(0, GENESIS_HASH)`` when empty."""
    head = session.execute(
        select(AuditEntry.seq, AuditEntry.row_hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    return (head.seq, head.row_hash) if head else (0, GENESIS_HASH)


def contains_hash(session: Session, row_hash: str) -> bool:
    """Whether a row with ``row_hash`` (a head published earlier) is still in the log."""
    found = session.execute(
        select(AuditEntry.id).where(AuditEntry.row_hash == row_hash).limit(1)
    ).first()
    return found is not None
