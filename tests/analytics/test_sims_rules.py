"""Mule-SIM rules (bands, families, caps) and the *1185# 48-hour check."""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import pandas as pd
import pytest

from scamtrace.analytics.sims.check import check_calling_pattern
from scamtrace.analytics.sims.features import FEATURE_COLUMNS, FeatureWindow, SimTables
from scamtrace.analytics.sims.rules import DEFAULT_THRESHOLD, score_with_rules
from scamtrace.analytics.sims.sim_pipeline import compute_sim_features

NEUTRAL = {c: 0.0 for c in FEATURE_COLUMNS} | {"sim_age_days": 3650.0, "sims_per_identity": 1}


def _score(**features) -> pd.Series:
    frame = pd.DataFrame([{"msisdn": "+66800000001", **NEUTRAL, **features}])
    return score_with_rules(frame).iloc[0]


def test_quiet_sim_scores_zero_without_reasons():
    row = _score(out_calls=4, in_calls=5, distinct_callees=3)
    assert row["score"] == 0.0 and not row["flagged"] and row["reasons"] == ""


def test_bands_pick_the_highest_threshold_reached():
    assert _score(out_calls_per_day=60)["rule_call_volume"] == pytest.approx(0.3)
    assert _score(out_calls_per_day=150)["rule_call_volume"] == pytest.approx(0.45)
    assert _score(sim_age_days=3, out_calls=20)["rule_new_sim"] == pytest.approx(0.2)
    assert _score(sim_age_days=20, out_calls=20)["rule_new_sim"] == pytest.approx(0.1)
    # a share over too few calls says nothing
    assert _score(short_call_share=1.0, out_calls=3)["rule_short_calls"] == 0.0


def test_calling_behaviour_alone_stays_below_the_flag():
    # A telemarketer: heavy, one-way, short calls to strangers, from a named old SIM.
    row = _score(out_calls=1500, out_calls_per_day=150, distinct_callees_per_day=140,
                 distinct_callees=1400, out_in_ratio=40, new_callee_share=0.99,
                 short_call_share=0.8, unanswered_share=0.5, burstiness=20)
    assert row["score"] == pytest.approx(0.5)
    assert not row["flagged"]


def test_report_flooding_alone_never_flags():
    row = _score(reports_against=500, reports_per_100_contacts=500.0)
    assert row["score"] == pytest.approx(0.45) and not row["flagged"]  # the victims cap


def test_behaviour_with_provenance_flags_and_explains():
    row = _score(out_calls=1500, out_calls_per_day=150, distinct_callees_per_day=140,
                 out_in_ratio=40, nominee=1, sims_per_imei=12, sim_age_days=2)
    assert row["score"] >= DEFAULT_THRESHOLD and row["flagged"]
    reasons = row["reasons"].split("; ")
    assert reasons[0].startswith("call_volume: 150 outbound calls a day")
    assert any(r.startswith("handset_sharing: a handset of this SIM carried 12 SIMs") for r in reasons)


def test_sms_blaster_flags_without_any_call():
    row = _score(sms_sent=900, sms_fanout_per_day=320, nominee=1, sim_age_days=1, sims_per_imei=4)
    assert row["flagged"]
    assert row["rule_new_sim"] == pytest.approx(0.2)  # activity counts SMS too


def _mule_world(con: duckdb.DuckDBPyConnection, at: datetime) -> None:
    rows = []
    for i in range(150):  # a caller SIM dialling 150 strangers in the last 30 hours
        rows.append((at - timedelta(hours=30) + timedelta(minutes=12 * i), "+66811111111",
                     f"+669{i:08d}", 8, "B1", "351111111111111"))
    for i in range(40):  # a person calling family, and being called back
        rows.append((at - timedelta(hours=40) + timedelta(hours=i), "+66822222222",
                     "+66833333333", 120, "N1", "352222222222222"))
        rows.append((at - timedelta(hours=39, minutes=30) + timedelta(hours=i), "+66833333333",
                     "+66822222222", 90, "N1", "353333333333333"))
    rows.append((at - timedelta(hours=60), "+66811111111", "+66800000009", 8, "B1", None))
    frame = pd.DataFrame(rows, columns=["ts", "caller", "callee", "duration_s", "cell_id", "imei"])
    con.register("call_rows", frame)
    con.execute("CREATE TABLE calls AS SELECT * FROM call_rows")
    con.execute("CREATE TABLE cells AS SELECT * FROM (VALUES ('B1', true), ('N1', false)) "
                "t(cell_id, border_zone)")


def test_check_calling_pattern_scores_the_last_48_hours():
    con = duckdb.connect()
    at = datetime(2026, 3, 1, 12, 0)
    _mule_world(con, at)
    result = check_calling_pattern(con, ["+66811111111", "+66822222222", "+66899999999"],
                                   at=at, cells="cells")
    assert result["msisdn"].tolist() == ["+66811111111", "+66822222222", "+66899999999"]
    mule, person, unknown = result.to_dict("records")
    assert mule["out_calls"] == 150  # the call 60 hours ago lies outside the 48 hours
    assert mule["border_share"] == pytest.approx(1.0)
    assert mule["score"] > person["score"] == 0.0
    assert unknown["score"] == 0.0 and unknown["out_calls"] == 0


def test_check_matches_batch_features_for_the_same_window():
    con = duckdb.connect()
    at = datetime(2026, 3, 1, 12, 0)
    _mule_world(con, at)
    checked = check_calling_pattern(con, ["+66811111111", "+66822222222"], at=at,
                                    cells="cells", history_hours=24)
    from scamtrace.analytics.duckdb_engine import DuckDBEngine

    engine = DuckDBEngine(connection=con)
    window = FeatureWindow(at - timedelta(hours=48), at, history_start=at - timedelta(hours=72))
    compute_sim_features(engine, SimTables(calls="calls", cells="cells"), window)
    batch = engine.fetch_pandas("sim_features").set_index("msisdn")
    for row in checked.to_dict("records"):
        for column in FEATURE_COLUMNS:
            assert row[column] == pytest.approx(batch.loc[row["msisdn"], column]), column


def test_sims_sharing_a_handset_or_nominee_with_a_flagged_sim_are_flagged():
    from scamtrace.analytics.duckdb_engine import DuckDBEngine
    from scamtrace.analytics.sims.association import add_associated

    engine = DuckDBEngine()
    engine.register(pd.DataFrame({
        "ts": [datetime(2026, 1, 1)] * 3, "caller": ["A", "B", "C"], "callee": ["x", "y", "z"],
        "duration_s": [1.0] * 3, "cell_id": ["c"] * 3, "imei": ["I1", "I1", "I2"],
    }), "calls")
    engine.register(pd.DataFrame({
        "msisdn": ["A", "D", "E", "C", "F"], "person_id": ["n1", "n1", "n1", "p", "n1"],
        "activated_at": [datetime(2025, 12, 30)] * 4 + [datetime(2023, 5, 1)],
        "registration": ["nominee", "nominee", "named", "named", "nominee"],
    }), "sims")
    scored = pd.DataFrame({"msisdn": ["A", "B", "C"], "score": [0.9, 0.2, 0.1],
                           "flagged": [True, False, False], "reasons": ["x", "", ""]})
    out = add_associated(engine, SimTables(calls="calls", sims="sims"), scored, 0.7)
    out = out.set_index("msisdn")
    assert out.loc["B", "flagged"] and out.loc["B", "score"] == pytest.approx(0.85)
    assert out.loc["B", "reasons"].startswith("associated: shares handset I1 with flagged SIM A")
    assert out.loc["D", "flagged"]  # same nominee identity, no traffic at all
    assert "E" not in out.index  # the nominee's own named SIM is not part of the stock
    assert "F" not in out.index  # nor an old SIM on the identity: not the same batch
    assert not out.loc["C", "flagged"]


def test_an_associated_sims_reason_names_one_link_the_same_on_every_run(engine):
    from scamtrace.analytics.sims.association import add_associated

    # B shares handset I9 with flagged A and handset I1 with flagged G, at equal scores.
    engine.register(pd.DataFrame({
        "ts": [datetime(2026, 1, 1)] * 4, "caller": ["A", "B", "B", "G"],
        "callee": ["x", "y", "y", "z"], "duration_s": [1.0] * 4, "cell_id": ["c"] * 4,
        "imei": ["I9", "I9", "I1", "I1"],
    }), "calls")
    scored = pd.DataFrame({"msisdn": ["A", "B", "G"], "score": [0.9, 0.2, 0.9],
                           "flagged": [True, False, True], "reasons": ["x", "", "y"]})
    for _ in range(3):
        out = add_associated(engine, SimTables(calls="calls"), scored, 0.7).set_index("msisdn")
        assert out.loc["B", "reasons"] == "associated: shares handset I9 with flagged SIM A"
