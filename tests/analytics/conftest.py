"""The ``engine`` fixture: one test body runs on DuckDB and, opt-in, on Spark.

Spark runs when SCAMTRACE_TEST_SPARK=1 (it needs pyspark and Java 17); its session is
started once per test session because starting a JVM takes seconds.
"""

from __future__ import annotations

import os

import pytest

from scamtrace.analytics import create_engine

SPARK_ENABLED = os.environ.get("SCAMTRACE_TEST_SPARK") == "1"


@pytest.fixture(scope="session")
def spark_session():
    """A local two-core Spark session with few shuffle partitions, shared by all tests."""
    from scamtrace.analytics.spark_engine import local_spark_session

    session = local_spark_session(cores=2, shuffle_partitions=2)
    yield session
    session.stop()


@pytest.fixture(params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def engine(request):
    """A fresh engine of each kind; the Spark one skips unless SCAMTRACE_TEST_SPARK=1."""
    if request.param == "spark":
        if not SPARK_ENABLED:
            pytest.skip("Spark tests run with SCAMTRACE_TEST_SPARK=1")
        eng = create_engine("spark", spark=request.getfixturevalue("spark_session"))
    else:
        eng = create_engine("duckdb", threads=2)
    yield eng
    eng.close()
