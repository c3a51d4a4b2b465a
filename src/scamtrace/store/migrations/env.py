"""Alembic environment: migrate the URL given by :func:`scamtrace.store.migrate.alembic_config`.

SQLite runs in batch mode, because it cannot ALTER most constraints in place and
Alembic then recreates the table instead; PostgreSQL migrates in one transaction.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import JSON

from scamtrace.store.base import UTCDateTime, import_all_models
from scamtrace.store.engine import make_engine

target_metadata = import_all_models()


def _render_portable_type(kind: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    # Revisions are frozen history: render plain SQLAlchemy types, so that changing a
    # Python-side type in scamtrace.store.base never changes what an old revision does.
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if kind == "type" and isinstance(obj, JSON):
        autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
        return "sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')"
    return False


def run_migrations_online() -> None:
    url = context.config.attributes["database_url"]
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
                render_item=_render_portable_type,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("scamtrace migrations run online only: use `scamtrace db upgrade`")
run_migrations_online()
