"""``/v1/appeals``: owners dispute a number or account; analysts decide within the SLA."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from scamtrace.api.deps import Caller, SessionDep, require_roles
from scamtrace.intel.access import ANALYST_ROLES
from scamtrace.intel.appeals import AppealView, decide_appeal, list_appeals, open_appeal
from scamtrace.intel.index_builder import rebuild_index
from scamtrace.intel.schemas import AppealCreate, AppealDecision, AppealRead
from scamtrace.intel.serving import index_dir_for, serving_for
from scamtrace.orgs.audit import append_audit
from scamtrace.orgs.service import Principal

router = APIRouter(prefix="/v1/appeals", tags=["appeals"])
Analyst = Annotated[Principal, Depends(require_roles(*ANALYST_ROLES))]


def _read(view: AppealView) -> AppealRead:
    appeal = view.appeal
    return AppealRead(
        id=appeal.id,
        kind=view.indicator.kind,
        value=view.indicator.value,
        status=appeal.status,
        opened_at=appeal.opened_at,
        sla_due_at=appeal.sla_due_at,
        decided_at=appeal.decided_at,
        overdue=view.overdue,
        decision_note=appeal.decision_note,
    )


@router.post("", response_model=AppealRead, status_code=201)
def create_appeal(session: SessionDep, caller: Caller, appeal_in: AppealCreate) -> AppealRead:
    """Dispute an identifier as its owner (anyone may; the contact is kept as a keyed hash)."""
    appeal = open_appeal(
        session,
        kind=appeal_in.kind,
        raw=appeal_in.value,
        contact=appeal_in.contact,
        reason=appeal_in.reason,
        actor=caller.actor,
    )
    session.commit()
    view = next(v for v in list_appeals(session, status="open") if v.appeal.id == appeal.id)
    return _read(view)


@router.get("", response_model=list[AppealRead])
def read_appeals(
    session: SessionDep, analyst: Analyst, status: str | None = "open"
) -> list[AppealRead]:
    """The appeal queue, earliest deadline first, with overdue flags (analysts; audited)."""
    views = list_appeals(session, status=status or None)
    append_audit(
        session,
        analyst.actor,
        "intel.appeal.list",
        "appeals",
        {"status": status, "returned": len(views)},
    )
    session.commit()
    return [_read(v) for v in views]


@router.post("/{appeal_id}/decision", response_model=AppealRead)
def decide(
    request: Request,
    session: SessionDep,
    analyst: Analyst,
    appeal_id: int,
    decision: AppealDecision,
) -> AppealRead:
    """Grant (clear at once, republishing the lookup index) or deny an appeal (analysts)."""
    view = decide_appeal(
        session, appeal_id=appeal_id, grant=decision.grant, note=decision.note, principal=analyst
    )
    session.commit()
    if decision.grant:
        rebuild_index(session, index_dir_for(request.app.state.settings))
        session.commit()
        # This worker answers from the new generation at once; the others within a poll.
        serving_for(request.app).index.refresh(force=True)
    return _read(view)
