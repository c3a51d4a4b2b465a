"""Tables of investigations: a case and the items it gathers.

A case item points at an indicator or a report in the store, or at something outside
it (a traced transfer in the analytics engine) through ``external_ref``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scamtrace.orgs.models import TLP_LEVELS
from scamtrace.store.base import Base, UTCDateTime, check_in, utcnow

CASE_STATUSES: tuple[str, ...] = ("open", "active", "closed")
CASE_ITEM_KINDS: tuple[str, ...] = ("indicator", "report", "external")


class Case(Base):
    """An investigation opened by a member."""

    __tablename__ = "cases"
    __table_args__ = (check_in("status", CASE_STATUSES), check_in("tlp", TLP_LEVELS))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="open", index=True)
    tlp: Mapped[str] = mapped_column(String(12), default="amber")
    created_by_member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    items: Mapped[list[CaseItem]] = relationship(back_populates="case")


class CaseItem(Base):
    """One indicator, report or outside reference attached to a case."""

    __tablename__ = "case_items"
    __table_args__ = (
        check_in("item_kind", CASE_ITEM_KINDS),
        CheckConstraint(
            "indicator_id IS NOT NULL OR report_id IS NOT NULL OR external_ref IS NOT NULL",
            name="points_somewhere",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    item_kind: Mapped[str] = mapped_column(String(12))
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicators.id"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    external_ref: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(Text)
    added_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="items")
