"""Migrations on both stores: upgrade from empty, idempotence, and agreement with the models."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from scamtrace.store.base import import_all_models
from scamtrace.store.engine import make_engine
from scamtrace.store.migrate import (
    current_revision,
    ensure_current,
    head_revision,
    upgrade_database,
)

EXPECTED_TABLES = {
    "members",
    "api_keys",
    "audit_log",
    "reporters",
    "reports",
    "indicators",
    "evidence",
    "appeals",
    "allowlist",
    "cases",
    "case_items",
}


def test_upgrade_creates_every_table_from_empty(empty_database_url):
    assert current_revision(empty_database_url) is None

    revision = upgrade_database(empty_database_url)

    assert revision == head_revision()
    engine = make_engine(empty_database_url)
    try:
        tables = set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert EXPECTED_TABLES <= tables
    assert "alembic_version" in tables


def test_upgrade_twice_is_a_no_op(empty_database_url):
    first = upgrade_database(empty_database_url)
    second = upgrade_database(empty_database_url)
    assert first == second == head_revision()


def test_migrated_schema_matches_the_models(database_url):
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": False})
            differences = compare_metadata(context, import_all_models())
    finally:
        engine.dispose()
    assert differences == []


def test_ensure_current_names_the_command_to_run(empty_database_url):
    import pytest

    from scamtrace.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="scamtrace db upgrade"):
        ensure_current(empty_database_url)
    upgrade_database(empty_database_url)
    ensure_current(empty_database_url)


def test_every_revision_downgrades_to_empty_and_upgrades_again(empty_database_url):
    from alembic import command

    from scamtrace.store.migrate import alembic_config

    upgrade_database(empty_database_url)
    command.downgrade(alembic_config(empty_database_url), "base")

    assert current_revision(empty_database_url) is None
    engine = make_engine(empty_database_url)
    try:
        assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    assert upgrade_database(empty_database_url) == head_revision()
