"""Engines and sessions, made lazily from the settings (never at import time).

One engine per database URL per process, created on first use. SQLite connections get
the pragmas the embedded store needs: write-ahead logging so that API readers do not
block the writer, foreign keys (off by default in SQLite), and a busy timeout.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from scamtrace.config import get_settings

_engines: dict[str, Engine] = {}
_factories: dict[str, sessionmaker[Session]] = {}
_lock = threading.Lock()


def _apply_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    # FULL, not NORMAL: an acknowledged report must survive a power cut (DESIGN.md 7).
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def make_engine(url: str) -> Engine:
    """Create a new engine for ``url`` with the scamtrace connection settings.

    Args:
        url: a SQLAlchemy URL, ``sqlite:///path.db`` or ``postgresql+psycopg://...``.

    Returns:
        A new engine; prefer :func:`get_engine`, which shares one per URL.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _apply_sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def get_engine(url: str | None = None) -> Engine:
    """Return the shared engine for ``url`` (default: the configured database).

    Args:
        url: a SQLAlchemy URL; ``None`` means ``get_settings().effective_database_url``.

    Returns:
        The process-wide engine for that URL, created on first call.
    """
    key = url or get_settings().effective_database_url
    with _lock:
        if key not in _engines:
            _engines[key] = make_engine(key)
        return _engines[key]


def get_session_factory(url: str | None = None) -> sessionmaker[Session]:
    """Return the shared session factory bound to :func:`get_engine` of ``url``."""
    key = url or get_settings().effective_database_url
    engine = get_engine(key)
    with _lock:
        if key not in _factories:
            _factories[key] = sessionmaker(bind=engine, expire_on_commit=False)
        return _factories[key]


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """Yield a session that commits on success and rolls back on any exception.

    Args:
        url: a SQLAlchemy URL; ``None`` means the configured database.

    Examples:
        >>> with session_scope() as session:  # doctest: +SKIP
        ...     session.add(member)
    """
    session = get_session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def dispose_engines() -> None:
    """Close every pooled connection and forget the engines (tests, forked workers)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _factories.clear()
