"""Build the lookup index from the store, incrementally, and publish it atomically.

One builder runs at a time (the CLI, a scheduler, or the service after an appeal is
decided); it reads only indicators whose ``updated_at`` moved past its cursor, turns
each into one record per audience, merges them into the previous generation and
publishes the next one (:func:`scamtrace.intel.lookup_index.merge_changes`).
"""

from __future__ import annotations

import fcntl
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from scamtrace.intel.access import audience_of
from scamtrace.intel.lookup_index import (
    ALLIANCE,
    FLAG_ALLOWLISTED,
    FLAG_BLOCK_ELIGIBLE,
    FLAG_CLEARED,
    FLAG_HELD,
    RECORD_DTYPE,
    TIER_CODES,
    index_key,
    merge_changes,
    publish,
)
from scamtrace.intel.models import Indicator
from scamtrace.intel.policy_store import current_allowlist
from scamtrace.intel.reasons import Reason
from scamtrace.intel.scoring import Assessment, tier_for
from scamtrace.intel.service import assess_rows, evidence_rows, rescore
from scamtrace.store.base import utcnow

#: Kinds as one byte in a record; order is part of the file format (append only).
KIND_CODES = {
    kind: code
    for code, kind in enumerate(
        (
            "phone",
            "short_code",
            "ussd",
            "sender_id",
            "url",
            "domain",
            "bank_account",
            "promptpay",
            "national_id",
            "line_id",
            "email",
            "wallet",
            "imei",
            "imsi",
        ),
        start=1,
    )
}
#: Re-assess indicators not scored for this long, so decay reaches the index.
RESCORE_AFTER = timedelta(hours=1)
#: Changes this much older than the cursor are merged again (late-committing writers).
CURSOR_MARGIN = timedelta(minutes=2)


@dataclass(frozen=True)
class BuildResult:
    """What one build did."""

    generation: int
    changed_indicators: int
    records: int


def _epoch(moment: datetime | None) -> int:
    return int(moment.timestamp()) if moment is not None else 0


def _record(indicator: Indicator, result: Assessment | None, public_score: int) -> np.void:
    score = int(result.score if result else indicator.score)
    codes = int(result.reason_codes if result else indicator.reason_codes)
    eligible = result.block_eligible if result else indicator.block_eligible
    flags = (
        (FLAG_BLOCK_ELIGIBLE if eligible else 0)
        | (FLAG_HELD if codes & Reason.HELD_FOR_REVIEW else 0)
        | (FLAG_ALLOWLISTED if codes & Reason.ALLOWLISTED else 0)
        | (FLAG_CLEARED if indicator.cleared_at is not None else 0)
    )
    row = np.zeros((), RECORD_DTYPE)
    row["score"], row["tier"] = score, TIER_CODES[tier_for(score)]
    row["public_score"], row["public_tier"] = public_score, TIER_CODES[tier_for(public_score)]
    row["flags"], row["kind"] = flags, KIND_CODES.get(indicator.kind, 0)
    row["n_members"] = min(result.n_members if result else indicator.n_members, 65535)
    row["n_reports"] = result.n_reports if result else indicator.n_reports
    row["n_reporters"] = result.n_reporters if result else indicator.n_reporters
    row["reasons"] = codes
    row["first_seen"] = _epoch(indicator.first_seen_at)
    row["last_seen"] = _epoch(indicator.last_seen_at)
    return row


def _records_for(session: Session, indicators: list[Indicator], now: datetime):
    keys, records, deletes, audiences = [], [], [], {ALLIANCE}
    restricted = [i for i in indicators if i.restricted]
    rows_by_id = evidence_rows(session, [i.id for i in restricted]) if restricted else {}
    for indicator in indicators:
        key = index_key(ALLIANCE, indicator.kind, indicator.value)
        meaningful = (
            indicator.score > 0
            or indicator.public_score > 0
            or (
                indicator.reason_codes
                & (Reason.ALLOWLISTED | Reason.HELD_FOR_REVIEW | Reason.CLEARED)
            )
        )
        if meaningful:
            keys.append(key)
            records.append(_record(indicator, None, indicator.public_score))
        else:
            deletes.append(key)
        if not indicator.restricted:
            continue
        by_audience: dict[str, list] = defaultdict(list)
        for row in rows_by_id.get(indicator.id, []):
            ev = row.evidence
            audience = audience_of(
                tlp=ev.tlp,
                sharing_group=ev.sharing_group,
                source_member_id=ev.source_member_id,
                source_sector=row.source_sector,
            )
            by_audience[audience].append(row)
        shared = by_audience.pop(ALLIANCE, [])
        for audience, extra in by_audience.items():
            result = assess_rows(session, indicator, shared + extra, now=now)
            keys.append(index_key(audience, indicator.kind, indicator.value))
            records.append(_record(indicator, result, indicator.public_score))
            audiences.add(audience)
    return keys, records, deletes, audiences


def _allowlist_records(session: Session) -> tuple[list[int], list[np.void]]:
    """Records for allowlisted identifiers the hub holds no evidence on.

    So that a lookup of 1185 or a bank's call centre answers "official" even before
    anyone reports it (those with evidence carry the flag in their own record).
    """
    entries = [e for e in current_allowlist(session).entries if not e.suffix]
    # Only the allowlisted values are looked for, through the (kind, value) index: a scan
    # of every indicator here would cost each refresh seconds at ten million indicators.
    wanted: dict[str, list[str]] = defaultdict(list)
    for entry in entries:
        wanted[entry.kind].append(entry.value)
    held: set[tuple[str, str]] = set()
    for kind, values in wanted.items():
        for start in range(0, len(values), 500):
            query = select(Indicator.value).where(
                Indicator.kind == kind, Indicator.value.in_(values[start : start + 500])
            )
            held.update((kind, value) for value in session.execute(query).scalars())
    keys, records = [], []
    for entry in entries:
        if (entry.kind, entry.value) in held:
            continue
        row = np.zeros((), RECORD_DTYPE)
        row["flags"], row["kind"] = FLAG_ALLOWLISTED, KIND_CODES.get(entry.kind, 0)
        row["reasons"] = int(Reason.ALLOWLISTED)
        keys.append(index_key(ALLIANCE, entry.kind, entry.value))
        records.append(row)
    return keys, records


def _state_path(index_dir: Path) -> Path:
    return index_dir / "builder-state.json"


def rebuild_index(
    session: Session,
    index_dir: Path,
    *,
    full: bool = False,
    now: datetime | None = None,
) -> BuildResult:
    """Publish a new index generation with every indicator changed since the last build.

    Args:
        session: the store session (rescoring for decay writes to it; the caller commits).
        index_dir: where the index lives (``<data_dir>/lookup-index`` by default).
        full: rebuild from nothing instead of merging changes.
        now: assessment time.

    Returns:
        The new generation and how much changed.
    """
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    # One builder at a time: two would both publish "the next" generation.
    with open(index_dir / ".builder.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _rebuild_locked(session, index_dir, full=full, now=now or utcnow())


def _rebuild_locked(session: Session, index_dir: Path, *, full: bool, now: datetime) -> BuildResult:
    state_file = _state_path(index_dir)
    cursor = None
    if not full and state_file.exists():
        cursor = datetime.fromisoformat(json.loads(state_file.read_text())["cursor"])
    stale = select(Indicator).where(
        Indicator.score > 0,
        or_(Indicator.scored_at.is_(None), Indicator.scored_at < now - RESCORE_AFTER),
    )
    for indicator in session.execute(stale).scalars():
        rescore(session, indicator, now=now)
    session.flush()
    query = select(Indicator).order_by(Indicator.updated_at, Indicator.id)
    if cursor is not None:
        # A transaction that stamped updated_at before the cursor may commit after it was
        # read: re-merge a margin of recent changes (idempotent) so none is missed.
        query = query.where(Indicator.updated_at >= cursor - CURSOR_MARGIN)
    changed = list(session.execute(query).scalars())
    keys, records, deletes, audiences = _records_for(session, changed, now)
    official_keys, official_records = _allowlist_records(session)
    keys, records = official_keys + keys, official_records + records
    key_array = np.array(keys, dtype="<u8")
    record_array = np.array(records, dtype=RECORD_DTYPE) if records else np.zeros(0, RECORD_DTYPE)
    if full or cursor is None:
        generation = publish(index_dir, key_array, record_array, audiences)
    else:
        generation = merge_changes(index_dir, key_array, record_array, deletes, audiences)
    if changed:
        state_file.write_text(json.dumps({"cursor": changed[-1].updated_at.isoformat()}))
    return BuildResult(generation, len(changed), len(keys))
