"""Stored admin edits: allowlist entries and each member's tier-to-action policy.

The allowlist in force is the shipped baseline with the ``allowlist`` table laid over
it: ``source="admin"`` rows add entries, ``source="admin-disabled"`` rows switch a
shipped entry off. A value written ``*.example.th`` is a suffix entry.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from scamtrace.errors import InvalidInput, NotFound
from scamtrace.intel.actions import validate_policy
from scamtrace.intel.allowlist import Allowlist
from scamtrace.intel.allowlist import AllowlistEntry as Entry
from scamtrace.intel.models import AllowlistEntry, MemberActionPolicy
from scamtrace.orgs.audit import append_audit
from scamtrace.store.base import utcnow

DISABLED = "admin-disabled"
_CACHE_KEY = "scamtrace.intel.allowlist"


def _entry_of(row: AllowlistEntry) -> Entry:
    suffix = row.value.startswith("*.")
    value = row.value[2:] if suffix else row.value
    return Entry(row.kind, value, row.reason, suffix=suffix, enabled=row.source != DISABLED)


def current_allowlist(session: Session) -> Allowlist:
    """Return the allowlist in force (cached for the life of the session's transaction)."""
    cached = session.info.get(_CACHE_KEY)
    if cached is not None:
        return cached
    rows = session.execute(select(AllowlistEntry)).scalars().all()
    allowlist = Allowlist.shipped().with_overrides(_entry_of(r) for r in rows)
    session.info[_CACHE_KEY] = allowlist
    return allowlist


def put_allowlist_entry(
    session: Session,
    *,
    kind: str,
    value: str,
    owner: str,
    member_id: int | None,
    actor: str,
    enabled: bool = True,
) -> AllowlistEntry:
    """Add, change or disable one allowlist entry (admins only; audited).

    Args:
        session: the store session.
        kind: identifier kind.
        value: canonical value, or ``*.suffix`` for a domain suffix.
        owner: who the identifier belongs to.
        member_id: the admin's member.
        actor: audit actor.
        enabled: ``False`` switches a shipped entry off.

    Returns:
        The stored row.
    """
    if not value or not owner:
        raise InvalidInput("an allowlist entry needs a value and an owner")
    row = session.execute(
        select(AllowlistEntry).where(AllowlistEntry.kind == kind, AllowlistEntry.value == value)
    ).scalar_one_or_none()
    if row is None:
        row = AllowlistEntry(kind=kind, value=value, reason=owner)
        session.add(row)
    row.reason = owner
    row.source = "admin" if enabled else DISABLED
    row.added_by_member_id = member_id
    row.added_at = utcnow()
    session.flush()
    session.info.pop(_CACHE_KEY, None)
    append_audit(
        session,
        actor,
        "intel.allowlist.put",
        f"allowlist:{kind}:{value}",
        {"owner": owner, "enabled": enabled},
    )
    return row


def delete_allowlist_entry(session: Session, *, kind: str, value: str, actor: str) -> None:
    """Remove an admin-made allowlist row (audited); shipped entries are disabled instead."""
    row = session.execute(
        select(AllowlistEntry).where(AllowlistEntry.kind == kind, AllowlistEntry.value == value)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no stored allowlist entry {kind} {value}")
    session.delete(row)
    session.flush()
    session.info.pop(_CACHE_KEY, None)
    append_audit(session, actor, "intel.allowlist.delete", f"allowlist:{kind}:{value}")


def get_action_policy(session: Session, *, member_id: int | None) -> dict[str, str]:
    """Return a member's complete tier-to-action policy (defaults when never set)."""
    row = session.get(MemberActionPolicy, member_id) if member_id is not None else None
    return validate_policy(row.policy if row is not None else {})


def set_action_policy(
    session: Session,
    *,
    member_id: int,
    policy: dict[str, str],
    actor: str,
) -> dict[str, str]:
    """Store a member's tier-to-action policy (audited) and return it completed."""
    complete = validate_policy(policy)
    row = session.get(MemberActionPolicy, member_id)
    if row is None:
        row = MemberActionPolicy(member_id=member_id)
        session.add(row)
    row.policy = complete
    row.updated_at = utcnow()
    session.flush()
    append_audit(session, actor, "intel.policy.set", f"member:{member_id}", complete)
    return complete
