"""Declarative base, column types and helpers shared by every domain's tables.

Each domain declares its tables in ``scamtrace/<domain>/models.py`` on :class:`Base`;
:data:`MODEL_MODULES` lists those modules so that Alembic and the tests see one
complete metadata. A domain that adds a models module adds its line there.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, MetaData
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

#: Modules that declare tables, imported by :func:`import_all_models`.
MODEL_MODULES: tuple[str, ...] = (
    "scamtrace.orgs.models",
    "scamtrace.reports.models",
    "scamtrace.intel.models",
    "scamtrace.cases.models",
)

# Deterministic constraint names, so that migrations can drop or alter them by name on
# both stores (SQLite batch mode needs named constraints to recreate tables).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The declarative base of every scamtrace table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always an aware UTC datetime in Python.

    SQLite keeps no time zone and PostgreSQL answers in the session's zone; this type
    makes both give back UTC, so comparisons and audit hashes agree across stores.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: scamtrace stores aware UTC times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


#: JSON documents: JSONB on PostgreSQL (indexable), JSON text on SQLite.
JSONDocument = JSON().with_variant(JSONB(), "postgresql")


def check_in(column: str, values: Iterable[str], name: str | None = None) -> CheckConstraint:
    """A CHECK constraint that ``column`` holds one of ``values`` (a portable enum).

    Args:
        column: the column name.
        values: the allowed strings.
        name: the constraint name (defaults to ``<column>_allowed``).

    Returns:
        The constraint, to put in a table's ``__table_args__``.
    """
    allowed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=name or f"{column}_allowed")


def import_all_models() -> MetaData:
    """Import every module in :data:`MODEL_MODULES` and return the complete metadata."""
    for module_name in MODEL_MODULES:
        importlib.import_module(module_name)
    return Base.metadata
