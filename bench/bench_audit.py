"""Audit-log throughput: batched appends against single appends, and chain verification.

Run: ``.venv/bin/python bench/bench_audit.py`` (SQLite in a temporary directory; also
PostgreSQL in a temporary schema when SCAMTRACE_TEST_POSTGRES_URL is set).
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid

import sqlalchemy as sa

from scamtrace.orgs.audit import AuditEvent, append_audit, append_audit_many, verify_audit_chain
from scamtrace.store import dispose_engines, session_scope, upgrade_database

SINGLE_ROWS = 1_000
BATCHES, BATCH_SIZE = 10, 1_000


def measure(url: str, label: str) -> None:
    upgrade_database(url)
    with session_scope(url) as session:
        start = time.perf_counter()
        for number in range(SINGLE_ROWS):
            append_audit(session, "bench", "indicator.review", f"indicator:{number}", {"n": number})
        session.commit()
        single_rate = SINGLE_ROWS / (time.perf_counter() - start)

        start = time.perf_counter()
        for _batch in range(BATCHES):
            events = [
                AuditEvent("bench", "lookup.read", f"indicator:{n}", {"n": n})
                for n in range(BATCH_SIZE)
            ]
            append_audit_many(session, events)
            session.commit()
        batch_rate = BATCHES * BATCH_SIZE / (time.perf_counter() - start)

        start = time.perf_counter()
        assert verify_audit_chain(session) is None
        verify_rate = (SINGLE_ROWS + BATCHES * BATCH_SIZE) / (time.perf_counter() - start)
    dispose_engines()
    print(
        f"{label}: append_audit_many {batch_rate:,.0f} rows/s vs append_audit (baseline) "
        f"{single_rate:,.0f} rows/s = {batch_rate / single_rate:.1f}x; "
        f"verify {verify_rate:,.0f} rows/s"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        measure(f"sqlite:///{directory}/bench.db", "sqlite")
    postgres = os.environ.get("SCAMTRACE_TEST_POSTGRES_URL")
    if not postgres:
        return
    schema = f"bench_audit_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(postgres, poolclass=sa.NullPool)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = sa.make_url(postgres).update_query_dict({"options": f"-csearch_path={schema}"})
        measure(url.render_as_string(hide_password=False), "postgresql")
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
