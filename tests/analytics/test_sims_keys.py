"""Number ids of the call records: the same features as with msisdn strings, for numbers
in any form."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from scamtrace.analytics.sims.features import SimTables
from scamtrace.analytics.sims.sim_inputs import load_sim_table, load_sim_tables, numbers_table
from scamtrace.analytics.sims.sim_pipeline import compute_sim_features
from tests.analytics.test_sims_features import CALLS, WINDOW

# The hand-made calls with canonical numbers; a call to oneself and a NULL callee too.
NUMBERS = {name: f"+668{i:08d}" for i, name in enumerate(sorted({*CALLS["caller"], *CALLS["callee"]}))}
CANONICAL = pd.concat([
    CALLS.assign(caller=CALLS["caller"].map(NUMBERS), callee=CALLS["callee"].map(NUMBERS)),
    pd.DataFrame([(NUMBERS["P"], NUMBERS["P"], "2026-01-01 15:00", 20, "N", "I4"),
                  (NUMBERS["S"], None, "2026-01-01 16:00", 0, "N", "I1")],
                 columns=CALLS.columns).assign(ts=lambda d: pd.to_datetime(d["ts"])),
], ignore_index=True)


def _features(engine, tables: SimTables, window) -> pd.DataFrame:
    compute_sim_features(engine, tables, window)
    return engine.fetch_pandas("sim_features").sort_values("msisdn").reset_index(drop=True)


@pytest.mark.parametrize("history", [False, True])
def test_keyed_calls_give_the_same_features_as_strings(engine, history):
    window = WINDOW
    if history:
        window = type(WINDOW)(WINDOW.start, WINDOW.end, history_start=datetime(2025, 12, 30))
    keyed = load_sim_tables(engine, {"calls": CANONICAL})
    assert keyed.numbers == "calls_numbers"
    reports = pd.DataFrame({"ts": [pd.Timestamp("2026-01-01 13:04")],
                            "reporter_msisdn": [NUMBERS["P"]], "reported_kind": ["phone"],
                            "reported_value": [None]})
    load_sim_table(engine, "reports", reports)
    with_keys = _features(engine, SimTables(calls="calls", reports="reports", numbers="calls_numbers"), window)
    engine.register(CANONICAL, "plain_calls")
    plain = _features(engine, SimTables(calls="plain_calls", reports="reports"), window)
    pd.testing.assert_frame_equal(with_keys, plain)
    m = with_keys.set_index("msisdn").loc[NUMBERS["M"]]
    assert (m["out_calls"], m["distinct_callees"], m["peak_hour_calls"]) == (5, 5, 4)
    assert with_keys.set_index("msisdn").loc[NUMBERS["S"], "reports_against"] == 1


@pytest.mark.parametrize("number", ["+0668000001", "+66 8000001", "+66_8000001", "0812345678",
                                    "+668000000A", "66812345678"])
def test_numbers_in_any_form_get_ids(engine, number):
    calls = CANONICAL.copy()
    calls.loc[3, "callee"] = number
    tables = load_sim_tables(engine, {"calls": calls})
    assert tables.numbers == "calls_numbers"
    features = _features(engine, tables, WINDOW)
    assert features.set_index("msisdn").loc[NUMBERS["M"], "distinct_callees"] == 5
    engine.register(calls, "plain_calls")
    pd.testing.assert_frame_equal(features, _features(engine, SimTables(calls="plain_calls"), WINDOW))
    numbers = engine.fetch_pandas("calls_numbers")
    assert sorted(numbers["id"]) == list(range(len(numbers)))
    assert set(numbers["msisdn"]) == set(calls["caller"]) | set(calls["callee"].dropna())


def test_no_ids_when_asked(engine):
    load_sim_table(engine, "calls", CANONICAL, keys=False)
    assert numbers_table(engine, "calls") is None
    load_sim_table(engine, "calls", CANONICAL)
    assert numbers_table(engine, "calls") == "calls_numbers"
