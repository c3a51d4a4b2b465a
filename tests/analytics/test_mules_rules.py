"""Each mule rule finds its planted account in a hand-made set, and no background account."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from mules_world import EXPECTED, transfers

from scamtrace.analytics import create_engine, load_transactions
from scamtrace.analytics.mules import score_mule_accounts
from scamtrace.analytics.mules.rules import RULES, Rule, apply_rules


@pytest.fixture(scope="module")
def scored():
    with create_engine("duckdb", threads=2) as engine:
        txs = load_transactions(engine, transfers(), "src=src,dst=dst,amount=amount,ts=ts")
        yield score_mule_accounts(engine, txs)


def _feature(result, account: str, column: str) -> float:
    row = result.features.set_index("account").loc[account]
    return float(row[column])


@pytest.mark.parametrize("feature", sorted(EXPECTED))
def test_planted_pattern_has_its_feature(scored, feature):
    account, expected = EXPECTED[feature]
    assert _feature(scored, account, feature) >= expected


@pytest.mark.parametrize("feature", sorted(EXPECTED))
def test_background_accounts_stay_below_planted(scored, feature):
    account, _ = EXPECTED[feature]
    frame = scored.features.set_index("account")
    # the planted account's own counterparties share a pair-level pattern (both ends split)
    table = transfers().to_pandas()
    partners = set(table.loc[table.src == account, "dst"]) | set(table.loc[table.dst == account, "src"])
    others = frame[frame.index.str.startswith("bg") & ~frame.index.isin(partners)]
    assert others[feature].fillna(0).max() < frame.loc[account, feature]


def test_scales_follow_the_data(scored):
    # background amounts are 60-140, background gaps about 20 steps
    assert 90 < scored.scales.amount_q50 < 110
    assert scored.scales.round_unit == 10.0
    assert 5 <= scored.scales.bucket_window <= 25
    assert scored.scales.ts_kind == "step"


@pytest.mark.parametrize("account,rule", [
    ("splitter", "splitting"), ("collector", "fan_in_new_senders"),
    ("sweeper", "small_credits_then_sweep"), ("fanout", "onward_transfers"),
    ("passer", "rapid_pass_through"), ("rounder", "round_amounts"),
    ("sleeper", "dormant_woken"), ("cyc_a", "cycles"), ("sg_mid0", "scatter_gather"),
])
def test_rule_fires_with_a_reason(scored, account, rule):
    rules = scored.rules.set_index("account")
    assert rules.loc[account, f"rule_{rule}"] > 0
    assert f"{rule}:" in rules.loc[account, "reasons"]


def test_planted_accounts_outrank_background(scored):
    scores = scored.scores.set_index("account")["score"]
    planted = ["splitter", "sweeper", "fanout", "sleeper"]
    background = scores[scores.index.str.startswith("bg")]
    assert scores[planted].min() > background.quantile(0.9)
    assert ((scores >= 0) & (scores <= 1)).all()


def test_accounts_that_never_pay_out_stay_below_the_threshold(scored):
    rules = scored.rules.set_index("account")
    # the collector receives from twelve new senders but never sends anything on
    assert rules.loc["collector", "rule_fan_in_new_senders"] == 1.0
    assert rules.loc["collector", "score"] < 0.5


def test_rule_bands_take_the_highest_reached():
    rule = Rule("r", "f", ((3, 0.5), (5, 1.0)), "{value}")
    strength, reached = rule.strength(np.array([0, 3, 4, 5, 9, np.nan]))
    assert strength.tolist() == [0, 0.5, 0.5, 1.0, 1.0, 0]
    assert reached[3] == 5 and np.isnan(reached[0])


def test_below_bands_fire_on_small_values():
    rule = Rule("r", "f", ((30, 0.5), (7, 1.0)), "{value}", below=True)
    strength, _ = rule.strength(np.array([2, 10, 40, np.nan]))
    assert strength.tolist() == [1.0, 0.5, 0, 0]


def test_night_and_age_rules_only_for_timestamps():
    frame = pd.DataFrame({"account": ["a", "b"], "n_in": [10, 10], "n_out": [10, 10],
                          "night_share": [0.9, 0.0], "age_at_first_credit": [2.0, 400.0]})
    stamped = apply_rules(frame, "timestamp").set_index("account")
    assert stamped.loc["a", "rule_night_activity"] == 1.0
    assert stamped.loc["a", "rule_young_account"] == 1.0
    assert stamped.loc["b", "rule_young_account"] == 0.0
    stepped = apply_rules(frame, "step")
    assert "rule_night_activity" not in stepped.columns
    assert {r.name for r in RULES} >= {"night_activity", "young_account", "cycles"}
