"""Demo step: the simulated world's call records and reports, through the intake channels.

The world's clock is shifted so that its last day ends now: the hub scores evidence by
age, and a world simulated for a past month would otherwise arrive already decayed.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from scamtrace.errors import InvalidInput, ScamtraceError
from scamtrace.orgs.service import ANONYMOUS, authenticate_api_key
from scamtrace.reports import channels
from scamtrace.reports.calls import load_call_records
from scamtrace.reports.models import Report
from scamtrace.reports.schemas import SmsReportCreate, UssdReportCreate, WebReportCreate
from scamtrace.store.engine import session_scope


def world_clock_shift(world_dir: Path) -> timedelta:
    """Return the shift that moves the world's last call to the current hour."""
    calls = pq.read_table(world_dir / "calls.parquet", columns=["ts"])
    newest = max(calls.column("ts").to_pylist())
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0, tzinfo=None)
    return now - newest


def _aware(ts: datetime, shift: timedelta) -> datetime:
    return (ts + shift).replace(tzinfo=UTC)


def feed_world(world_dir: Path, database_url: str, *, keys: dict[str, str]) -> dict[str, Any]:
    """Load the world's calls into the *1185# window and submit every report.

    Args:
        world_dir: a simulated world (``scamtrace simulate``).
        database_url: the store to fill.
        keys: demo API keys by role (``telco`` for the gateways, ``bank`` for complaints).

    Returns:
        Counts: calls loaded, reports by channel and status, escalations, duplicates.
    """
    shift = world_clock_shift(world_dir)
    calls = pq.read_table(world_dir / "calls.parquet",
                          columns=["ts", "caller", "callee", "duration_s", "cell_id", "imei"]).to_pylist()
    for call in calls:
        call["ts"] = _aware(call["ts"], shift)
    reports = sorted(pq.read_table(world_dir / "reports.parquet").to_pylist(), key=lambda r: r["ts"])
    outcome: Counter[str] = Counter()
    with session_scope(database_url) as session:
        telco = authenticate_api_key(session, plaintext=keys["telco"])
        bank = authenticate_api_key(session, plaintext=keys["bank"])
        # Keep the whole simulated span: the demo replays days of reports at once.
        loaded = load_call_records(session, calls, window_hours=24 * 60)
        session.commit()
        for row in reports:
            try:
                duplicate = _submit(session, row, shift, telco=telco, bank=bank)
            except ScamtraceError as exc:
                session.rollback()
                outcome[f"refused ({exc.title})"] += 1
                continue
            outcome["merged duplicates" if duplicate else row["channel"]] += 1
        statuses = Counter(status for (status,) in session.query(Report.status))
        labels = Counter(str(label) for (label,) in session.query(Report.label))
        ussd = session.query(Report.reported_value, Report.escalated).filter(
            Report.channel == "ussd_1185", Report.status != "merged").all()
    return {"calls_loaded": loaded.accepted, "submitted": dict(outcome),
            "statuses": dict(statuses), "labels": dict(labels),
            "ussd": _escalation_quality(world_dir, ussd)}


def _escalation_quality(world_dir: Path, ussd: list[tuple[str | None, bool]]) -> dict[str, int]:
    """Compare *1185# escalations with the simulator's truth: which callers are gang SIMs."""
    truth = pq.read_table(world_dir / "truth" / "truth_entities.parquet").to_pylist()
    gang_sims = {row["id"] for row in truth if row["kind"] == "sim" and row["gang_id"]}
    resolved = [(caller, escalated) for caller, escalated in ussd if caller]
    return {
        "reports": len(ussd),
        "caller_resolved": len(resolved),
        "caller_is_gang_sim": sum(caller in gang_sims for caller, _ in resolved),
        "escalated": sum(escalated for _, escalated in resolved),
        "escalated_gang_sim": sum(escalated and caller in gang_sims for caller, escalated in resolved),
    }


def _submit(session, row: dict[str, Any], shift: timedelta, *, telco, bank) -> bool:
    """Submit one simulated report through its channel; True when merged as a duplicate."""
    at = _aware(row["ts"], shift)
    channel = row["channel"]
    if channel == "ussd_1185":
        return channels.submit_ussd_report(session, UssdReportCreate(
            reporter=row["reporter_msisdn"], code=row["text"] or "*1185#", dialled_at=at),
            caller=telco).duplicate
    if channel == "sms_1185":
        sender = row["reported_value"] if row["reported_kind"] in ("phone", "sender_id") else None
        return channels.submit_sms_report(session, SmsReportCreate(
            reporter=row["reporter_msisdn"], text=row["text"], sender=sender, received_at=at),
            caller=telco).duplicate
    if channel == "web":
        kind, value = row["reported_kind"], row["reported_value"]
        return channels.submit_web_report(session, WebReportCreate(
            reporter=row["reporter_msisdn"], text=row["text"] or None,
            number=value if kind == "phone" else None,
            account=value if kind == "bank_account" else None,
            link=value if kind == "url" else None), caller=ANONYMOUS).duplicate
    result = channels.submit_partner_rows(session, [{
        "idempotency_key": f"sim-{row['report_id']}", "reported_kind": row["reported_kind"],
        "reported_value": row["reported_value"], "text": row["text"],
        "reporter": row["reporter_msisdn"], "received_at": at.isoformat(),
        "tx_id": row["tx_id"]}], caller=bank)
    if result.errors:
        raise InvalidInput(result.errors[0])
    return result.duplicates > 0


def demo_step(context) -> None:
    """``scamtrace demo`` step: the world's calls and reports through the intake channels."""
    result = feed_world(Path(context.results["world"]), context.database_url, keys=context.keys)
    context.results["reports"] = result
    context.echo(f"call-records window: {result['calls_loaded']:,} calls loaded for *1185#")
    context.echo(f"reports taken in by channel: {result['submitted']}")
    context.echo(f"  status: {result['statuses']}; label: {result['labels']}")
    ussd = result["ussd"]
    context.echo(
        f"  *1185#: {ussd['caller_resolved']} of {ussd['reports']} resolved to the last caller "
        f"({ussd['caller_is_gang_sim']} of them a gang SIM in truth); escalated "
        f"{ussd['escalated']}, of which {ussd['escalated_gang_sim']} gang SIMs")
