"""Roles, ranking, victims and evidence of discovered networks, and the output files."""

from __future__ import annotations

import json

import pandas as pd

from scamtrace.analytics.networks.commands import write_networks
from scamtrace.analytics.networks.describe import MEMBER_COLUMNS, describe_networks
from scamtrace.analytics.networks.discover import NetworkResult, sim_scam_types


def _result() -> NetworkResult:
    members = pd.DataFrame([
        ("sim", "S1", 0, 6.0), ("sim", "S2", 0, 3.0), ("account", "L1", 0, 8.0),
        ("account", "L2", 0, 4.0), ("person", "nom", 0, 1.0),
        ("sim", "T1", 1, 5.0), ("account", "M1", 1, 5.0), ("url", "http://x.top/a", 1, 2.0),
        ("sim", "lonely", 2, 1.0), ("account", "pair", 2, 1.0),
    ], columns=["kind", "id", "community", "strength"])
    evidence = pd.DataFrame([
        ("sim", "S1", "account", "L1", "contacted_victim_who_paid", 2, 100, 200, "t1", 4.0),
        ("account", "L1", "account", "L2", "traced_money", 1, 150, 150, "t3", 2.0),
        ("sim", "S2", "person", "nom", "registered_to", 1, None, None, "S2", 1.0),
        ("sim", "T1", "account", "M1", "contacted_victim_who_paid", 1, 300, 300, "t9", 2.0),
        ("sim", "T1", "url", "http://x.top/a", "sms_carried", 4, 50, 90, "m1", 2.4),
    ], columns=["a_kind", "a_id", "b_kind", "b_id", "evidence", "n", "first_ts", "last_ts",
                "ref", "weight"])
    victims = pd.DataFrame({"tx_id": ["t1", "t2", "t9"], "ts": [120, 160, 310],
                            "victim_account": ["VA", "VB", "VC"],
                            "paid_account": ["L1", "L1", "M1"],
                            "amount": [1000.0, 500.0, 90000.0], "victim": ["va", "vb", "vc"]})
    sim_scores = pd.DataFrame({"msisdn": ["S1", "S2", "T1"], "out_calls": [300, 0, 5],
                               "sms_sent": [0, 0, 900]})
    trail = pd.DataFrame({"seed_id": ["t1", "t1", "t1"], "hop": [1, 2, 3],
                          "tx_id": ["t1", "t3", "t4"], "src": ["VA", "L1", "L2"],
                          "dst": ["L1", "L2", "ATM"], "amount_traced": [1000.0, 900.0, 900.0]})
    hubs = pd.DataFrame({"kind": ["account"], "id": ["ATM"], "degree": [500],
                         "participation": [None], "reason": ["account kind bank_cash"]})
    # S1 texted nothing typed; T1's messages: 8 parcel, 1 prize (below a tenth), S2 none.
    sim_types = pd.DataFrame({"msisdn": ["T1", "T1", "S1"], "scam_type": ["parcel", "prize", "loan"],
                              "texts": [18, 1, 3]})
    return NetworkResult(members, evidence, hubs, victims, sim_scores, trail, sim_types)


def test_roles_ranking_victims_and_evidence():
    table, summaries = describe_networks(_result(), min_members=3)
    assert list(table.columns) == list(MEMBER_COLUMNS)
    roles = dict(zip(table["id"], table["role"], strict=True))
    assert roles["S1"] == "caller_sim" and roles["T1"] == "sms_sim"
    assert roles["L1"] == "mule_l1" and roles["L2"] == "cashout"  # hop 2, pays the ATM hub
    assert roles["M1"] == "mule_l1" and roles["nom"] == "identity"
    assert "lonely" not in roles  # a community of two is not a network
    # Two victims beat one, whatever the amounts: network N001 is the one of S1.
    net = dict(zip(table["id"], table["network_id"], strict=True))
    assert net["S1"] == net["va"] == net["vb"] == "N001" and net["T1"] == net["vc"] == "N002"
    assert roles["va"] == "victim"
    first = summaries[0]
    assert (first["network_id"], first["victims"], first["traced_loss"]) == ("N001", 2, 1500.0)
    assert first["members_by_role"] == {"caller_sim": 2, "cashout": 1, "identity": 1,
                                        "mule_l1": 1}
    assert first["time_span"] == ["1970-01-01T00:01:40+00:00", "1970-01-01T00:03:20+00:00"]
    evidence = dict(zip(table["id"], table["evidence"], strict=True))
    assert evidence["S1"] == "contacted_victim_who_paid account:L1 (x2, ref t1)"
    assert evidence["L1"].startswith("contacted_victim_who_paid sim:S1 (x2, ref t1); traced_money")


def test_output_files(tmp_path):
    result = _result()
    table, summaries = describe_networks(result)
    write_networks(tmp_path, table, summaries, result)
    members = pd.read_csv(tmp_path / "members.csv")
    assert list(members.columns) == list(MEMBER_COLUMNS)
    assert len(members) == len(table)
    doc = json.loads((tmp_path / "networks.json").read_text())
    assert [n["network_id"] for n in doc["networks"]] == ["N001", "N002"]
    assert doc["hubs_removed"] == 1
    for name in ("members", "networks", "evidence", "hubs"):
        assert len(pd.read_parquet(tmp_path / f"{name}.parquet")) > 0


def test_scam_types_of_a_network_come_from_its_sims_messages():
    _, summaries = describe_networks(_result())
    by_id = {s["network_id"]: s for s in summaries}
    assert by_id["N001"]["scam_types"] == ["loan"]
    assert by_id["N001"]["scam_type_texts"] == {"loan": 3}
    # prize is 1 of 19 typed texts: counted, not listed.
    assert by_id["N002"]["scam_types"] == ["parcel"]
    assert by_id["N002"]["scam_type_texts"] == {"parcel": 18, "prize": 1}


def test_sim_scam_types_classify_each_sims_first_texts():
    texts = pd.DataFrame({"sender": ["A", "A", "A", "B", "B"], "text": [
        "[Kerry] พัสดุของคุณจัดส่งไม่สำเร็จ กรุณาชำระค่าส่ง 35 บาท https://kerry-th.top/pay",
        "Your parcel is held at customs, pay the delivery fee at https://thpost-track.xyz",
        "สินเชื่อด่วน อนุมัติไว ไม่เช็คบูโร วงเงิน 50,000 บาท ทักไลน์ @loanfast",
        "ยินดีด้วย! คุณได้รับรางวัล iPhone 15 กดรับที่ https://lucky-prize.top ภายในวันนี้",
        "ประชุมทีมพรุ่งนี้ 10 โมงนะครับ",
    ]})
    typed = sim_scam_types(texts, per_sim=2)
    counts = {(r.msisdn, r.scam_type): r.texts for r in typed.itertuples()}
    assert counts == {("A", "parcel"): 2, ("B", "prize"): 1}  # A's third text not read
