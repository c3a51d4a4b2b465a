"""API shapes of the intelligence hub (one family per resource)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

TlpName = Literal["clear", "green", "amber", "amber+strict", "red"]


class LookupItem(BaseModel):
    """One identifier to look up, in any written form."""

    kind: str = Field(examples=["phone"])
    value: str = Field(examples=["081-234-5678"])


class LookupBatch(BaseModel):
    """Up to 10,000 identifiers at once (members only)."""

    items: list[LookupItem] = Field(max_length=10_000)


class EvidenceCreate(BaseModel):
    """Evidence a member adds: a sighting, an analytics finding, a confirmation, an opinion."""

    kind: str = Field(examples=["phone"])
    value: str = Field(examples=["0812345678"])
    evidence: Literal["report", "sighting", "analytics", "authority", "opinion"]
    subtype: str = Field(examples=["true_positive"])
    confidence: float = Field(1.0, ge=0.0, le=1.0)
    observed_at: datetime | None = None
    tlp: TlpName = "green"
    sharing_group: str | None = None


class EvidenceBatch(BaseModel):
    """Several pieces of evidence in one request."""

    items: list[EvidenceCreate] = Field(min_length=1, max_length=10_000)


class EvidenceRead(BaseModel):
    """One piece of evidence as a member may see it (reporters only as a keyed hash prefix)."""

    evidence: str
    subtype: str | None
    source_member_id: int | None
    reporter: str | None
    confidence: float
    observed_at: datetime
    tlp: str
    sharing_group: str | None
    review: str


class IndicatorRead(BaseModel):
    """An indicator and the hub's judgement of it."""

    model_config = ConfigDict(from_attributes=True)

    kind: str
    value: str
    score: float
    tier: str
    status: str
    reasons: list[str]
    first_seen_at: datetime
    last_seen_at: datetime
    evidence_count: int


class IndicatorDetail(IndicatorRead):
    """An indicator with the evidence the caller may see."""

    evidence: list[EvidenceRead] = []


class IndicatorPage(BaseModel):
    """A page of indicators."""

    items: list[IndicatorRead]
    offset: int
    limit: int


class ReviewDecision(BaseModel):
    """An analyst's decision on evidence held for review."""

    accept: bool


class AppealCreate(BaseModel):
    """An owner's dispute of an identifier."""

    kind: str = Field(examples=["bank_account"])
    value: str = Field(examples=["004:1234567890"])
    contact: str = Field(min_length=3, max_length=200, description="kept only as a keyed hash")
    reason: str = Field(min_length=3, max_length=4000)


class AppealDecision(BaseModel):
    """An analyst's decision on an appeal."""

    grant: bool
    note: str = Field(min_length=1, max_length=4000)


class AppealRead(BaseModel):
    """An appeal with its deadline."""

    id: int
    kind: str
    value: str
    status: str
    opened_at: datetime
    sla_due_at: datetime
    decided_at: datetime | None
    overdue: bool
    decision_note: str | None = None


class AllowlistPut(BaseModel):
    """Add, change or disable an allowlist entry (``*.example.th`` for a domain suffix)."""

    kind: str
    value: str
    owner: str = Field(min_length=1, max_length=500)
    enabled: bool = True


class AllowlistRead(BaseModel):
    """One allowlist entry in force."""

    kind: str
    value: str
    owner: str
    suffix: bool


class ActionPolicy(BaseModel):
    """A member's mapping of tiers to actions."""

    very_high: Literal["block", "delay_warn", "warn", "none"] = "block"
    high: Literal["block", "delay_warn", "warn", "none"] = "delay_warn"
    medium: Literal["block", "delay_warn", "warn", "none"] = "warn"
    low: Literal["block", "delay_warn", "warn", "none"] = "none"
    none: Literal["block", "delay_warn", "warn", "none"] = "none"
