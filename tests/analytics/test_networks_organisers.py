"""Organisers: people whose own phone calls the identities behind a network's SIMs and
accounts, on hand-made call records with known answers (and the people who must not be
named: a friend of one nominee, a relative calling two, a neighbour calling three who are
not tied to one another, a call-centre agent, a phone registered on someone else's
identity, victims calling mule SIMs back)."""

from __future__ import annotations

import pandas as pd

from scamtrace.analytics.networks.describe import describe_networks
from scamtrace.analytics.networks.discover import NetworkResult
from scamtrace.analytics.networks.evidence_sql import (
    EDGE_COLUMNS,
    MAX_TIE_DEGREE,
    MIN_ORGANISER_IDENTITIES,
    MIN_ORGANISER_SHARE,
    evidence_pipeline,
)
from scamtrace.analytics.networks.graph_sql import weighted_evidence_sql

DAY = pd.Timestamp("2026-01-01")


def _at(hours: float) -> pd.Timestamp:
    return DAY + pd.Timedelta(hours=hours)


def _world(engine) -> None:
    """Two mule SIMs (S1, S2 on nominees nom1, nom2) called victims va, vb, vc, vd, who
    paid the rented accounts L1, L2, L3, L4 of ren1 to ren4. Everyone else's phone is
    P_<name>. Tied identities: nom1 with ren1, ren3, ren4 (S1 called their victims), the
    renters ren1, ren3, ren4 with one another (through S1, which has three links), nom2
    with ren2."""
    victims = {"va": ("S1", "L1"), "vb": ("S2", "L2"), "vc": ("S1", "L3"), "vd": ("S1", "L4")}
    tx, calls = [], []
    for k, (victim, (sim, account)) in enumerate(victims.items()):
        calls.append((_at(9 + k), sim, f"P_{victim}", 300))
        tx.append((k + 1, int(_at(10 + k).timestamp()), f"A_{victim}", account, 20000.0))

    def call(hours, caller, callee, seconds=120):
        calls.append((_at(hours), caller, callee, seconds))

    # The boss: four identities (nom1 twice) and three friends of his own.
    for h, callee in enumerate(["P_nom1", "P_nom1", "P_nom2", "P_ren1", "P_ren2",
                                "P_f1", "P_f2", "P_f3", "P_f1"]):
        call(20 + h, "P_boss", callee)
    # A herder of renters: three renters of accounts that S1's victims paid.
    for h, callee in enumerate(["P_ren1", "P_ren3", "P_ren4", "P_x5"]):
        call(25 + h, "P_herder", callee)
    # A neighbour calls three named people (3 of 5 numbers): nom2 is tied to neither.
    for h, callee in enumerate(["P_nom2", "P_ren1", "P_ren3", "P_x3", "P_x4"]):
        call(35 + h, "P_neighbour", callee)
    # A friend of one nominee, and a relative of a nominee who also knows a renter.
    call(30, "P_friend", "P_nom1")
    call(31, "P_friend", "P_x1")
    call(32, "P_rel", "P_nom2")
    call(33, "P_rel", "P_ren3")
    call(34, "P_rel", "P_x2")
    # A call-centre agent: three identities among 80 strangers (3 / 83 under a twentieth).
    for j, callee in enumerate(["P_nom1", "P_nom2", "P_ren3"] + [f"P_c{i}" for i in range(80)]):
        call(40 + j / 60, "P_agent", callee, 30)
    # A phone registered on someone else's id card calls the same people as the boss.
    for h, callee in enumerate(["P_nom1", "P_nom2", "P_ren1", "P_ren2"]):
        call(50 + h, "P_lent", callee)
    # Victims call back three mule SIMs of the nominees (not the nominees' own phones).
    for h, sim in enumerate(["S1", "S2", "S3"]):
        call(60 + h, "P_va", sim, 20)
    # The mule SIM S1 itself calls the renters: a suspect SIM is nobody's own phone.
    for h, callee in enumerate(["P_ren1", "P_ren2", "P_ren3"]):
        call(70 + h, "S1", callee)
    engine.register(pd.DataFrame(tx, columns=["tx_id", "ts", "src", "dst", "amount"]),
                    "transactions")
    engine.register(pd.DataFrame(calls, columns=["ts", "caller", "callee", "duration_s"]).assign(
        cell_id="c", imei=None), "calls")
    engine.register(pd.DataFrame({"ts": [DAY], "sender": ["S9"], "recipient": ["P_va"]}), "sms")
    people = ["va", "vb", "vc", "vd", "nom1", "nom2", "ren1", "ren2", "ren3", "ren4", "boss",
              "herder", "neighbour", "friend", "rel", "agent", "f1", "f2", "f3"]
    people += [f"x{i}" for i in range(1, 6)] + [f"c{i}" for i in range(80)]
    sims = [(f"P_{p}", p, "named") for p in people]
    sims += [("S1", "nom1", "nominee"), ("S2", "nom2", "nominee"), ("S3", "nom1", "nominee"),
             ("P_lent", "f2", "nominee")]
    engine.register(pd.DataFrame(sims, columns=["msisdn", "person_id", "registration"]).assign(
        activated_at=DAY), "sims")
    accounts = [(f"A_{v}", v) for v in victims]
    accounts += [("L1", "ren1"), ("L2", "ren2"), ("L3", "ren3"), ("L4", "ren4")]
    engine.register(pd.DataFrame(accounts, columns=["account_id", "person_id"]).assign(
        kind="personal"), "accounts")
    engine.register(pd.DataFrame({"msisdn": ["S1", "S2", "S3"]}), "suspect_sims")
    engine.register(pd.DataFrame({"tx_id": ["1", "2", "3", "4"]}), "victim_tx")
    engine.register(pd.DataFrame({
        "seed_id": [1, 2, 3, 4], "hop": [1, 1, 1, 1], "tx_id": [1, 2, 3, 4],
        "src": ["A_va", "A_vb", "A_vc", "A_vd"], "dst": ["L1", "L2", "L3", "L4"],
        "amount_traced": [20000.0] * 4}), "trail")
    engine.register(pd.DataFrame(columns=list(EDGE_COLUMNS)).astype(
        {"n": "int64", "first_ts": "Int64", "last_ts": "Int64"}).astype(
        {c: str for c in ("a_kind", "a_id", "b_kind", "b_id", "evidence", "ref")}), "text_edges")


def _evidence(engine, **thresholds) -> pd.DataFrame:
    _world(engine)
    engine.run(evidence_pipeline(engine.dialect, horizon_s=72 * 3600, with_sms=True,
                                 with_trail=True, with_devices=False, with_text=True,
                                 **thresholds))
    return engine.fetch_pandas("evidence")


def _organisers(ev: pd.DataFrame) -> set[str]:
    return set(ev.loc[ev["evidence"] == "organiser_called", "a_id"])


def test_the_boss_who_phones_nominees_and_renters_is_an_organiser(engine):
    ev = _evidence(engine)
    named = ev[ev["evidence"].isin(["registered_to", "owned_by"])]
    assert sorted(named["b_id"]) == ["nom1", "nom1", "nom2", "ren1", "ren2", "ren3", "ren4"]
    # The boss and the herder only: not the friend (one identity), the relative (two),
    # the neighbour (three, but nom2 is tied to neither renter), the agent (3 of 83
    # numbers), the phone on f2's id card, the victim calling back, the mule SIM S1.
    assert _organisers(ev) == {"boss", "herder"}
    org = ev[(ev["evidence"] == "organiser_called") & (ev["a_id"] == "boss")]
    edges = {(r.a_kind, r.a_id, r.b_kind, r.b_id): r.n for r in org.itertuples()}
    assert edges == {("person", "boss", "person", "nom1"): 2,
                     ("person", "boss", "person", "nom2"): 1,
                     ("person", "boss", "person", "ren1"): 1,
                     ("person", "boss", "person", "ren2"): 1}
    first = org.loc[org["b_id"] == "nom1"].iloc[0]
    assert first["ref"] == "P_boss -> P_nom1"
    assert first["first_ts"] == int(_at(20).timestamp())
    assert first["last_ts"] == int(_at(21).timestamp())
    engine.execute(weighted_evidence_sql("evidence"), "weighted")
    w = engine.fetch_pandas("SELECT b_id, weight FROM weighted "
                            "WHERE evidence = 'organiser_called' AND a_id = 'boss'")
    weights = dict(zip(w["b_id"], w["weight"].round(4), strict=True))
    # Base 0.5 (a call shows acquaintance, not a role), times 1 + ln(calls).
    assert weights == {"nom1": round(0.5 * (1 + 0.6931471805599453), 4), "nom2": 0.5,
                       "ren1": 0.5, "ren2": 0.5}


def test_thresholds_decide_who_is_an_organiser(engine):
    assert (MIN_ORGANISER_IDENTITIES, MIN_ORGANISER_SHARE, MAX_TIE_DEGREE) == (3, 0.05, 60)
    # Two tied identities enough and a share of 1/83: the neighbour (ren1, ren3) and the
    # agent (nom1, ren3 of 83 numbers) count; the relative's two (nom2, ren3) are not tied.
    ev = _evidence(engine, min_organiser_identities=2, min_organiser_share=0.01)
    assert _organisers(ev) == {"boss", "herder", "neighbour", "agent"}


def test_a_busy_neighbour_ties_nothing(engine):
    # S1 has three links: with at most two allowed, the herder's renters are not tied.
    assert _organisers(_evidence(engine, max_tie_degree=2)) == {"boss"}


def test_a_share_too_small_leaves_the_boss_out(engine):
    # The boss's four identities are 4 of his 7 numbers, the herder's 3 of 4.
    assert _organisers(_evidence(engine, min_organiser_share=0.6)) == {"herder"}


def test_organisers_get_their_own_role():
    members = pd.DataFrame([
        ("sim", "S1", 0, 6.0), ("account", "L1", 0, 8.0), ("person", "nom1", 0, 2.0),
        ("person", "boss", 0, 3.0)], columns=["kind", "id", "community", "strength"])
    evidence = pd.DataFrame([
        ("sim", "S1", "account", "L1", "contacted_victim_who_paid", 1, 100, 100, "t1", 2.0),
        ("sim", "S1", "person", "nom1", "registered_to", 1, None, None, "S1", 1.0),
        ("person", "boss", "person", "nom1", "organiser_called", 2, 50, 90, "P_boss -> P_nom1",
         1.69),
    ], columns=["a_kind", "a_id", "b_kind", "b_id", "evidence", "n", "first_ts", "last_ts",
                "ref", "weight"])
    victims = pd.DataFrame({"tx_id": ["t1"], "ts": [120], "victim_account": ["VA"],
                            "paid_account": ["L1"], "amount": [1000.0], "victim": ["va"]})
    result = NetworkResult(
        members, evidence,
        pd.DataFrame({"kind": [], "id": [], "degree": [], "participation": [], "reason": []}),
        victims, pd.DataFrame({"msisdn": ["S1"], "out_calls": [300], "sms_sent": [0]}),
        pd.DataFrame({"seed_id": ["t1"], "hop": [1], "tx_id": ["t1"], "src": ["VA"],
                      "dst": ["L1"], "amount_traced": [1000.0]}))
    table, summaries = describe_networks(result)
    roles = dict(zip(table["id"], table["role"], strict=True))
    assert roles["boss"] == "organiser" and roles["nom1"] == "identity"
    assert summaries[0]["members_by_role"]["organiser"] == 1
    assert summaries[0]["members_list"]["organiser"] == ["boss"]
    evidence_text = dict(zip(table["id"], table["evidence"], strict=True))
    assert evidence_text["boss"] == "organiser_called person:nom1 (x2, ref P_boss -> P_nom1)"
