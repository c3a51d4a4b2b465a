"""The per-caller detectors that spare most callers a grouping by hour or by cell: the
callers they send on and those they settle give the answers worked out by hand, with
number ids and with msisdn strings."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pandas as pd
import pytest

from scamtrace.analytics.sims.features import LANE_BITS, MAX_LANES, FeatureWindow, SimTables
from scamtrace.analytics.sims.sim_inputs import load_sim_table
from scamtrace.analytics.sims.sim_pipeline import compute_sim_features

START = datetime(2026, 1, 1)
#: Longer than the hour detector's positions: hours this far apart share a bit.
WRAP = MAX_LANES * LANE_BITS
WINDOW = FeatureWindow(start=START, end=START + timedelta(hours=WRAP + 48))


def _call(caller, callee, hours, cell="C1", duration=60, imei="I1"):
    return (caller, callee, START + timedelta(hours=hours), duration, cell, imei)


CALLS = pd.DataFrame(
    [
        # A: one call per hour, three of them WRAP hours apart (one detector bit).
        _call("+661", "+669", 1), _call("+661", "+669", 1 + WRAP), _call("+661", "+668", 5),
        # B: two calls in one hour, one more later: peak 2, 2 active hours.
        _call("+662", "+669", 3.1), _call("+662", "+668", 3.7), _call("+662", "+667", 9),
        # C: all in one cell; D: each call in a cell of its own; E: A A B, two cells.
        _call("+663", "+669", 2, "B1"), _call("+663", "+669", 4, "B1"), _call("+663", "+668", 6, "B1"),
        _call("+664", "+669", 2, "C1"), _call("+664", "+669", 4, "C2"), _call("+664", "+668", 6, "B1"),
        _call("+665", "+669", 2, "C1"), _call("+665", "+669", 4, "C1"), _call("+665", "+668", 6, "B1"),
        # F: no cell at all.
        _call("+666", "+669", 2, None),
    ],
    columns=["caller", "callee", "ts", "duration_s", "cell_id", "imei"],
)
CELLS = pd.DataFrame({"cell_id": ["B1", "C1", "C2"], "border_zone": [True, False, False]})


@pytest.fixture(params=["ids", "strings"])
def features(engine, request) -> pd.DataFrame:
    engine.register(CELLS, "cells")
    if request.param == "ids":
        load_sim_table(engine, "calls", CALLS)
        tables = SimTables(calls="calls", cells="cells", numbers="calls_numbers")
    else:
        engine.register(CALLS, "calls")
        tables = SimTables(calls="calls", cells="cells")
    compute_sim_features(engine, tables, WINDOW)
    return engine.fetch_pandas("sim_features").set_index("msisdn")


def test_hours_that_share_a_detector_bit_are_still_counted_apart(features):
    a = features.loc["+661"]
    assert (a["out_calls"], a["peak_hour_calls"], a["burstiness"]) == (3, 1, 1.0)


def test_two_calls_in_one_hour(features):
    b = features.loc["+662"]
    assert (b["peak_hour_calls"], b["burstiness"]) == (2, pytest.approx(3 / 2))


def test_cells_settled_by_the_detector_and_counted(features):
    one, each, mixed, none = (features.loc[n] for n in ("+663", "+664", "+665", "+666"))
    assert (one["cell_count"], one["cell_entropy"], one["border_share"]) == (1, pytest.approx(0.0), 1.0)
    assert each["cell_count"] == 3
    assert each["cell_entropy"] == pytest.approx(math.log(3))
    assert each["border_share"] == pytest.approx(1 / 3)
    assert mixed["cell_count"] == 2
    assert mixed["cell_entropy"] == pytest.approx(math.log(3) - 2 * math.log(2) / 3)
    assert mixed["border_share"] == pytest.approx(1 / 3)
    assert (none["cell_count"], none["cell_entropy"], none["border_share"]) == (0, 0.0, 0.0)


def test_numbers_only_called_have_their_calls_received_with_a_universe(engine):
    # With SMS the SIMs are the callers and the senders: a sender who was only called
    # still has its calls received.
    load_sim_table(engine, "calls", CALLS)
    sms = pd.DataFrame({"ts": [START + timedelta(hours=1)], "sender": ["+669"], "recipient": ["+661"]})
    engine.register(sms, "sms")
    compute_sim_features(engine, SimTables(calls="calls", sms="sms", numbers="calls_numbers"), WINDOW)
    f = engine.fetch_pandas("sim_features").set_index("msisdn")
    assert (f.loc["+669", "out_calls"], f.loc["+669", "in_calls"], f.loc["+669", "sms_sent"]) == (0, 10, 1)
