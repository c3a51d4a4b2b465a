"""Network discovery: speed on a large evidence graph and quality on simulated worlds.

Speed: an evidence graph of ``--edges`` weighted edges (gangs of a few dozen entities,
hub accounts touching thousands of them, random noise) is built inside DuckDB, then
numbered, cleared of hubs and split into Leiden communities exactly as
``scamtrace networks`` does. The baseline in the same run is networkx (connected
components then Louvain) on a sample of the same edges; both are printed in edges/s.

Quality (``--world DIR``, repeatable): mule-SIM recall and precision, adjusted Rand
index of the networks over the gangs' true members (a member missing from every
network counts as a singleton), the share of named non-victim members that are true
gang members (over the kinds the truth knows: sim, account, person, device, url,
domain), and the networks holding at least three members of two or more gangs.

    .venv/bin/python bench/bench_networks.py --edges 10000000 --world /tmp/small-seed-31
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from scamtrace.analytics import create_engine
from scamtrace.analytics.networks.graph import HubPolicy, communities_without, find_hubs
from scamtrace.analytics.networks.graph_sql import entity_graph_from_engine

TRUTH_KINDS = ("sim", "account", "person", "device", "url", "domain")


def make_edges(engine, n_edges: int) -> None:
    """Gang clusters of 40 entities (SIMs and accounts), 50 hubs, 1% random noise."""
    gangs = max(n_edges // 60, 1)
    engine.con.execute(f"""
CREATE OR REPLACE TABLE synthetic_edges AS
SELECT CASE WHEN k < 0.5 THEN 'sim' ELSE 'account' END AS a_kind,
       CAST(g * 40 + CAST(floor(random() * 20) AS BIGINT) AS VARCHAR) AS a_id,
       'account' AS b_kind,
       CASE WHEN r < 0.01 THEN CAST(CAST(floor(random() * {gangs * 40}) AS BIGINT) AS VARCHAR)
            WHEN r < 0.03 THEN 'hub' || CAST(CAST(floor(random() * 50) AS BIGINT) AS VARCHAR)
            ELSE CAST(g * 40 + 20 + CAST(floor(random() * 20) AS BIGINT) AS VARCHAR) END AS b_id,
       1.0 + random() AS weight
FROM (SELECT CAST(floor(random() * {gangs}) AS BIGINT) AS g, random() AS k, random() AS r
      FROM range({n_edges}))""")


def bench_speed(n_edges: int, n_baseline: int) -> None:
    import networkx as nx

    with create_engine("duckdb", threads=2) as engine:
        make_edges(engine, n_edges)
        t0 = time.perf_counter()
        graph = entity_graph_from_engine(engine, "synthetic_edges")
        t_graph = time.perf_counter() - t0
        hubs = find_hubs(graph, HubPolicy())
        members = communities_without(graph, hubs)
        ours = time.perf_counter() - t0
        sample = engine.fetch_pandas(f"SELECT * FROM synthetic_edges LIMIT {n_baseline}")
    t0 = time.perf_counter()
    g = nx.Graph()
    g.add_weighted_edges_from(zip(sample["a_kind"] + ":" + sample["a_id"],
                                  sample["b_kind"] + ":" + sample["b_id"], sample["weight"],
                                  strict=True))
    found = nx.community.louvain_communities(g, weight="weight", seed=7)
    base = time.perf_counter() - t0
    print(f"networks from {n_edges:,} evidence edges ({len(graph.nodes):,} entities)")
    print(f"  scamtrace (DuckDB 2 threads + igraph Leiden): {ours:6.1f} s "
          f"(graph {t_graph:.1f} s), {n_edges / ours / 1e6:.2f} M edges/s, "
          f"{len(hubs)} hubs, {members['community'].nunique():,} communities; "
          f"target under 60 s: {'met' if ours < 60 else 'NOT met'}")
    print(f"  networkx Louvain baseline on {n_baseline:,} edges: {base:6.1f} s, "
          f"{n_baseline / base / 1e6:.2f} M edges/s, {len(found):,} communities")
    print(f"  ratio: {(n_edges / ours) / (n_baseline / base):.1f}x")


def bench_quality(world: Path) -> None:
    from sklearn.metrics import adjusted_rand_score

    from scamtrace.analytics.networks.describe import describe_networks
    from scamtrace.analytics.networks.discover import discover_networks
    from scamtrace.analytics.sims.sim_inputs import world_sources

    t0 = time.perf_counter()
    with create_engine("duckdb", threads=2) as engine:
        result = discover_networks(engine, world_sources(world))
    members, summaries = describe_networks(result)
    seconds = time.perf_counter() - t0
    truth = pd.read_parquet(world / "truth" / "truth_entities.parquet")
    # A mule shared by two gangs is listed once per gang; it can sit in one network only.
    truth = truth[truth["role"] != "victim"].drop_duplicates(["kind", "id"])
    mules = set(truth.loc[(truth["kind"] == "sim")
                          & truth["role"].isin(["caller_sim", "sms_sim"]), "id"])
    flagged = set(result.sim_scores.loc[result.sim_scores["flagged"], "msisdn"])
    named = members[members["role"] != "victim"]
    labelled = truth.merge(named[["kind", "id", "network_id"]], on=["kind", "id"], how="left")
    predicted = [n if isinstance(n, str) else f"alone-{i}"
                 for i, n in enumerate(labelled["network_id"])]
    ari = adjusted_rand_score(labelled["gang_id"], predicted)
    judged = named[named["kind"].isin(TRUTH_KINDS)].merge(truth, on=["kind", "id"], how="left")
    per_network = judged.dropna(subset=["gang_id"]).groupby(["network_id", "gang_id"]).size()
    merged = per_network[per_network >= 3].groupby(level=0).size()
    print(f"quality on {world} ({seconds:.0f} s; {truth['gang_id'].nunique()} gangs, "
          f"{len(summaries)} networks, {len(result.hubs)} hubs removed)")
    print(f"  mule SIMs: recall {len(flagged & mules) / max(len(mules), 1):.3f}, precision "
          f"{len(flagged & mules) / max(len(flagged), 1):.3f}")
    print(f"  gangs: ARI {ari:.3f} over {len(truth)} true members "
          f"({labelled['network_id'].notna().mean():.3f} of them named)")
    print(f"  named members that are true gang members: {judged['gang_id'].notna().mean():.3f} "
          f"of {len(judged)} (plus {len(named) - len(judged)} LINE ids, not in the truth)")
    print(f"  networks holding >= 3 members of two or more gangs: {int((merged > 1).sum())}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, default=10_000_000)
    parser.add_argument("--baseline-edges", type=int, default=300_000)
    parser.add_argument("--world", type=Path, action="append", default=[])
    args = parser.parse_args()
    if args.edges:
        bench_speed(args.edges, args.baseline_edges)
    for world in args.world:
        bench_quality(world)


if __name__ == "__main__":
    main()
