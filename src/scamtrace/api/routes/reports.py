"""``/v1/reports``: the 1185 SMS and *1185# USSD gateways, the web form, partner uploads."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, UploadFile

from scamtrace.api.deps import Caller, SessionDep, require_roles
from scamtrace.orgs.service import Principal
from scamtrace.reports import channels
from scamtrace.reports.bulk import MAX_BULK_BYTES, read_partner_file
from scamtrace.reports.schemas import (
    BulkResult,
    ReportReceipt,
    ReportStatus,
    SmsReportCreate,
    UssdReportCreate,
    WebReportCreate,
)
from scamtrace.reports.service import get_report_status

router = APIRouter(prefix="/v1/reports", tags=["reports"])

# The SMS and USSD gateways are run by the operators: they authenticate as telcos.
Gateway = Annotated[Principal, Depends(require_roles("telco", "admin"))]
Partner = Annotated[Principal, Depends(require_roles("bank", "telco", "police", "admin"))]


@router.post("/sms", response_model=ReportReceipt, status_code=201)
def report_sms(session: SessionDep, gateway: Gateway, report_in: SmsReportCreate) -> ReportReceipt:
    """Accept an SMS a subscriber forwarded to 1185 (operator SMS gateway)."""
    return channels.submit_sms_report(session, report_in, caller=gateway)


@router.post("/ussd", response_model=ReportReceipt, status_code=201)
def report_ussd(session: SessionDep, gateway: Gateway, report_in: UssdReportCreate) -> ReportReceipt:
    """Accept a *1185# dial (last caller resolved) or *1185*<number># (operator USSD gateway)."""
    return channels.submit_ussd_report(session, report_in, caller=gateway)


@router.post("/web", response_model=ReportReceipt, status_code=201)
def report_web(session: SessionDep, caller: Caller, report_in: WebReportCreate) -> ReportReceipt:
    """Accept a citizen's report from the web or app form (no key needed)."""
    return channels.submit_web_report(session, report_in, caller=caller)


@router.post("/bulk", response_model=BulkResult)
async def report_bulk(session: SessionDep, partner: Partner, file: UploadFile) -> BulkResult:
    """Upload a member's reports as CSV or JSONL; rows already uploaded are not repeated."""
    content = await file.read(MAX_BULK_BYTES + 1)
    rows = read_partner_file(content, filename=file.filename or "upload")
    return channels.submit_partner_rows(session, rows, caller=partner)


@router.get("/{reference}", response_model=ReportStatus)
def read_report_status(session: SessionDep, reference: str) -> ReportStatus:
    """Return a report's status to whoever holds its reference (no text, no reporter)."""
    return get_report_status(session, reference=reference)
