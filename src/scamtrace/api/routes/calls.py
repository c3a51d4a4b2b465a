"""``/v1/calls``: the operators' call-records feed behind *1185# last-caller resolution."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from scamtrace.api.deps import SessionDep, require_roles
from scamtrace.orgs.service import Principal
from scamtrace.reports.calls import load_call_records
from scamtrace.reports.schemas import CallBatch, CallLoadRead

router = APIRouter(prefix="/v1/calls", tags=["calls"])

Telco = Annotated[Principal, Depends(require_roles("telco", "admin"))]


@router.post("", response_model=CallLoadRead, status_code=201)
def ingest_calls(session: SessionDep, telco: Telco, batch: CallBatch) -> CallLoadRead:
    """Add call records to the rolling window (all or none: a bad record refuses the batch)."""
    result = load_call_records(session, (record.model_dump() for record in batch.records))
    session.commit()
    return CallLoadRead(accepted=result.accepted, rejected=result.rejected, pruned=result.pruned)
