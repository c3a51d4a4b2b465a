"""Fixtures shared by every test package.

Stores: ``database_url`` is parametrised over SQLite and, when
``SCAMTRACE_TEST_POSTGRES_URL`` is set, PostgreSQL; every fixture built on it (``settings``,
``session``, ``api_client``, ``auth_headers``) therefore runs each test on both stores.
Each test gets an empty, fully migrated store of its own.
"""

from __future__ import annotations

import scamtrace  # noqa: F401  first, before numpy: the product's CPU dispatch (scamtrace.numpy_cpu)

# isort: split
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO_ROOT.parent / "shared" / "data").resolve()

POSTGRES_URL_VARIABLE = "SCAMTRACE_TEST_POSTGRES_URL"
STORES = ["sqlite"] + (["postgresql"] if os.environ.get(POSTGRES_URL_VARIABLE) else [])
# Roles map to the sector of the member that the auth_headers fixture creates for them.
_SECTOR_OF_ROLE = {
    "public": "public",
    "telco": "telco",
    "bank": "bank",
    "police": "police",
    "regulator": "regulator",
    "admin": "regulator",
}


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The public datasets beside the checkout (../shared/data); skip where absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"public datasets not found at {SHARED_DATA} (outside the workplace)")
    return SHARED_DATA


def _postgres_url_in_schema(schema: str) -> str:
    # search_path in the connection options puts every table, and alembic_version, in
    # the schema, so parallel test runs on one server never see each other's rows.
    url = sa.make_url(os.environ[POSTGRES_URL_VARIABLE])
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


class _PostgresSchemas:
    """Creates uniquely named schemas on the test server and drops them afterwards."""

    def __init__(self) -> None:
        self.admin = sa.create_engine(os.environ[POSTGRES_URL_VARIABLE], poolclass=sa.NullPool)
        self.created: list[str] = []

    def create(self) -> str:
        schema = f"scamtrace_test_{uuid.uuid4().hex[:12]}"
        with self.admin.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        self.created.append(schema)
        return schema

    def drop(self, schema: str) -> None:
        with self.admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        self.created.remove(schema)

    def close(self) -> None:
        for schema in list(self.created):
            self.drop(schema)
        self.admin.dispose()


@pytest.fixture(scope="session")
def _postgres_schemas() -> Iterator[_PostgresSchemas]:
    schemas = _PostgresSchemas()
    yield schemas
    schemas.close()


@pytest.fixture(scope="session")
def _migrated_templates(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> dict[str, str]:
    """One migrated store per kind per test session, copied or emptied for each test."""
    from scamtrace.store.migrate import upgrade_database

    templates: dict[str, str] = {}
    sqlite_path = tmp_path_factory.mktemp("store") / "template.db"
    upgrade_database(f"sqlite:///{sqlite_path}")
    templates["sqlite"] = str(sqlite_path)
    if "postgresql" in STORES:
        schemas = request.getfixturevalue("_postgres_schemas")
        url = _postgres_url_in_schema(schemas.create())
        upgrade_database(url)
        templates["postgresql"] = url
    return templates


_reflected_tables: dict[str, list[sa.Table]] = {}


def _empty_postgres_tables(url: str) -> None:
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.begin() as connection:
            # A test that leaked an open transaction should fail here, not hang the run.
            connection.execute(sa.text("SET LOCAL lock_timeout = '10s'"))
            if url not in _reflected_tables:
                # What the migrations made, not what the models declare: nothing may leak.
                metadata = sa.MetaData()
                metadata.reflect(bind=connection)
                _reflected_tables[url] = [
                    table for table in metadata.sorted_tables if table.name != "alembic_version"
                ]
            tables = _reflected_tables[url]
            # DELETE, children first: on a few rows it is much faster than TRUNCATE.
            for table in reversed(tables):
                connection.execute(table.delete())
            # Restart ids at 1, as in the fresh SQLite copy, so both stores agree.
            restarts = [
                f"setval(pg_get_serial_sequence('\"{table.name}\"', '{column.name}'), 1, false)"
                for table in tables
                for column in table.primary_key.columns
                if isinstance(column.type, sa.Integer)
            ]
            if restarts:
                connection.execute(sa.text("SELECT " + ", ".join(restarts)))
    finally:
        engine.dispose()


@pytest.fixture(params=STORES)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, _migrated_templates: dict[str, str]
) -> Iterator[str]:
    """URL of an empty store at the newest migration, one per test, on each store kind."""
    from scamtrace.store.engine import dispose_engines

    if request.param == "sqlite":
        path = tmp_path / "scamtrace.db"
        shutil.copyfile(_migrated_templates["sqlite"], path)
        yield f"sqlite:///{path}"
        dispose_engines()
        return
    url = _migrated_templates["postgresql"]
    yield url
    dispose_engines()
    _empty_postgres_tables(url)


@pytest.fixture(params=STORES)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a store with no tables at all (for migration tests), on each store kind."""
    from scamtrace.store.engine import dispose_engines

    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        dispose_engines()
        return
    schemas: _PostgresSchemas = request.getfixturevalue("_postgres_schemas")
    schema = schemas.create()
    yield _postgres_url_in_schema(schema)
    dispose_engines()
    schemas.drop(schema)


@pytest.fixture
def settings(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Settings of a test process on ``database_url``, also seen by ``get_settings()``."""
    from scamtrace.config import get_settings
    from scamtrace.orgs.key_cache import principal_cache

    monkeypatch.setenv("SCAMTRACE_DATABASE_URL", database_url)
    monkeypatch.setenv("SCAMTRACE_ENVIRONMENT", "test")
    # Tests publish the lookup index when they mean to, not from a background thread.
    monkeypatch.setenv("SCAMTRACE_INDEX_REFRESH_SECONDS", "0")
    monkeypatch.setenv("SCAMTRACE_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()
    principal_cache.clear()


@pytest.fixture
def session(settings) -> Iterator[sa.orm.Session]:
    """A SQLAlchemy session on the test store (closed, not committed, afterwards)."""
    from scamtrace.store.engine import get_session_factory

    db_session = get_session_factory(settings.effective_database_url)()
    yield db_session
    db_session.rollback()
    db_session.close()


@pytest.fixture
def api_client(settings):
    """An in-process FastAPI TestClient of ``create_app(settings)``."""
    from fastapi.testclient import TestClient

    from scamtrace.api.main import create_app

    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def auth_headers(settings) -> Callable[..., dict[str, str]]:
    """Make a member and key for a role; return ``{"Authorization": "Bearer <key>"}``.

    Call as ``auth_headers("bank")`` or ``auth_headers("police", groups=["ccib"])``;
    each call creates a new member named after the role and a counter.
    """
    from scamtrace.orgs.service import create_api_key, create_member
    from scamtrace.store.engine import session_scope

    counter = iter(range(1, 10_000))

    def make(role: str, *, groups: list[str] | tuple[str, ...] = ()) -> dict[str, str]:
        with session_scope(settings.effective_database_url) as db_session:
            member = create_member(
                db_session,
                name=f"test {role} {next(counter)}",
                sector=_SECTOR_OF_ROLE[role],
                actor="test",
            )
            created = create_api_key(
                db_session, member_ref=member.id, role=role, sharing_groups=groups, actor="test"
            )
        return {"Authorization": f"Bearer {created.plaintext}"}

    return make
