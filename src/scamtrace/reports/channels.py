"""The four intake channels: SMS to 1185, *1185# USSD, web/app, and partner bulk files.

Each turns what its gateway sends into a :class:`Submission` with canonical identifiers
and hands it to :func:`accept_report`. Bad input raises a :class:`ScamtraceError` before
anything is stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as StoreIntegrityError
from sqlalchemy.orm import Session

from scamtrace.errors import InvalidIdentifier, InvalidInput, ScamtraceError
from scamtrace.identifiers import parse
from scamtrace.orgs.service import Principal
from scamtrace.reports.calls import check_caller_pattern, resolve_last_caller
from scamtrace.reports.models import Report
from scamtrace.reports.schemas import (
    BulkResult,
    ReportReceipt,
    SmsReportCreate,
    UssdReportCreate,
    WebReportCreate,
)
from scamtrace.reports.service import Submission, accept_report, canonical_or_none
from scamtrace.reports.timestamps import parse_timestamp
from scamtrace.reports.validation import validate_report_text
from scamtrace.store.base import utcnow

#: *1185 is the Spam Report Center's service code (AIS, "Report End of Scammer").
REPORT_SERVICE_CODE = "1185"
#: Kinds a partner row may name, as written in its ``reported_kind`` column.
PARTNER_KINDS = ("phone", "sender_id", "url", "domain", "bank_account", "promptpay",
                 "line_id", "email", "wallet")


def _when(value: datetime | None) -> datetime:
    return parse_timestamp(value) if value is not None else utcnow()


def _sender(raw: str | None) -> tuple[str, str] | None:
    """The original sender as the network gives it: a number, a short code or a name.

    The network, not the citizen, supplies it: an unreadable sender never refuses the
    report, it is only left out of the evidence.
    """
    if raw is None or not raw.strip():
        return None
    for kind in ("phone", "short_code", "sender_id"):
        try:
            return canonical_or_none(kind, raw)
        except InvalidIdentifier:
            continue
    return None


def submit_sms_report(session: Session, report_in: SmsReportCreate, *, caller: Principal) -> ReportReceipt:
    """Accept an SMS forwarded to 1185 (reporter, text, original sender when known)."""
    submission = Submission(
        channel="sms_1185", received_at=_when(report_in.received_at),
        reporter_number=parse("phone", report_in.reporter).value,
        text=validate_report_text(report_in.text), sender=_sender(report_in.sender),
    )
    return accept_report(session, submission, actor=caller.actor)


def submit_ussd_report(session: Session, report_in: UssdReportCreate, *, caller: Principal) -> ReportReceipt:
    """Accept *1185# (resolve the last caller) or *1185*<number># (the number named)."""
    code = parse("ussd", report_in.code)
    if code.facts.get("service_code") != REPORT_SERVICE_CODE:
        raise InvalidInput(f"{code.value} is not a report code: dial *1185# or *1185*<number>#")
    reporter = parse("phone", report_in.reporter).value
    dialled_at = _when(report_in.dialled_at)
    details: dict[str, Any] = {"code": code.value}
    reported: list[tuple[str, str]] = []
    if code.facts.get("phone"):
        reported.append(("phone", code.facts["phone"]))
        details["resolution"] = "named"
    else:
        last_call = resolve_last_caller(session, reporter=reporter, at=dialled_at)
        if last_call is not None:
            reported.append(("phone", last_call.caller))
            details["resolution"] = "last_caller"
            details["last_call"] = {"at": last_call.ts.isoformat(), "duration_s": last_call.duration_s}
        else:
            details["resolution"] = "no_call_within_5_minutes"
    submission = Submission(channel="ussd_1185", received_at=dialled_at, reporter_number=reporter,
                            reported=reported, details=details)
    return accept_report(session, submission, actor=caller.actor,
                         escalation_check=_escalate_suspicious_caller if reported else None)


def _escalate_suspicious_caller(session: Session, report: Report) -> None:
    caller = report.reported_value
    earlier = session.execute(
        select(Report.received_at, Report.reported_kind, Report.reported_value)
        .where(Report.reported_kind == "phone", Report.reported_value == caller,
               Report.id != report.id)
    ).all()
    reports = pd.DataFrame(
        [(at, f"report-{i}", kind, value) for i, (at, kind, value) in enumerate(earlier)],
        columns=["ts", "reporter_msisdn", "reported_kind", "reported_value"],
    )
    if len(reports):
        reports["ts"] = pd.to_datetime(reports["ts"], utc=True).dt.tz_localize(None)
    check = check_caller_pattern(session, caller=caller, at=report.received_at, reports=reports)
    report.analysis = {**(report.analysis or {}), "calling_pattern_48h": check}
    if check["flagged"]:
        report.escalated = True
        report.status = "escalated"


def submit_web_report(session: Session, report_in: WebReportCreate, *, caller: Principal) -> ReportReceipt:
    """Accept a web or app report: text, number, link or account, and the loss."""
    reported = [item for item in (
        canonical_or_none("phone", report_in.number),
        canonical_or_none("url", report_in.link),
        _account(report_in.account, report_in.bank),
        _account(report_in.transfer.to_account, report_in.transfer.to_bank) if report_in.transfer else None,
    ) if item is not None]
    details: dict[str, Any] = {}
    if report_in.transfer is not None:
        details["transfer"] = report_in.transfer.model_dump(mode="json", exclude_none=True)
    submission = Submission(
        channel="web", received_at=utcnow(), reporter_number=parse("phone", report_in.reporter).value,
        text=validate_report_text(report_in.text, required=False), reported=reported,
        scam_type=report_in.scam_type, loss_amount_thb=report_in.loss_amount_thb,
        province=report_in.province, details=details,
    )
    return accept_report(session, submission, actor=caller.actor)


def _account(raw: str | None, bank: str | None) -> tuple[str, str] | None:
    if raw is None or not raw.strip():
        return None
    written = f"{bank} {raw}" if bank and ":" not in raw else raw
    return canonical_or_none("bank_account", written)


def _partner_submission(row: Mapping[str, Any], caller: Principal, channel: str) -> Submission:
    key = str(row.get("idempotency_key") or "").strip()
    if not key:
        raise InvalidInput("idempotency_key is missing")
    if len(key) > 200:
        raise InvalidInput("idempotency_key is longer than 200 characters")
    kind = str(row.get("reported_kind") or "").strip()
    reported = []
    if kind:
        if kind not in PARTNER_KINDS:
            raise InvalidInput(f"reported_kind {kind[:30]!r} is not one of {', '.join(PARTNER_KINDS)}")
        item = canonical_or_none(kind, row.get("reported_value"))
        if item is None:
            raise InvalidInput("reported_value is missing")
        reported.append(item)
    text = validate_report_text(row.get("text") or None, required=not reported)
    loss = row.get("loss_amount_thb")
    try:
        loss = Decimal(str(loss)) if loss not in (None, "") else None
    except InvalidOperation:
        raise InvalidInput(f"loss_amount_thb {str(loss)[:20]!r} is not a number") from None
    reporter = row.get("reporter")
    details = {name: str(row[name]) for name in ("tx_id", "note") if row.get(name) not in (None, "")}
    return Submission(
        channel=channel, member_id=caller.member_id, idempotency_key=key,
        received_at=_when(row.get("received_at") or None) if row.get("received_at") else utcnow(),
        reporter_number=parse("phone", str(reporter)).value if reporter not in (None, "") else None,
        text=text, reported=reported, scam_type=(row.get("scam_type") or None),
        loss_amount_thb=loss, details=details,
    )


def submit_partner_rows(session: Session, rows: Iterable[Mapping[str, Any]], *,
                        caller: Principal) -> BulkResult:
    """Accept a member's bulk rows; a row already uploaded (same key) is not repeated.

    Each row is accepted or refused on its own: a bad row is reported by its line number
    and never undoes the rows before it.
    """
    channel = "bank" if caller.sector == "bank" else "partner"
    accepted, duplicates, references, errors = 0, 0, [], []
    for line, row in enumerate(rows, start=1):
        try:
            submission = _partner_submission(row, caller, channel)
            existing = session.execute(
                select(Report.reference).where(Report.member_id == caller.member_id,
                                               Report.idempotency_key == submission.idempotency_key)
            ).scalar_one_or_none()
            if existing is not None:
                duplicates += 1
                references.append(existing)
                continue
            receipt = accept_report(session, submission, actor=caller.actor)
        except StoreIntegrityError:
            # The same key committed by a concurrent upload a moment ago: a duplicate.
            session.rollback()
            duplicates += 1
            continue
        except ScamtraceError as exc:
            session.rollback()
            errors.append(f"row {line}: {exc.detail}")
            continue
        accepted += 1
        references.append(receipt.reference)
    return BulkResult(accepted=accepted, duplicates=duplicates, rejected=len(errors),
                      references=references, errors=errors[:100])
