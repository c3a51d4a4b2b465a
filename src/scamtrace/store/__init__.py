"""The operational store: SQLAlchemy tables, sessions and Alembic migrations.

SQLite (embedded, the default) and PostgreSQL (production) run the same code. Nothing
connects at import time: engines are made on first use from the settings.
"""

from scamtrace.store.base import Base, utcnow
from scamtrace.store.engine import dispose_engines, get_engine, get_session_factory, session_scope
from scamtrace.store.migrate import (
    current_revision,
    ensure_current,
    head_revision,
    migrated_session_scope,
    upgrade_database,
)

__all__ = [
    "Base",
    "current_revision",
    "dispose_engines",
    "ensure_current",
    "get_engine",
    "get_session_factory",
    "head_revision",
    "migrated_session_scope",
    "session_scope",
    "upgrade_database",
    "utcnow",
]
