"""``scamtrace reports``: partner files, call records and report status from a shell."""

from __future__ import annotations

from pathlib import Path

import typer

from scamtrace.errors import InvalidDataFile
from scamtrace.orgs import service as orgs
from scamtrace.orgs.commands import cli_actor
from scamtrace.orgs.service import Principal
from scamtrace.store.migrate import migrated_session_scope

reports_app = typer.Typer(help="Report intake: partner files, call records, status.",
                          no_args_is_help=True)

_CALL_COLUMNS = ("ts", "caller", "callee", "duration_s", "cell_id", "imei")


@reports_app.command("load")
def load_partner_file(
    file: Path = typer.Argument(..., help="A .csv or .jsonl file of reports."),
    member: str = typer.Option(..., "--member", help="The uploading member's id or exact name."),
) -> None:
    """Load a member's bulk reports (idempotent: rows already loaded are skipped)."""
    from scamtrace.reports.bulk import read_partner_file
    from scamtrace.reports.channels import submit_partner_rows

    if not file.is_file():
        raise InvalidDataFile(f"{file} does not exist")
    rows = read_partner_file(file.read_bytes(), filename=file.name)
    with migrated_session_scope() as session:
        row = orgs.get_member(session, member_ref=member)
        caller = Principal(member_id=row.id, member_name=row.name, sector=row.sector,
                           role=row.sector if row.sector != "platform" else "telco",
                           key_prefix=cli_actor())
        result = submit_partner_rows(session, rows, caller=caller)
    typer.echo(f"accepted {result.accepted}, already loaded {result.duplicates}, "
               f"rejected {result.rejected}")
    for error in result.errors:
        typer.echo(f"  {error}", err=True)


@reports_app.command("load-calls")
def load_calls(
    file: Path = typer.Argument(..., help="Call records: .parquet, .csv or .jsonl with "
                                "ts, caller, callee[, duration_s, cell_id, imei]."),
    window_hours: float = typer.Option(None, "--window-hours",
                                       help="Rolling window kept (default SCAMTRACE_CALL_WINDOW_HOURS)."),
) -> None:
    """Load call records into the rolling window used by *1185# (bad rows are skipped)."""
    from scamtrace.reports.calls import load_call_records

    frame = read_call_file(file)
    with migrated_session_scope() as session:
        result = load_call_records(session, frame.to_dict("records"),
                                   window_hours=window_hours, strict=False)
    typer.echo(f"accepted {result.accepted}, rejected {result.rejected}, pruned {result.pruned}")
    for error in result.errors:
        typer.echo(f"  {error}", err=True)


def read_call_file(file: Path):
    """Read a call-records file into a DataFrame with the feed's columns.

    Raises:
        InvalidDataFile: missing file, unknown extension or missing columns.
    """
    import pandas as pd

    if not file.is_file():
        raise InvalidDataFile(f"{file} does not exist")
    suffix = file.suffix.lower()
    try:
        if suffix == ".parquet":
            frame = pd.read_parquet(file)
        elif suffix == ".csv":
            frame = pd.read_csv(file, dtype=str)
        elif suffix in (".jsonl", ".ndjson"):
            frame = pd.read_json(file, lines=True, dtype=False)
        else:
            raise InvalidDataFile(f"{file.name}: use .parquet, .csv or .jsonl")
    except (ValueError, OSError) as exc:
        raise InvalidDataFile(f"{file.name}: {str(exc).splitlines()[0]}") from None
    missing = [column for column in ("ts", "caller", "callee") if column not in frame.columns]
    if missing:
        raise InvalidDataFile(f"{file.name} lacks columns: {', '.join(missing)}")
    return frame[[column for column in _CALL_COLUMNS if column in frame.columns]]


@reports_app.command("status")
def report_status(reference: str = typer.Argument(..., help="The reference, e.g. SR-7K3M-Q9XD.")) -> None:
    """Print a report's status as its reporter would see it."""
    from scamtrace.reports.service import get_report_status

    with migrated_session_scope() as session:
        status = get_report_status(session, reference=reference)
    typer.echo(status.model_dump_json(indent=2))


@reports_app.command("purge-texts")
def purge_texts(
    days: int = typer.Option(None, "--days", min=0,
                             help="Keep texts this many days (default SCAMTRACE_RAW_TEXT_RETENTION_DAYS)."),
) -> None:
    """Empty raw report texts past the retention limit (run daily); hashes and labels stay."""
    from scamtrace.reports.service import purge_expired_texts

    with migrated_session_scope() as session:
        purged = purge_expired_texts(session, retention_days=days)
    typer.echo(f"purged {purged} report texts")


def register(app: typer.Typer) -> None:
    """Add ``scamtrace reports ...`` to the CLI."""
    app.add_typer(reports_app, name="reports")
