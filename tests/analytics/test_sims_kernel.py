"""The numpy kernel of the call features gives the SQL's features: on random call records
(with and without history, whole and fractional seconds, missing numbers, cells and
handsets, with SMS, reports, device records and cell sites or without) and on the
hand-made calls; and it is chosen by default on DuckDB for calls loaded with ids."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scamtrace.analytics import create_engine
from scamtrace.analytics.sims import call_kernel, sim_pipeline
from scamtrace.analytics.sims.features import FeatureWindow, SimTables
from scamtrace.analytics.sims.sim_inputs import load_sim_table
from scamtrace.analytics.sims.sim_pipeline import compute_sim_features
from scamtrace.errors import InvalidInput
from tests.analytics.test_sims_keys import CANONICAL, NUMBERS
from tests.analytics.test_sims_keys import WINDOW as HAND_WINDOW

START = datetime(2026, 1, 1)
POOL = [f"+6680000{i:03d}" for i in range(9)]
CELLS = ["c0", "c1", "c2", "c3"]


def _both(engine, tables: SimTables, window: FeatureWindow) -> tuple[pd.DataFrame, pd.DataFrame]:
    out = []
    for method in ("kernel", "sql"):
        compute_sim_features(engine, tables, window, method=method)
        out.append(engine.fetch_pandas("sim_features").sort_values("msisdn").reset_index(drop=True))
    return out[0], out[1]


def _assert_same(kernel: pd.DataFrame, sql: pd.DataFrame) -> None:
    # Every feature equal; the entropy of callers spread unevenly over cells is a sum of
    # n ln n that the SQL adds in the order its threads deliver, hence the last bit.
    pd.testing.assert_frame_equal(kernel.drop(columns="cell_entropy"), sql.drop(columns="cell_entropy"),
                                  check_exact=True)
    np.testing.assert_allclose(kernel["cell_entropy"], sql["cell_entropy"], rtol=0, atol=1e-12)


@st.composite
def call_records(draw):
    n = draw(st.integers(1, 60))
    numbers = st.one_of(st.sampled_from(POOL), st.none()) if draw(st.booleans()) else st.sampled_from(POOL)
    fractional = draw(st.booleans())
    rows = []
    for _ in range(n):
        seconds = draw(st.integers(-2 * 86400, 3 * 86400 - 1))
        micros = draw(st.integers(0, 999_999)) if fractional and draw(st.booleans()) else 0
        rows.append((
            draw(numbers), draw(numbers), START + timedelta(seconds=seconds, microseconds=micros),
            draw(st.one_of(st.sampled_from([0.0, 5.0, 29.0, 30.0, 31.0, 400.0]), st.none())),
            draw(st.one_of(st.sampled_from(CELLS), st.none())),
            draw(st.one_of(st.sampled_from(["I0", "I1", "I2"]), st.none())),
        ))
    calls = pd.DataFrame(rows, columns=["caller", "callee", "ts", "duration_s", "cell_id", "imei"])
    if draw(st.booleans()):  # stored in time order, as call records come
        calls = calls.sort_values("ts", kind="stable", ignore_index=True)
    window = FeatureWindow(START, START + timedelta(hours=draw(st.sampled_from([1, 30, 72]))),
                           history_start=START - timedelta(days=2) if draw(st.booleans()) else None)
    extras = draw(st.sets(st.sampled_from(["cells", "sms", "reports", "devices"])))
    return calls, window, extras


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(call_records())
def test_kernel_gives_the_sql_features_on_random_calls(case):
    calls, window, extras = case
    if window.history_start is None:  # no history: the table holds nothing before the window
        calls = calls[calls["ts"] >= window.start]
        if calls.empty:
            return
    with create_engine("duckdb", threads=2) as engine:
        load_sim_table(engine, "calls", calls)
        names = {}
        if "cells" in extras:
            engine.register(pd.DataFrame({"cell_id": CELLS, "border_zone": [True, False, None, True]}), "cells")
            names["cells"] = "cells"
        if "sms" in extras:
            engine.register(pd.DataFrame({"ts": [START + timedelta(hours=1)] * 2, "sender": POOL[:2],
                                          "recipient": [POOL[3], POOL[8]]}), "sms")
            names["sms"] = "sms"
        if "reports" in extras:
            engine.register(pd.DataFrame({"ts": [START + timedelta(hours=2)], "reporter_msisdn": [POOL[4]],
                                          "reported_kind": ["phone"], "reported_value": [POOL[1]]}), "reports")
            names["reports"] = "reports"
        if "devices" in extras:
            engine.register(pd.DataFrame({"msisdn": [POOL[0], POOL[7]], "imei": ["I1", "I1"],
                                          "from_ts": [START - timedelta(days=9)] * 2,
                                          "to_ts": [None, None]}).astype({"to_ts": "datetime64[ns]"}),
                            "devices")
            names["devices"] = "devices"
        tables = SimTables(calls="calls", numbers="calls_numbers", **names)
        _assert_same(*_both(engine, tables, window))


@pytest.mark.parametrize("history", [False, True])
def test_kernel_gives_the_sql_features_on_the_hand_made_calls(history):
    window = HAND_WINDOW
    if history:
        window = FeatureWindow(window.start, window.end, history_start=datetime(2025, 12, 30))
    reports = pd.DataFrame({"ts": [pd.Timestamp("2026-01-01 13:04")], "reporter_msisdn": [NUMBERS["P"]],
                            "reported_kind": ["phone"], "reported_value": [None]})
    with create_engine("duckdb", threads=2) as engine:
        load_sim_table(engine, "calls", CANONICAL)
        load_sim_table(engine, "reports", reports)
        kernel, sql = _both(engine, SimTables(calls="calls", reports="reports", numbers="calls_numbers"), window)
    _assert_same(kernel, sql)
    m = kernel.set_index("msisdn").loc[NUMBERS["M"]]
    assert (m["out_calls"], m["distinct_callees"], m["peak_hour_calls"]) == (5, 5, 4)


def test_kernel_rounds_half_seconds_to_the_hour_as_the_sql():
    # The SQL's clock hour reads CAST(epoch(ts) AS BIGINT), which rounds half to even:
    # 00:59:59.5 falls in hour 1, 01:59:58.5 stays in hour 1, 01:59:59.5 goes to hour 2,
    # and 14:59:59.5 UTC to 15:00, 22:00 in Bangkok (night).
    times = ["00:59:59.5", "01:59:58.5", "01:59:59.5", "14:59:59.5", "14:59:58.5", "00:30:00"]
    calls = pd.DataFrame({"caller": POOL[0], "callee": POOL[1:7],
                          "ts": pd.to_datetime([f"2026-01-01 {t}" for t in times], format="ISO8601"),
                          "duration_s": 60.0, "cell_id": "c0", "imei": "I0"})
    window = FeatureWindow(START, START + timedelta(hours=30))
    with create_engine("duckdb", threads=2) as engine:
        load_sim_table(engine, "calls", calls)
        kernel, sql = _both(engine, SimTables(calls="calls", numbers="calls_numbers"), window)
    _assert_same(kernel, sql)
    row = kernel.set_index("msisdn").loc[POOL[0]]
    # hours 0, 1 (two calls), 2, 14, 15: five active hours; one night call
    assert (row["burstiness"], row["peak_hour_calls"], row["night_share"]) == (6 / 5, 2, 1 / 6)


def test_kernel_is_the_default_on_duckdb_with_ids_only(monkeypatch):
    used = []
    real = sim_pipeline.register_call_features
    monkeypatch.setattr(sim_pipeline, "register_call_features",
                        lambda *args, **kw: used.append(1) or real(*args, **kw))
    with create_engine("duckdb", threads=2) as engine:
        load_sim_table(engine, "calls", CANONICAL)
        compute_sim_features(engine, SimTables(calls="calls", numbers="calls_numbers"), HAND_WINDOW)
        assert used == [1]
        engine.register(CANONICAL, "plain")
        compute_sim_features(engine, SimTables(calls="plain"), HAND_WINDOW)
        assert used == [1]
        with pytest.raises(InvalidInput):
            compute_sim_features(engine, SimTables(calls="plain"), HAND_WINDOW, method="kernel")
        with pytest.raises(InvalidInput):
            compute_sim_features(engine, SimTables(calls="plain"), HAND_WINDOW, method="fast")



def _assert_hours(callers: np.ndarray, position: np.ndarray, n: int, result) -> None:
    # Active hours and the busiest hour per caller, counted one caller at a time.
    repeats, peak = result
    out_calls = np.bincount(callers, minlength=n)
    active = [len(set(position[callers == k])) for k in range(n)]
    most = [np.bincount(position[callers == k]).max() if out_calls[k] else 0 for k in range(n)]
    np.testing.assert_array_equal(out_calls - repeats, active)
    np.testing.assert_array_equal(np.maximum(peak, out_calls > 0), most)


@pytest.mark.parametrize("seed", range(4))
def test_hours_of_calls_in_time_order_and_in_any_order(seed):
    # Calls in time order are sorted one hour at a time, others at once: same counts.
    rng = np.random.default_rng(seed)
    n, hours, size = int(rng.integers(1, 50)), int(rng.integers(1, 40)), int(rng.integers(1, 3000))
    callers = rng.integers(0, n, size).astype(np.int32)
    position = np.sort(rng.integers(0, hours, size))
    _assert_hours(callers, position, n, call_kernel._hour_repeats(callers, hours, position, n))
    shuffle = rng.permutation(size)
    callers, position = callers[shuffle], position[shuffle]
    _assert_hours(callers, position, n, call_kernel._hour_repeats(callers, hours, position, n))


@pytest.mark.parametrize("runs", [1, 2, 5, call_kernel.MAX_HOUR_RUNS + 3])
def test_hours_of_calls_in_runs_of_time_order(runs):
    # Calls loaded on several threads come in a few runs of time order (more runs than
    # MAX_HOUR_RUNS: sorted at once).
    rng = np.random.default_rng(runs)
    n, hours = 30, 12
    parts = [np.sort(rng.integers(0, hours, int(rng.integers(0, 400)))) for _ in range(runs)]
    position = np.concatenate(parts + [np.zeros(0, np.int64)])
    callers = rng.integers(0, n, len(position)).astype(np.int32)
    _assert_hours(callers, position, n, call_kernel._hour_repeats(callers, hours, position, n))
