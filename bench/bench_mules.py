"""Mule-account scoring: quality on AMLSim (labels per account) and speed on 10M transfers.

Run: .venv/bin/python bench/bench_mules.py [--skip-speed] [--skip-quality] [--rows N]

Quality (../shared/data/amlsim-fanin200, 20,000 accounts, 954 laundering accounts):
  - supervised, out-of-fold average precision, beside LightGBM on plain per-account
    aggregates (same folds) and an in-degree ranking, both measured here; also the
    supervised figure without the known-mule counts (what those counts add);
  - unsupervised typology scoring average precision, beside the same in-degree ranking.
Also (reported, not tuned on) ../shared/data/amlgentex-dev account labels.
Speed: typology scoring of N synthetic transactions (default 10 million) on DuckDB,
beside the time DuckDB takes just to aggregate plain per-account sums of the same table;
wall-clock and CPU time of both, and the load average (the machine is shared).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.metrics import average_precision_score

from scamtrace.analytics import create_engine, load_transactions
from scamtrace.analytics.mules import score_mule_accounts
from scamtrace.analytics.mules.model import out_of_fold_scores

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

PLAIN_AGGREGATES = """
    SELECT account, sum(n_in) AS n_in, sum(n_out) AS n_out, sum(sum_in) AS sum_in,
           sum(sum_out) AS sum_out, max(max_in) AS max_in, max(max_out) AS max_out,
           min(min_in) AS min_in, min(min_out) AS min_out,
           sum(sum_in) / nullif(sum(n_in), 0) AS mean_in,
           sum(sum_out) / nullif(sum(n_out), 0) AS mean_out
    FROM (
        SELECT dst AS account, count(*) AS n_in, 0 AS n_out, sum(amount) AS sum_in,
               0.0 AS sum_out, max(amount) AS max_in, CAST(NULL AS DOUBLE) AS max_out,
               min(amount) AS min_in, CAST(NULL AS DOUBLE) AS min_out
        FROM transactions GROUP BY dst
        UNION ALL
        SELECT src, 0, count(*), 0.0, sum(amount), NULL, max(amount), NULL, min(amount)
        FROM transactions GROUP BY src
    ) AS u GROUP BY account"""


def _ap(labels: pd.Series, scores: pd.Series) -> float:
    aligned = scores.reindex(labels.index).fillna(scores.min() - 1 if len(scores) else 0)
    return float(average_precision_score(labels.to_numpy(), aligned.to_numpy()))


def quality_amlsim() -> None:
    folder = DATA / "amlsim-fanin200"
    if not folder.exists():
        print(f"skip AMLSim: {folder} absent")
        return
    nodes = pd.read_csv(folder / "nodes.csv")
    labels = pd.Series(nodes["isFraud"].to_numpy(), index=nodes["nodeid"].astype(str))
    with create_engine("duckdb", threads=2) as engine:
        txs = load_transactions(engine, folder / "transactions.csv",
                                "src=sourceNodeId,dst=targetNodeId,amount=value,ts=time")
        started = time.perf_counter()
        typology = score_mule_accounts(engine, txs)
        typology_s = time.perf_counter() - started
        started = time.perf_counter()
        supervised = score_mule_accounts(engine, txs, labels=labels, folds=5)
        supervised_s = time.perf_counter() - started
        unaided = score_mule_accounts(engine, txs, labels=labels, folds=5, label_neighbours=False)
        plain = engine.fetch_pandas(PLAIN_AGGREGATES)
    plain["account"] = plain["account"].astype(str)
    plain = plain.set_index("account").reindex(labels.index)
    in_degree = plain["n_in"].fillna(0)
    plain_scores = out_of_fold_scores(plain.astype(float), labels.astype(float), folds=5)
    baseline_ap = _ap(labels, pd.Series(plain_scores, index=labels.index))
    degree_ap = _ap(labels, in_degree)
    sup_ap = _ap(labels, supervised.scores.set_index("account")["score"])
    typ_ap = _ap(labels, typology.scores.set_index("account")["score"])
    unaided_ap = _ap(labels, unaided.scores.set_index("account")["score"])
    print("AMLSim fan-in 200 (20,000 accounts, 954 laundering), average precision:")
    print(f"  supervised out-of-fold (5 folds): {sup_ap:.3f}  vs LightGBM on plain aggregates "
          f"{baseline_ap:.3f} ({sup_ap / baseline_ap:.2f}x), in-degree ranking {degree_ap:.3f} "
          f"({sup_ap / degree_ap:.1f}x)  [{supervised_s:.1f} s]")
    print(f"    of which without counting known mules among counterparties: {unaided_ap:.3f}")
    print(f"  typology scoring (no labels):     {typ_ap:.3f}  vs in-degree ranking "
          f"{degree_ap:.3f} ({typ_ap / degree_ap:.1f}x)  [{typology_s:.1f} s]")


def quality_amlgentex() -> None:
    folder = DATA / "amlgentex-dev"
    if not folder.exists():
        print(f"skip AMLGentex: {folder} absent")
        return
    accounts = pd.read_csv(folder / "accounts.csv")
    labels = pd.Series(accounts["IS_SAR"].astype(str).str.lower().eq("true").astype(int).to_numpy(),
                       index=accounts["ACCOUNT_ID"].astype(str))
    import pyarrow.parquet as pq
    # External source/sink rows (-2/-1) and opening balances are not account-to-account.
    table = pq.read_table(folder / "transactions.parquet",
                          columns=["step", "amount", "nameOrig", "nameDest", "type"])
    frame = table.to_pandas()
    frame = frame[(frame["nameOrig"] >= 0) & (frame["nameDest"] >= 0)]
    frame = frame[["nameOrig", "nameDest", "amount", "step"]].reset_index(drop=True)
    with create_engine("duckdb", threads=2) as engine:
        txs = load_transactions(engine, pa.Table.from_pandas(frame, preserve_index=False),
                                "src=nameOrig,dst=nameDest,amount=amount,ts=step")
        typology = score_mule_accounts(engine, txs)
        supervised = score_mule_accounts(engine, txs, labels=labels, folds=5)
        unaided = score_mule_accounts(engine, txs, labels=labels, folds=5, label_neighbours=False)
        in_degree = engine.fetch_pandas(
            "SELECT CAST(dst AS VARCHAR) AS account, count(*) AS n FROM transactions GROUP BY dst")
    degree_ap = _ap(labels, in_degree.set_index("account")["n"])
    sup_ap = _ap(labels, supervised.scores.set_index("account")["score"])
    typ_ap = _ap(labels, typology.scores.set_index("account")["score"])
    print(f"AMLGentex dev (10,000 accounts, {int(labels.sum())} SAR; not tuned on), "
          "average precision:")
    unaided_ap = _ap(labels, unaided.scores.set_index("account")["score"])
    print(f"  supervised out-of-fold: {sup_ap:.3f} (without known-mule counts {unaided_ap:.3f}), "
          f"typology: {typ_ap:.3f}, "
          f"in-degree ranking: {degree_ap:.3f}, prevalence {labels.mean():.3f}")


def synthetic_transactions(rows: int, seed: int = 7) -> pa.Table:
    """Timestamped transfers among rows/10 accounts with skewed activity and lognormal amounts."""
    rng = np.random.default_rng(seed)
    accounts = max(rows // 10, 10)
    # Pareto-skewed account activity: a few busy accounts, many quiet ones.
    weights = rng.pareto(1.5, accounts) + 1
    weights /= weights.sum()
    src = rng.choice(accounts, rows, p=weights)
    dst = rng.choice(accounts, rows, p=weights)
    start = 1_767_225_600  # 2026-01-01 UTC
    ts = np.sort(rng.integers(start, start + 90 * 86400, rows))
    amount = np.round(rng.lognormal(7.5, 1.2, rows), 2)
    return pa.table({"src": src, "dst": dst, "amount": amount,
                     "ts": pa.array(ts * 1_000_000, pa.timestamp("us", tz="UTC"))})


def speed(rows: int) -> None:
    table = synthetic_transactions(rows)
    with create_engine("duckdb", threads=2) as engine:
        txs = load_transactions(engine, table, "src=src,dst=dst,amount=amount,ts=ts")
        started, cpu = time.perf_counter(), time.process_time()
        engine.execute(PLAIN_AGGREGATES, "plain_aggregates")
        plain_s, plain_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        result = score_mule_accounts(engine, txs)
        mule_s, mule_cpu = time.perf_counter() - started, time.process_time() - cpu
    load = os.getloadavg()[0]
    print(f"Speed, {rows:,} synthetic transactions, {len(result.scores):,} accounts, DuckDB "
          f"2 threads (load average {load:.1f}): typology scoring {mule_s:.1f} s wall, "
          f"{mule_cpu:.1f} s CPU (bar: < 60 s) vs plain per-account aggregates {plain_s:.1f} s "
          f"wall, {plain_cpu:.1f} s CPU ({mule_s / plain_s:.1f}x wall, "
          f"{mule_cpu / plain_cpu:.1f}x CPU)")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--rows", type=int, default=10_000_000)
    args = parser.parse_args(argv)
    if not args.skip_quality:
        quality_amlsim()
        quality_amlgentex()
    if not args.skip_speed:
        speed(args.rows)


if __name__ == "__main__":
    main(sys.argv[1:])
