"""The call-records feed and the *1185# "Report End of Scammer" resolution.

A person who hangs up on a scam call dials *1185# within five minutes; the network knows
who called them last. scamtrace keeps a rolling window of call records (loaded in bulk or
pushed by the telcos), resolves the **last caller** to the reporter in the five minutes
before the report, and reads that caller's **48-hour calling pattern** with the same SIM
features and rules as batch mule-SIM scoring (:func:`check_calling_pattern`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session

from scamtrace.config import get_settings
from scamtrace.errors import InvalidIdentifier, InvalidInput
from scamtrace.identifiers import parse
from scamtrace.reports.models import CallRecord
from scamtrace.reports.timestamps import parse_timestamp

#: AIS's *1185# looks at the call ended "within 5 minutes" before the dial.
LAST_CALLER_SECONDS = 300
#: Calls before the 48 hours that show whether a callee was contacted before.
HISTORY_HOURS = 24
_INSERT_BATCH = 5_000
#: Score at which a *1185# report is escalated to the police. Lower than the batch
#: flag threshold on purpose: a person has just reported this caller, and escalation
#: asks a human to look, it blocks nothing.
ESCALATION_THRESHOLD = 0.45


@dataclass(frozen=True)
class CallLoadResult:
    """What a load of call records did."""

    accepted: int
    rejected: int
    pruned: int
    errors: list[str] = field(default_factory=list)


def _phone(raw: Any, column: str, row: int, seen: dict[str, str]) -> str:
    text = str(raw)
    canonical = seen.get(text)
    if canonical is None:
        try:
            canonical = seen[text] = parse("phone", text).value
        except InvalidIdentifier as exc:
            try:  # calls to and from service numbers (1185, 1441) are real traffic too
                canonical = seen[text] = parse("short_code", text).value
            except InvalidIdentifier:
                raise InvalidInput(f"call record {row}: {column}: {exc.reason}") from None
    return canonical


def _call_row(record: Mapping[str, Any], row: int, seen: dict[str, str]) -> dict[str, Any]:
    for column in ("ts", "caller", "callee"):
        if record.get(column) in (None, ""):
            raise InvalidInput(f"call record {row}: {column} is missing")
    duration = record.get("duration_s", 0)
    try:
        duration = int(duration) if duration not in (None, "") else 0
    except (TypeError, ValueError):
        raise InvalidInput(f"call record {row}: duration_s {duration!r} is not a number") from None
    if duration < 0:
        raise InvalidInput(f"call record {row}: duration_s is negative")
    imei = record.get("imei")
    return {
        "ts": parse_timestamp(record["ts"], field=f"call record {row}: ts"),
        "caller": _phone(record["caller"], "caller", row, seen),
        "callee": _phone(record["callee"], "callee", row, seen),
        "duration_s": duration,
        "cell_id": str(record["cell_id"]) if record.get("cell_id") not in (None, "") else None,
        "imei": str(imei) if imei not in (None, "") else None,
    }


def load_call_records(
    session: Session,
    records: Iterable[Mapping[str, Any]],
    *,
    window_hours: float | None = None,
    strict: bool = True,
) -> CallLoadResult:
    """Validate, store and prune call records (the caller commits).

    Args:
        session: the store session.
        records: mappings with ts, caller, callee and optionally duration_s, cell_id, imei;
            numbers in any written form.
        window_hours: the rolling window kept, counted back from the newest record;
            defaults to ``SCAMTRACE_CALL_WINDOW_HOURS``.
        strict: refuse the whole batch on the first bad record (the API's behaviour);
            when False, bad records are counted and skipped (bulk files).

    Returns:
        How many records were accepted, rejected and pruned.

    Raises:
        InvalidInput: a bad record when ``strict``.
    """
    window = timedelta(hours=window_hours or get_settings().call_window_hours)
    rows: list[dict[str, Any]] = []
    errors: list[str] = []
    # A feed repeats the same numbers many times: canonicalise each written form once.
    seen: dict[str, str] = {}
    for number, record in enumerate(records, start=1):
        try:
            rows.append(_call_row(record, number, seen))
        except InvalidInput as exc:
            if strict:
                raise
            errors.append(exc.detail)
    for start in range(0, len(rows), _INSERT_BATCH):
        session.execute(insert(CallRecord.__table__), rows[start:start + _INSERT_BATCH])
    pruned = 0
    newest = session.execute(select(func.max(CallRecord.ts))).scalar_one_or_none()
    if newest is not None:
        pruned = session.execute(
            delete(CallRecord).where(CallRecord.ts < newest - window)
        ).rowcount or 0
    return CallLoadResult(accepted=len(rows), rejected=len(errors), pruned=pruned, errors=errors[:20])


def resolve_last_caller(session: Session, *, reporter: str, at: datetime) -> CallRecord | None:
    """Return the last call to ``reporter`` that started within 5 minutes before ``at``.

    Args:
        session: the store session.
        reporter: the reporter's canonical number (E.164).
        at: when *1185# was dialled.

    Returns:
        The call record, or ``None`` when no call reached the reporter in that time.
    """
    return session.execute(
        select(CallRecord)
        .where(
            CallRecord.callee == reporter,
            CallRecord.ts <= at,
            CallRecord.ts >= at - timedelta(seconds=LAST_CALLER_SECONDS),
        )
        .order_by(CallRecord.ts.desc(), CallRecord.id.desc())
        .limit(1)
    ).scalar_one_or_none()


_local = threading.local()


def _check_connection() -> Any:
    """One in-memory DuckDB per thread: opening one costs ~0.2 s, a check much less."""
    import duckdb

    connection = getattr(_local, "duckdb", None)
    if connection is None:
        connection = _local.duckdb = duckdb.connect()
    return connection


def _calls_frame(session: Session, msisdn: str, at: datetime, hours: float) -> pd.DataFrame:
    start = at - timedelta(hours=hours + HISTORY_HOURS)
    handsets = select(CallRecord.imei).where(
        CallRecord.caller == msisdn, CallRecord.imei.is_not(None), CallRecord.ts >= start
    )
    rows = session.execute(
        select(CallRecord.ts, CallRecord.caller, CallRecord.callee, CallRecord.duration_s,
               CallRecord.cell_id, CallRecord.imei)
        .where(CallRecord.ts >= start, CallRecord.ts <= at)
        .where(or_(CallRecord.caller == msisdn, CallRecord.callee == msisdn,
                   CallRecord.imei.in_(handsets)))
    ).all()
    frame = pd.DataFrame(rows, columns=["ts", "caller", "callee", "duration_s", "cell_id", "imei"])
    # The analytics features read naive UTC timestamps.
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True).dt.tz_localize(None)
    frame["duration_s"] = frame["duration_s"].astype("int64")
    return frame.astype({"caller": "string", "callee": "string", "cell_id": "string", "imei": "string"})


def check_caller_pattern(
    session: Session, *, caller: str, at: datetime, hours: float = 48,
    reports: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Score ``caller``'s calling pattern over the hours before ``at``.

    Args:
        session: the store session holding the call window.
        caller: canonical number of the caller.
        at: the report time.
        hours: the look-back (48 hours, as AIS describes *1185#).
        reports: earlier reports naming numbers (ts, reporter_msisdn, reported_kind,
            reported_value), so that "other reports" count in the pattern.

    Returns:
        ``{"score", "flagged", "reasons", "features"}`` from the mule-SIM rules.
    """
    from scamtrace.analytics.sims.check import check_calling_pattern

    connection = _check_connection()
    try:
        connection.register("calls_frame", _calls_frame(session, caller, at, hours))
        connection.execute("CREATE OR REPLACE TABLE calls AS SELECT * FROM calls_frame")
        reports_table = None
        if reports is not None and len(reports):
            connection.register("reports_frame", reports)
            connection.execute("CREATE OR REPLACE TABLE reports AS SELECT * FROM reports_frame")
            reports_table = "reports"
        result = check_calling_pattern(connection, [caller], at=at, hours=hours,
                                       history_hours=HISTORY_HOURS, reports=reports_table,
                                       threshold=ESCALATION_THRESHOLD)
    finally:
        connection.execute("DROP TABLE IF EXISTS calls; DROP TABLE IF EXISTS reports")
        connection.unregister("calls_frame")
    row = result.iloc[0]
    features = {name: _number(row[name]) for name in _CHECK_FEATURES if name in row.index}
    reasons = row["reasons"]
    if isinstance(reasons, str):
        reasons = [reason for reason in reasons.split("; ") if reason]
    return {
        "score": round(float(row["score"]), 4),
        "flagged": bool(row["flagged"]),
        "reasons": list(reasons),
        "features": features,
    }


#: The features shown to the analyst with a *1185# escalation.
_CHECK_FEATURES = (
    "out_calls", "in_calls", "out_in_ratio", "distinct_callees", "new_callee_share",
    "short_call_share", "unanswered_share", "night_share", "imeis_per_sim", "reports_against",
)


def _number(value: Any) -> float:
    try:
        return round(float(value), 4)
    except (TypeError, ValueError):
        return 0.0
