"""``score_mule_accounts``: features in SQL on the engine, then rules or a supervised model.

The engine computes every per-account feature (behaviour, graph, neighbours); Python then
applies the banded rules (cheap, one row per account) and, with labels, the out-of-fold
gradient-boosted model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scamtrace.analytics.engine import Engine
from scamtrace.analytics.inputs import TransactionTable
from scamtrace.analytics.mules.features import (
    DEFAULT_UTC_OFFSET_HOURS,
    account_age_sql,
    behaviour_pipeline,
    external_payees_sql,
)
from scamtrace.analytics.mules.graph import (
    DEFAULT_HUB_DEGREE,
    NEIGHBOUR_FEATURES,
    graph_pipeline,
    neighbour_features_sql,
    triangle_pipeline,
)
from scamtrace.analytics.mules.model import (
    SCORE_FEATURES,
    LabelGraph,
    out_of_fold_scores,
    score_neighbour_features,
)
from scamtrace.analytics.mules.rules import DEFAULT_THRESHOLD, apply_rules
from scamtrace.analytics.mules.scales import DataScales, measure_scales

#: Graph columns joined onto the behaviour features (0 when an account has none).
GRAPH_COLUMNS = ("cycles_2", "cycles_3", "sg_as_source", "sg_as_target", "sg_as_middle")

#: Triangle columns of the supervised mode (0 when an account is on no triangle).
TRIANGLE_COLUMNS = ("tri_count", "tri_neighbours", "tri_share", "tri_pair_max")


@dataclass
class MuleScores:
    """Result of :func:`score_mule_accounts`.

    Attributes:
        scores: ``account`` (string), ``score`` in [0, 1], ``flagged``, ``reasons``, sorted
            by score descending.
        features: the feature matrix used (one row per account, same accounts).
        rules: rule strengths and typology scores per account.
        scales: the data scales the rules were measured in.
        mode: ``typology`` (no labels) or ``supervised``.
    """

    scores: pd.DataFrame
    features: pd.DataFrame
    rules: pd.DataFrame
    scales: DataScales
    mode: str


def score_mule_accounts(
    engine: Engine,
    transactions_table: TransactionTable | str,
    *,
    ts_kind: str | None = None,
    accounts_table: str | None = None,
    labels: pd.Series | None = None,
    folds: int = 5,
    threshold: float | None = None,
    hub_degree: int = DEFAULT_HUB_DEGREE,
    utc_offset_hours: int = DEFAULT_UTC_OFFSET_HOURS,
    threads: int = 1,
    label_neighbours: bool = True,
) -> MuleScores:
    """Score every account in a transactions table for mule behaviour.

    Args:
        engine: the analytics engine holding the table.
        transactions_table: the canonical table (from ``load_transactions``) or its name.
        ts_kind: ``timestamp`` or ``step``; needed only when a table name is given.
        accounts_table: optional engine table with ``account`` and ``opened_ts`` (same
            units as ts) for the account-age rule, and optionally ``owner``: an account
            that pays only accounts of its own owner then counts as never paying out.
        labels: optional 0/1 per account id (string index); enables the supervised mode.
        folds: folds of the out-of-fold scoring.
        threshold: flag at or above this score (default: 0.5 in both modes).
        hub_degree: accounts with more counterparties are not used as path middles.
        utc_offset_hours: local time for the night rule (Thailand: 7).
        threads: model training threads (one is fastest on a busy machine: LightGBM's
            OpenMP threads spin when cores are oversubscribed).
        label_neighbours: in supervised mode, also count known mules among each
            account's counterparties (from the training folds' labels only).

    Returns:
        The scores, the features and the rule outputs.
    """
    if isinstance(transactions_table, TransactionTable):
        name, ts_kind = transactions_table.name, transactions_table.ts_kind
    else:
        name = transactions_table
        if ts_kind not in ("timestamp", "step"):
            raise ValueError("ts_kind must be 'timestamp' or 'step' with a table name")
    scales = measure_scales(engine, name, ts_kind)
    engine.run(behaviour_pipeline(name, scales, utc_offset_hours=utc_offset_hours))
    engine.run(graph_pipeline(name, hub_degree=hub_degree, contacts="mule_contacts"))
    owners = accounts_table is not None and "owner" in engine.columns(accounts_table)
    engine.run(_joined_features_pipeline(scales, accounts_table, owners))
    if labels is None:  # the rules read the account's own features only
        features = engine.fetch_pandas("mule_features")
    else:  # the model also weighs what counterparties look like, and triangles
        engine.execute(
            neighbour_features_sql("mule_edges", "mule_features", NEIGHBOUR_FEATURES),
            "mule_neighbours",
        )
        engine.run(triangle_pipeline())
        triangles = "".join(f", coalesce(t.{c}, 0) AS {c}" for c in TRIANGLE_COLUMNS)
        features = engine.fetch_pandas(
            "SELECT f.*, " + ", ".join(_neighbour_columns()) + triangles
            + " FROM mule_features AS f"
            " LEFT JOIN mule_neighbours AS n ON n.account = f.account"
            " LEFT JOIN mule_triangles AS t ON t.account = f.account"
        )
    features["account"] = features["account"].astype(str)
    features = features.sort_values("account", kind="stable").reset_index(drop=True)
    rules = apply_rules(features, ts_kind)
    if labels is None:
        mode, score = "typology", rules["score"].to_numpy()
    else:
        mode = "supervised"
        aligned = labels.reindex(features["account"]).reset_index(drop=True)
        graph = label_graph(engine, features["account"])
        matrix = model_matrix(features, rules)
        around = score_neighbour_features(graph, rules["score"].to_numpy(dtype=float))
        matrix[list(SCORE_FEATURES)] = around
        score = out_of_fold_scores(
            matrix, aligned, folds=folds, fold_keys=features["account"].tolist(),
            threads=threads, graph=graph if label_neighbours else None,
        )
    cut = DEFAULT_THRESHOLD if threshold is None else threshold
    scores = pd.DataFrame({
        "account": features["account"],
        "score": np.round(score, 6),
        "flagged": score >= cut,
        "reasons": rules["reasons"],
    }).sort_values(["score", "account"], ascending=[False, True], kind="stable")
    return MuleScores(scores.reset_index(drop=True), features, rules, scales, mode)


def model_matrix(features: pd.DataFrame, rules: pd.DataFrame) -> pd.DataFrame:
    """Numeric model inputs: every feature plus every rule strength and typology score."""
    numeric = features.drop(columns=["account"]).apply(pd.to_numeric, errors="coerce")
    rule_columns = rules.drop(columns=["account", "reasons"])
    return pd.concat([numeric, rule_columns], axis=1).astype(float)


def label_graph(engine: Engine, accounts: pd.Series) -> LabelGraph:
    """The engine's ``mule_edges``, ``mule_pairs`` and ``mule_embedded`` as row positions.

    Args:
        engine: holding the tables built by the graph and triangle pipelines.
        accounts: account ids (text) in the order of the feature matrix.

    Returns:
        The graph the model counts known mules on.
    """
    index = pd.Index(accounts)

    def positions(sql: str, *columns: str) -> list[np.ndarray]:
        frame = engine.fetch_pandas(sql)
        return [index.get_indexer(frame[c].astype(str)) for c in columns]

    src, dst = positions("SELECT src, dst FROM mule_edges ORDER BY src, dst", "src", "dst")
    a, b = positions("SELECT a, b FROM mule_pairs ORDER BY a, b", "a", "b")
    embedded = engine.fetch_pandas("SELECT a, b, k FROM mule_embedded ORDER BY a, b")
    return LabelGraph(
        n=len(index), src=src, dst=dst, a=a, b=b,
        tri_a=index.get_indexer(embedded["a"].astype(str)),
        tri_b=index.get_indexer(embedded["b"].astype(str)),
        tri_k=embedded["k"].to_numpy(dtype=float),
    )


def _neighbour_columns() -> list[str]:
    return [
        f"n.{side}_{agg}_{c}"
        for side in ("pay", "paid") for c in NEIGHBOUR_FEATURES for agg in ("max", "avg")
    ]


def _joined_features_pipeline(scales: DataScales, accounts_table: str | None,
                              owners: bool = False):
    from scamtrace.analytics.pipeline import Pipeline

    graph = ", ".join(f"coalesce(g.{c}, 0) AS {c}" for c in GRAPH_COLUMNS)
    pipeline = Pipeline()
    external_select, external_join = "", ""
    if accounts_table and owners:
        pipeline.add("mule_external", external_payees_sql("mule_contacts", accounts_table))
        external_select = ", coalesce(x.cp_out_external, 0) AS cp_out_external"
        external_join = "LEFT JOIN mule_external AS x ON x.account = b.account"
    if accounts_table:
        pipeline.add("mule_age", account_age_sql("mule_ordered", accounts_table, scales))
        age_select, age_join = (
            "y.age_at_first_credit",
            "LEFT JOIN mule_age AS y ON y.account = b.account",
        )
    else:
        age_select, age_join = "CAST(NULL AS DOUBLE) AS age_at_first_credit", ""
    return pipeline.add("mule_features", f"""
        SELECT b.*, {graph}, {age_select}{external_select}
        FROM mule_behaviour AS b
        LEFT JOIN mule_graph AS g ON g.account = b.account
        {age_join}
        {external_join}""")
