"""``scamtrace orgs``, ``scamtrace keys`` and ``scamtrace audit``: members, keys, audit log."""

from __future__ import annotations

import getpass

import typer

from scamtrace.errors import IntegrityError
from scamtrace.orgs import service
from scamtrace.orgs.audit import audit_head, contains_hash, verify_audit_chain
from scamtrace.orgs.models import ROLES, SECTORS
from scamtrace.store.migrate import migrated_session_scope

orgs_app = typer.Typer(help="Alliance members.", no_args_is_help=True)
keys_app = typer.Typer(
    help="API keys of members (only their hashes are stored).", no_args_is_help=True
)
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


def cli_actor() -> str:
    """The audit-log actor of a command run from a shell."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in some containers
        return "cli:unknown"


@orgs_app.command("add")
def add_member(
    name: str = typer.Argument(..., help="The organisation's name, unique in the alliance."),
    sector: str = typer.Option(..., "--sector", help=f"One of: {', '.join(SECTORS)}."),
) -> None:
    """Register an alliance member and print its id."""
    with migrated_session_scope() as session:
        member = service.create_member(session, name=name, sector=sector, actor=cli_actor())
        typer.echo(f"member {member.id}: {member.name} ({member.sector})")


@orgs_app.command("list")
def list_members() -> None:
    """List the alliance members: id, sector, active, name."""
    with migrated_session_scope() as session:
        members, _total = service.list_members(session, limit=100_000)
        for member in members:
            state = "active" if member.active else "inactive"
            typer.echo(f"{member.id}\t{member.sector}\t{state}\t{member.name}")


@orgs_app.command("deactivate")
def deactivate_member(
    member: str = typer.Argument(..., help="The member's id or exact name."),
) -> None:
    """Deactivate a member; every key of it stops working."""
    with migrated_session_scope() as session:
        deactivated = service.deactivate_member(session, member_ref=member, actor=cli_actor())
        typer.echo(f"deactivated member {deactivated.id}: {deactivated.name}")


@keys_app.command("create")
def create_key(
    member: str = typer.Argument(..., help="The member's id or exact name."),
    role: str = typer.Option(..., "--role", help=f"One of: {', '.join(ROLES)}."),
    groups: str = typer.Option("", "--groups", help="Sharing groups, comma-separated."),
    label: str = typer.Option(None, "--label", help="A note, e.g. where the key is used."),
) -> None:
    """Create an API key for a member and print it once; only its hash is kept."""
    with migrated_session_scope() as session:
        created = service.create_api_key(
            session,
            member_ref=member,
            role=role,
            sharing_groups=[group for group in groups.split(",") if group.strip()],
            label=label,
            actor=cli_actor(),
        )
        typer.echo(created.plaintext)
        typer.echo(
            f"prefix {created.api_key.prefix}, role {role}: store this key now, "
            "it cannot be shown again",
            err=True,
        )


@keys_app.command("list")
def list_keys(
    member: str = typer.Argument(None, help="Only this member's keys (id or name)."),
) -> None:
    """List API keys: prefix, member id, role, groups, state (never the keys)."""
    with migrated_session_scope() as session:
        for key in service.list_api_keys(session, member_ref=member):
            state = "revoked" if key.revoked_at else "active"
            groups = ",".join(key.sharing_groups) or "-"
            typer.echo(f"{key.prefix}\t{key.member_id}\t{key.role}\t{groups}\t{state}")


@keys_app.command("revoke")
def revoke_key(prefix: str = typer.Argument(..., help="The key's 8-character prefix.")) -> None:
    """Revoke an API key; it stops working at once."""
    with migrated_session_scope() as session:
        api_key = service.revoke_api_key(session, prefix=prefix, actor=cli_actor())
        typer.echo(f"revoked {api_key.prefix} (member {api_key.member_id})")


@audit_app.command("verify")
def verify(
    expect: str = typer.Option(
        None, "--expect", help="A head hash published earlier that must still be in the log."
    ),
) -> None:
    """Check the audit chain; exit 2 naming the first changed, deleted or reordered row."""
    with migrated_session_scope() as session:
        broken = verify_audit_chain(session)
        if broken is not None:
            raise IntegrityError(str(broken))
        if expect and not contains_hash(session, expect.strip().lower()):
            raise IntegrityError(f"head {expect} is no longer in the audit log: rows were removed")
        seq, head_hash = audit_head(session)
        typer.echo(f"ok: {seq} rows, head {head_hash}")


def register(app: typer.Typer) -> None:
    """Add the ``orgs``, ``keys`` and ``audit`` command groups to the scamtrace CLI."""
    app.add_typer(orgs_app, name="orgs")
    app.add_typer(keys_app, name="keys")
    app.add_typer(audit_app, name="audit")
