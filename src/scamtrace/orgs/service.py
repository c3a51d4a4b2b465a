"""Members and API keys: create, list, authenticate, revoke.

An API key reads ``stk_<prefix>_<secret>``. The 8-character prefix finds the row and
may be shown and logged; the store keeps only SHA-256 of the whole key. A plain (not
slow) hash is enough because the secret has 256 random bits: there is nothing to guess.
Every change here appends a row to the audit log in the same transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scamtrace.config import get_settings
from scamtrace.errors import AuthenticationError, Conflict, InvalidInput, NotFound
from scamtrace.orgs.audit import append_audit
from scamtrace.orgs.key_cache import principal_cache
from scamtrace.orgs.models import ROLES, SECTORS, ApiKey, Member
from scamtrace.store.base import utcnow

KEY_SCHEME = "stk"
_KEY_PATTERN = re.compile(rf"^{KEY_SCHEME}_([0-9a-f]{{8}})_([A-Za-z0-9_-]{{20,}})$")
_GROUP_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
# Writing last_used_at on every request would turn each lookup into a write.
_LAST_USED_RESOLUTION = timedelta(seconds=60)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the member behind a key, the key's role and sharing groups."""

    member_id: int | None
    member_name: str
    sector: str
    role: str
    sharing_groups: tuple[str, ...] = ()
    key_prefix: str | None = None

    @property
    def actor(self) -> str:
        """The audit-log actor string of this caller."""
        if self.member_id is None:
            return "anonymous"
        return f"member:{self.member_id}/key:{self.key_prefix}"


#: The caller without a key: citizens checking a number or reporting on the web.
ANONYMOUS = Principal(member_id=None, member_name="anonymous", sector="public", role="public")


@dataclass(frozen=True)
class CreatedApiKey:
    """A new key: the stored row and the plaintext, which is never available again."""

    api_key: ApiKey
    plaintext: str


def hash_api_key(plaintext: str) -> str:
    """Return the hex SHA-256 stored for an API key."""
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def create_member(session: Session, *, name: str, sector: str, actor: str) -> Member:
    """Register an alliance member.

    Args:
        session: the store session (committed on success).
        name: the organisation's unique display name.
        sector: one of :data:`scamtrace.orgs.models.SECTORS`.
        actor: who registers it, for the audit log.

    Returns:
        The new member.

    Raises:
        InvalidInput: empty name or unknown sector.
        Conflict: a member with this name exists.
    """
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("member name must not be empty")
    if sector not in SECTORS:
        raise InvalidInput(f"unknown sector {sector!r}: choose one of {', '.join(SECTORS)}")
    if session.scalar(select(Member.id).where(Member.name == name)) is not None:
        raise Conflict(f"a member named {name!r} already exists")
    member = Member(name=name, sector=sector, created_at=utcnow(), active=True)
    session.add(member)
    session.flush()
    append_audit(
        session, actor, "member.create", f"member:{member.id}", {"name": name, "sector": sector}
    )
    session.commit()
    return member


def list_members(
    session: Session, *, offset: int = 0, limit: int = 100
) -> tuple[list[Member], int]:
    """Return one page of members ordered by id, and the total count."""
    total = session.scalar(select(func.count(Member.id))) or 0
    page = session.scalars(select(Member).order_by(Member.id).offset(offset).limit(limit)).all()
    return list(page), total


def get_member(session: Session, *, member_ref: int | str) -> Member:
    """Return a member by id or exact name.

    Raises:
        NotFound: no such member.
    """
    ref = str(member_ref).strip()
    member = session.get(Member, int(ref)) if ref.isdigit() else None
    if member is None:
        member = session.scalar(select(Member).where(Member.name == ref))
    if member is None:
        raise NotFound(f"no member {ref!r}")
    return member


def deactivate_member(session: Session, *, member_ref: int | str, actor: str) -> Member:
    """Deactivate a member: its keys stop authenticating at once in this process.

    Raises:
        NotFound: no such member. Conflict: already inactive.
    """
    member = get_member(session, member_ref=member_ref)
    if not member.active:
        raise Conflict(f"member {member.name!r} is already inactive")
    member.active = False
    principal_cache.forget(member_id=member.id)
    append_audit(session, actor, "member.deactivate", f"member:{member.id}", {"name": member.name})
    session.commit()
    return member


def _clean_groups(groups: Iterable[str]) -> list[str]:
    cleaned = sorted({group.strip().lower() for group in groups if group.strip()})
    for group in cleaned:
        if not _GROUP_PATTERN.match(group):
            raise InvalidInput(f"invalid sharing group {group!r}: use a-z, 0-9, '.', '_', '-'")
    return cleaned


def create_api_key(
    session: Session,
    *,
    member_ref: int | str,
    role: str,
    actor: str,
    sharing_groups: Iterable[str] = (),
    label: str | None = None,
) -> CreatedApiKey:
    """Create an API key for a member; the plaintext is returned here and only here.

    Args:
        session: the store session (committed on success).
        member_ref: the member's id or name.
        role: one of :data:`scamtrace.orgs.models.ROLES`.
        actor: who creates it, for the audit log.
        sharing_groups: groups whose AMBER data the key may read.
        label: a note for humans (``"SMS firewall, site 2"``).

    Returns:
        The stored row and the plaintext key.

    Raises:
        InvalidInput: unknown role or malformed group. NotFound: no such member.
        Conflict: the member is deactivated.
    """
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    groups = _clean_groups(sharing_groups)
    member = get_member(session, member_ref=member_ref)
    if not member.active:
        raise Conflict(f"member {member.name!r} is deactivated")
    while True:
        prefix = secrets.token_hex(4)
        if session.scalar(select(ApiKey.id).where(ApiKey.prefix == prefix)) is None:
            break
    plaintext = f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    api_key = ApiKey(
        member_id=member.id,
        prefix=prefix,
        key_hash=hash_api_key(plaintext),
        role=role,
        sharing_groups=groups,
        label=label,
        created_at=utcnow(),
    )
    session.add(api_key)
    session.flush()
    append_audit(
        session,
        actor,
        "api_key.create",
        f"api_key:{prefix}",
        {"member_id": member.id, "role": role, "sharing_groups": groups},
    )
    session.commit()
    return CreatedApiKey(api_key=api_key, plaintext=plaintext)


def list_api_keys(session: Session, *, member_ref: int | str | None = None) -> list[ApiKey]:
    """Return API keys (never their hashes' preimages), optionally of one member."""
    query = select(ApiKey).order_by(ApiKey.id)
    if member_ref is not None:
        query = query.where(ApiKey.member_id == get_member(session, member_ref=member_ref).id)
    return list(session.scalars(query).all())


def authenticate_api_key(session: Session, *, plaintext: str) -> Principal:
    """Resolve a presented key to the calling member, role and groups.

    A key authenticated recently in this process is answered from memory (see
    :mod:`scamtrace.orgs.key_cache`); otherwise one query reads the key and its member.

    Raises:
        AuthenticationError: malformed, unknown or revoked key, or inactive member. The
            message does not say which, so that a caller cannot probe for prefixes.
    """
    presented = plaintext.strip()
    match = _KEY_PATTERN.match(presented)
    if not match:
        raise AuthenticationError("invalid or revoked API key")
    presented_hash = hash_api_key(presented)
    store = session.get_bind().url.render_as_string(hide_password=True)
    cached = principal_cache.get(store, presented_hash)
    if cached is not None:
        return cached
    found = session.execute(
        select(ApiKey, Member)
        .join(Member, ApiKey.member_id == Member.id)
        .where(ApiKey.prefix == match.group(1))
    ).first()
    if (
        found is None
        or not hmac.compare_digest(found.ApiKey.key_hash, presented_hash)
        or found.ApiKey.revoked_at is not None
        or not found.Member.active
    ):
        raise AuthenticationError("invalid or revoked API key")
    api_key, member = found.ApiKey, found.Member
    now = utcnow()
    if api_key.last_used_at is None or now - api_key.last_used_at > _LAST_USED_RESOLUTION:
        api_key.last_used_at = now
        session.commit()
    principal = Principal(
        member_id=member.id,
        member_name=member.name,
        sector=member.sector,
        role=api_key.role,
        sharing_groups=tuple(api_key.sharing_groups or ()),
        key_prefix=api_key.prefix,
    )
    principal_cache.put(store, presented_hash, principal, get_settings().api_key_cache_seconds)
    return principal


def revoke_api_key(session: Session, *, prefix: str, actor: str) -> ApiKey:
    """Revoke a key by its prefix; it stops authenticating at once.

    Raises:
        NotFound: no key with that prefix. Conflict: already revoked.
    """
    prefix = prefix.strip().removeprefix(f"{KEY_SCHEME}_")[:8]
    api_key = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if api_key is None:
        raise NotFound(f"no API key with prefix {prefix!r}")
    if api_key.revoked_at is not None:
        raise Conflict(
            f"API key {prefix} was already revoked at {api_key.revoked_at:%Y-%m-%d %H:%M} UTC"
        )
    api_key.revoked_at = utcnow()
    principal_cache.forget(key_prefix=prefix)
    append_audit(
        session, actor, "api_key.revoke", f"api_key:{prefix}", {"member_id": api_key.member_id}
    )
    session.commit()
    return api_key
