"""``/v1/indicators``: evidence in, judgements and visible evidence out (members only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from scamtrace.api.deps import SessionDep, require_roles
from scamtrace.errors import PermissionDenied
from scamtrace.intel.access import ANALYST_ROLES, MEMBER_ROLES
from scamtrace.intel.appeals import review_held_evidence
from scamtrace.intel.models import Indicator
from scamtrace.intel.schemas import (
    EvidenceBatch,
    EvidenceRead,
    IndicatorDetail,
    IndicatorPage,
    IndicatorRead,
    ReviewDecision,
)
from scamtrace.intel.service import NewEvidence, add_evidence, find_indicator, visible_evidence
from scamtrace.orgs.audit import append_audit
from scamtrace.orgs.service import Principal

router = APIRouter(prefix="/v1/indicators", tags=["indicators"])
Member = Annotated[Principal, Depends(require_roles(*MEMBER_ROLES))]
Analyst = Annotated[Principal, Depends(require_roles(*ANALYST_ROLES))]


@router.get("", response_model=IndicatorPage)
def list_indicators(
    session: SessionDep,
    member: Member,
    tier: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    offset: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=1000),
) -> IndicatorPage:
    """List indicators by score, with the judgement every member may see (audited)."""
    query = select(Indicator).where(Indicator.evidence_count > 0)
    if tier:
        query = query.where(Indicator.tier == tier)
    if kind:
        query = query.where(Indicator.kind == kind)
    if status:
        query = query.where(Indicator.status == status)
    if status != "held" or member.role not in ANALYST_ROLES:
        # The alliance score counts only CLEAR and GREEN evidence; an indicator known
        # only from restricted evidence is not listed to everyone.
        query = query.where((Indicator.score > 0) | (Indicator.status != "active"))
    rows = (
        session.execute(
            query.order_by(Indicator.score.desc(), Indicator.id).offset(offset).limit(limit)
        )
        .scalars()
        .all()
    )
    append_audit(
        session,
        member.actor,
        "intel.indicator.list",
        "indicators",
        {"tier": tier, "kind": kind, "status": status, "returned": len(rows)},
    )
    session.commit()
    return IndicatorPage(
        items=[IndicatorRead.model_validate(r) for r in rows], offset=offset, limit=limit
    )


@router.post("/evidence", response_model=list[IndicatorRead], status_code=201)
def create_evidence(
    session: SessionDep, member: Member, batch: EvidenceBatch
) -> list[IndicatorRead]:
    """Add sightings, analytics findings, confirmations or opinions; rescores at once."""
    for item in batch.items:
        if item.evidence == "authority" and member.role not in ("police", "regulator"):
            raise PermissionDenied("only police and regulators confirm as an authority")
    touched = add_evidence(
        session,
        source_member_id=member.member_id,
        actor=member.actor,
        items=[
            NewEvidence(
                i.kind,
                i.value,
                i.evidence,
                i.subtype,
                confidence=i.confidence,
                observed_at=i.observed_at,
                tlp=i.tlp,
                sharing_group=i.sharing_group,
            )
            for i in batch.items
        ],
    )
    session.commit()
    return [IndicatorRead.model_validate(i) for i in touched]


@router.get("/{kind}/{value:path}", response_model=IndicatorDetail)
def read_indicator(session: SessionDep, member: Member, kind: str, value: str) -> IndicatorDetail:
    """One indicator with the evidence TLP and sharing groups let the caller see (audited)."""
    indicator = find_indicator(session, kind=kind, raw=value)
    rows = visible_evidence(session, indicator, member)
    append_audit(
        session,
        member.actor,
        "intel.indicator.read",
        f"indicator:{indicator.kind}:{indicator.value}",
        {"evidence": len(rows)},
    )
    session.commit()
    # Reporter identities stay keyed hashes, and only the police see even those.
    show_reporter = member.role == "police"
    evidence = [
        EvidenceRead(
            evidence=r.evidence.kind,
            subtype=r.evidence.subtype,
            source_member_id=r.evidence.source_member_id,
            reporter=r.fact.reporter[:16] if show_reporter and r.fact.reporter else None,
            confidence=r.evidence.confidence,
            observed_at=r.evidence.observed_at,
            tlp=r.evidence.tlp,
            sharing_group=r.evidence.sharing_group,
            review=r.evidence.review,
        )
        for r in rows
    ]
    detail = IndicatorDetail.model_validate(indicator)
    if not rows:
        # Nothing the caller may see: do not disclose the judgement either.
        detail = detail.model_copy(
            update={"score": 0.0, "tier": "none", "reasons": [], "evidence_count": 0}
        )
    return detail.model_copy(update={"evidence": evidence})


@router.post("/{kind}/{value:path}/review", response_model=IndicatorRead)
def review_indicator(
    session: SessionDep,
    analyst: Analyst,
    kind: str,
    value: str,
    decision: ReviewDecision,
) -> IndicatorRead:
    """Accept or reject the evidence held for review on an indicator (analysts)."""
    indicator = review_held_evidence(
        session, kind=kind, raw=value, accept=decision.accept, principal=analyst
    )
    session.commit()
    return IndicatorRead.model_validate(indicator)
