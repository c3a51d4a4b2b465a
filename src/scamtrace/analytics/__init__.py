"""Batch analytics over large tables, written once, run on DuckDB or Spark.

Public API::

    from scamtrace.analytics import create_engine, Pipeline, load_transactions
    engine = create_engine("duckdb")            # or "spark"
    txs = load_transactions(engine, "tx.parquet", "src=from,dst=to")
    engine.run(Pipeline().add("out_deg", "SELECT src, count(*) AS n FROM transactions GROUP BY src"))
    engine.fetch_pandas("out_deg")

See docs/analytics.md.
"""

from __future__ import annotations

from scamtrace.analytics.dialects import Dialect
from scamtrace.analytics.engine import Engine
from scamtrace.analytics.inputs import ColumnMap, TransactionTable, load_transactions
from scamtrace.analytics.pipeline import Pipeline, Step

__all__ = [
    "ColumnMap",
    "Dialect",
    "Engine",
    "Pipeline",
    "Step",
    "TransactionTable",
    "create_engine",
    "load_transactions",
]


def create_engine(name: str = "duckdb", **options: object) -> Engine:
    """Create an analytics engine.

    Args:
        name: ``duckdb`` (embedded, the default) or ``spark`` (needs the ``spark`` extra).
        **options: passed to the backend (DuckDB: ``database``, ``threads``,
            ``memory_limit``; Spark: ``spark``, an existing SparkSession).

    Returns:
        The engine; use it as a context manager to release it.
    """
    Dialect.from_name(name)  # one error message for unknown names
    if name == "spark":
        from scamtrace.analytics.spark_engine import SparkEngine

        return SparkEngine(**options)  # type: ignore[arg-type]
    from scamtrace.analytics.duckdb_engine import DuckDBEngine

    return DuckDBEngine(**options)  # type: ignore[arg-type]
