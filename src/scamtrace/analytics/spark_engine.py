"""The Spark backend: the same pipelines, transpiled with sqlglot, for one machine too few.

pyspark is an optional extra (``pip install 'scamtrace[spark]'``) imported only when a
Spark engine is created. Each materialised step is a temporary view over a locally checkpointed
DataFrame (materialised, lineage cut); a step's ``repartition_by`` hint hash-partitions it on its join key first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from scamtrace.analytics.dialects import SparkDialect
from scamtrace.analytics.engine import Engine
from scamtrace.analytics.pipeline import Step
from scamtrace.errors import ConfigurationError, InvalidDataFile

INSTALL_HINT = "the Spark engine needs pyspark: pip install 'scamtrace[spark]' (and Java 17)"


def _import_pyspark() -> Any:
    try:
        import pyspark.sql
    except ImportError as exc:
        raise ConfigurationError(INSTALL_HINT) from exc
    return pyspark.sql


def local_spark_session(cores: int = 2, shuffle_partitions: int = 4) -> Any:
    """A local-mode SparkSession configured like the DuckDB engine (UTC, NULL on /0).

    Args:
        cores: local worker threads (``local[cores]``).
        shuffle_partitions: partitions after a shuffle; small data wants few (the default
            200 makes every join of a test table pay for 200 tasks).

    Returns:
        The (possibly already running) SparkSession.
    """
    sql = _import_pyspark()
    return (
        sql.SparkSession.builder.master(f"local[{cores}]")
        .appName("scamtrace")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.sql.session.timeZone", "UTC")
        # DuckDB semantics: integer overflow and division by zero are not errors.
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )


class SparkEngine(Engine):
    """Runs pipelines on Apache Spark.

    Args:
        spark: an existing SparkSession (default: :func:`local_spark_session`).
    """

    dialect = SparkDialect()

    def __init__(self, spark: Any = None) -> None:
        self.spark = spark if spark is not None else local_spark_session()
        self._frames: dict[str, Any] = {}

    def _register_file(self, path: Path, fmt: str, name: str) -> None:
        if fmt == "csv":
            # Spark's CSV schema inference reads ids such as "T9" as times; pyarrow's
            # inference matches DuckDB's, so both engines see the same column types.
            try:
                table = pacsv.read_csv(path)
            except pa.ArrowInvalid as exc:
                raise InvalidDataFile(f"{path}: cannot read as csv: {exc}") from exc
            self._register_arrow(table, name)
            return
        try:
            frame = self.spark.read.parquet(str(path))
        except Exception as exc:  # pyspark raises AnalysisException and py4j errors
            raise InvalidDataFile(f"{path}: cannot read as parquet: {exc}") from exc
        self._keep(frame, name)

    def _register_arrow(self, table: pa.Table, name: str) -> None:
        # Dictionary columns (pandas categoricals) have no Spark type: decode them.
        table = pa.table({
            f.name: (col.cast(f.type.value_type) if pa.types.is_dictionary(f.type) else col)
            for f, col in zip(table.schema, table.columns)
        })
        self._keep(self.spark.createDataFrame(table), name)

    def _create_table(self, sql: str, name: str, step: Step) -> None:
        frame = self.spark.sql(sql)
        if step.repartition_by:
            frame = frame.repartition(*step.repartition_by)
        # Every output is materialised and its lineage cut: iterative steps (one hop per
        # round) would otherwise carry every earlier round's plan, and Spark runs out of
        # memory printing plans long before it runs out of data.
        frame = frame.localCheckpoint(eager=True)
        self._drop(name)
        self._keep(frame, name)

    def _fetch_arrow(self, sql: str) -> pa.Table:
        frame = self.spark.sql(sql)
        if hasattr(frame, "toArrow"):
            return frame.toArrow()
        return pa.Table.from_pandas(frame.toPandas(), preserve_index=False)

    def _drop(self, name: str) -> None:
        frame = self._frames.pop(name, None)
        if frame is not None:
            frame.unpersist()
        self.spark.catalog.dropTempView(name)

    def _keep(self, frame: Any, name: str) -> None:
        frame.createOrReplaceTempView(name)
        self._frames[name] = frame

    def close(self) -> None:
        for name in list(self._frames):
            self._drop(name)

