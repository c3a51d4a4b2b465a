"""``/v1/members``: the alliance's members and their API keys (admins), and ``/me``."""

from __future__ import annotations

from fastapi import APIRouter, Query

from scamtrace.api.deps import AdminMember, CurrentMember, SessionDep
from scamtrace.errors import NotFound
from scamtrace.orgs import service
from scamtrace.orgs.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    MemberCreate,
    MemberMe,
    MemberPage,
    MemberRead,
)

router = APIRouter(prefix="/v1/members", tags=["members"])


@router.get("", response_model=MemberPage)
def list_members(
    session: SessionDep,
    admin: AdminMember,
    offset: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=1000),
) -> MemberPage:
    """List the alliance members (admin only)."""
    members, total = service.list_members(session, offset=offset, limit=limit)
    return MemberPage(
        items=[MemberRead.model_validate(member) for member in members],
        total=total,
        offset=offset,
        limit=limit,
    )


@router.post("", response_model=MemberRead, status_code=201)
def create_member(session: SessionDep, admin: AdminMember, member_in: MemberCreate) -> MemberRead:
    """Register a new alliance member (admin only)."""
    member = service.create_member(
        session, name=member_in.name, sector=member_in.sector, actor=admin.actor
    )
    return MemberRead.model_validate(member)


@router.get("/me", response_model=MemberMe)
def read_me(member: CurrentMember) -> MemberMe:
    """Return the member, role and sharing groups behind the calling API key."""
    return MemberMe(
        id=member.member_id,
        name=member.member_name,
        sector=member.sector,
        role=member.role,
        sharing_groups=list(member.sharing_groups),
        key_prefix=member.key_prefix,
    )


@router.get("/{member_id}", response_model=MemberRead)
def read_member(session: SessionDep, admin: AdminMember, member_id: int) -> MemberRead:
    """Return one member (admin only)."""
    return MemberRead.model_validate(service.get_member(session, member_ref=member_id))


@router.get("/{member_id}/keys", response_model=list[ApiKeyRead])
def list_member_keys(session: SessionDep, admin: AdminMember, member_id: int) -> list[ApiKeyRead]:
    """List a member's API keys, without secrets (admin only)."""
    keys = service.list_api_keys(session, member_ref=member_id)
    return [ApiKeyRead.model_validate(key) for key in keys]


@router.post("/{member_id}/keys", response_model=ApiKeyCreated, status_code=201)
def create_member_key(
    session: SessionDep, admin: AdminMember, member_id: int, key_in: ApiKeyCreate
) -> ApiKeyCreated:
    """Issue an API key to a member; the response is the only time the key is shown."""
    created = service.create_api_key(
        session,
        member_ref=member_id,
        role=key_in.role,
        sharing_groups=key_in.sharing_groups,
        label=key_in.label,
        actor=admin.actor,
    )
    read = ApiKeyRead.model_validate(created.api_key)
    return ApiKeyCreated(**read.model_dump(), key=created.plaintext)


@router.delete("/{member_id}/keys/{prefix}", response_model=ApiKeyRead)
def revoke_member_key(
    session: SessionDep, admin: AdminMember, member_id: int, prefix: str
) -> ApiKeyRead:
    """Revoke one of a member's API keys at once (admin only)."""
    keys = {key.prefix for key in service.list_api_keys(session, member_ref=member_id)}
    if prefix not in keys:
        raise NotFound(f"member {member_id} has no API key with prefix {prefix!r}")
    return ApiKeyRead.model_validate(
        service.revoke_api_key(session, prefix=prefix, actor=admin.actor)
    )
