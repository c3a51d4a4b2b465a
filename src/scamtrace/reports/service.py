"""Report intake: accept, make durable, acknowledge, then analyse and feed the hub.

Every channel goes through :func:`accept_report`, which (1) canonicalises the reporter's
number and keeps only its keyed hash, (2) applies the per-reporter hourly limit, (3) merges
a repeat of the same report within the duplicate window, (4) **commits the report before
anything else**, so an acknowledged report survives whatever analysis does next, then
(5) analyses it and turns what it names into evidence for the intelligence hub.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scamtrace.config import get_settings
from scamtrace.errors import NotFound, RateLimited
from scamtrace.identifiers import parse
from scamtrace.intel.service import NewEvidence, add_evidence
from scamtrace.keyed_hash import keyed_hash
from scamtrace.reports.acknowledgements import (
    acknowledgement_texts,
    new_reference_id,
    rate_limit_texts,
)
from scamtrace.reports.analysis import analyse_report
from scamtrace.reports.models import Report, Reporter
from scamtrace.reports.schemas import Acknowledgement, ReportReceipt, ReportStatus
from scamtrace.store.base import utcnow

logger = logging.getLogger("scamtrace.reports")

#: Evidence subtype in the hub for each intake channel.
EVIDENCE_SUBTYPE = {"sms_1185": "sms_1185", "ussd_1185": "ussd", "web": "web",
                    "bank": "partner", "partner": "partner"}


@dataclass
class Submission:
    """One report as a channel hands it over, identifiers still as written."""

    channel: str
    received_at: datetime
    reporter_number: str | None = None
    text: str | None = None
    reported: list[tuple[str, str]] = field(default_factory=list)
    sender: tuple[str, str] | None = None
    member_id: int | None = None
    idempotency_key: str | None = None
    scam_type: str | None = None
    loss_amount_thb: Decimal | None = None
    province: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def reporter_for(session: Session, number: str, *, seen_at: datetime) -> Reporter:
    """Return the reporter row of a canonical number (by keyed hash), creating it."""
    digest = keyed_hash("reporter", number)
    row = session.execute(select(Reporter).where(Reporter.number_hash == digest)).scalar_one_or_none()
    if row is None:
        row = Reporter(number_hash=digest, first_seen_at=seen_at, last_seen_at=seen_at)
        session.add(row)
        session.flush()
    return row


def _enforce_rate_limit(session: Session, reporter: Reporter, now: datetime) -> None:
    limit = get_settings().report_rate_limit_per_hour
    # created_at is the server's clock: a gateway cannot dodge the limit by backdating.
    recent = session.execute(
        select(func.count(Report.id)).where(
            Report.reporter_id == reporter.id, Report.created_at >= now - timedelta(hours=1)
        )
    ).scalar_one()
    if recent >= limit:
        texts = rate_limit_texts()
        raise RateLimited(f"{texts['en']} / {texts['th']} (limit {limit} an hour)",
                          retry_after=3600, messages=texts)


def _earlier_duplicate(session: Session, reporter: Reporter, submission: Submission,
                       text_sha: str | None, now: datetime) -> Report | None:
    window = timedelta(minutes=get_settings().report_duplicate_window_minutes)
    query = select(Report).where(
        Report.reporter_id == reporter.id, Report.channel == submission.channel,
        Report.created_at >= now - window, Report.status != "merged",
    )
    if text_sha is not None:
        query = query.where(Report.text_sha256 == text_sha)
    elif submission.reported:
        kind, value = submission.reported[0]
        query = query.where(Report.reported_kind == kind, Report.reported_value == value)
    else:
        return None
    return session.execute(query.order_by(Report.id).limit(1)).scalar_one_or_none()


def _receipt(report: Report, *, duplicate: bool = False) -> ReportReceipt:
    return ReportReceipt(
        reference=report.reference, status=report.status, duplicate=duplicate,
        escalated=report.escalated,
        acknowledgement=Acknowledgement(**acknowledgement_texts(report.reference)),
    )


def accept_report(session: Session, submission: Submission, *, actor: str,
                  escalation_check: Any = None) -> ReportReceipt:
    """Store a report durably, acknowledge it, then analyse it (commits twice).

    Args:
        session: the store session; committed by this function.
        submission: the report; ``reported`` and ``sender`` hold canonical identifiers.
        actor: the audit actor (gateway key or member).
        escalation_check: optional ``callable(session, report) -> None`` run after the
            report is durable (the *1185# pattern check).

    Returns:
        The receipt; for a duplicate, the receipt of the earlier report.

    Raises:
        RateLimited: the reporter passed the hourly limit (nothing is stored).
    """
    now = utcnow()
    reporter = None
    if submission.reporter_number is not None:
        reporter = reporter_for(session, submission.reporter_number, seen_at=submission.received_at)
        _enforce_rate_limit(session, reporter, now)
    text_sha = hashlib.sha256(submission.text.encode()).hexdigest() if submission.text else None
    earlier = (_earlier_duplicate(session, reporter, submission, text_sha, now)
               if reporter is not None else None)
    first_kind, first_value = submission.reported[0] if submission.reported else (None, None)
    report = Report(
        reference=new_reference_id(), channel=submission.channel,
        received_at=submission.received_at, created_at=now, member_id=submission.member_id,
        reporter_id=reporter.id if reporter else None,
        idempotency_key=submission.idempotency_key, text=submission.text, text_sha256=text_sha,
        reported_kind=first_kind, reported_value=first_value,
        sender_kind=submission.sender[0] if submission.sender else None,
        sender_value=submission.sender[1] if submission.sender else None,
        status="merged" if earlier else "received", scam_type=submission.scam_type,
        loss_amount_thb=submission.loss_amount_thb, province=submission.province,
        merged_into_id=earlier.id if earlier else None, details=submission.details,
    )
    session.add(report)
    session.commit()  # durable before acknowledged (DESIGN.md section 7)
    if earlier is not None:
        return _receipt(earlier, duplicate=True)
    try:
        _analyse_and_share(session, report, submission, actor=actor)
        if escalation_check is not None:
            escalation_check(session, report)
        session.commit()
    except Exception:  # the report stands; an analyst can re-run the analysis
        session.rollback()
        logger.exception("analysis of report %s failed; it stays 'received'", report.reference)
    return _receipt(report)


def _analyse_and_share(session: Session, report: Report, submission: Submission, *, actor: str) -> None:
    named = list(submission.reported)
    if submission.sender is not None:
        named.append(submission.sender)
    if submission.text:
        analysis = analyse_report(submission.text)
        report.analysis = analysis
        report.language = analysis["language"]
        # An SMS forward *is* the message; elsewhere the text is the person's own account
        # ("they called and I transferred..."), which reads as legit to a message model.
        # Such a text labels the report only when it looks like a scam or spam message.
        forwarded = report.channel == "sms_1185"
        if forwarded or analysis["label"] != "legit":
            report.label, report.label_score = analysis["label"], analysis["score"]
            report.scam_type = submission.scam_type or analysis["scam_type"]
        # Identifiers inside a forwarded message judged legit (a real bank notice) are not
        # evidence; in a person's own account they are what the person is pointing at.
        if not (forwarded and analysis["label"] == "legit"):
            named.extend((item["kind"], item["value"]) for item in analysis["indicators"])
    report.status = "analysed"
    evidence = [
        NewEvidence(kind=kind, raw_value=value, evidence="report",
                    subtype=EVIDENCE_SUBTYPE[report.channel], observed_at=report.received_at,
                    reporter_number=submission.reporter_number, report_id=report.id,
                    confidence=1.0 if (kind, value) in submission.reported else 0.7,
                    details={"reference": report.reference, "channel": report.channel})
        for kind, value in dict.fromkeys(named)
    ]
    if evidence:
        add_evidence(session, items=evidence, source_member_id=submission.member_id, actor=actor)


def get_report_status(session: Session, *, reference: str) -> ReportStatus:
    """Return what the holder of a reference may see about its report.

    Raises:
        NotFound: no report has that reference.
    """
    report = session.execute(
        select(Report).where(Report.reference == reference.strip().upper())
    ).scalar_one_or_none()
    if report is None:
        raise NotFound(f"no report with reference {reference[:40]!r}")
    return ReportStatus(
        reference=report.reference, channel=report.channel, status=report.status,
        received_at=report.received_at, label=report.label, scam_type=report.scam_type,
        escalated=report.escalated,
    )


def canonical_or_none(kind: str, raw: str | None) -> tuple[str, str] | None:
    """Return ``(kind, canonical value)`` of a raw identifier, or ``None`` when absent.

    Raises:
        InvalidIdentifier: when present but malformed.
    """
    if raw is None or not str(raw).strip():
        return None
    ident = parse(kind, str(raw))
    return ident.kind, ident.value


def purge_expired_texts(session: Session, *, now: datetime | None = None,
                        retention_days: int | None = None) -> int:
    """Empty the raw texts of reports past the retention limit (PDPA); the caller commits.

    The text's SHA-256, the label, the scam type and the extracted indicators stay, so
    duplicate detection and the evidence in the hub survive the purge.

    Args:
        session: the store session.
        now: the current time (default: now).
        retention_days: days a raw text is kept (default ``SCAMTRACE_RAW_TEXT_RETENTION_DAYS``).

    Returns:
        How many texts were purged.
    """
    now = now or utcnow()
    days = retention_days if retention_days is not None else get_settings().raw_text_retention_days
    expired = session.execute(
        select(Report).where(Report.text.is_not(None),
                             Report.received_at < now - timedelta(days=days))
    ).scalars().all()
    for report in expired:
        report.text = None
        report.purged_at = now
    return len(expired)
