"""``scamtrace intel``: bulk import and export of evidence, and the lookup-index builder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from scamtrace.config import get_settings
from scamtrace.errors import InvalidInput
from scamtrace.intel.exchange import export_indicators, import_file
from scamtrace.intel.index_builder import rebuild_index
from scamtrace.intel.serving import index_dir_for
from scamtrace.orgs.commands import cli_actor
from scamtrace.orgs.service import Principal, get_member
from scamtrace.store.migrate import migrated_session_scope

intel_app = typer.Typer(
    help="The intelligence hub: import, export, lookup index.", no_args_is_help=True
)


@dataclass(frozen=True)
class _Operator(Principal):
    """The operator at a shell: an admin's view (everything but others' RED), own actor."""

    cli_actor: str = "cli:unknown"

    @property
    def actor(self) -> str:
        return self.cli_actor


def _viewer(session, member: str | None, role: str | None) -> Principal:
    if member is None:
        return _Operator(None, "operator", "regulator", "admin", (), None, cli_actor())
    row = get_member(session, member_ref=int(member) if member.isdigit() else member)
    return _Operator(
        row.id,
        row.name,
        row.sector,
        role or row.sector,
        (),
        None,
        f"{cli_actor()}/as-member:{row.id}",
    )


@intel_app.command("import")
def import_command(
    file: Annotated[
        Path, typer.Argument(help="CSV (kind,value,evidence,confidence) or STIX 2.1 bundle.")
    ],
    source: str = typer.Option(..., "--source", help="The member supplying it (name or id)."),
) -> None:
    """Load evidence in bulk as one member's; rows that cannot be canonicalised are skipped."""
    with migrated_session_scope() as session:
        member = get_member(session, member_ref=int(source) if source.isdigit() else source)
        accepted, skipped = import_file(
            session, path=file, source_member_id=member.id, actor=cli_actor()
        )
    typer.echo(f"imported {accepted} pieces of evidence from {member.name}; skipped {skipped}")


@intel_app.command("export")
def export_command(
    fmt: str = typer.Option("stix", "--format", help="stix, misp or csv."),
    min_tier: str = typer.Option("low", "--min-tier", help="Lowest tier exported."),
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default stdout).")
    ] = None,
    member: str = typer.Option(
        None, "--as-member", help="Apply this member's TLP view (default: operator view)."
    ),
) -> None:
    """Export indicators with the evidence the viewer may see (audited)."""
    if fmt not in ("stix", "misp", "csv"):
        raise InvalidInput(f"--format must be stix, misp or csv, not {fmt!r}")
    with migrated_session_scope() as session:
        document = export_indicators(
            session, principal=_viewer(session, member, None), fmt=fmt, min_tier=min_tier
        )
    if output is None:
        typer.echo(document, nl=False)
    else:
        output.write_text(document, encoding="utf-8")
        typer.echo(f"wrote {output}")


@intel_app.command("rebuild-index")
def rebuild_index_command(
    full: bool = typer.Option(
        False, "--full", help="Rebuild from nothing instead of merging changes."
    ),
) -> None:
    """Publish a new lookup-index generation with the indicators changed since the last one."""
    settings = get_settings()
    with migrated_session_scope() as session:
        result = rebuild_index(session, index_dir_for(settings), full=full)
    typer.echo(
        f"generation {result.generation}: {result.changed_indicators} indicators changed, "
        f"{result.records} records written"
    )


@intel_app.command("share-findings")
def share_findings_command(
    source: str = typer.Option(..., "--source", help="The member that ran the analysis (name or id)."),
    sims: Path = typer.Option(None, "--sims", help="scamtrace sims output (msisdn,score,flagged,reasons)."),
    mules: Path = typer.Option(None, "--mules", help="scamtrace mules output (account,score,flagged,reasons)."),
    networks: Path = typer.Option(None, "--networks", help="scamtrace networks members.csv."),
    traced: Path = typer.Option(None, "--traced", help="scamtrace trace accounts.csv: share only "
                                "flagged accounts that received traced victim money."),
) -> None:
    """Add flagged SIMs, accounts and network members to the hub as analytics evidence."""
    from scamtrace.intel.findings import read_findings, share_findings

    if sims is None and mules is None and networks is None:
        raise InvalidInput("give at least one of --sims, --mules, --networks")
    findings = read_findings(sims=sims, mules=mules, networks=networks, traced=traced)
    with migrated_session_scope() as session:
        member = get_member(session, member_ref=int(source) if source.isdigit() else source)
        shared, skipped = share_findings(session, findings, source_member_id=member.id,
                                         actor=f"{cli_actor()}/as-member:{member.id}")
    typer.echo(f"shared {shared} findings as {member.name}; skipped {skipped} unreadable")


def register(app: typer.Typer) -> None:
    """Add ``scamtrace intel ...`` to the CLI."""
    app.add_typer(intel_app, name="intel")
