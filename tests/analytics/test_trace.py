"""Trail tracing on hand-made transfers with known answers, on every engine."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scamtrace.analytics import create_engine, load_transactions
from scamtrace.analytics.trace import TraceOptions, trace_victim_transfers
from scamtrace.analytics.trace import kernel as trace_kernel
from scamtrace.analytics.trace.options import KERNEL_POLICIES

# Victim V pays mule M1 1000 at t=10. M1 already held 500 from X (t=1) and had paid 400
# to Z (t=5). Then M1 pays M2 900 (t=20) and M3 300 (t=21); M2 cashes 850 out at SINK.
LAYERED = pd.DataFrame({
    "tx_id": [1, 2, 3, 4, 5, 6, 7],
    "src": ["X", "M1", "V", "M1", "M1", "M2", "Q"],
    "dst": ["M1", "Z", "M1", "M2", "M3", "SINK", "V"],
    "amount": [500.0, 400.0, 1000.0, 900.0, 300.0, 850.0, 5.0],
    "ts": [1, 5, 10, 20, 21, 30, 0],
})


def _trace(engine, frame, seeds, **options):
    load_transactions(engine, frame)
    return trace_victim_transfers(engine, seeds, TraceOptions(**options))


def _edges(result):
    return {(r.tx_id, r.hop): round(r.amount_traced, 4) for r in result.trail.itertuples()}


def test_fifo_draws_older_money_first_with_the_smallest_opening_balance(engine):
    result = _trace(engine, LAYERED, [3], policy="fifo", window=100)
    # M1 sent 1600 but received 1500, so it opened with 100: the victim's 1000 sits at
    # [600, 1600) of its inflow; the 900 debit covers [400, 1300) -> 700 traced.
    # M2's 850 debit draws on the 900 deposit, of which 700/900 is traced.
    assert _edges(result) == {(3, 1): 1000.0, (4, 2): 700.0, (5, 2): 300.0, (6, 3): 661.1111}
    accounts = result.accounts.set_index("account")
    assert accounts.loc["M2", "amount_remaining"] == pytest.approx(38.888889)
    assert bool(accounts.loc["SINK", "is_sink"]) and bool(accounts.loc["M3", "is_sink"])
    summary = result.summary[0]
    assert summary["layers"] == {"1": 1.0, "2": 1.0, "3": 0.6611}
    assert summary["sinks"] == 0.9611 and summary["located"] == 1.0


def test_proportional_takes_the_traced_share_of_the_balance(engine):
    result = _trace(engine, LAYERED, [3], policy="proportional", window=100)
    # balance after the deposit 100 + 1500 - 400 = 1200, so each debit carries 1000/1200
    assert _edges(result) == {(3, 1): 1000.0, (4, 2): 750.0, (5, 2): 250.0, (6, 3): 708.3333}


def test_proportional_later_credits_dilute_the_share_and_an_empty_account_keeps_nothing(engine):
    frame = pd.DataFrame({
        "tx_id": [1, 2, 3, 4, 5, 6],
        "src": ["V", "Y", "M", "M", "Z", "M"],
        "dst": ["M", "M", "A", "B", "M", "C"],
        "amount": [1000.0, 1000.0, 1000.0, 1000.0, 500.0, 500.0],
        "ts": [10, 15, 20, 30, 40, 50],
    })
    result = _trace(engine, frame, [1], policy="proportional", window=100)
    # Y's 1000 halves the victim's share; the two debits then empty M, so Z's later
    # 500 is none of the victim's money
    assert _edges(result) == {(1, 1): 1000.0, (3, 2): 500.0, (4, 2): 500.0}


def test_taint_first_sends_the_victims_money_first_and_the_mule_keeps_its_own(engine):
    result = _trace(engine, LAYERED, [3], policy="taint-first", window=100)
    # M1's own 100 (its opening, since it paid out 1600 against 1500 received) and X's
    # 500 less the 400 paid to Z stay; the victim's 1000 leaves first: 900 to M2, the
    # last 100 in the 300 to M3. M2 then holds 900 of it and pays 850 to SINK.
    assert _edges(result) == {(3, 1): 1000.0, (4, 2): 900.0, (5, 2): 100.0, (6, 3): 850.0}
    accounts = result.accounts.set_index("account")
    assert accounts.loc["M1", "amount_remaining"] == 0.0
    assert accounts.loc["M2", "amount_remaining"] == pytest.approx(50.0)


def test_taint_first_charges_two_victims_pro_rata_and_never_more_than_was_there(engine):
    frame = pd.DataFrame({
        "tx_id": [1, 2, 3, 4, 5, 6, 7, 8],
        "src": ["S", "V1", "V2", "M", "M", "M", "A", "Y"],
        "dst": ["M", "M", "M", "A", "B", "C", "X", "M"],
        "amount": [500.0, 1000.0, 3000.0, 2000.0, 2600.0, 300.0, 1500.0, 100.0],
        "ts": [1, 10, 12, 20, 30, 40, 41, 35],
    })
    result = _trace(engine, frame, [2, 3], policy="taint-first", window=100)
    # M holds 500 of its own, then 1000 of V1 and 3000 of V2 (1 : 3). The 2000 to A is
    # all victims' money, 500 of V1 and 1500 of V2; the 2600 to B takes the 2000 left
    # (500 and 1500) and 600 of M's own; Y's later 100 is not the victims', so the 300
    # to C carries nothing traced. A pays on 1500 of the 2000 it got, pro rata.
    edges = {(r.seed_id, r.tx_id): round(r.amount_traced, 4) for r in result.trail.itertuples()}
    assert edges == {(2, 2): 1000.0, (2, 4): 500.0, (2, 5): 500.0, (2, 7): 375.0,
                     (3, 3): 3000.0, (3, 4): 1500.0, (3, 5): 1500.0, (3, 7): 1125.0}
    by_tx = result.trail[result.trail["hop"] > 1].groupby("tx_id")["amount_traced"].sum()
    amounts = frame.set_index("tx_id")["amount"]
    assert (by_tx <= amounts[by_tx.index] + 1e-9).all()


def test_taint_first_is_time_respecting_across_victims(engine):
    frame = pd.DataFrame({
        "tx_id": [1, 2, 3, 4, 5],
        "src": ["V1", "M", "V2", "M", "M"],
        "dst": ["M", "A", "M", "B", "C"],
        "amount": [1000.0, 400.0, 1000.0, 900.0, 700.0],
        "ts": [10, 15, 20, 25, 30],
    })
    result = _trace(engine, frame, [1, 3], policy="taint-first", window=100)
    edges = {(r.seed_id, r.tx_id): round(r.amount_traced, 4) for r in result.trail.itertuples()}
    # the 400 to A left before V2's money came: all V1's. Then 600 of V1 and 1000 of V2
    # are there; the 900 to B takes both pro rata (3 : 5), the 700 to C the rest
    assert edges == {(1, 1): 1000.0, (1, 2): 400.0, (1, 4): 337.5, (1, 5): 262.5,
                     (3, 3): 1000.0, (3, 4): 562.5, (3, 5): 437.5}


def test_lifo_sends_the_newest_batch_first_and_leaves_the_rest_under_newer_money(engine):
    frame = pd.DataFrame({
        "tx_id": [1, 2, 3, 4, 5, 6, 7, 8, 9],
        "src": ["S", "M", "V1", "V2", "M", "M", "U", "M", "M"],
        "dst": ["M", "Z", "M", "M", "A", "B", "M", "C", "D"],
        "amount": [500.0, 200.0, 1000.0, 3000.0, 2000.0, 1900.0, 500.0, 490.0, 400.0],
        "ts": [1, 5, 10, 12, 20, 21, 30, 40, 50],
    })
    result = _trace(engine, frame, [3, 4], policy="lifo", window=100)
    # M holds 300 of its own when V1's 1000 and V2's 3000 come in, one batch (no debit
    # between them, 1 : 3): the 2000 to A and the 1900 to B take from it pro rata and
    # leave 100 (a mule's commission). U's later 500 sits on top of that, so the 490 to
    # C is U's (taint-first would charge the victims' 100 to it); the 400 to D takes
    # U's last 10, then the victims' 100 (25 and 75), then 290 of M's own.
    edges = {(r.seed_id, r.tx_id): round(r.amount_traced, 4) for r in result.trail.itertuples()}
    assert edges == {(3, 3): 1000.0, (3, 5): 500.0, (3, 6): 475.0, (3, 9): 25.0,
                     (4, 4): 3000.0, (4, 5): 1500.0, (4, 6): 1425.0, (4, 9): 75.0}
    taint = _trace(engine, frame, [3, 4], policy="taint-first", window=100)
    assert set(taint.trail["tx_id"]) >= {8}
    early = _trace(engine, frame.iloc[:8], [3, 4], policy="lifo", window=100)
    accounts = early.accounts[early.accounts["account"] == "M"].set_index("seed_id")
    assert accounts["amount_remaining"].to_dict() == {3: 25.0, 4: 75.0}


def test_matched_follows_pooled_money_to_new_counterparties(engine):
    frame = pd.DataFrame({
        "tx_id": ["old", "v1", "d1", "n1", "m1", "n2", "m2", "m3", "late", "b1"],
        "src": ["A", "VIC", "D", "A", "A", "A", "A", "A", "A", "B"],
        "dst": ["SHOP", "A", "A", "SHOP", "B", "SHOP", "C", "E", "F", "OUT"],
        "amount": [50.0, 1000.0, 1000.0, 35.0, 480.0, 20.0, 470.0, 1100.0, 300.0, 230.0],
        "ts": [-5, 0, 1, 1, 2, 3, 4, 6, 7, 8],
    })
    result = _trace(engine, frame, ["v1"], policy="matched", window=10, burst=1)
    # The pot is the victim's 1000 plus D's 1000 (a first-time sender, pooled): half of
    # what A passes on to first-time payees is traced, until the 2000 are used up (E
    # draws the last 1050; F gets nothing). SHOP, paid before, is ordinary spending.
    assert _edges(result) == {("v1", 1): 1000.0, ("m1", 2): 240.0, ("m2", 2): 235.0,
                              ("m3", 2): 525.0, ("b1", 3): 115.0}
    assert result.accounts.set_index("account").loc["A", "amount_remaining"] == 0.0


def test_window_hops_and_threshold_end_trails(engine):
    load_transactions(engine, LAYERED)
    # the window counts from the victim transfer (t=10): 19 reaches t=29, not M2's t=30
    short = trace_victim_transfers(engine, [3], TraceOptions(window=19))
    assert set(short.trail["tx_id"]) == {3, 4, 5}
    tight = trace_victim_transfers(engine, [3], TraceOptions(window=10))
    assert set(tight.trail["tx_id"]) == {3, 4}
    two_hops = trace_victim_transfers(engine, [3], TraceOptions(max_hops=2, window=100))
    assert set(two_hops.trail["tx_id"]) == {3, 4, 5}
    big_only = trace_victim_transfers(engine, [3], TraceOptions(min_amount=400, window=100))
    assert set(big_only.trail["tx_id"]) == {3, 4, 6}


# V1 pays M 22 (t=1), V2 pays M 132 (t=2); M pays A 105 (t=3) and B the other 49 (t=4).
# Pro rata (proportional, taint-first, lifo, and matched with both first-time credits
# pooled) V1's part of A's 105 is 22 * 105 / 154 = 15 exactly, which the kernel and the
# SQL computed a unit in the last place below 15 (proportional on the kernel, taint-first
# on both: dropped before the shared slack); FIFO sends V1's 22 first.
AT_THRESHOLD = pd.DataFrame({
    "tx_id": [1, 2, 3, 4],
    "src": ["V1", "V2", "M", "M"],
    "dst": ["M", "M", "A", "B"],
    "amount": [22.0, 132.0, 105.0, 49.0],
    "ts": [1, 2, 3, 4],
})


@pytest.mark.parametrize("policy, exact", [("fifo", 22.0), ("proportional", 15.0),
                                           ("taint-first", 15.0), ("lifo", 15.0),
                                           ("matched", 15.0)])
def test_a_traced_amount_of_exactly_min_amount_is_followed(engine, policy, exact):
    # docs/trace.md: smaller amounts than --min-amount stop a trail, so exactly it does not
    load_transactions(engine, AT_THRESHOLD)
    methods = ["sql"]
    if engine.dialect.name == "duckdb" and policy in KERNEL_POLICIES:
        methods.append("kernel")
    for method in methods:
        for min_amount, followed in ((exact, True), (exact + 1e-3, False)):
            result = trace_victim_transfers(engine, [1, 2], TraceOptions(
                policy=policy, method=method, window=10, burst=5, min_amount=min_amount))
            traced = {(r.seed_id, r.tx_id): r.amount_traced for r in result.trail.itertuples()}
            if followed:
                assert traced.get((1, 3)) == exact, method
            else:
                assert (1, 3) not in traced, method


def test_money_paid_out_before_it_arrived_is_never_traced(engine):
    result = _trace(engine, LAYERED, [3], window=100)
    assert 2 not in set(result.trail["tx_id"])  # M1 paid Z before the victim's money came


def test_many_seeds_at_once_equal_one_at_a_time(engine):
    frame = _random_transfers(np.random.default_rng(7), accounts=12, transfers=80)
    load_transactions(engine, frame)
    seeds = [0, 5, 9, 17]
    together = trace_victim_transfers(engine, seeds, TraceOptions(window=40)).trail
    for seed in seeds:
        alone = trace_victim_transfers(engine, [seed], TraceOptions(window=40)).trail
        mine = together[together["seed_id"] == seed].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone)


def test_unknown_seeds_are_reported(engine):
    result = _trace(engine, LAYERED, [3, 99], window=100)
    assert result.missing_seeds == [99]


def _random_transfers(rng, accounts, transfers):
    src = rng.integers(0, accounts, transfers)
    dst = (src + rng.integers(1, accounts, transfers)) % accounts
    return pd.DataFrame({"tx_id": np.arange(transfers), "src": src.astype(str),
                         "dst": dst.astype(str), "amount": rng.integers(1, 500, transfers) * 1.0,
                         "ts": np.sort(rng.integers(0, 100, transfers))})


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000),
       policy=st.sampled_from(["fifo", "proportional", "taint-first", "lifo", "matched"]))
def test_no_account_forwards_more_than_it_received(seed, policy):
    frame = _random_transfers(np.random.default_rng(seed), accounts=8, transfers=60)
    with create_engine("duckdb", threads=1) as engine:
        load_transactions(engine, frame)
        result = trace_victim_transfers(engine, [0, 1, 2], TraceOptions(policy=policy, window=60))
    accounts = result.accounts
    assert (accounts["amount_out"] <= accounts["amount_in"] * (1 + 1e-3) + 1e-6).all()
    assert (accounts["amount_remaining"] >= 0).all()
    by_tx = result.trail.merge(frame, on="tx_id")
    assert (by_tx["amount_traced"] <= by_tx["amount"] + 1e-6).all()
    # time-respecting: every traced transfer after hop 1 leaves after money came in
    first_in = result.trail.merge(frame[["tx_id", "ts"]], on="tx_id")
    for row in first_in[first_in["hop"] > 1].itertuples():
        came = first_in[(first_in["seed_id"] == row.seed_id) & (first_in["dst"] == row.src)
                        & (first_in["hop"] == row.hop - 1)]
        assert (came["ts"] <= row.ts).any()


def _sql_and_kernel_agree(frame, seeds, policy, window, steps):
    """Trace ``seeds`` over ``frame`` with the SQL and with the kernel (its debits
    stepped through ``steps`` at a time before binary search; 0: search only), check
    that trail, accounts and summary are the same, and return both results."""
    stepped = trace_kernel._STEPS
    trace_kernel._STEPS = steps
    try:
        with create_engine("duckdb", threads=1) as engine:
            load_transactions(engine, frame)
            results = [trace_victim_transfers(engine, seeds, TraceOptions(
                policy=policy, window=window, max_hops=5, min_amount=0.5, method=method))
                for method in ("sql", "kernel")]
    finally:
        trace_kernel._STEPS = stepped
    sql, kernel = results
    pd.testing.assert_frame_equal(sql.trail, kernel.trail, check_dtype=False)
    pd.testing.assert_frame_equal(sql.accounts, kernel.accounts, check_dtype=False)
    assert sql.summary == kernel.summary
    return sql, kernel


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000),
       policy=st.sampled_from(["fifo", "proportional", "taint-first", "lifo"]),
       window=st.sampled_from([None, 0, 15, 60]), string_ids=st.booleans(),
       steps=st.sampled_from([0, 1, 8]))
def test_kernel_writes_the_same_trails_as_sql(seed, policy, window, string_ids, steps):
    rng = np.random.default_rng(seed)
    frame = _random_transfers(rng, accounts=10, transfers=120)
    # ties in time, self-transfers, accounts that only receive, ids out of time order
    frame.loc[rng.random(len(frame)) < 0.05, "dst"] = frame["src"]
    frame.loc[rng.random(len(frame)) < 0.1, "dst"] = "CASH"
    frame["tx_id"] = rng.permutation(len(frame))
    if string_ids:
        frame["tx_id"] = "t" + frame["tx_id"].astype(str)
    seeds = list(frame["tx_id"].iloc[[0, 3, 10, 40, 41]]) + (["nope"] if string_ids else [9999])
    sql, kernel = _sql_and_kernel_agree(frame, seeds, policy, window, steps)
    assert sql.missing_seeds == kernel.missing_seeds


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), window=st.sampled_from([None, 30]),
       steps=st.sampled_from([1, 8]), rising_ids=st.booleans())
def test_lifo_kernel_writes_the_same_trails_as_sql_on_busy_accounts(seed, window, steps,
                                                                    rising_ids):
    # few accounts, many transfers: several deposits reach one account in a hop (the
    # kernel reads its earlier debits in pieces) and deposits have long runs of later
    # debits (it reads them 1 or 8 at a time, then twice as many each round)
    rng = np.random.default_rng(seed)
    frame = _random_transfers(rng, accounts=4, transfers=300)
    frame.loc[rng.random(len(frame)) < 0.1, "dst"] = "CASH"
    if not rising_ids:  # else ids are the rows in time order (no search, no ranking)
        frame["tx_id"] = rng.permutation(len(frame))
    seeds = list(frame["tx_id"].iloc[rng.choice(len(frame), 8, replace=False)])
    _sql_and_kernel_agree(frame, seeds, "lifo", window, steps)
