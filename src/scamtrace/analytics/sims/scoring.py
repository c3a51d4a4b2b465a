"""Score every SIM of a call-record set: features, rules, and a model when labels exist."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scamtrace.analytics.engine import Engine
from scamtrace.analytics.sims.association import add_associated
from scamtrace.analytics.sims.features import FeatureWindow, SimTables
from scamtrace.analytics.sims.model import MODEL_THRESHOLD, score_out_of_fold
from scamtrace.analytics.sims.rules import DEFAULT_RULES, DEFAULT_THRESHOLD, Rule, score_with_rules
from scamtrace.analytics.sims.sim_pipeline import compute_sim_features

#: Columns of the scores file, in order.
SCORE_COLUMNS = ("msisdn", "score", "flagged", "reasons")


def score_sims(
    engine: Engine,
    tables: SimTables,
    *,
    window: FeatureWindow | None = None,
    rules: tuple[Rule, ...] = DEFAULT_RULES,
    threshold: float | None = None,
    labels: pd.Series | None = None,
    folds: int = 5,
    associate: bool = True,
) -> pd.DataFrame:
    """Score the SIMs that call or text in the tables.

    Args:
        engine: the analytics engine holding the tables.
        tables: their names.
        window: the feature window (default: the whole span of the calls).
        rules: the explainable rule set.
        threshold: the flag threshold (default: the rules' 0.75, or the model's 0.5).
        labels: 0/1 by msisdn; when given, the score is a LightGBM probability scored
            out-of-fold with ``folds`` folds, and the reasons still come from the rules.
        folds: the number of folds.
        associate: also flag SIMs sharing a handset or nominee identity with strongly
            flagged SIMs (:mod:`scamtrace.analytics.sims.association`).

    Returns:
        One row per SIM, highest score first: msisdn, score, flagged, reasons, then
        ``rule_score`` (the rules' own score), the rule contributions and the features.
    """
    output = compute_sim_features(engine, tables, window)
    features = engine.fetch_pandas(output)
    scored = score_with_rules(features, rules, threshold=threshold or DEFAULT_THRESHOLD)
    if associate:
        scored = add_associated(engine, tables, scored, threshold or DEFAULT_THRESHOLD)
    scored.insert(4, "rule_score", scored["score"])
    if labels is not None:
        probability = score_out_of_fold(scored, labels, folds=folds)
        scored["score"] = np.round(probability, 4)
        scored["flagged"] = probability >= (threshold or MODEL_THRESHOLD)
        scored["reasons"] = [
            f"model p={p:.2f}" + (f"; {r}" if r else "")
            for p, r in zip(probability, scored["reasons"], strict=True)
        ]
    return scored.sort_values(["score", "msisdn"], ascending=[False, True],
                              kind="stable").reset_index(drop=True)
