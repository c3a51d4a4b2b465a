"""Tables of report intake: reporters (as keyed hashes) and their reports.

A reporter is a phone number known only by ``keyed_hash("reporter", E.164)``: enough
to count, rate-limit and weigh a person's reports without storing who they are (PDPA).
A report's raw text is kept until its retention ends; then ``text`` is emptied and
``purged_at`` set, while the text's SHA-256 stays for duplicate detection.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from scamtrace.store.base import Base, JSONDocument, UTCDateTime, check_in, utcnow

CHANNELS: tuple[str, ...] = ("sms_1185", "ussd_1185", "web", "bank", "partner")
REPORT_STATUSES: tuple[str, ...] = (
    "received",
    "analysed",
    "escalated",
    "confirmed",
    "rejected",
    "merged",
)
LABELS: tuple[str, ...] = ("legit", "spam", "scam")


class Reporter(Base):
    """A person who reports, known by the keyed hash of their phone number."""

    __tablename__ = "reporters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Trust in [0, 1]; starts neutral and moves with confirmed and rejected reports.
    trust: Mapped[float] = mapped_column(Float, default=0.5)
    reports_count: Mapped[int] = mapped_column(Integer, default=0)
    confirmed_count: Mapped[int] = mapped_column(Integer, default=0)
    rejected_count: Mapped[int] = mapped_column(Integer, default=0)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Report(Base):
    """One report from any channel, with what intake and analysis made of it."""

    __tablename__ = "reports"
    __table_args__ = (
        check_in("channel", CHANNELS),
        check_in("status", REPORT_STATUSES),
        check_in("label", LABELS),
        # A partner's re-upload of the same row never creates a second report.
        UniqueConstraint("member_id", "idempotency_key"),
        Index("ix_reports_reporter_id_received_at", "reporter_id", "received_at"),
        Index("ix_reports_reported_kind_reported_value", "reported_kind", "reported_value"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("reporters.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))

    text: Mapped[str | None] = mapped_column(Text)
    text_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    language: Mapped[str | None] = mapped_column(String(8))

    # Canonical form from scamtrace.identifiers: the number, link or account reported,
    # and for SMS forwards the original sender when the network knows it.
    reported_kind: Mapped[str | None] = mapped_column(String(20))
    reported_value: Mapped[str | None] = mapped_column(String(2048))
    sender_kind: Mapped[str | None] = mapped_column(String(20))
    sender_value: Mapped[str | None] = mapped_column(String(2048))

    status: Mapped[str] = mapped_column(String(20), default="received", index=True)
    label: Mapped[str | None] = mapped_column(String(10))
    label_score: Mapped[float | None] = mapped_column(Float)
    scam_type: Mapped[str | None] = mapped_column(String(40))
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))

    loss_amount_thb: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    province: Mapped[str | None] = mapped_column(String(60))
    details: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    analysis: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)


class CallRecord(Base):
    """One call from the telcos' call-records feed, kept for a rolling window.

    The feed exists for *1185#: resolving a reporter's last caller and reading that
    caller's 48-hour pattern. Two indexes serve exactly those reads; rows older than the
    window (``SCAMTRACE_CALL_WINDOW_HOURS``, default 72) are pruned on each load.
    """

    __tablename__ = "call_records"
    __table_args__ = (
        Index("ix_call_records_callee_ts", "callee", "ts"),
        Index("ix_call_records_caller_ts", "caller", "ts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ts: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    caller: Mapped[str] = mapped_column(String(32))
    callee: Mapped[str] = mapped_column(String(32))
    duration_s: Mapped[int] = mapped_column(Integer, default=0)
    cell_id: Mapped[str | None] = mapped_column(String(40))
    imei: Mapped[str | None] = mapped_column(String(20), index=True)
