"""Triangle features, known-mule neighbour counts and their out-of-fold honesty."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from mules_world import transfers

from scamtrace.analytics import create_engine, load_transactions
from scamtrace.analytics.mules import score_mule_accounts
from scamtrace.analytics.mules.graph import graph_pipeline, triangle_pipeline
from scamtrace.analytics.mules.model import (
    LABEL_FEATURES,
    LabelGraph,
    label_neighbour_features,
)
from scamtrace.analytics.mules.service import label_graph

PLANTED = ["splitter", "sweeper", "fanout", "passer", "rounder", "sleeper",
           "cyc_a", "cyc_b", "cyc_c", "sg_mid0", "sg_mid1", "sg_mid2", "sg_src"]


def _undirected() -> nx.Graph:
    table = transfers().to_pandas()
    graph = nx.Graph()
    graph.add_edges_from((s, d) for s, d in zip(table.src, table.dst, strict=True) if s != d)
    return graph


def test_triangles_match_networkx_on_every_engine(engine):
    txs = load_transactions(engine, transfers(), "src=src,dst=dst,amount=amount,ts=ts")
    engine.run(graph_pipeline(txs.name))
    engine.run(triangle_pipeline())
    got = engine.fetch_pandas("mule_triangles").set_index("account")
    graph = _undirected()
    expected = {a: n for a, n in nx.triangles(graph).items() if n > 0}
    assert expected, "the test world must hold triangles"
    assert got["tri_count"].to_dict() == pytest.approx(expected)
    for account in ("cyc_a", "bg3"):
        if account not in expected:
            continue
        shared = sum(
            1 for n in graph[account] if set(graph[account]) & set(graph[n]) - {account})
        assert got.loc[account, "tri_neighbours"] == shared
        assert got.loc[account, "tri_share"] == pytest.approx(shared / graph.degree(account))


def _random_graph(seed: int = 1, n: int = 60, m: int = 300) -> LabelGraph:
    rng = np.random.default_rng(seed)
    pairs = {(int(s), int(d)) for s, d in rng.integers(0, n, (m, 2)) if s != d}
    src, dst = (np.array(c) for c in zip(*sorted(pairs), strict=True))
    undirected = sorted({(s, d) for s, d in pairs} | {(d, s) for s, d in pairs})
    a, b = (np.array(c) for c in zip(*undirected, strict=True))
    graph = nx.Graph(list(pairs))
    embedded = [(x, y, len(set(graph[x]) & set(graph[y]))) for x, y in graph.edges]
    embedded = [(min(x, y), max(x, y), k) for x, y, k in embedded if k > 0]
    ta, tb, tk = (np.array(c) for c in zip(*embedded, strict=True))
    return LabelGraph(n=n, src=src, dst=dst, a=a, b=b, tri_a=ta, tri_b=tb, tri_k=tk.astype(float))


def test_own_label_never_enters_own_neighbour_counts():
    graph = _random_graph()
    rng = np.random.default_rng(2)
    mules = (rng.random(graph.n) < 0.3).astype(float)
    known = np.ones(graph.n)
    before = label_neighbour_features(graph, mules, known)
    assert before.shape == (graph.n, len(LABEL_FEATURES))
    assert before[:, 0].sum() > 0
    for account in range(graph.n):
        flipped = mules.copy()
        flipped[account] = 1.0 - flipped[account]
        after = label_neighbour_features(graph, flipped, known)
        np.testing.assert_allclose(after[account], before[account])
        # the flip is visible to the account's counterparties
        neighbours = graph.b[graph.a == account]
        if len(neighbours):
            assert not np.allclose(after[neighbours, 0], before[neighbours, 0])


def test_neighbour_counts_match_a_direct_count():
    graph = _random_graph(seed=5)
    mules = np.zeros(graph.n)
    mules[[1, 2, 3]] = 1.0
    features = label_neighbour_features(graph, mules, np.ones(graph.n))
    column = dict(zip(LABEL_FEATURES, features.T, strict=True))
    for account in range(graph.n):
        payees = set(graph.dst[graph.src == account].tolist())
        payers = set(graph.src[graph.dst == account].tolist())
        assert column["lab_pays_mules"][account] == len(payees & {1, 2, 3})
        assert column["lab_paid_by_mules"][account] == len(payers & {1, 2, 3})
        assert column["lab_nb_mules"][account] == len((payees | payers) & {1, 2, 3})
        copayers = sum(len(set(graph.src[graph.dst == t].tolist()) & ({1, 2, 3} - {account}))
                       for t in payees)
        assert column["lab_copayer_mules"][account] == copayers


def _labels() -> pd.Series:
    table = transfers().to_pandas()
    accounts = sorted(set(table.src) | set(table.dst))
    return pd.Series([int(a in PLANTED) for a in accounts], index=accounts)


def test_supervised_scores_are_the_same_on_every_engine(engine):
    labels = _labels()
    with create_engine("duckdb", threads=2) as reference:
        txs = load_transactions(reference, transfers(), "src=src,dst=dst,amount=amount,ts=ts")
        expected = score_mule_accounts(reference, txs, labels=labels, folds=3)
    txs = load_transactions(engine, transfers(), "src=src,dst=dst,amount=amount,ts=ts")
    got = score_mule_accounts(engine, txs, labels=labels, folds=3)
    pd.testing.assert_frame_equal(got.scores, expected.scores)
    graph = label_graph(engine, got.features["account"])
    assert (graph.a >= 0).all() and (graph.src >= 0).all() and (graph.tri_a >= 0).all()
