"""The same trails on Spark as on DuckDB, for every policy (opt-in: SCAMTRACE_TEST_SPARK=1)."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from scamtrace.analytics import create_engine, load_transactions
from scamtrace.analytics.trace import POLICIES, TraceOptions, trace_victim_transfers

SPARK_ENABLED = os.environ.get("SCAMTRACE_TEST_SPARK") == "1"


def _transfers(seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n, accounts = 300, 40
    src = rng.integers(0, accounts, n)
    # a few accounts only ever receive: cash-out sinks
    dst = np.where(rng.random(n) < 0.1, accounts + rng.integers(0, 3, n),
                   (src + rng.integers(1, accounts, n)) % accounts)
    return pd.DataFrame({"tx_id": np.arange(n), "src": src.astype(str), "dst": dst.astype(str),
                         "amount": np.round(rng.lognormal(5, 1, n), 2),
                         "ts": np.sort(rng.integers(0, 500, n))})


@pytest.mark.spark
@pytest.mark.skipif(not SPARK_ENABLED, reason="Spark tests run with SCAMTRACE_TEST_SPARK=1")
def test_spark_writes_the_same_trails_and_accounts_as_duckdb(spark_session):
    frame = _transfers()
    seeds = [0, 3, 8, 21, 40]
    results = {}
    for name in ("duckdb", "spark"):
        options = {"spark": spark_session} if name == "spark" else {"threads": 2}
        with create_engine(name, **options) as engine:
            load_transactions(engine, frame)
            results[name] = [
                trace_victim_transfers(engine, seeds, TraceOptions(policy=policy, window=120,
                                                                   max_hops=4, burst=5))
                for policy in POLICIES
            ]
    for duck, spark in zip(results["duckdb"], results["spark"]):
        assert len(duck.trail) > len(seeds)  # the money did move on
        pd.testing.assert_frame_equal(duck.trail, spark.trail, check_dtype=False)
        pd.testing.assert_frame_equal(duck.accounts, spark.accounts, check_dtype=False)
        assert duck.summary == spark.summary
