"""Run the Alembic migrations shipped inside the package, without an alembic.ini.

``scamtrace db upgrade`` and the demo call :func:`upgrade_database`; the API and the
CLI call :func:`ensure_current` so that an un-migrated store gives one clear line
instead of a "no such table" trace.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.orm import Session

from scamtrace.config import get_settings
from scamtrace.errors import ConfigurationError
from scamtrace.store.engine import make_engine, session_scope

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    """Build an Alembic config for ``url`` pointing at the packaged migrations.

    The URL travels in ``config.attributes`` rather than ``sqlalchemy.url`` because
    the ini parser would misread the ``%`` escapes of PostgreSQL ``options=`` URLs.
    """
    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR.as_posix())
    config.attributes["database_url"] = url
    return config


def _resolve(url: str | None) -> str:
    return url or get_settings().effective_database_url


def upgrade_database(url: str | None = None, revision: str = "head") -> str | None:
    """Migrate the database at ``url`` up to ``revision`` and return its new revision.

    Args:
        url: a SQLAlchemy URL; ``None`` means the configured database.
        revision: the target revision, ``head`` by default.

    Returns:
        The revision the database is at afterwards.
    """
    resolved = _resolve(url)
    command.upgrade(alembic_config(resolved), revision)
    return current_revision(resolved)


@lru_cache(maxsize=1)
def head_revision() -> str:
    """Return the newest revision shipped with this version of scamtrace.

    Cached: reading the revision files costs milliseconds, and /healthz asks often.
    """
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    head = script.get_current_head()
    if head is None:
        raise ConfigurationError("no migrations found in the scamtrace package")
    return head


def current_revision(url: str | None = None) -> str | None:
    """Return the revision the database at ``url`` is at (``None`` when never migrated)."""
    engine = make_engine(_resolve(url))
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def ensure_current(url: str | None = None) -> None:
    """Raise :class:`ConfigurationError` unless the database is at the head revision."""
    current = current_revision(url)
    head = head_revision()
    if current != head:
        raise ConfigurationError(
            f"database is at revision {current or 'none'}, this scamtrace needs {head}: "
            "run `scamtrace db upgrade`"
        )


@contextmanager
def migrated_session_scope(url: str | None = None) -> Iterator[Session]:
    """Like :func:`scamtrace.store.engine.session_scope`, after :func:`ensure_current`.

    CLI commands use it so that a store never migrated gives one line telling what to
    run, rather than a "no such table" trace.
    """
    resolved = _resolve(url)
    ensure_current(resolved)
    with session_scope(resolved) as session:
        yield session
