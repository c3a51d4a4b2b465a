"""The analytics engine: one base class, a backend per SQL engine.

The base class owns the orchestration (registering inputs, running pipelines segment by
segment, fetching results); a backend implements a handful of hooks. Logic never talks
to DuckDB or Spark directly: it builds a :class:`~scamtrace.analytics.pipeline.Pipeline`
of DuckDB-dialect SQL and hands it to an engine.

Examples:
    >>> from scamtrace.analytics import create_engine, Pipeline
    >>> engine = create_engine("duckdb")
    >>> engine.register({"a": [1, 2, 3]}, "t")
    't'
    >>> engine.run(Pipeline().add("doubled", "SELECT a * 2 AS b FROM t"))
    'doubled'
    >>> engine.fetch_pandas("doubled")["b"].tolist()
    [2, 4, 6]
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, final

import pyarrow as pa

from scamtrace.analytics.dialects import Dialect
from scamtrace.analytics.pipeline import Pipeline, Step
from scamtrace.errors import InvalidDataFile

if TYPE_CHECKING:
    import pandas as pd

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Engine(ABC):
    """Runs DuckDB-dialect SQL pipelines on one backend.

    Subclasses set :attr:`dialect` and implement the ``_`` hooks; everything public is
    final so that every backend behaves the same.
    """

    dialect: Dialect

    # ---- public, final -------------------------------------------------------------

    @final
    def register(self, source: Any, name: str) -> str:
        """Make a table available to SQL under ``name`` (replacing any table of that name).

        Args:
            source: a Parquet or CSV path (a directory of Parquet files too), a pyarrow
                Table, a pandas DataFrame, or a dict of columns.
            name: a plain SQL identifier.

        Returns:
            ``name``.
        """
        _check_identifier(name)
        if isinstance(source, (str, Path)):
            path = Path(source)
            fmt = _file_format(path)
            self._register_file(path, fmt, name)
        else:
            self._register_arrow(_to_arrow(source), name)
        return name

    @final
    def run(self, pipeline: Pipeline, name: str | None = None) -> str:
        """Execute a pipeline and materialise its output.

        Args:
            pipeline: the steps; persisted steps become tables named after the step.
            name: the output table's name (default: the last step's name).

        Returns:
            The output table's name.
        """
        segments = pipeline.segments()
        output = name or pipeline.output_name
        _check_identifier(output)
        for segment in segments:
            target = output if segment is segments[-1] else segment.output.name
            self._create_table(self.dialect.translate(segment.sql), target, segment.output)
        return output

    @final
    def execute(self, sql: str, name: str) -> str:
        """Materialise one DuckDB-dialect SELECT as table ``name``; returns ``name``."""
        return self.run(Pipeline().add(name, sql))

    @final
    def fetch_arrow(self, table_or_sql: str) -> pa.Table:
        """Rows of a table (by name) or of a DuckDB-dialect SELECT, as a pyarrow Table."""
        sql = table_or_sql
        if _IDENTIFIER.fullmatch(table_or_sql):
            sql = f"SELECT * FROM {table_or_sql}"
        return self._fetch_arrow(self.dialect.translate(sql))

    @final
    def fetch_pandas(self, table_or_sql: str) -> pd.DataFrame:
        """Like :meth:`fetch_arrow`, as a pandas DataFrame."""
        return self.fetch_arrow(table_or_sql).to_pandas()

    @final
    def columns(self, table: str) -> dict[str, pa.DataType]:
        """Column names and Arrow types of a table, in order."""
        schema = self.fetch_arrow(f"SELECT * FROM {table} LIMIT 0").schema
        return {f.name: f.type for f in schema}

    @final
    def drop(self, *names: str) -> None:
        """Forget tables (registered or created); unknown names are ignored."""
        for name in names:
            _check_identifier(name)
            self._drop(name)

    def close(self) -> None:
        """Release the backend's resources (the connection or the session)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- hooks ---------------------------------------------------------------------

    @abstractmethod
    def _register_file(self, path: Path, fmt: str, name: str) -> None:
        """Expose a ``parquet`` or ``csv`` file (or Parquet directory) as ``name``."""

    @abstractmethod
    def _register_arrow(self, table: pa.Table, name: str) -> None:
        """Expose an in-memory Arrow table as ``name``."""

    @abstractmethod
    def _create_table(self, sql: str, name: str, step: Step) -> None:
        """Run an engine-dialect SELECT and keep its rows as ``name``, honouring the
        step's persist/repartition hints where the backend has such a notion."""

    @abstractmethod
    def _fetch_arrow(self, sql: str) -> pa.Table:
        """Run an engine-dialect SELECT and return its rows."""

    @abstractmethod
    def _drop(self, name: str) -> None:
        """Drop a table or view if it exists."""


def _check_identifier(name: str) -> None:
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"table name {name!r} is not a plain SQL identifier")


def _file_format(path: Path) -> str:
    if not path.exists():
        raise InvalidDataFile(f"{path}: no such file")
    if path.is_dir() or path.suffix.lower() in (".parquet", ".pq"):
        return "parquet"
    if path.suffix.lower() in (".csv", ".tsv", ".txt") or path.name.lower().endswith(".csv.gz"):
        return "csv"
    raise InvalidDataFile(f"{path}: expected a .parquet or .csv file")


def _to_arrow(source: Any) -> pa.Table:
    if isinstance(source, pa.Table):
        return source
    if isinstance(source, dict):
        return pa.table(source)
    if hasattr(source, "to_arrow") and not hasattr(source, "columns"):
        return source.to_arrow()
    try:
        return pa.Table.from_pandas(source, preserve_index=False)
    except (TypeError, pa.ArrowException) as exc:
        raise InvalidDataFile(f"cannot read a table from {type(source).__name__}: {exc}") from exc
