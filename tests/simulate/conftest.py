"""Fixtures of the simulator tests: one tiny world per session, with DuckDB views on it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from scamtrace.simulate.demo import ensure_world
from scamtrace.simulate.tables import SCHEMAS


@pytest.fixture(scope="session")
def tiny_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The advertised ``tiny`` world (seed 7), simulated once per test session."""
    return ensure_world(tmp_path_factory.mktemp("tiny-world"), seed=7, scale="tiny")


@pytest.fixture(scope="session")
def world_db(tiny_world: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with one view per table (truth tables without the prefix)."""
    con = duckdb.connect()
    for name in SCHEMAS:
        view = name.split("/")[-1]
        con.execute(
            f"CREATE VIEW {view} AS SELECT * FROM read_parquet('{tiny_world / name}.parquet')"
        )
    return con
