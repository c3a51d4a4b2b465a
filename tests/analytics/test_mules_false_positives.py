"""Honest behaviours that looked like mules: spending a balance, paying popular hubs,
friends paying one another round, a shop moving its takings home. Each case is hand-made
and its answer known by construction."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest
from mules_world import transfers

from scamtrace.analytics import create_engine, load_transactions
from scamtrace.analytics.mules import score_mule_accounts
from scamtrace.analytics.mules.demo import truth_lines
from scamtrace.analytics.mules.graph import graph_pipeline
from scamtrace.analytics.mules.mule_inputs import register_accounts
from scamtrace.analytics.mules.rules import NO_OUTFLOW_FACTOR, apply_rules


def _with(rows: list[tuple[str, str, float, int]]) -> pa.Table:
    base = transfers().to_pandas()
    extra = pd.DataFrame(rows, columns=["src", "dst", "amount", "ts"])
    return pa.Table.from_pandas(pd.concat([base, extra], ignore_index=True),
                                preserve_index=False)


# --- rapid pass-through: passing a credit on, not spending an older balance ------------

def _spender_rows() -> list[tuple[str, str, float, int]]:
    # 100 in, then five payments of 200 in the same step: paid from an older balance
    rows = [("bg7", "spender", 100.11, 520)]
    rows += [("spender", f"bg{12 + k}", 200.23, 520) for k in range(5)]
    # 1000 in, 950 out in the same step, twice: passes the credit on
    rows += [("bg8", "forwarder", 1000.0 + k, 530 + 40 * k) for k in range(2)]
    rows += [("forwarder", "bg9", 950.0 + k, 530 + 40 * k) for k in range(2)]
    return rows


@pytest.fixture(scope="module")
def spenders():
    with create_engine("duckdb", threads=2) as engine:
        txs = load_transactions(engine, _with(_spender_rows()),
                                "src=src,dst=dst,amount=amount,ts=ts")
        yield score_mule_accounts(engine, txs)


def test_spending_a_balance_after_a_small_credit_is_not_pass_through(spenders):
    features = spenders.features.set_index("account")
    # at most the 100 that came in went on quickly, of the 1000 that moved out
    assert features.loc["spender", "rapid_out_share"] == pytest.approx(100.11 / 1001.15)
    assert spenders.rules.set_index("account").loc["spender", "rule_rapid_pass_through"] == 0


def test_passing_credits_on_is_still_rapid_pass_through(spenders):
    features = spenders.features.set_index("account")
    assert features.loc["forwarder", "rapid_out_share"] == pytest.approx(1901.0 / 2001.0)
    assert features.loc["passer", "rapid_out_share"] == pytest.approx(595.95 / 600.95)
    assert spenders.rules.set_index("account").loc["forwarder", "rule_rapid_pass_through"] == 1.0


# --- scatter-gather: two payees paying the same shop is the shop's popularity ----------

def _hub_rows() -> pa.Table:
    rows = [("p", "f1", 50.0, 1), ("p", "f2", 50.0, 1),      # p pays two friends,
            ("f1", "shop", 40.0, 2), ("f2", "shop", 40.0, 2),  # both buy at one shop
            ("q", "g1", 50.0, 1), ("q", "g2", 50.0, 1),      # q pays two accounts,
            ("g1", "t", 40.0, 2), ("g2", "t", 40.0, 2)]      # both pay one small account
    rows += [(f"customer{k}", "shop", 30.0, 3) for k in range(40)]  # the shop is a hub
    src, dst, amount, ts = zip(*rows, strict=True)
    return pa.table({"src": list(src), "dst": list(dst), "amount": list(amount),
                     "ts": pa.array(ts, pa.int64())})


def test_scatter_gather_ends_are_not_hubs(engine):
    engine.register(_hub_rows(), "hub_transfers")
    engine.run(graph_pipeline("hub_transfers", hub_degree=30))
    graph = engine.fetch_pandas("mule_graph").set_index("account")

    def value(account: str, column: str) -> int:
        return int(graph[column].get(account, 0))

    # through a shop with 42 counterparties: no scatter-gather
    assert value("f1", "sg_as_middle") == 0 and value("f2", "sg_as_middle") == 0
    assert value("p", "sg_as_source") == 0 and value("shop", "sg_as_target") == 0
    # the same shape among small accounts still counts
    assert value("g1", "sg_as_middle") == 1 and value("g2", "sg_as_middle") == 1
    assert value("q", "sg_as_source") == 1 and value("t", "sg_as_target") == 1


# --- layering: position in the graph alone does not flag ------------------------------

def _one_account(**values: float) -> pd.DataFrame:
    row = {"account": "a", "n_in": 3, "n_out": 3}
    row.update(values)
    return pd.DataFrame([row])


def test_cycles_and_scatter_gather_alone_stay_below_the_threshold():
    rules = apply_rules(_one_account(cycles_3=3, sg_as_middle=5), "step")
    # layering: (1.0 + 0.5) / 3 = 0.5; score 0.9 * 0.5 + 0.1 * 0.5 / 4
    assert rules.loc[0, "typology_layering_network"] == pytest.approx(0.5)
    assert rules.loc[0, "score"] == pytest.approx(0.4625)


def test_cycles_and_scatter_gather_with_rapid_pass_through_flag():
    rules = apply_rules(_one_account(cycles_3=3, sg_as_middle=5, rapid_out_share=0.9), "step")
    # layering (1 + 0.5 + 1) / 3, pass-through 1 / 3, rented 0.5 / 2
    layering = 2.5 / 3
    expected = 0.9 * layering + 0.1 * (layering + 1 / 3 + 0 + 0.25) / 4
    assert rules.loc[0, "score"] == pytest.approx(expected)
    assert rules.loc[0, "score"] >= 0.5


# --- own accounts: a shop moving its takings home pays nobody ---------------------------

def test_paying_only_its_owners_accounts_counts_as_never_paying_out():
    base = {"fan_in_new_max": 12, "credits_then_sweep": 12, "rapid_out_share": 0.95}
    without = apply_rules(_one_account(**base), "step")
    own_only = apply_rules(_one_account(**base, cp_out_external=0), "step")
    pays_others = apply_rules(_one_account(**base, cp_out_external=1), "step")
    assert without.loc[0, "score"] >= 0.5
    assert own_only.loc[0, "score"] == pytest.approx(NO_OUTFLOW_FACTOR * without.loc[0, "score"])
    assert pays_others.loc[0, "score"] == pytest.approx(without.loc[0, "score"])


def _shop_rows() -> list[tuple[str, str, float, int]]:
    # twelve customers pay the shop in one step; the takings go to the owner's account
    rows = [(f"buyer{k}", "shop", 30.0 + k, 610) for k in range(12)]
    rows += [("shop", "home", 417.0, 611)]
    # a collector doing the same but sending the money to someone else's account
    rows += [(f"payer{k}", "pooler", 30.0 + k, 620) for k in range(12)]
    rows += [("pooler", "stranger", 417.0, 621)]
    return rows


def _accounts_file(tmp_path, owners: dict[str, str]) -> str:
    table = transfers().to_pandas()
    names = sorted(set(table.src) | set(table.dst) | {r[0] for r in _shop_rows()}
                   | {r[1] for r in _shop_rows()})
    frame = pd.DataFrame({"account_id": names, "opened_at": 0,
                          "person_id": [owners.get(n, f"person-{n}") for n in names]})
    frame.loc[frame["account_id"] == "home", "opened_at"] = None  # no date: owner still read
    path = tmp_path / "accounts.csv"
    frame.to_csv(path, index=False)
    return path


def test_a_shop_sweeping_to_its_owner_is_halved_but_a_pooler_is_not(tmp_path):
    path = _accounts_file(tmp_path, {"shop": "owner-1", "home": "owner-1"})
    with create_engine("duckdb", threads=2) as engine:
        txs = load_transactions(engine, _with(_shop_rows()), "src=src,dst=dst,amount=amount,ts=ts")
        accounts = register_accounts(engine, path, txs.ts_kind)
        registered = engine.fetch_pandas(accounts).set_index("account")
        with_owners = score_mule_accounts(engine, txs, accounts_table=accounts)
        plain = score_mule_accounts(engine, txs)
    assert registered.loc["home", "owner"] == "owner-1"
    assert pd.isna(registered.loc["home", "opened_ts"])
    features = with_owners.features.set_index("account")
    assert features.loc["shop", "n_out"] == 1 and features.loc["shop", "cp_out_external"] == 0
    assert features.loc["pooler", "cp_out_external"] == 1
    owned = with_owners.rules.set_index("account")["score"]
    bare = plain.rules.set_index("account")["score"]
    assert bare["shop"] > 0
    assert owned["shop"] == pytest.approx(NO_OUTFLOW_FACTOR * bare["shop"])
    assert owned["pooler"] == pytest.approx(bare["pooler"])
    assert "cp_out_external" not in plain.features  # no accounts file, nothing new


# --- the demo's measures ---------------------------------------------------------------

def test_truth_lines_say_what_is_measured():
    scores = pd.DataFrame({"account": ["m1", "x1", "m2", "x2"], "score": [0.9, 0.7, 0.4, 0.1],
                           "flagged": [True, True, False, False]})
    truth = pd.DataFrame({"kind": ["account", "account", "person"], "id": ["m1", "m2", "x1"],
                          "role": ["mule_l1", "cashout", "mule_l1"]})
    first, second = truth_lines(scores, truth)
    assert "2 mule accounts" in first
    assert "1 of the 2 flagged are mule accounts (precision 0.50)" in first
    assert "1 of the 2 mule accounts are flagged (recall 0.50)" in first
    assert "average precision 0.83" in second
