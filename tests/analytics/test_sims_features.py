"""Each SIM feature on small hand-made call records with answers worked out by hand."""

from __future__ import annotations

import math
from datetime import datetime

import pandas as pd
import pytest

from scamtrace.analytics.sims.features import FEATURE_COLUMNS, FeatureWindow, SimTables
from scamtrace.analytics.sims.sim_pipeline import compute_sim_features

T = pd.Timestamp
WINDOW = FeatureWindow(start=datetime(2026, 1, 1), end=datetime(2026, 1, 2))

# M is mule-like; P and F are people who know each other; S shares handset I1 with M.
CALLS = pd.DataFrame(
    [
        ("M", "X1", "2026-01-01 10:00", 0, "B", "I1"),
        ("M", "X2", "2026-01-01 10:01", 5, "B", "I1"),
        ("M", "X3", "2026-01-01 10:02", 10, "B", "I1"),
        ("M", "X4", "2026-01-01 10:03", 200, "B", "I1"),
        ("M", "X5", "2026-01-01 17:00", 0, "N", "I2"),  # 00:00 in Bangkok: night
        ("F", "P", "2026-01-01 09:00", 60, "N", "I3"),
        ("P", "F", "2026-01-01 10:00", 120, "N", "I4"),
        ("P", "G", "2026-01-01 12:00", 40, "N", "I4"),
        ("S", "P", "2026-01-01 13:00", 30, "N", "I1"),
        ("X1", "M", "2026-01-01 11:00", 3, "N", "I5"),
        ("G", "P", "2025-12-31 08:00", 50, "N", "I6"),  # before the window: history only
    ],
    columns=["caller", "callee", "ts", "duration_s", "cell_id", "imei"],
).assign(ts=lambda d: pd.to_datetime(d["ts"]))


def _features(engine, window=WINDOW, **tables) -> dict[str, dict]:
    engine.register(CALLS, "calls")
    names = {}
    for name, frame in tables.items():
        names[name] = engine.register(frame, name)
    compute_sim_features(engine, SimTables(calls="calls", **names), window)
    rows = engine.fetch_pandas("sim_features")
    assert list(rows.columns) == ["msisdn", *FEATURE_COLUMNS]
    return rows.set_index("msisdn").to_dict("index")


def test_call_volume_and_direction(engine):
    f = _features(engine)
    assert set(f) == {"M", "F", "P", "S", "X1"}  # callers in the window; G's call is before
    m = f["M"]
    assert (m["out_calls"], m["in_calls"]) == (5, 1)
    assert m["out_in_ratio"] == pytest.approx(5 / 2)
    assert m["out_calls_per_day"] == pytest.approx(5.0)
    assert m["window_days"] == pytest.approx(1.0)
    assert (f["P"]["out_calls"], f["P"]["in_calls"]) == (2, 2)


def test_callees_and_strangers(engine):
    f = _features(engine)
    # X1 called M back only after M's first call: still a stranger at that call.
    assert f["M"]["distinct_callees"] == 5
    assert f["M"]["new_callee_share"] == pytest.approx(1.0)
    # F had called P before P's first call to F; G is new inside the window.
    assert f["P"]["new_callee_share"] == pytest.approx(0.5)
    assert f["F"]["new_callee_share"] == pytest.approx(1.0)


def test_history_before_window_counts_as_earlier_contact(engine):
    window = FeatureWindow(WINDOW.start, WINDOW.end, history_start=datetime(2025, 12, 30))
    f = _features(engine, window)
    assert f["P"]["new_callee_share"] == pytest.approx(0.0)  # G called P on 31 December
    assert f["M"]["new_callee_share"] == pytest.approx(1.0)


def test_short_unanswered_bursts_and_night(engine):
    m = _features(engine)["M"]
    assert m["short_call_share"] == pytest.approx(2 / 5)  # 5 s and 10 s, answered
    assert m["unanswered_share"] == pytest.approx(2 / 5)  # duration 0
    assert m["peak_hour_calls"] == 4  # the 10:00 hour
    assert m["burstiness"] == pytest.approx(5 / 2)  # 5 calls over 2 active hours
    assert m["night_share"] == pytest.approx(1 / 5)


def test_cells_entropy_and_border(engine):
    cells = pd.DataFrame({"cell_id": ["B", "N"], "border_zone": [True, False]})
    m = _features(engine, cells=cells)["M"]
    assert m["cell_count"] == 2
    assert m["cell_entropy"] == pytest.approx(-(0.8 * math.log(0.8) + 0.2 * math.log(0.2)))
    assert m["border_share"] == pytest.approx(0.8)


def test_handsets_from_calls_and_device_records(engine):
    f = _features(engine)
    assert (f["M"]["imeis_per_sim"], f["M"]["sims_per_imei"]) == (2, 2)  # I1 also held S
    assert (f["P"]["imeis_per_sim"], f["P"]["sims_per_imei"]) == (1, 1)
    devices = pd.DataFrame({
        "msisdn": ["M", "P"], "imei": ["I9", "I9"],
        "from_ts": [T("2025-12-30"), T("2026-01-05")], "to_ts": [pd.NaT, pd.NaT],
    })
    f = _features(engine, devices=devices)
    assert f["M"]["imeis_per_sim"] == 3  # P's I9 interval starts after the window
    assert f["P"]["imeis_per_sim"] == 1


def test_sms_fanout_ignores_spoofed_senders(engine):
    sms = pd.DataFrame({
        "ts": [T("2026-01-01 08:00")] * 3 + [T("2026-01-01 09:00"), T("2026-01-03 09:00")],
        "sender": ["M", "M", "M", "kbank", "M"],
        "recipient": ["Y1", "Y2", "Y2", "Y1", "Y3"],
    }).assign(sender=lambda d: d["sender"].map(lambda s: "+" + s if s == "M" else s))
    calls = CALLS.assign(caller=CALLS["caller"].replace({"M": "+M"}))
    engine.register(calls, "calls")
    engine.register(sms, "sms")
    compute_sim_features(engine, SimTables(calls="calls", sms="sms"), WINDOW)
    f = engine.fetch_pandas("sim_features").set_index("msisdn")
    assert (f.loc["+M", "sms_sent"], f.loc["+M", "sms_fanout"]) == (3, 2)
    assert "kbank" not in f.index
    assert f.loc["P", "sms_fanout"] == 0


def test_registration_age_identity_and_nominee(engine):
    sims = pd.DataFrame({
        "msisdn": ["M", "S", "P"], "person_id": ["n1", "n1", "p1"],
        "activated_at": [T("2025-12-29"), T("2025-12-29"), T("2020-01-01")],
        "registration": ["nominee", "nominee", "named"],
    })
    f = _features(engine, sims=sims)
    assert f["M"]["sim_age_days"] == pytest.approx(4.0)  # to the window's end, 2 January
    assert (f["M"]["sims_per_identity"], f["M"]["nominee"]) == (2, 1)
    assert (f["P"]["sims_per_identity"], f["P"]["nominee"]) == (1, 0)
    assert f["F"]["sim_age_days"] == pytest.approx(3650.0)  # unknown SIM: treated as old


def test_reports_against_and_contacts_who_reported(engine):
    reports = pd.DataFrame({
        "ts": [T("2026-01-01 12:00"), T("2026-01-01 20:00"), T("2026-01-03 12:00"),
               T("2026-01-01 08:00")],
        "reporter_msisdn": ["X1", "X2", "R", "X3"],
        "reported_kind": ["phone", "url", "phone", "phone"],
        "reported_value": ["M", "https://kbank-secure-th.com/", "M", "Q"],
    })
    f = _features(engine, reports=reports)
    m = f["M"]
    assert m["reports_against"] == 1  # R's report comes after the window
    # X1 and X2 reported after M called them; X3 reported before M's call.
    assert m["reported_contacts"] == 2
    assert m["reported_contact_share"] == pytest.approx(2 / 5)
    assert m["reports_per_100_contacts"] == pytest.approx(100 / 6)


def test_star_1185_report_resolves_to_the_last_caller(engine):
    # P dials *1185# at 13:04: S called P at 13:00, within the 5 minutes before.
    # P2 dials at 12:03, and nobody called P2: the report resolves to no one.
    reports = pd.DataFrame({
        "ts": [T("2026-01-01 13:04"), T("2026-01-01 12:03")],
        "reporter_msisdn": ["P", "P2"],
        "reported_kind": ["phone", "phone"],
        "reported_value": [None, None],
    })
    f = _features(engine, reports=reports)
    assert f["S"]["reports_against"] == 1
    assert f["M"]["reports_against"] == 0


def test_contacts_who_then_paid_a_flagged_account(engine):
    sims = pd.DataFrame({"msisdn": ["X2", "X3"], "person_id": ["v2", "v3"],
                         "activated_at": [T("2020-01-01")] * 2, "registration": ["named"] * 2})
    accounts = pd.DataFrame({"account_id": ["A2", "A3"], "person_id": ["v2", "v3"]})
    transactions = pd.DataFrame({
        "ts": [T("2026-01-01 10:30"), T("2026-01-01 09:00")],
        "src_account": ["A2", "A3"], "dst_account": ["MULE", "MULE"],
    })
    flagged = pd.DataFrame({"account": ["MULE"]})
    f = _features(engine, sims=sims, accounts=accounts, transactions=transactions,
                  flagged_accounts=flagged)
    assert f["M"]["paid_flagged_contacts"] == 1  # X3 paid before M called
    assert f["P"]["paid_flagged_contacts"] == 0


def test_a_call_to_oneself_is_one_callee_both_ways(engine):
    calls = pd.DataFrame(
        [("V", "V", "2026-01-01 10:00", 20, "N", "I7"),
         ("V", "V", "2026-01-01 11:00", 20, "N", "I7"),
         ("V", "W", "2026-01-01 12:00", 20, "N", "I7"),
         ("W", "V", "2026-01-01 09:00", 20, "N", "I8")],
        columns=["caller", "callee", "ts", "duration_s", "cell_id", "imei"],
    ).assign(ts=lambda d: pd.to_datetime(d["ts"]))
    engine.register(calls, "calls")
    compute_sim_features(engine, SimTables(calls="calls"), WINDOW)
    v = engine.fetch_pandas("sim_features").set_index("msisdn").loc["V"]
    assert (v["out_calls"], v["in_calls"], v["distinct_callees"]) == (3, 3, 2)
    # V itself is new (first contact is V's own call); W had called V at 09:00.
    assert v["new_callee_share"] == pytest.approx(0.5)
