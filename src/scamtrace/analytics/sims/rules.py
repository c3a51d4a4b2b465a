"""Explainable mule-SIM rules: bands of one feature, each band a strength, times a weight.

Each rule looks at one feature (optionally only when the SIM is active enough for the
feature to mean something) and gives a contribution ``weight * band strength`` in [0, 1).
Rules belong to a family (calling behaviour, SMS blasting, provenance of the SIM, victim
evidence). Contributions combine as a noisy-OR, ``1 - prod(1 - c)``, inside a family, the
family score is capped, and family scores combine as a noisy-OR again. The caps sit below
the flag threshold on purpose: telemarketers and delivery riders call many strangers, and
a report-flooding campaign can name a legitimate number, so one kind of evidence alone
never flags a SIM; behaviour has to meet provenance or victims.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Score at or above which a SIM is flagged: above what calling behaviour and victim
#: reports reach together (0.725) without any sign of where the SIM came from.
DEFAULT_THRESHOLD = 0.75

#: The most one family of evidence can score on its own (below the threshold).
FAMILY_CAPS: dict[str, float] = {"calling": 0.5, "sms": 0.5, "provenance": 0.6, "victims": 0.45}


@dataclass(frozen=True)
class Rule:
    """One rule over one feature column.

    Attributes:
        name: short identifier shown in reasons.
        feature: the feature column it reads.
        bands: ``(threshold, strength)`` pairs in increasing threshold order; the value
            gets the strength of the highest threshold it reaches (``>=``), or of the lowest
            it stays under (``<``) when ``below`` is set.
        weight: multiplies the strength.
        explain: reason text; ``{value}`` and ``{threshold}`` are filled in.
        family: the kind of evidence (a key of :data:`FAMILY_CAPS`).
        below: the rule fires on small values (young SIMs).
        requires: ``(feature, minimum)``: the rule applies only when that column (or
            ``activity``, calls plus SMS sent) is at least the minimum (a share of two calls
            says nothing).
    """

    name: str
    feature: str
    bands: tuple[tuple[float, float], ...]
    weight: float
    explain: str
    family: str
    below: bool = False
    requires: tuple[str, float] | None = None

    def strength(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Band strength and the threshold reached, per value (0 and NaN when none)."""
        strength = np.zeros(len(values))
        reached = np.full(len(values), np.nan)
        ordered = sorted(self.bands, reverse=self.below)
        for threshold, band_strength in ordered:
            hit = values < threshold if self.below else values >= threshold
            strength = np.where(hit, band_strength, strength)
            reached = np.where(hit, threshold, reached)
        return strength, reached


#: The default rule set. Bands come from the regulators' own lines (NBTC: more than 100
#: calls a day; holders of more than 100 SIMs) and from how people use phones.
DEFAULT_RULES: tuple[Rule, ...] = (
    Rule("call_volume", "out_calls_per_day", ((50, 0.3), (100, 0.45)), 1.0,
         "{value:.0f} outbound calls a day (>= {threshold:g})", "calling"),
    Rule("fan_out", "distinct_callees_per_day", ((20, 0.25), (50, 0.4)), 1.0,
         "{value:.0f} distinct callees a day (>= {threshold:g})", "calling"),
    Rule("one_way", "out_in_ratio", ((10, 0.25), (30, 0.35)), 1.0,
         "{value:.0f} outbound calls per inbound call (>= {threshold:g})", "calling",
         requires=("out_calls", 20)),
    Rule("strangers", "new_callee_share", ((0.8, 0.15), (0.95, 0.25)), 1.0,
         "{value:.0%} of callees never in contact before (>= {threshold:.0%})", "calling",
         requires=("distinct_callees", 10)),
    Rule("short_calls", "short_call_share", ((0.5, 0.15), (0.7, 0.25)), 1.0,
         "{value:.0%} of calls shorter than the short-call limit (>= {threshold:.0%})",
         "calling", requires=("out_calls", 10)),
    Rule("unanswered", "unanswered_share", ((0.3, 0.1), (0.5, 0.15)), 1.0,
         "{value:.0%} of calls unanswered (>= {threshold:.0%})", "calling",
         requires=("out_calls", 10)),
    Rule("bursts", "burstiness", ((8, 0.15), (15, 0.25)), 1.0,
         "{value:.0f} calls per active hour (>= {threshold:g})", "calling",
         requires=("out_calls", 20)),
    Rule("night", "night_share", ((0.3, 0.1),), 1.0,
         "{value:.0%} of calls at night (>= {threshold:.0%})", "calling",
         requires=("out_calls", 10)),
    Rule("sms_blast", "sms_fanout_per_day", ((30, 0.3), (100, 0.5), (300, 0.6)), 1.0,
         "{value:.0f} distinct SMS recipients a day (>= {threshold:g})", "sms"),
    Rule("border", "border_share", ((0.9, 0.15),), 1.0,
         "{value:.0%} of calls from border-zone cells (>= {threshold:.0%})", "provenance",
         requires=("out_calls", 5)),
    Rule("new_sim", "sim_age_days", ((30, 0.1), (7, 0.2)), 1.0,
         "activated {value:.1f} days before the window's end (< {threshold:g})",
         "provenance", below=True, requires=("activity", 10)),
    Rule("nominee", "nominee", ((1, 0.3),), 1.0, "registered to a nominee", "provenance"),
    Rule("identity_hoard", "sims_per_identity", ((10, 0.1), (50, 0.2), (100, 0.35)), 1.0,
         "{value:.0f} SIMs on the same registered identity (>= {threshold:g})",
         "provenance"),
    Rule("handset_sharing", "sims_per_imei", ((3, 0.25), (10, 0.4)), 1.0,
         "a handset of this SIM carried {value:.0f} SIMs (>= {threshold:g})", "provenance"),
    Rule("handset_rotation", "imeis_per_sim", ((3, 0.2),), 1.0,
         "used in {value:.0f} handsets (>= {threshold:g})", "provenance"),
    Rule("victims_reported", "reported_contact_share", ((0.02, 0.2), (0.04, 0.35)), 1.0,
         "{value:.1%} of the people contacted then filed a report (>= {threshold:.0%})",
         "victims", requires=("reported_contacts", 5)),
    Rule("victims_paid", "paid_flagged_contacts", ((1, 0.3), (3, 0.5)), 1.0,
         "{value:.0f} people contacted then paid a flagged account (>= {threshold:g})",
         "victims"),
    Rule("reported", "reports_against", ((1, 0.1), (3, 0.2), (10, 0.3)), 1.0,
         "reported by {value:.0f} people (>= {threshold:g})", "victims"),
    Rule("report_rate", "reports_per_100_contacts", ((0.5, 0.2), (1.0, 0.35)), 1.0,
         "{value:.1f} reports per 100 people contacted (>= {threshold:g})", "victims",
         requires=("reports_against", 3)),
)


def score_with_rules(
    features: pd.DataFrame,
    rules: tuple[Rule, ...] = DEFAULT_RULES,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    max_reasons: int = 6,
) -> pd.DataFrame:
    """Score SIMs from their features with explainable rules.

    Args:
        features: one row per SIM with ``msisdn`` and the feature columns.
        rules: the rule set.
        threshold: the flag threshold.
        max_reasons: how many reasons to keep, strongest first.

    Returns:
        A frame with msisdn, score, flagged, reasons (``; ``-joined), one column per rule
        (``rule_<name>``, its contribution) and the features.
    """
    activity = features["out_calls"].to_numpy(float) + features["sms_sent"].to_numpy(float)
    contributions: dict[str, np.ndarray] = {}
    texts = {}
    for rule in rules:
        values = features[rule.feature].to_numpy(dtype=float)
        strength, reached = rule.strength(values)
        if rule.requires is not None:
            column, minimum = rule.requires
            gate = activity if column == "activity" else features[column].to_numpy(float)
            strength = np.where(gate >= minimum, strength, 0.0)
        contributions[rule.name] = np.clip(strength * rule.weight, 0.0, 0.99)
        texts[rule.name] = (rule, values, reached)
    score = np.zeros(len(features))
    for family, cap in FAMILY_CAPS.items():
        members = [contributions[r.name] for r in rules if r.family == family]
        if members:
            family_score = 1.0 - np.prod(1.0 - np.vstack(members), axis=0)
            score = 1.0 - (1.0 - score) * (1.0 - np.minimum(family_score, cap))
    contrib = pd.DataFrame(contributions, index=features.index)
    out = pd.DataFrame({
        "msisdn": features["msisdn"].to_numpy(),
        "score": np.round(score, 4),
        "flagged": score >= threshold,
        "reasons": _reasons(contrib, texts, max_reasons),
    }, index=features.index)
    return pd.concat([out, contrib.add_prefix("rule_"), features.drop(columns=["msisdn"])],
                     axis=1)


def _reasons(contrib: pd.DataFrame, texts: dict, max_reasons: int) -> list[str]:
    matrix = contrib.to_numpy()
    names = list(contrib.columns)
    order = np.argsort(-matrix, axis=1, kind="stable")[:, :max_reasons]
    reasons = []
    for row, columns in enumerate(order):
        parts = []
        for column in columns:
            if matrix[row, column] <= 0:
                break
            rule, values, reached = texts[names[column]]
            parts.append(f"{rule.name}: " + rule.explain.format(
                value=values[row], threshold=reached[row]))
        reasons.append("; ".join(parts))
    return reasons
