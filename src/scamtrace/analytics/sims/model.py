"""A gradient-boosted mule-SIM model, scored out-of-fold when labels exist.

The model reads the same features as the rules plus the rules' contributions, so it can
only sharpen what the rules already explain. Every SIM gets its score from a model
trained on the other folds: no SIM is scored by a model that saw its own label.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from scamtrace.analytics.sims.features import FEATURE_COLUMNS
from scamtrace.errors import InvalidDataFile, InvalidInput

#: Default probability at or above which the model flags a SIM.
MODEL_THRESHOLD = 0.5


def read_labels(path: str, *, id_column: str = "msisdn", label_column: str = "label") -> pd.Series:
    """Read a labels file (CSV or Parquet) into a 0/1 series indexed by msisdn.

    Args:
        path: the file.
        id_column: the column holding the number.
        label_column: the column holding 1 (mule SIM) or 0; true/false and yes/no work too.

    Returns:
        The labels.
    """
    if str(path).endswith(".parquet"):
        frame = pd.read_parquet(path)
    else:  # numbers as text: "+66..." must not become an integer
        frame = pd.read_csv(path, dtype={id_column: str})
    for column in (id_column, label_column):
        if column not in frame.columns:
            raise InvalidDataFile(f"{path}: no column {column!r} (columns: {list(frame.columns)})")
    raw = frame[label_column].astype(str).str.strip().str.lower()
    mapping = {"1": 1, "0": 0, "true": 1, "false": 0, "yes": 1, "no": 0, "1.0": 1, "0.0": 0}
    labels = raw.map(mapping)
    if labels.isna().any():
        bad = raw[labels.isna()].iloc[0]
        raise InvalidDataFile(f"{path}: label {bad!r} is not 0/1, true/false or yes/no")
    return pd.Series(labels.astype(int).to_numpy(), index=frame[id_column].astype(str))


def _fold_of(msisdns: pd.Series, folds: int) -> np.ndarray:
    # Folds from a digest of the number: the same SIM lands in the same fold on every run.
    return np.array([
        int.from_bytes(hashlib.blake2b(m.encode(), digest_size=4).digest(), "big") % folds
        for m in msisdns
    ])


def score_out_of_fold(
    scored: pd.DataFrame, labels: pd.Series, *, folds: int = 5, seed: int = 0
) -> np.ndarray:
    """LightGBM probabilities for every SIM, each from a model that never saw it.

    Args:
        scored: the frame from :func:`~scamtrace.analytics.sims.rules.score_with_rules`
            (msisdn, rule contributions, features).
        labels: 0/1 by msisdn; SIMs missing from it count as 0 (not known to be mules).
        folds: number of folds (at least 2).
        seed: the boosting seed.

    Returns:
        Probabilities aligned with ``scored``'s rows.
    """
    import lightgbm as lgb

    if folds < 2:
        raise InvalidInput("--folds must be at least 2")
    y = scored["msisdn"].map(labels).fillna(0).astype(int).to_numpy()
    if y.sum() < folds or (y == 0).sum() < folds:
        raise InvalidInput(f"labels need at least {folds} positive and {folds} negative SIMs")
    columns = [c for c in scored.columns if c.startswith("rule_")] + list(FEATURE_COLUMNS)
    x = scored[columns].to_numpy(dtype=float)
    fold = _fold_of(scored["msisdn"], folds)
    out = np.zeros(len(scored))
    for k in range(folds):
        train, test = fold != k, fold == k
        if not test.any():
            continue
        if y[train].min() == y[train].max():
            out[test] = y[train][0]
            continue
        # Small leaves when positives are few, or the trees cannot split on them at all.
        min_leaf = int(min(20, max(2, y[train].sum() // 3)))
        model = lgb.LGBMClassifier(
            n_estimators=200, learning_rate=0.05, num_leaves=15, min_child_samples=min_leaf,
            min_data_in_bin=1,
            subsample=0.8, subsample_freq=1, colsample_bytree=0.8, random_state=seed,
            n_jobs=1 if len(y) < 200_000 else 2, verbose=-1,
        )
        model.fit(x[train], y[train])
        out[test] = model.predict_proba(x[test])[:, 1]
    return out
