"""Money-trail benchmarks: quality on AMLGentex, speed on 10M synthetic transfers.

Run: ``.venv/bin/python bench/bench_trace.py [--quality] [--speed] [--spark]``
(no flag: both). Each figure is printed beside a baseline measured in the same run.

Quality (../shared/data/amlgentex-dev): for the layered laundering patterns (stack,
scatter_gather, gather_scatter) trace from each first-layer transaction (sent by a member
that receives nothing in the pattern) with 4 hops and a 30-step window. Recall: the
pattern's transactions reachable from the seed by a time-respecting path within those
hops and window that the trace follows. Precision: the share of traced transactions
(seeds excluded) that are laundering, against a plain forward breadth-first search with
the same hops and window (which reaches everything reachable).
"""

from __future__ import annotations

import scamtrace  # noqa: F401  first, before numpy: its CPU dispatch (scamtrace.numpy_cpu)

# isort: split
import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scamtrace.analytics import create_engine, load_transactions
from scamtrace.analytics.trace import TraceOptions, trace_victim_transfers
from scamtrace.analytics.trace.ledger_index import LedgerIndex

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "amlgentex-dev"
LAYERED = {5: "stack", 7: "scatter_gather", 8: "gather_scatter"}
HOPS, WINDOW = 4, 30
# Follow every cent: pooling dilutes a seed's share, and a pattern's small transfers
# (AMLGentex has some under 2) count towards recall.
MIN_AMOUNT = 0.01


def bfs_sql(hops: int, window: int) -> str:
    """Time-respecting forward BFS from each seed: every transfer leaving a reached
    account no earlier than money first reached it, within the window of the seed."""
    hop_ctes = []
    for h in range(2, hops + 1):
        hop_ctes.append(f"""
        reach{h} AS (
            SELECT seed_id, seed_ts, account, min(t_in) AS t_in FROM (
                SELECT seed_id, seed_ts, account, t_in FROM reach{h - 1}
                UNION ALL
                SELECT r.seed_id, r.seed_ts, t.dst, t.ts FROM reach{h - 1} r
                JOIN transactions t ON t.src = r.account AND t.ts >= r.t_in
                 AND t.ts <= r.seed_ts + {window} AND t.src <> t.dst
            ) GROUP BY 1, 2, 3
        )""")
    return f"""
    WITH reach1 AS (
        SELECT t.tx_id AS seed_id, t.ts AS seed_ts, t.dst AS account, t.ts AS t_in
        FROM transactions t JOIN seeds s ON s.tx_id = t.tx_id
    ), {",".join(hop_ctes)}
    SELECT DISTINCT r.seed_id, t.tx_id FROM reach{hops - 1} r
    JOIN transactions t ON t.src = r.account AND t.ts >= r.t_in
     AND t.ts <= r.seed_ts + {window} AND t.src <> t.dst AND t.tx_id <> r.seed_id
    """


def quality(engine_name: str = "duckdb") -> None:
    if not DATA.is_dir():
        print(f"skip quality: {DATA} not found")
        return
    raw = pq.read_table(
        DATA / "transactions.parquet",
        columns=["step", "amount", "nameOrig", "nameDest", "isSAR", "patternID", "modelType"],
    ).to_pandas()
    raw["tx_id"] = np.arange(len(raw))
    sar = raw[raw["isSAR"] == 1]
    layered = sar[sar["modelType"].isin(LAYERED)]
    receivers = set(zip(layered["patternID"], layered["nameDest"]))
    first = layered[
        [(p, s) not in receivers for p, s in zip(layered["patternID"], layered["nameOrig"])]
    ]
    seeds = first["tx_id"].tolist()
    pattern_of = dict(zip(sar["tx_id"], sar["patternID"]))
    is_sar = dict(zip(sar["tx_id"], [True] * len(sar)))
    with create_engine(engine_name, **({"threads": 2} if engine_name == "duckdb" else {})) as eng:
        load_transactions(
            eng,
            raw[["tx_id", "nameOrig", "nameDest", "amount", "step"]],
            "src=nameOrig,dst=nameDest,ts=step",
        )
        eng.register(pa.table({"tx_id": pa.array(seeds, pa.int64())}), "seeds")
        started = time.perf_counter()
        bfs = eng.fetch_pandas(bfs_sql(HOPS, WINDOW))
        bfs_seconds = time.perf_counter() - started
        results = {}
        for policy in ("matched", "fifo", "proportional", "taint-first", "lifo"):
            started = time.perf_counter()
            trail = trace_victim_transfers(
                eng,
                seeds,
                TraceOptions(policy=policy, max_hops=HOPS, window=WINDOW, min_amount=MIN_AMOUNT),
            ).trail
            results[policy] = (trail[trail["hop"] > 1], time.perf_counter() - started)
    seed_pattern = {s: pattern_of[s] for s in seeds}
    reachable = bfs[
        [pattern_of.get(t) == seed_pattern[s] for s, t in zip(bfs["seed_id"], bfs["tx_id"])]
    ]
    truth = set(zip(reachable["seed_id"], reachable["tx_id"]))
    bfs_precision = np.mean([t in is_sar for t in bfs["tx_id"]])
    print(
        f"AMLGentex dev, layered patterns: {len(seeds)} first-layer seeds, {len(truth)} "
        f"reachable same-pattern transfers, {HOPS} hops, {WINDOW}-step window"
    )
    print(
        f"  baseline BFS: {len(bfs)} traced transfers, recall 1.000, laundering share "
        f"{bfs_precision:.3f} ({bfs_seconds:.2f} s)"
    )
    for policy, (trail, seconds) in results.items():
        pairs = set(zip(trail["seed_id"], trail["tx_id"]))
        recall = len(pairs & truth) / len(truth)
        precision = np.mean([t in is_sar for t in trail["tx_id"]]) if len(trail) else 0.0
        print(
            f"  {policy:12s}: {len(trail)} traced transfers, recall {recall:.3f}, "
            f"laundering share {precision:.3f} = {precision / bfs_precision:.1f}x BFS "
            f"({seconds:.2f} s)"
        )


def speed(n_transfers: int = 10_000_000, n_seeds: int = 1_000, baseline_seeds: int = 100) -> None:
    """1,000 seeds over 10M transfers on DuckDB with 2 threads, against networkx per seed."""
    from trace_baseline import build_graph, trace_one_seed_fifo, trace_one_seed_lifo
    from trace_synthetic import synthetic_transfers

    table, seeds = synthetic_transfers(n_transfers, n_seeds)
    window = 48 * 3600
    timings = {}
    scratch = tempfile.TemporaryDirectory()
    path = Path(scratch.name) / "transfers.parquet"
    pq.write_table(table, path)  # the investigator's file (written untimed)
    with create_engine("duckdb", threads=2) as eng:
        # end to end, as `scamtrace trace` runs: read the file, build the ledger index,
        # trace
        started, cpu = time.perf_counter(), time.process_time()
        load_transactions(eng, path)
        load_seconds, load_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        index = LedgerIndex.build(eng)
        index_seconds, index_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        first = trace_victim_transfers(eng, seeds, TraceOptions(max_hops=HOPS, window=window),
                                       index=index)
        trace_seconds, trace_cpu = time.perf_counter() - started, time.process_time() - cpu
        end_to_end = load_seconds + index_seconds + trace_seconds
        end_to_end_cpu = load_cpu + index_cpu + trace_cpu
        del first
        scratch.cleanup()
        trails = {}
        for label, policy, method, repeats in (
                ("fifo", "fifo", "kernel", 5), ("proportional", "proportional", "kernel", 5),
                ("taint-first", "taint-first", "kernel", 3), ("lifo", "lifo", "kernel", 3),
                ("fifo SQL", "fifo", "sql", 1), ("matched SQL", "matched", "sql", 1)):
            runs = []
            for _ in range(repeats):  # the median of several runs: the machine is shared
                started, cpu = time.perf_counter(), time.process_time()
                result = trace_victim_transfers(eng, seeds, TraceOptions(
                    policy=policy, max_hops=HOPS, window=window, method=method), index=index)
                runs.append((time.perf_counter() - started, time.process_time() - cpu))
            wall, cpu = (float(np.median(v)) for v in zip(*runs))
            timings[label] = (wall, cpu, len(result.trail))
            trails[label] = result.trail
    kernel, sql = trails["fifo"], trails["fifo SQL"]
    same_rows = kernel[["seed_id", "hop", "tx_id"]].equals(sql[["seed_id", "hop", "tx_id"]])
    differ = int((kernel["amount_traced"] != sql["amount_traced"]).sum()) if same_rows else -1
    gap = float((kernel["amount_traced"] - sql["amount_traced"]).abs().max()) if same_rows else -1
    del index, trails, kernel, sql
    # networkx holds ~1 KB per edge, so 10M edges do not fit beside the other engineers'
    # work here: the baseline runs on a tenth of the data made by the same generator
    # (same accounts' degree, same 30 days), where a seed's neighbourhood is as large.
    small, small_seeds = synthetic_transfers(n_transfers // 10, n_seeds)
    started = time.perf_counter()
    graph = build_graph(small)
    graph_seconds = time.perf_counter() - started
    edges = {k: (u, v, k) for u, v, k in graph.edges(keys=True)}
    per_seed, per_seed_cpu, baseline_trails = {}, {}, {}
    for policy, trace_one in (("fifo", trace_one_seed_fifo), ("lifo", trace_one_seed_lifo)):
        started, cpu = time.perf_counter(), time.process_time()
        baseline_trails[policy] = [trace_one(graph, edges[seed], HOPS, window, 1.0)
                                   for seed in small_seeds[:baseline_seeds]]
        per_seed[policy] = (time.perf_counter() - started) / baseline_seeds
        per_seed_cpu[policy] = (time.process_time() - cpu) / baseline_seeds
    del graph, edges
    small_kernel, same_trails = {}, {}
    with create_engine("duckdb", threads=2) as eng:
        load_transactions(eng, small)
        small_index = LedgerIndex.build(eng)
        for policy in ("fifo", "lifo"):
            started = time.perf_counter()
            small_trail = trace_victim_transfers(eng, small_seeds, TraceOptions(
                policy=policy, max_hops=HOPS, window=window), index=small_index).trail
            small_kernel[policy] = time.perf_counter() - started
            # the baseline's trails against the kernel's, seed by seed
            same_trails[policy] = sum(
                _same_trail(small_trail[small_trail["seed_id"] == seed], theirs)
                for seed, theirs in zip(small_seeds, baseline_trails[policy]))
    baseline, baseline_cpu = per_seed["fifo"] * n_seeds, per_seed_cpu["fifo"] * n_seeds
    lifo_baseline = per_seed["lifo"] * n_seeds
    print(f"Speed: {n_seeds} seeds over {n_transfers:,} synthetic transfers, {HOPS} hops, 48h "
          f"window, DuckDB 2 threads")
    print(f"  end to end, FIFO (what `scamtrace trace` does): read the Parquet file and "
          f"canonicalise {load_seconds:.2f} s ({load_cpu:.2f} s CPU) + ledger index "
          f"{index_seconds:.2f} s ({index_cpu:.2f} s CPU) + trace {trace_seconds:.3f} s "
          f"({trace_cpu:.3f} s CPU) = {end_to_end:.2f} s wall ({end_to_end_cpu:.2f} s CPU); "
          f"networkx baseline with its graph building, scaled: "
          f"{baseline + graph_seconds * 10:.1f} s wall = "
          f"{(baseline + graph_seconds * 10) / end_to_end:.1f}x")
    print("  trace only, the index built (medians of 5 runs, 3 for taint-first and lifo; "
          "everything "
          "the call returns included: trail, accounts, summary):")
    for label, (seconds, cpu, rows) in timings.items():
        print(f"  {label:12s}: {seconds * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU ({rows} trail "
              f"rows); networkx per-seed FIFO baseline {baseline:.2f} s wall = "
              f"{baseline / seconds:.1f}x, {baseline_cpu:.2f} s CPU = "
              f"{baseline_cpu / max(cpu, 1e-9):.1f}x")
    print(f"  kernel FIFO trail rows identical to the SQL FIFO trail rows: {same_rows}; "
          f"amounts differing {differ} of {timings['fifo'][2]} (largest gap {gap:.6f}: "
          f"rounding of sums added in another order)")
    lifo_seconds = timings["lifo"][0]
    print(f"  lifo against a like-for-like networkx per-seed LIFO baseline: "
          f"{lifo_baseline:.2f} s wall = {lifo_baseline / lifo_seconds:.1f}x")
    print(f"  baseline: {per_seed['fifo'] * 1000:.1f} ms per seed over {len(small):,} transfers "
          f"({per_seed_cpu['fifo'] * 1000:.1f} ms CPU; LIFO {per_seed['lifo'] * 1000:.1f} ms, "
          f"{per_seed_cpu['lifo'] * 1000:.1f} ms CPU), {baseline_seeds} seeds timed and scaled "
          f"to {n_seeds}; its graph built in {graph_seconds:.1f} s; kernel on that same tenth, "
          f"all {n_seeds} seeds: FIFO {small_kernel['fifo'] * 1000:.0f} ms, LIFO "
          f"{small_kernel['lifo'] * 1000:.0f} ms; the baseline's trails equal the kernel's "
          f"(same transfers, amounts within 1e-6) for FIFO {same_trails['fifo']} and LIFO "
          f"{same_trails['lifo']} of its {baseline_seeds} seeds")


def _same_trail(ours, theirs: dict) -> bool:
    """Whether a seed's kernel trail has the same transfers and amounts (within 1e-6;
    per transfer, summed over hops) as a per-seed baseline's."""
    mine = ours.groupby("tx_id")["amount_traced"].sum().to_dict()
    return mine.keys() == theirs.keys() and all(
        abs(mine[k] - theirs[k]) <= 1e-6 * max(1.0, abs(theirs[k])) for k in mine)


def simulator(world: Path,
              policies: tuple[str, ...] = ("fifo", "proportional", "taint-first", "matched")
              ) -> None:
    """Quality on a simulated world: trace its bank complaints' victim transfers (6 hops,
    48 h, as ``scamtrace demo``) and score against the world's truth.

    Located: of the victims' money, the share the trace places at the account where the
    truth says it ended (per victim and account: sinks' inflow, other accounts' remainder;
    also with all victims' money pooled per account). Mule recall: of the mule accounts
    the victims' money passed through, the share on the trails. Precision: of the
    accounts the trails flag (traced money reached them and they send on: not sinks), the
    share that are mules. Baseline: a time-respecting BFS from the same seeds (every
    later transfer, same hops and window) flags every account it reaches.
    """
    import pandas as pd
    import pyarrow.compute as pc

    reports = pq.read_table(world / "reports.parquet", columns=["channel", "tx_id"])
    bank = reports.filter(pc.equal(reports.column("channel"), "bank"))
    seeds = sorted(set(bank.column("tx_id").drop_null().to_pylist()))
    flows = pq.read_table(world / "truth" / "truth_flows.parquet").to_pandas()
    entities = pq.read_table(world / "truth" / "truth_entities.parquet").to_pandas()
    mules = set(entities.loc[(entities["kind"] == "account")
                             & entities["role"].str.startswith("mule"), "id"])
    flows = flows[flows["victim_tx_id"].isin(seeds)]
    reached = set(flows["dst_account"]) & mules
    inflow = flows.groupby(["victim_tx_id", "dst_account"])["amount_carried"].sum()
    outflow = flows.groupby(["victim_tx_id", "src_account"])["amount_carried"].sum()
    outflow.index.names = inflow.index.names
    truth_end = inflow.sub(outflow, fill_value=0).clip(lower=0)
    first_hop = flows["hop"] == flows.groupby("victim_tx_id")["hop"].transform("min")
    victims_total = flows.loc[first_hop, "amount_carried"].sum()
    true_pairs = set(zip(flows["victim_tx_id"], flows["tx_id"]))
    hops, window = 6, 48 * 3600
    print(f"Simulator world {world.name}: {len(seeds)} reported victim transfers, "
          f"{len(true_pairs)} laundering transfers, {len(reached)} mule accounts on their "
          f"trails, {hops} hops, 48 h")
    with create_engine("duckdb", threads=2) as eng:
        load_transactions(eng, world / "transactions.parquet",
                          "src=src_account,dst=dst_account,amount=amount,ts=ts,id=tx_id")
        eng.register(pa.table({"tx_id": pa.array(seeds, pa.int64())}), "seeds")
        bfs = eng.fetch_pandas(bfs_sql(hops, window))
        eng.register(bfs, "bfs_rows")
        # what BFS flags: the accounts its transfers reach that send on (as the trace's)
        bfs_accounts = set(eng.fetch_pandas(
            "SELECT DISTINCT t.dst FROM transactions t WHERE t.tx_id IN (SELECT tx_id FROM "
            "bfs_rows) AND t.dst IN (SELECT src FROM transactions)")["dst"])
        bfs_accounts |= set(eng.fetch_pandas(
            "SELECT DISTINCT t.src FROM transactions t WHERE t.tx_id IN (SELECT tx_id FROM "
            "bfs_rows)")["src"])
        print(f"  BFS baseline: {len(bfs)} transfers, flags {len(bfs_accounts)} accounts, "
              f"mule recall {len(reached & bfs_accounts) / len(reached):.3f}, precision "
              f"{len(bfs_accounts & mules) / max(len(bfs_accounts), 1):.3f}")
        for policy in policies:
            started = time.perf_counter()
            result = trace_victim_transfers(eng, seeds, TraceOptions(
                policy=policy, max_hops=hops, window=window, min_amount=1.0))
            seconds = time.perf_counter() - started
            acc = result.accounts
            sink = acc["is_sink"].astype(bool)
            ours = acc.assign(end=acc["amount_in"].where(sink, acc["amount_remaining"]))
            ours_end = ours.groupby(["seed_id", "account"])["end"].sum()
            ours_end.index.names = truth_end.index.names
            both = pd.concat([truth_end, ours_end], axis=1, keys=["truth", "ours"]).fillna(0)
            located = both.min(axis=1).sum() / victims_total
            pooled = both.groupby(level=1).sum().min(axis=1).sum() / victims_total
            traced = set(zip(result.trail["seed_id"], result.trail["tx_id"]))
            flagged = set(acc.loc[~sink, "account"])
            print(f"  {policy:12s}: located {located:.3f} per victim ({pooled:.3f} all victims "
                  f"pooled); laundering transfers followed {len(true_pairs & traced)} of "
                  f"{len(true_pairs)} (+{len(traced - true_pairs)} others); mule recall "
                  f"{len(reached & set(acc['account'])) / len(reached):.3f}; flags "
                  f"{len(flagged)} accounts, precision {len(flagged & mules) / max(len(flagged), 1):.3f}"
                  f" ({seconds:.1f} s)")


def spark_parity() -> None:
    """The same AMLGentex trails on Spark as on DuckDB (matched policy, first 40 seeds)."""
    raw = pq.read_table(DATA / "transactions.parquet",
                        columns=["step", "amount", "nameOrig", "nameDest", "isSAR", "patternID",
                                 "modelType"]).to_pandas()
    raw["tx_id"] = np.arange(len(raw))
    seeds = raw[(raw["isSAR"] == 1) & raw["modelType"].isin(LAYERED)]["tx_id"].tolist()[:40]
    trails = {}
    for name in ("duckdb", "spark"):
        with create_engine(name) as eng:
            load_transactions(eng, raw[["tx_id", "nameOrig", "nameDest", "amount", "step"]],
                              "src=nameOrig,dst=nameDest,ts=step")
            started = time.perf_counter()
            trails[name] = trace_victim_transfers(eng, seeds, TraceOptions(
                policy="matched", max_hops=HOPS, window=WINDOW, min_amount=MIN_AMOUNT)).trail
            print(f"  {name}: {len(trails[name])} trail rows in {time.perf_counter() - started:.1f} s")
    same = trails["duckdb"].equals(trails["spark"])
    print(f"Spark parity on AMLGentex (40 seeds, matched): identical trails: {same}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality", action="store_true")
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--spark", action="store_true")
    parser.add_argument("--transfers", type=int, default=10_000_000)
    parser.add_argument("--simulator", type=Path, action="append", default=[],
                        help="a simulated world's directory (repeatable)")
    parser.add_argument("--policies", default="fifo,proportional,taint-first,matched",
                        help="--simulator: the policies to measure, comma-separated")
    args = parser.parse_args()
    everything = not (args.quality or args.speed or args.spark or args.simulator)
    for world in args.simulator:
        simulator(world, tuple(args.policies.split(",")))
    if args.quality or everything:
        quality()
    if args.speed or everything:
        speed(args.transfers)
    if args.spark:
        spark_parity()
