"""API shapes of report intake: one ``*Create`` per channel, receipts and status."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator

_FORBID = ConfigDict(extra="forbid")


class SmsReportCreate(BaseModel):
    """An SMS forwarded to 1185, as the operator's SMS gateway passes it on."""

    model_config = _FORBID
    reporter: str = Field(..., max_length=40, description="The reporter's number, any written form.")
    text: str = Field(..., description="The forwarded SMS text (at most 2,000 characters).")
    sender: str | None = Field(None, max_length=64, description="Original sender, when the network knows it.")
    received_at: datetime | None = Field(None, description="When 1185 received it (default: now).")


class UssdReportCreate(BaseModel):
    """A *1185# or *1185*<number># dial, as the USSD gateway passes it on."""

    model_config = _FORBID
    reporter: str = Field(..., max_length=40, description="The dialling subscriber's number.")
    code: str = Field("*1185#", max_length=64, description="The USSD string dialled.")
    dialled_at: datetime | None = Field(None, description="When it was dialled (default: now).")


class TransferDetails(BaseModel):
    """A transfer the victim made, as they know it from their banking app."""

    model_config = _FORBID
    amount_thb: Decimal | None = Field(None, ge=0, le=Decimal(1000000000))
    to_account: str | None = Field(None, max_length=64)
    to_bank: str | None = Field(None, max_length=40)
    at: datetime | None = None
    transaction_ref: str | None = Field(None, max_length=100)


class WebReportCreate(BaseModel):
    """A report from the web or app form: at least one of text, number, link, account."""

    model_config = _FORBID
    reporter: str = Field(..., max_length=40, description="The reporter's number, for status SMS.")
    text: str | None = None
    number: str | None = Field(None, max_length=40)
    link: str | None = Field(None, max_length=2048)
    account: str | None = Field(None, max_length=64)
    bank: str | None = Field(None, max_length=40, description="Bank of the account, when known.")
    scam_type: str | None = Field(None, max_length=40, description="The type the person chose.")
    loss_amount_thb: Decimal | None = Field(None, ge=0, le=Decimal(1000000000))
    province: str | None = Field(None, max_length=60)
    transfer: TransferDetails | None = None

    @model_validator(mode="after")
    def _something_reported(self) -> WebReportCreate:
        if not any((self.text, self.number, self.link, self.account)):
            raise ValueError("give at least one of text, number, link or account")
        return self


class Acknowledgement(BaseModel):
    th: str
    en: str


class ReportReceipt(BaseModel):
    """What the reporter gets back at once: the reference and an SMS-ready text."""

    reference: str
    status: str
    duplicate: bool = Field(False, description="True when merged into an earlier report.")
    escalated: bool = False
    acknowledgement: Acknowledgement


class ReportStatus(BaseModel):
    """What anyone holding the reference may see: never the text or the reporter."""

    reference: str
    channel: str
    status: str
    received_at: datetime
    label: str | None
    scam_type: str | None
    escalated: bool


class BulkResult(BaseModel):
    """The outcome of a partner upload: each row accepted, already known, or refused."""

    accepted: int
    duplicates: int
    rejected: int
    references: list[str]
    errors: list[str]


class CallRecordIn(BaseModel):
    model_config = _FORBID
    ts: datetime
    caller: str = Field(..., max_length=40)
    callee: str = Field(..., max_length=40)
    duration_s: int = Field(0, ge=0, le=86_400)
    cell_id: str | None = Field(None, max_length=40)
    imei: str | None = Field(None, max_length=20)


class CallBatch(BaseModel):
    model_config = _FORBID
    records: list[CallRecordIn] = Field(..., max_length=100_000)


class CallLoadRead(BaseModel):
    accepted: int
    rejected: int
    pruned: int
