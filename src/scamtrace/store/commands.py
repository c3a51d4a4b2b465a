"""``scamtrace db``: migrate the store and show its revision."""

from __future__ import annotations

import typer
from sqlalchemy.engine import make_url

from scamtrace.config import get_settings
from scamtrace.store.migrate import current_revision, head_revision, upgrade_database

db_app = typer.Typer(help="The operational store: migrations.", no_args_is_help=True)


def _shown_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


@db_app.command("upgrade")
def upgrade(
    revision: str = typer.Option("head", help="Target revision."),
) -> None:
    """Create or migrate the store (SCAMTRACE_DATABASE_URL) to the newest schema."""
    url = get_settings().effective_database_url
    before = current_revision(url)
    after = upgrade_database(url, revision)
    typer.echo(f"{_shown_url(url)}: {before or 'empty'} -> {after}")


@db_app.command("current")
def current() -> None:
    """Print the store's schema revision and whether it is the newest."""
    url = get_settings().effective_database_url
    revision = current_revision(url)
    head = head_revision()
    state = "up to date" if revision == head else f"behind, newest is {head}"
    typer.echo(f"{_shown_url(url)}: {revision or 'empty'} ({state})")


def register(app: typer.Typer) -> None:
    """Add the ``db`` command group to the scamtrace CLI."""
    app.add_typer(db_app, name="db")
