"""Engines: SQLite pragmas, foreign keys enforced on both stores, UTC times, lazy creation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from scamtrace.orgs.models import ApiKey, Member
from scamtrace.store.engine import make_engine, session_scope


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'nested' / 'pragmas.db'}")
    try:
        with engine.connect() as connection:
            journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
            foreign_keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
    finally:
        engine.dispose()

    assert (journal, foreign_keys) == ("wal", 1)
    assert (tmp_path / "nested" / "pragmas.db").exists()


def test_foreign_keys_are_enforced(session):
    session.add(ApiKey(member_id=999, prefix="0badf00d", key_hash="0" * 64, role="bank"))

    with pytest.raises(sa.exc.IntegrityError):
        session.flush()


def test_check_constraints_refuse_unknown_values(session):
    session.add(Member(name="Moon Telecom", sector="moon"))

    with pytest.raises(sa.exc.IntegrityError):
        session.flush()


def test_times_come_back_as_aware_utc(settings):
    bangkok = timezone(timedelta(hours=7))
    created = datetime(2025, 4, 1, 9, 30, 15, 123456, tzinfo=bangkok)
    with session_scope(settings.effective_database_url) as session:
        session.add(Member(name="AIS", sector="telco", created_at=created))

    with session_scope(settings.effective_database_url) as session:
        stored = session.scalar(sa.select(Member.created_at))

    assert stored == created
    assert stored.tzinfo == UTC
    assert stored.hour == 2


def test_naive_times_are_refused(session):
    session.add(Member(name="AIS", sector="telco", created_at=datetime(2025, 4, 1, 9, 30)))

    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        session.flush()


def test_importing_the_store_connects_nowhere():
    import subprocess
    import sys

    probe = (
        "import scamtrace.store, scamtrace.api.main, scamtrace.store.engine as e; "
        "print(len(e._engines))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "0"
