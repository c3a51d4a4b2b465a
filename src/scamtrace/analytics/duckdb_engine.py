"""The DuckDB backend: the embedded default engine."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from scamtrace.analytics.dialects import DuckDBDialect
from scamtrace.analytics.engine import Engine
from scamtrace.analytics.pipeline import Step
from scamtrace.errors import InvalidDataFile


class DuckDBEngine(Engine):
    """Runs pipelines in an embedded DuckDB database.

    Args:
        database: ``:memory:`` (default) or a database file path.
        threads: worker threads (default: DuckDB's choice, all cores).
        memory_limit: e.g. ``"4GB"``; beyond it DuckDB spills to disk.
        connection: an existing connection to use instead of opening one.
    """

    dialect = DuckDBDialect()

    def __init__(
        self,
        database: str = ":memory:",
        *,
        threads: int | None = None,
        memory_limit: str | None = None,
        connection: duckdb.DuckDBPyConnection | None = None,
    ) -> None:
        self._owns_connection = connection is None
        self.con = connection or duckdb.connect(database)
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        if memory_limit:
            self.con.execute(f"SET memory_limit = '{memory_limit}'")
        # Timestamps without zone are read as UTC so that epoch seconds match Spark's.
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute("SET enable_progress_bar = false")

    def _register_file(self, path: Path, fmt: str, name: str) -> None:
        self._drop(name)
        location = str(path / "*.parquet") if path.is_dir() else str(path)
        location = location.replace("'", "''")
        reader = (
            f"read_parquet('{location}')"
            if fmt == "parquet"
            else f"read_csv('{location}', header = true, auto_detect = true)"
        )
        try:
            self.con.execute(f"CREATE VIEW {name} AS SELECT * FROM {reader}")
        except duckdb.Error as exc:
            raise InvalidDataFile(f"{path}: cannot read as {fmt}: {_first_line(exc)}") from exc

    def _register_arrow(self, table: pa.Table, name: str) -> None:
        self._drop(name)
        self.con.register(name, table)

    def _create_table(self, sql: str, name: str, step: Step) -> None:
        # The SELECT may read a table of the same name (a step that rewrites its input),
        # so build under a temporary name and swap.
        staging = f"{name}__staging"
        self.con.execute(f"CREATE OR REPLACE TABLE {staging} AS {sql}")
        self._drop(name)
        self.con.execute(f"ALTER TABLE {staging} RENAME TO {name}")

    def _fetch_arrow(self, sql: str) -> pa.Table:
        return self.con.sql(sql).to_arrow_table()

    def _drop(self, name: str) -> None:
        self.con.unregister(name)  # an Arrow table registered by reference; else a no-op
        try:
            self.con.execute(f"DROP TABLE IF EXISTS {name}")
        except duckdb.CatalogException:  # the name is a view
            self.con.execute(f"DROP VIEW IF EXISTS {name}")

    def close(self) -> None:
        if self._owns_connection:
            self.con.close()


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
