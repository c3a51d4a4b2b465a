"""Supervised mule scoring: gradient boosting on rule outputs and graph features, out of fold.

With labels (a bank's confirmed mules, a police list), a LightGBM model learns how much
each rule and graph feature matters on that bank's data. Scores are out of fold: the
labelled accounts are split into ``folds`` parts and each part is scored by a model trained
on the others, so no account's score comes from a model that saw its label. The fold of an
account is a hash of its id, not a draw stratified on labels: changing one account's label
then cannot move any account to another fold, so that account's own score provably stays
the same (a test checks it). Unlabelled accounts are scored by a model trained on every label.

Known mules have mule friends: with a :class:`LabelGraph`, the model also reads how many
of an account's counterparties (paid, paying, sharing a triangle, paying the same
collector) are known mules. Those counts are recomputed for every fold from the labels of
the *training* folds only; the account's own label never enters its own counts (paths
that return to the account are subtracted), so an account's score still does not depend
on its label, and no test-fold label reaches any feature.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

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


#: Names of the label-neighbour features, in the order :func:`label_neighbour_features` gives.
LABEL_FEATURES: tuple[str, ...] = (
    "lab_nb_mules", "lab_nb_known", "lab_nb_mule_share", "lab_tri_mules", "lab_2hop_mules",
    "lab_pays_mules", "lab_paid_by_mules", "lab_copayer_mules", "lab_cosender_mules",
)


@dataclass(frozen=True)
class LabelGraph:
    """The unlabelled transfer graph as row positions of the feature matrix.

    Attributes:
        n: number of accounts (rows).
        src, dst: distinct directed pairs (self-transfers dropped).
        a, b: distinct undirected pairs, each once per direction.
        tri_a, tri_b, tri_k: pairs sharing ``tri_k`` >= 1 common counterparties (once each).
    """

    n: int
    src: np.ndarray
    dst: np.ndarray
    a: np.ndarray
    b: np.ndarray
    tri_a: np.ndarray
    tri_b: np.ndarray
    tri_k: np.ndarray

    def _sum(self, index: np.ndarray, weights: np.ndarray) -> np.ndarray:
        return np.bincount(index, weights=weights, minlength=self.n).astype(float)


def label_neighbour_features(graph: LabelGraph, mules: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Counts of known mules around each account (columns: :data:`LABEL_FEATURES`).

    Args:
        graph: the transfer graph.
        mules: 1.0 for accounts known (in the training folds) to be mules, else 0.
        known: 1.0 for accounts whose label the training folds hold, else 0.

    Returns:
        One row per account. No row depends on that account's own entry in ``mules``.
    """
    g = graph
    nb_mules = g._sum(g.a, mules[g.b])
    nb_known = g._sum(g.a, known[g.b])
    degree = g._sum(g.a, np.ones(len(g.a)))
    out_degree = g._sum(g.src, np.ones(len(g.src)))
    in_degree = g._sum(g.dst, np.ones(len(g.dst)))
    tri = g._sum(g.tri_a, g.tri_k * mules[g.tri_b]) + g._sum(g.tri_b, g.tri_k * mules[g.tri_a])
    # two-hop sums pass through the account itself once per counterparty: take that out
    two_hop = g._sum(g.a, nb_mules[g.b]) - degree * mules
    payers_mules = g._sum(g.dst, mules[g.src])  # per account: its known-mule payers
    payees_mules = g._sum(g.src, mules[g.dst])
    copayers = g._sum(g.src, payers_mules[g.dst]) - out_degree * mules
    cosenders = g._sum(g.dst, payees_mules[g.src]) - in_degree * mules
    return np.column_stack([
        nb_mules, nb_known, nb_mules / np.maximum(nb_known, 1.0), tri, two_hop,
        payees_mules, payers_mules, copayers, cosenders,
    ])


#: Names of the typology-score neighbour features (:func:`score_neighbour_features`).
SCORE_FEATURES: tuple[str, ...] = ("tri_score_sum", "tri_score_max", "nb_score_sum")


def score_neighbour_features(graph: LabelGraph, score: np.ndarray) -> np.ndarray:
    """Unsupervised typology scores around each account (columns: :data:`SCORE_FEATURES`).

    ``tri_score_sum`` weighs each counterparty sharing a triangle by its shared
    counterparties, ``tri_score_max`` is the highest such score, ``nb_score_sum`` sums
    the scores of all counterparties. No labels are involved.
    """
    g = graph
    weighted = g._sum(g.tri_a, g.tri_k * score[g.tri_b]) + g._sum(g.tri_b, g.tri_k * score[g.tri_a])
    top = np.zeros(g.n)
    np.maximum.at(top, g.tri_a, score[g.tri_b])
    np.maximum.at(top, g.tri_b, score[g.tri_a])
    return np.column_stack([weighted, top, g._sum(g.a, score[g.b])])


def out_of_fold_scores(
    features: pd.DataFrame,
    labels: pd.Series,
    *,
    folds: int = 5,
    fold_keys: Sequence[str] | None = None,
    threads: int = 1,
    seed: int = 0,
    graph: LabelGraph | None = None,
) -> np.ndarray:
    """Score every row; labelled rows out of fold.

    Args:
        features: numeric feature matrix, one row per account.
        labels: 0/1 per row, NaN for accounts without a label (same index as features).
        folds: number of folds (at least 2).
        fold_keys: account ids that decide the folds (default: the labels' index).
        threads: LightGBM threads.
        seed: model seed.
        graph: the transfer graph; adds :data:`LABEL_FEATURES` from training-fold labels.

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

    def inputs(train_rows: np.ndarray) -> np.ndarray:
        # label-neighbour counts from the training rows' labels only
        if graph is None:
            return matrix
        mules, seen = np.zeros(len(features)), np.zeros(len(features))
        seen[labelled[train_rows]] = 1.0
        mules[labelled[train_rows]] = y[train_rows]
        extra = label_neighbour_features(graph, mules, seen).astype(np.float32)
        return np.hstack([matrix, extra])

    for fold in range(folds):
        test, train = fold_of == fold, fold_of != fold
        if not test.any():
            continue
        if len(np.unique(y[train])) < 2:
            raise InvalidInput(f"fold {fold}: its training part has a single class; use fewer folds")
        fold_matrix = inputs(train)
        model = lgb.LGBMClassifier(**params)
        model.fit(fold_matrix[labelled[train]], y[train])
        scores[labelled[test]] = model.predict_proba(fold_matrix[labelled[test]])[:, 1]
    unlabelled = np.flatnonzero(~known)
    if len(unlabelled):
        full_matrix = inputs(np.ones(len(y), dtype=bool))
        model = lgb.LGBMClassifier(**params)
        model.fit(full_matrix[labelled], y)
        scores[unlabelled] = model.predict_proba(full_matrix[unlabelled])[:, 1]
    return scores


def fold_of_account(account: str, folds: int) -> int:
    """The fold of an account: a stable hash of its id (the same on every run and machine)."""
    digest = hashlib.sha256(account.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % folds
