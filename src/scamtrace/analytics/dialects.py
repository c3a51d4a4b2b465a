"""SQL dialects: the only place where DuckDB and Spark differ.

Analytics logic is written once, as functions returning SQL in the DuckDB dialect (the
embedded default). A :class:`Dialect` says how to run that SQL elsewhere: it transpiles
with sqlglot and supplies the few expressions that sqlglot cannot translate faithfully
(epoch seconds of a timestamp, deterministic hash buckets, median).

Examples:
    >>> d = Dialect.from_name("spark")
    >>> d.epoch_seconds("ts")
    'unix_timestamp(ts)'
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import lru_cache

import sqlglot

from scamtrace.errors import InvalidInput

#: The dialect every ``*_sql`` function in scamtrace.analytics writes.
SOURCE_DIALECT = "duckdb"


class Dialect(ABC):
    """Engine differences in SQL; subclasses override only what differs.

    Attributes:
        name: the engine name used on the command line (``duckdb``, ``spark``).
        sqlglot_name: sqlglot's name for the dialect.
    """

    name: str = ""
    sqlglot_name: str = ""

    @staticmethod
    def from_name(name: str) -> Dialect:
        """Return the dialect for an engine name.

        Args:
            name: ``duckdb`` or ``spark``.

        Returns:
            The dialect instance.
        """
        for cls in (DuckDBDialect, SparkDialect):
            if cls.name == name:
                return cls()
        raise InvalidInput(f"unknown analytics engine {name!r}: use duckdb or spark")

    def translate(self, sql: str) -> str:
        """Translate SQL written in the DuckDB dialect into this engine's SQL."""
        return _transpile(sql, self.sqlglot_name)

    @abstractmethod
    def epoch_seconds(self, expr: str) -> str:
        """Seconds since 1970-01-01 UTC of a TIMESTAMP expression, as BIGINT."""
        raise NotImplementedError

    @abstractmethod
    def hash_bucket(self, expr: str, buckets: int) -> str:
        """A deterministic bucket 0..buckets-1 of a value, stable across runs (for splits)."""
        raise NotImplementedError

    @abstractmethod
    def median(self, expr: str) -> str:
        """The median of a numeric expression (an aggregate)."""
        raise NotImplementedError

    @abstractmethod
    def string_agg(self, expr: str, separator: str) -> str:
        """Concatenate the distinct values of a string expression (an aggregate), sorted."""
        raise NotImplementedError


class DuckDBDialect(Dialect):
    name = "duckdb"
    sqlglot_name = "duckdb"

    def translate(self, sql: str) -> str:
        return sql

    def epoch_seconds(self, expr: str) -> str:
        return f"CAST(epoch({expr}) AS BIGINT)"

    def hash_bucket(self, expr: str, buckets: int) -> str:
        # md5 rather than hash(): DuckDB's hash() may change between releases.
        return f"CAST(('0x' || substr(md5(CAST({expr} AS VARCHAR)), 1, 8))::BIGINT % {buckets} AS BIGINT)"

    def median(self, expr: str) -> str:
        return f"quantile_cont({expr}, 0.5)"

    def string_agg(self, expr: str, separator: str) -> str:
        return f"array_to_string(list_sort(list_distinct(list({expr}))), '{separator}')"


class SparkDialect(Dialect):
    name = "spark"
    sqlglot_name = "spark"

    def epoch_seconds(self, expr: str) -> str:
        return f"unix_timestamp({expr})"

    def hash_bucket(self, expr: str, buckets: int) -> str:
        return f"CAST(conv(substr(md5(CAST({expr} AS STRING)), 1, 8), 16, 10) AS BIGINT) % {buckets}"

    def median(self, expr: str) -> str:
        return f"percentile({expr}, 0.5)"

    def string_agg(self, expr: str, separator: str) -> str:
        return f"array_join(array_sort(collect_set({expr})), '{separator}')"


@lru_cache(maxsize=512)
def _transpile(sql: str, write: str) -> str:
    return ";\n".join(sqlglot.transpile(sql, read=SOURCE_DIALECT, write=write))
