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

Scam types (``--world``): each network's listed types against the true types of the
gang most of its members belong to.
"""

from __future__ import annotations

import scamtrace  # noqa: F401  first, before numpy: its CPU dispatch (scamtrace.numpy_cpu)

# isort: split
import argparse
import resource
import time
from pathlib import Path

import pandas as pd

from scamtrace.analytics import create_engine
from scamtrace.analytics.networks.discover import NetworkOptions
from scamtrace.analytics.networks.graph import hubs_and_communities
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
        t0, c0 = time.perf_counter(), time.process_time()
        k0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        graph = entity_graph_from_engine(engine, "synthetic_edges")
        t_graph = time.perf_counter() - t0
        options = NetworkOptions()  # the command's settings
        hubs, members = hubs_and_communities(
            graph, options.hubs, resolution=options.resolution,
            min_split_nodes=options.min_split_nodes, max_conductance=options.max_conductance)
        ours, cpu = time.perf_counter() - t0, time.process_time() - c0
        k1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        child = (k1.ru_utime + k1.ru_stime) - (k0.ru_utime + k0.ru_stime)
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
          f"(numbering {t_graph:.1f} s, hubs and communities {ours - t_graph:.1f} s; "
          f"{cpu:.1f} CPU-s in this process, {child:.1f} in the forked Leiden process), "
          f"{n_edges / ours / 1e6:.2f} M edges/s, "
          f"{len(hubs)} hubs, {members['community'].nunique():,} communities; "
          f"target under 60 s: {'met' if ours < 60 else 'NOT met'}")
    print(f"  networkx Louvain baseline on {n_baseline:,} edges: {base:6.1f} s, "
          f"{n_baseline / base / 1e6:.2f} M edges/s, {len(found):,} communities")
    print(f"  ratio: {(n_edges / ours) / (n_baseline / base):.1f}x")


def bench_quality(world: Path, out: Path | None = None) -> None:
    from sklearn.metrics import adjusted_rand_score

    from scamtrace.analytics.networks.commands import write_networks
    from scamtrace.analytics.networks.describe import describe_networks
    from scamtrace.analytics.networks.discover import discover_networks
    from scamtrace.analytics.sims.sim_inputs import world_sources

    t0 = time.perf_counter()
    with create_engine("duckdb", threads=2) as engine:
        result = discover_networks(engine, world_sources(world))
    members, summaries = describe_networks(result)
    seconds = time.perf_counter() - t0
    if out is not None:
        write_networks(out, members, summaries, result)
    truth = pd.read_parquet(world / "truth" / "truth_entities.parquet")
    truth = truth[truth["role"] != "victim"]
    gangs_of = truth.groupby(["kind", "id"])["gang_id"].nunique()
    exclusive = gangs_of[gangs_of == 1].index
    # A mule shared by two gangs is listed once per gang; it can sit in one network only.
    truth = truth.drop_duplicates(["kind", "id"])
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
    # Members of one gang only: a mule two gangs share belongs with either.
    own = judged[pd.MultiIndex.from_frame(judged[["kind", "id"]]).isin(exclusive)]
    per_own = own.groupby(["network_id", "gang_id"]).size()
    merged_own = per_own[per_own >= 3].groupby(level=0).size()
    print(f"quality on {world} ({seconds:.0f} s; {truth['gang_id'].nunique()} gangs, "
          f"{len(summaries)} networks, {len(result.hubs)} hubs removed)")
    print(f"  mule SIMs: recall {len(flagged & mules) / max(len(mules), 1):.3f}, precision "
          f"{len(flagged & mules) / max(len(flagged), 1):.3f}")
    print(f"  gangs: ARI {ari:.3f} over {len(truth)} true members "
          f"({labelled['network_id'].notna().mean():.3f} of them named)")
    print(f"  named members that are true gang members: {judged['gang_id'].notna().mean():.3f} "
          f"of {len(judged)} (plus {len(named) - len(judged)} LINE ids, not in the truth)")
    print(f"  networks holding >= 3 members of two or more gangs: {int((merged > 1).sum())}; "
          f">= 3 members belonging to one gang only, of two or more gangs: "
          f"{int((merged_own > 1).sum())}")
    print_scam_types(world, judged, summaries)


def print_scam_types(world: Path, judged: pd.DataFrame, summaries: list[dict]) -> None:
    """Each network's listed scam types against those of the gang most of its members
    belong to (the simulator's gangs.parquet)."""
    gangs = pd.read_parquet(world / "truth" / "gangs.parquet")
    true_types = {g: set(t.split(",")) for g, t in zip(gangs["gang_id"], gangs["scam_types"],
                                                       strict=True)}
    majority = (judged.dropna(subset=["gang_id"]).groupby("network_id")["gang_id"]
                .agg(lambda g: g.value_counts().index[0]))
    exact, jaccard, listed, right, untyped = 0, [], 0, 0, 0
    for summary in summaries:
        gang = majority.get(summary["network_id"])
        if gang is None:
            continue
        found, truth = set(summary["scam_types"]), true_types[gang]
        untyped += not found
        exact += found == truth
        jaccard.append(len(found & truth) / len(found | truth))
        listed += len(found)
        right += len(found & truth)
    n = max(len(jaccard), 1)
    print(f"  scam types, {len(jaccard)} networks against their majority gang: exact set "
          f"{exact / n:.3f}, mean Jaccard {sum(jaccard) / n:.3f}, listed types right "
          f"{right / max(listed, 1):.3f}, networks untyped {untyped}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, default=10_000_000)
    parser.add_argument("--baseline-edges", type=int, default=300_000)
    parser.add_argument("--world", type=Path, action="append", default=[])
    parser.add_argument("--out", type=Path, help="write each world's networks under OUT/<world name>")
    args = parser.parse_args()
    if args.edges:
        bench_speed(args.edges, args.baseline_edges)
    for world in args.world:
        bench_quality(world, args.out / world.name if args.out else None)


if __name__ == "__main__":
    main()
