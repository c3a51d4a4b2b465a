"""Tables of the intelligence hub: indicators, the evidence behind them, appeals, allowlist.

An indicator is one canonical identifier (``phone`` ``+66812345678``). Everything said
about it is a row of evidence: a citizen report, a member's sighting (MISP's seen /
true positive / false positive), an analytics finding, an authority's confirmation or a
member's opinion (STIX ``opinion``). Sightings are evidence of kind ``sighting`` with
the sighting type in ``subtype``, so scoring reads one table. Score, tier and status
on the indicator are the hub's current judgement, recomputed from the evidence.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from scamtrace.orgs.models import TLP_LEVELS
from scamtrace.store.base import Base, JSONDocument, UTCDateTime, check_in, utcnow

TIERS: tuple[str, ...] = ("none", "low", "medium", "high", "very_high")
INDICATOR_STATUSES: tuple[str, ...] = ("active", "held", "cleared", "allowlisted")
EVIDENCE_KINDS: tuple[str, ...] = ("report", "sighting", "analytics", "authority", "opinion")
APPEAL_STATUSES: tuple[str, ...] = ("open", "granted", "denied", "withdrawn")


class Indicator(Base):
    """One canonical identifier and the hub's current judgement of it."""

    __tablename__ = "indicators"
    __table_args__ = (
        UniqueConstraint("kind", "value"),
        check_in("tier", TIERS),
        check_in("status", INDICATOR_STATUSES),
        check_in("tlp", TLP_LEVELS),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(2048))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    tier: Mapped[str] = mapped_column(String(12), default="none")
    status: Mapped[str] = mapped_column(String(12), default="active")
    tlp: Mapped[str] = mapped_column(String(12), default="green")
    reasons: Mapped[list[Any]] = mapped_column(JSONDocument, default=list)
    evidence_count: Mapped[int] = mapped_column(Integer, default=0)
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The rest of the judgement, as the lookup index stores it (intel.scoring.Assessment).
    public_score: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reason_codes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    block_eligible: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    n_reports: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    n_reporters: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    n_members: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Has AMBER / AMBER+STRICT / RED or group evidence: the index adds per-audience scores.
    restricted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Set when an appeal is granted; only new, independent evidence counts afterwards.
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Feeds and the in-memory lookup index pull changes since a cursor on this column.
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, index=True
    )


class Evidence(Base):
    """One thing said about an indicator, by whom, how sure, and who may see it."""

    __tablename__ = "evidence"
    __table_args__ = (
        check_in("kind", EVIDENCE_KINDS),
        check_in("tlp", TLP_LEVELS),
        Index("ix_evidence_indicator_id_observed_at", "indicator_id", "observed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    # seen / true_positive / false_positive; mule_sim / mule_account / network;
    # police_verified; agree / disagree ... depending on ``kind``.
    subtype: Mapped[str | None] = mapped_column(String(40))
    source_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("reporters.id"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    confidence: Mapped[float] = mapped_column(Float, default=0.5)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    tlp: Mapped[str] = mapped_column(String(12), default="amber")
    sharing_group: Mapped[str | None] = mapped_column(String(100))
    details: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    # auto (scored as received) / held (burst from new reporters) / accepted / rejected.
    review: Mapped[str] = mapped_column(String(12), default="auto", server_default="auto")


class Appeal(Base):
    """An owner's dispute of an indicator, with its service-level clock."""

    __tablename__ = "appeals"
    __table_args__ = (check_in("status", APPEAL_STATUSES),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"), index=True)
    # keyed_hash("appellant", contact): the hub can recognise a repeat appellant without
    # holding their phone number or e-mail.
    appellant_contact_hash: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="open", index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sla_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    decision_note: Mapped[str | None] = mapped_column(Text)


class AllowlistEntry(Base):
    """An identifier never blocked automatically (official numbers, agencies' domains)."""

    __tablename__ = "allowlist"
    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(2048))
    reason: Mapped[str] = mapped_column(String(500))
    # "package" for the list shipped with scamtrace, "admin" for entries added by hand.
    source: Mapped[str] = mapped_column(String(20), default="admin")
    added_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MemberActionPolicy(Base):
    """A member's mapping of tiers to actions (block / delay_warn / warn / none)."""

    __tablename__ = "intel_action_policies"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    policy: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
