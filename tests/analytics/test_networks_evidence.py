"""Evidence edges from hand-made tables, and indicators read out of texts."""

from __future__ import annotations

import pandas as pd

from scamtrace.analytics.networks.evidence_sql import evidence_pipeline
from scamtrace.analytics.networks.text_edges import (
    report_text_edges,
    sms_text_edges,
    text_indicators,
)

T = pd.Timestamp


def test_text_indicators_undo_obfuscation_and_skip_shortener_domains():
    text = "ยืนยันที่ kbank-secure\u200b-th dot com/login โทร ๐๘๑-๒๓๔-๕๖๗๘ หรือ https://bit.ly/x9"
    assert text_indicators(text) == [
        ("url", "http://kbank-secure-th.com/login"), ("domain", "kbank-secure-th.com"),
        ("url", "https://bit.ly/x9"), ("phone", "+66812345678")]
    assert text_indicators("add LINE: somchai99 now") == [("line_id", "somchai99")]


def test_sms_and_report_text_edges():
    sms = sms_text_edges([("+66811111111", "ดู kbank-th.top/a", "s1", 100),
                          ("+66811111111", "ดู kbank-th.top/a อีกครั้ง", "s2", 200)])
    rows = {(r.a_id, r.b_kind, r.b_id, r.evidence): (r.n, r.first_ts, r.last_ts)
            for r in sms.itertuples()}
    assert rows[("+66811111111", "url", "http://kbank-th.top/a", "sms_carried")] == (2, 100, 200)
    assert rows[("http://kbank-th.top/a", "domain", "kbank-th.top", "hosted_on")] == (2, 100, 200)
    reports = report_text_edges([("phone", "+66822222222", "โอนเข้า line id: @gold88", "r1", 5)])
    assert reports[["a_kind", "a_id", "b_kind", "b_id", "evidence"]].values.tolist() == [
        ["sim", "+66822222222", "line_id", "@gold88", "report_names"]]


def _world(engine) -> None:
    day = T("2026-01-01")
    engine.register(pd.DataFrame({
        "tx_id": [1, 2, 3, 4, 5],
        "ts": [int((day + pd.Timedelta(hours=h)).timestamp()) for h in (10, 11, 12, 12, 13)],
        "src": ["VA", "L1", "L1", "L1", "VB"], "dst": ["L1", "L2", "GROCER", "L2", "L1"],
        "amount": [20000.0, 15000.0, 200.0, 4000.0, 9000.0],
    }), "transactions")
    engine.register(pd.DataFrame({
        "ts": [day + pd.Timedelta(hours=9), day + pd.Timedelta(hours=9, minutes=30),
               day + pd.Timedelta(hours=12)],
        "caller": ["S1", "S2", "S1"], "callee": ["PA", "PA", "PB"],
        "duration_s": [200.0, 300.0, 100.0], "cell_id": ["c", "c", "c"],
        "imei": ["I1", "I1", "I1"],
    }), "calls")
    engine.register(pd.DataFrame({"ts": [day], "sender": ["S9"], "recipient": ["PA"]}), "sms")
    engine.register(pd.DataFrame({
        "msisdn": ["PA", "PB", "S1", "S2"], "person_id": ["va", "vb", "nom", "nom"],
        "activated_at": [day] * 4, "registration": ["named", "named", "nominee", "nominee"],
    }), "sims")
    engine.register(pd.DataFrame({
        "account_id": ["VA", "VB", "L1", "L2", "GROCER"],
        "person_id": ["va", "vb", "rent", "nom2", "shop"], "kind": ["personal"] * 5,
    }), "accounts")
    engine.register(pd.DataFrame({"msisdn": ["S1", "S2"]}), "suspect_sims")
    engine.register(pd.DataFrame({"tx_id": ["1", "5"]}), "victim_tx")
    engine.register(pd.DataFrame({
        "seed_id": [1, 1, 1, 1, 5], "hop": [1, 2, 2, 2, 1], "tx_id": [1, 2, 3, 4, 5],
        "src": ["VA", "L1", "L1", "L1", "VB"], "dst": ["L1", "L2", "GROCER", "L2", "L1"],
        "amount_traced": [20000.0, 15000.0, 200.0, 4000.0, 9000.0],
    }), "trail")
    engine.register(pd.DataFrame(columns=["a_kind", "a_id", "b_kind", "b_id", "evidence", "n",
                                          "first_ts", "last_ts", "ref"]).astype(
        {"n": "int64", "first_ts": "Int64", "last_ts": "Int64"}).astype(
        {c: str for c in ("a_kind", "a_id", "b_kind", "b_id", "evidence", "ref")}), "text_edges")


def test_evidence_edges_on_a_hand_made_world(engine):
    _world(engine)
    engine.run(evidence_pipeline(engine.dialect, horizon_s=72 * 3600, with_sms=True,
                                 with_trail=True, with_devices=False, with_text=True,
                                 min_traced_amount=3000.0))
    ev = engine.fetch_pandas("evidence")
    edges = {(r.evidence, r.a_id, r.b_id): r.n for r in ev.itertuples()}
    # PA was called by S1 then S2 before paying L1: the transfer goes to S2, the last one.
    # PB was called by S1 at 12:00, before paying L1 at 13:00.
    assert edges[("contacted_victim_who_paid", "S2", "L1")] == 1
    assert edges[("contacted_victim_who_paid", "S1", "L1")] == 1
    assert not any(e[0] == "contacted_victim_who_paid" and e[1] == "S9" for e in edges)
    # Money onward from L1: 19,000 to L2 is kept; 200 to the grocer is a sliver.
    assert edges[("traced_money", "L1", "L2")] == 1
    assert ("traced_money", "L1", "GROCER") not in edges
    assert ("traced_money", "VA", "L1") not in edges  # hop 1: the victim's own transfer
    # Owners of the SIMs and accounts that evidence names; the handset the SIMs share.
    assert edges[("registered_to", "S1", "nom")] == 1
    assert edges[("owned_by", "L2", "nom2")] == 1
    assert ("owned_by", "GROCER", "shop") not in edges
    assert edges[("used_device", "S1", "I1")] == 2
    assert edges[("used_device", "S2", "I1")] == 1
    # L1 also paid L2 directly (the deeper layer): a feeder edge of two transfers.
    assert edges[("paid_deeper_mule", "L1", "L2")] == 2
    victims = engine.fetch_pandas("SELECT victim, paid_account, amount FROM victims ORDER BY victim")
    assert victims.values.tolist() == [["va", "L1", 20000.0], ["vb", "L1", 9000.0]]
