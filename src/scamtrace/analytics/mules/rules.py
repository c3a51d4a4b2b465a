"""Explainable mule typologies in the style of Tazama: small rules, bands, weights.

Each :class:`Rule` reads one per-account feature computed in SQL
(:mod:`~scamtrace.analytics.mules.features`, :mod:`~scamtrace.analytics.mules.graph`)
and maps it to a band strength in [0, 1]. A :class:`Typology` sums ``weight * strength``
over its rules and divides by the sum that makes a clear case (``full_score``), capped at 1:
the typology score. An account's score is mostly its best typology, plus a tenth of the
mean of all typologies so that accounts matching several kinds of behaviour rank first.
Every band that fires becomes a reason an investigator can check against the statement.

Bands are counts, shares and ratios relative to the data's own scales (see
:mod:`~scamtrace.analytics.mules.scales`), not baht or hours, so the same rule set applies
to a bank's statements and to simulated data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Score at or above which an account is flagged by typology scoring.
DEFAULT_THRESHOLD = 0.5

#: Score multiplier for accounts that never send a transfer (to another owner, when the
#: accounts' owners are known).
NO_OUTFLOW_FACTOR = 0.5


@dataclass(frozen=True)
class Rule:
    """One single-purpose rule over one feature column.

    Attributes:
        name: short identifier.
        feature: the feature column it reads.
        bands: ``(threshold, strength)`` pairs; the value gets the strength of the highest
            threshold it reaches (``>=``), or, with ``below``, of the lowest it stays under.
        explain: reason text with ``{value}`` and ``{threshold}`` placeholders.
        below: the rule fires on small values (a young account).
        min_activity: the rule applies only to accounts with at least this many transfers.
        ts_kind: apply only to ``timestamp`` or ``step`` data (None: both).
    """

    name: str
    feature: str
    bands: tuple[tuple[float, float], ...]
    explain: str
    below: bool = False
    min_activity: int = 0
    ts_kind: str | None = None

    def strength(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Band strength (0 when no band) and the threshold reached (NaN when none)."""
        strength = np.zeros(len(values))
        reached = np.full(len(values), np.nan)
        clean = np.nan_to_num(values.astype(float), nan=np.inf if self.below else -np.inf)
        for threshold, band_strength in sorted(self.bands, reverse=self.below):
            hit = clean < threshold if self.below else clean >= threshold
            strength = np.where(hit, band_strength, strength)
            reached = np.where(hit, threshold, reached)
        return strength, reached


@dataclass(frozen=True)
class Typology:
    """A laundering behaviour: weighted rules and the weighted sum that makes a clear case."""

    name: str
    weights: tuple[tuple[str, float], ...]
    full_score: float


RULES: tuple[Rule, ...] = (
    Rule("rapid_pass_through", "rapid_out_share", ((0.5, 0.5), (0.8, 1.0)),
         "sent on {value:.0%} of the money through it soon after it arrived", min_activity=4),
    Rule("balanced_flow", "pass_through_ratio", ((0.8, 0.5), (0.95, 1.0)),
         "money out matches money in ({value:.0%})", min_activity=4),
    Rule("fan_in_new_senders", "fan_in_new_max", ((5, 0.5), (10, 1.0)),
         "{value:.0f} new senders in one burst window (>= {threshold:g})"),
    Rule("small_credits_then_sweep", "credits_then_sweep", ((3, 0.5), (5, 0.8), (10, 1.0)),
         "{value:.0f} credits swept out by one large debit (>= {threshold:g})"),
    Rule("onward_transfers", "onward_max", ((3, 0.4), (5, 1.0)),
         "{value:.0f} onward transfers after one credit (>= {threshold:g})"),
    Rule("splitting", "split_max", ((3, 0.6), (5, 1.0)),
         "{value:.0f} transfers with one counterparty in one burst window (>= {threshold:g})"),
    Rule("tiny_amounts", "tiny_share", ((0.2, 0.5), (0.5, 1.0)),
         "{value:.0%} of transfers below the data's 1st percentile amount", min_activity=3),
    Rule("round_amounts", "round_share", ((0.5, 0.5), (0.8, 1.0)),
         "{value:.0%} of transfers in round amounts", min_activity=3),
    Rule("dormant_woken", "dormant_wake_events", ((3, 0.5), (10, 1.0)),
         "woke from a long silence with {value:.0f} transfers in one window"),
    Rule("night_activity", "night_share", ((0.3, 0.5), (0.6, 1.0)),
         "{value:.0%} of transfers between midnight and 05:00", min_activity=5,
         ts_kind="timestamp"),
    Rule("young_account", "age_at_first_credit", ((30, 0.5), (7, 1.0)),
         "received money {value:.0f} days after opening (< {threshold:g})", below=True,
         ts_kind="timestamp"),
    Rule("young_account", "age_at_first_credit", ((0.1, 0.5), (0.02, 1.0)),
         "received money within {value:.0%} of the period after opening", below=True,
         ts_kind="step"),
    Rule("cycles", "cycles_3", ((1, 0.6), (3, 1.0)),
         "on {value:.0f} three-account cycles"),
    Rule("scatter_gather", "sg_as_middle", ((2, 0.5), (5, 1.0)),
         "middle of {value:.0f} scatter-gather paths"),
)

# A typology reaches 1 only when several of its rules agree: one behaviour alone (a busy
# account forwarding its salary, a merchant's customers paying the same two shops) is
# common among honest accounts and must stay below the flag threshold. Position in the
# graph alone (cycles and scatter-gather, which friends paying one another also form)
# reaches half of layering_network: the account must also pass money on quickly.
TYPOLOGIES: tuple[Typology, ...] = (
    Typology("pass_through_mule", (("rapid_pass_through", 1.0), ("balanced_flow", 0.5),
             ("onward_transfers", 1.0), ("small_credits_then_sweep", 1.0),
             ("fan_in_new_senders", 1.0)), full_score=3.0),
    Typology("structuring", (("splitting", 1.5), ("tiny_amounts", 1.0),
             ("round_amounts", 0.5)), full_score=2.0),
    Typology("rented_or_new_account", (("dormant_woken", 1.0), ("night_activity", 0.5),
             ("young_account", 1.0), ("rapid_pass_through", 0.5)), full_score=2.0),
    Typology("layering_network", (("cycles", 1.0), ("scatter_gather", 0.5),
             ("rapid_pass_through", 1.0), ("fan_in_new_senders", 0.5)), full_score=3.0),
)


def apply_rules(features: pd.DataFrame, ts_kind: str) -> pd.DataFrame:
    """Score accounts with the rules and typologies.

    Args:
        features: one row per account with ``account``, ``n_in``, ``n_out`` and the rule
            feature columns (missing columns count as not firing); ``cp_out_external``,
            when present (account owners known), the payees of other owners.
        ts_kind: ``timestamp`` or ``step`` (selects the time-of-day and age rules).

    Returns:
        ``account``, one ``rule_<name>`` strength column per rule, one ``typology_<name>``
        score per typology, ``score`` in [0, 1] and ``reasons`` (``; ``-separated).
    """
    n = len(features)
    activity = (features["n_in"].fillna(0) + features["n_out"].fillna(0)).to_numpy()
    columns: dict[str, np.ndarray] = {"account": features["account"].to_numpy()}
    texts: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for rule in RULES:
        if rule.ts_kind not in (None, ts_kind):
            continue
        values = (features[rule.feature] if rule.feature in features else pd.Series(np.nan,
                  index=features.index)).to_numpy(dtype=float)
        strength, reached = rule.strength(values)
        strength = np.where(activity >= rule.min_activity, strength, 0.0)
        columns[f"rule_{rule.name}"] = strength
        fired = np.flatnonzero(strength > 0)
        texts[rule.name] = (fired, _explain(rule, values[fired], reached[fired]))
    typology_scores = []
    contributions: dict[str, np.ndarray] = {}
    for typology in TYPOLOGIES:
        total = np.zeros(n)
        for rule_name, weight in typology.weights:
            column = columns.get(f"rule_{rule_name}")
            if column is None:
                continue
            part = weight * column
            total += part
            contributions[rule_name] = np.maximum(contributions.get(rule_name, 0.0), part)
        score = np.minimum(total / typology.full_score, 1.0)
        columns[f"typology_{typology.name}"] = score
        typology_scores.append(score)
    stacked = np.vstack(typology_scores)
    score = 0.9 * stacked.max(axis=0) + 0.1 * stacked.mean(axis=0)
    # A mule passes money on. An account that never pays out (a biller, a merchant's
    # collection account, a saver) keeps at most half its score, below the flag threshold.
    # When owners are known, paying only its own owner's accounts (a shop's takings moved
    # to the owner's personal account) is not paying out.
    paid_out = features["cp_out_external" if "cp_out_external" in features else "n_out"]
    never_pays = paid_out.fillna(0).to_numpy() == 0
    columns["score"] = np.where(never_pays, NO_OUTFLOW_FACTOR * score, score)
    columns["reasons"] = _reasons(texts, contributions, n)
    return pd.DataFrame(columns)


def _explain(rule: Rule, values: np.ndarray, reached: np.ndarray) -> np.ndarray:
    # Each distinct (value, threshold) is formatted once: most features are small counts.
    out = np.empty(len(values), dtype=object)
    for threshold in np.unique(reached).tolist():  # a rule has two or three bands
        band = np.flatnonzero(reached == threshold)
        unique, inverse = np.unique(values[band], return_inverse=True)
        formatted = np.array([
            f"{rule.name}: " + rule.explain.format(value=v, threshold=threshold)
            for v in unique.tolist()
        ], dtype=object)
        out[band] = formatted[inverse.ravel()]
    return out


def _reasons(texts: dict[str, tuple[np.ndarray, np.ndarray]], weights: dict[str, np.ndarray],
             n: int) -> list[str]:
    # Vectorised: every fired (account, rule) in one long table, sorted by account, then
    # contribution (strongest first), then rule order; joined per account.
    accounts, strengths, orders, parts = [], [], [], []
    for order, (name, (fired, text)) in enumerate(texts.items()):
        contribution = weights.get(name, np.zeros(n))[fired]
        keep = contribution > 0
        accounts.append(fired[keep])
        strengths.append(contribution[keep])
        orders.append(np.full(int(keep.sum()), order))
        parts.append(text[keep])
    joined = np.full(n, "", dtype=object)
    if not accounts or not sum(len(a) for a in accounts):
        return joined.tolist()
    account, strength = np.concatenate(accounts), np.concatenate(strengths)
    order, text = np.concatenate(orders), np.concatenate(parts)
    rank = np.lexsort((order, -strength, account))
    account, text = account[rank], text[rank].tolist()
    starts = np.flatnonzero(np.r_[True, account[1:] != account[:-1]])
    ends = np.r_[starts[1:], len(account)].tolist()
    joined[account[starts]] = ["; ".join(text[a:b]) for a, b in zip(starts.tolist(), ends,
                                                                      strict=True)]
    return joined.tolist()
