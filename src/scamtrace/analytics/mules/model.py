"""Supervised mule scoring: gradient boosting on rule outputs and graph features, out of fold.

With labels (a bank's confirmed mules, a police list), a LightGBM model learns how much
each rule and graph feature matters on that bank's data. Scores are out of fold: the
labelled accounts are split into ``folds`` parts and each part is scored by a model trained
on the others, so no account's score comes from a model that saw its label. The fold of an
account is a hash of its id, not a draw stratified on labels: changing one account's label
then cannot move any account to another fold, so that account's own score provably stays
the same (a test checks it). Unlabelled accounts are scored by a model trained on every label.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pandas as pd

from scamtrace.errors import InvalidInput

#: LightGBM settings: small trees, row and column subsampling; fixed seeds for repeatability.
MODEL_PARAMS: dict[str, object] = {
    "n_estimators": 300,
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_child_samples": 10,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.8,
    "random_state": 0,
    "deterministic": True,
    "verbose": -1,
}


def out_of_fold_scores(
    features: pd.DataFrame,
    labels: pd.Series,
    *,
    folds: int = 5,
    fold_keys: Sequence[str] | None = None,
    threads: int = 1,
    seed: int = 0,
) -> np.ndarray:
    """Score every row; labelled rows out of fold.

    Args:
        features: numeric feature matrix, one row per account.
        labels: 0/1 per row, NaN for accounts without a label (same index as features).
        folds: number of folds (at least 2).
        fold_keys: account ids that decide the folds (default: the labels' index).
        threads: LightGBM threads.
        seed: model seed.

    Returns:
        Probability of being a mule per row, in the order of ``features``.
    """
    import lightgbm as lgb

    known = labels.notna().to_numpy()
    y = labels[known].astype(int).to_numpy()
    positives = int(y.sum())
    if folds < 2:
        raise InvalidInput("--folds must be at least 2")
    if positives < folds or len(y) - positives < folds:
        raise InvalidInput(
            f"labels need at least {folds} mules and {folds} non-mules for {folds} folds "
            f"(got {positives} and {len(y) - positives})"
        )
    matrix = features.to_numpy(dtype=np.float32)
    labelled = np.flatnonzero(known)
    params = {**MODEL_PARAMS, "n_jobs": threads, "random_state": seed}
    keys = [str(k) for k in (labels.index if fold_keys is None else fold_keys)]
    fold_of = np.array([fold_of_account(k, folds) for k in keys])[labelled]
    scores = np.full(len(features), np.nan)
    for fold in range(folds):
        test, train = fold_of == fold, fold_of != fold
        if not test.any():
            continue
        if len(np.unique(y[train])) < 2:
            raise InvalidInput(f"fold {fold}: its training part has a single class; use fewer folds")
        model = lgb.LGBMClassifier(**params)
        model.fit(matrix[labelled[train]], y[train])
        scores[labelled[test]] = model.predict_proba(matrix[labelled[test]])[:, 1]
    unlabelled = np.flatnonzero(~known)
    if len(unlabelled):
        model = lgb.LGBMClassifier(**params)
        model.fit(matrix[labelled], y)
        scores[unlabelled] = model.predict_proba(matrix[unlabelled])[:, 1]
    return scores


def fold_of_account(account: str, folds: int) -> int:
    """The fold of an account: a stable hash of its id (the same on every run and machine)."""
    digest = hashlib.sha256(account.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % folds
