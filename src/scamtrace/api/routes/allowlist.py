"""``/v1/allowlist``: official identifiers never blocked automatically; admins edit."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import select

from scamtrace.api.deps import AdminMember, CurrentMember, SessionDep
from scamtrace.intel.models import Indicator
from scamtrace.intel.policy_store import (
    current_allowlist,
    delete_allowlist_entry,
    put_allowlist_entry,
)
from scamtrace.intel.schemas import AllowlistPut, AllowlistRead
from scamtrace.intel.service import rescore

router = APIRouter(prefix="/v1/allowlist", tags=["allowlist"])


def _rescore_matching(session, kind: str, value: str) -> None:
    # The allowlist changes a judgement at once: rescore the indicator it names.
    indicator = session.execute(
        select(Indicator).where(Indicator.kind == kind, Indicator.value == value)
    ).scalar_one_or_none()
    if indicator is not None:
        rescore(session, indicator)


@router.get("", response_model=list[AllowlistRead])
def read_allowlist(session: SessionDep, member: CurrentMember) -> list[AllowlistRead]:
    """Every allowlist entry in force (the shipped list with admins' edits)."""
    return [
        AllowlistRead(kind=e.kind, value=e.value, owner=e.owner, suffix=e.suffix)
        for e in current_allowlist(session).entries
    ]


@router.put("", response_model=AllowlistRead)
def put_entry(session: SessionDep, admin: AdminMember, entry: AllowlistPut) -> AllowlistRead:
    """Add, change or disable an allowlist entry (admins; audited)."""
    row = put_allowlist_entry(
        session,
        kind=entry.kind,
        value=entry.value,
        owner=entry.owner,
        member_id=admin.member_id,
        actor=admin.actor,
        enabled=entry.enabled,
    )
    _rescore_matching(session, entry.kind, entry.value)
    session.commit()
    return AllowlistRead(
        kind=row.kind,
        value=entry.value.removeprefix("*."),
        owner=row.reason,
        suffix=entry.value.startswith("*."),
    )


@router.delete("/{kind}/{value:path}", status_code=204)
def delete_entry(session: SessionDep, admin: AdminMember, kind: str, value: str) -> Response:
    """Remove an admin-made allowlist entry (admins; audited)."""
    delete_allowlist_entry(session, kind=kind, value=value, actor=admin.actor)
    _rescore_matching(session, kind, value)
    session.commit()
    return Response(status_code=204)
