"""Mule-SIM feature extraction speed on DuckDB (2 threads), beside a pandas baseline.

Generates call records in DuckDB (SIMs calling mostly within a contact circle, a few
hundred heavy callers), then times the whole feature pipeline of
:mod:`scamtrace.analytics.sims` over all of them, and a pandas implementation of the same
call-record features on the same rows. Prints records per second for both and the ratio.

    .venv/bin/python bench/bench_sims.py [--calls 10000000] [--pandas-calls 2000000]
    .venv/bin/python bench/bench_sims.py --calls 4000000 --world-calls WORLD/calls.parquet

With ``--world DIR`` it also scores a simulated world's SIMs and prints recall and
precision of the flagged set against DIR/truth (caller and SMS SIMs); with
``--world DIR --scores scores.csv`` it only evaluates a ``scamtrace sims`` output.
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from scamtrace.analytics import create_engine
from scamtrace.analytics.sims.features import FeatureWindow, SimTables
from scamtrace.analytics.sims.sim_pipeline import compute_sim_features, default_window

START = datetime(2026, 1, 1)
DAYS = 7


def make_calls(engine, n_calls: int, n_sims: int) -> None:
    """Synthetic call records, generated inside DuckDB (no Python loop)."""
    engine.con.execute(f"""
CREATE OR REPLACE TABLE calls AS
SELECT TIMESTAMP '2026-01-01' + to_seconds(CAST(floor(random() * {DAYS * 86400}) AS BIGINT)) AS ts,
       '+668' || lpad(CAST(a AS VARCHAR), 8, '0') AS caller,
       '+668' || lpad(CAST(CASE WHEN random() < 0.85 THEN (a + CAST(floor(random() * 12) AS BIGINT)) % {n_sims}
                               ELSE CAST(floor(random() * {n_sims}) AS BIGINT) END AS VARCHAR), 8, '0') AS callee,
       CAST(CASE WHEN random() < 0.2 THEN 0 ELSE floor(random() * 300) END AS DOUBLE) AS duration_s,
       'c' || CAST(CAST(floor(random() * 2000) AS BIGINT) AS VARCHAR) AS cell_id,
       '35' || lpad(CAST(a AS VARCHAR), 13, '0') AS imei
FROM (SELECT CASE WHEN random() < 0.02 THEN CAST(floor(random() * 300) AS BIGINT)
                  ELSE CAST(floor(random() * {n_sims}) AS BIGINT) END AS a
      FROM range({n_calls}))""")


def pandas_features(calls: pd.DataFrame, start: pd.Timestamp) -> pd.DataFrame:
    """The call-record features computed with pandas group-bys (the baseline)."""
    flags = calls.assign(short=(calls["duration_s"] > 0) & (calls["duration_s"] < 30),
                         unanswered=calls["duration_s"] <= 0)
    out = flags.groupby("caller").agg(out_calls=("callee", "size"), short=("short", "sum"),
                                      unanswered=("unanswered", "sum"))
    hours = (calls["ts"] - pd.Timestamp("1970-01-01")) // pd.Timedelta(hours=1)
    hourly = calls.assign(h=hours).groupby(["caller", "h"]).size()
    per_hour = hourly.groupby(level=0).agg(["size", "max"])
    local = (hours + 7) % 24
    night = calls[(local >= 22) | (local < 6)].groupby("caller").size()
    inbound = calls.groupby("callee").size()
    pairs = calls.groupby(["caller", "callee"])["ts"].min().rename("first").reset_index()
    rev = pairs.rename(columns={"caller": "callee", "callee": "caller", "first": "rev_first"})
    joined = pairs.merge(rev, on=["caller", "callee"], how="left")
    joined["new"] = joined["rev_first"].isna() | (joined["rev_first"] >= joined["first"])
    callees = joined.groupby("caller").agg(distinct=("callee", "size"), new=("new", "sum"))
    cells = calls.groupby(["caller", "cell_id"]).size().rename("n").reset_index()
    cells["nlogn"] = cells["n"] * np.log(cells["n"])
    ent = cells.groupby("caller").agg(cell_count=("n", "size"), total=("n", "sum"),
                                      nlogn=("nlogn", "sum"))
    ent["entropy"] = np.log(ent["total"]) - ent["nlogn"] / ent["total"]
    dev = calls[["caller", "imei"]].drop_duplicates()
    load = dev.groupby("imei").size().rename("sims")
    dev = dev.join(load, on="imei").groupby("caller").agg(imeis=("imei", "size"),
                                                           sims_per_imei=("sims", "max"))
    frame = out.join(per_hour).join(night.rename("night")).join(inbound.rename("in_calls"))
    frame = frame.join(callees).join(ent[["cell_count", "entropy"]]).join(dev)
    return frame.fillna(0)


def _timed(fn) -> tuple[float, float]:
    """Wall-clock and CPU seconds (all threads of this process) of ``fn()``."""
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t0, time.process_time() - c0


def bench_speed(n_calls: int, n_pandas: int, world_calls: Path | None = None) -> None:
    """Time feature extraction on DuckDB (2 threads) and the pandas baseline, same run.

    The calls are generated (``make_calls``) or, with ``world_calls``, read from a
    simulated world's calls.parquet (its first ``n_calls`` rows in time order: callers
    keep to few cells and handsets there, as real subscribers do).
    """
    with create_engine("duckdb", threads=2) as engine:
        if world_calls is None:
            make_calls(engine, n_calls, max(n_calls // 10, 1000))
            window = FeatureWindow(start=START, end=datetime(2026, 1, 1 + DAYS))
            source = "generated"
        else:
            location = str(world_calls).replace("'", "''")
            engine.con.execute(f"""
CREATE OR REPLACE TABLE calls AS
SELECT ts, caller, callee, CAST(duration_s AS DOUBLE) AS duration_s, cell_id, imei
FROM read_parquet('{location}') ORDER BY ts LIMIT {n_calls}""")
            window = default_window(engine, "calls")
            source = str(world_calls)
        n_calls = int(engine.fetch_pandas("SELECT count(*) AS n FROM calls")["n"].iloc[0])
        compute_sim_features(engine, SimTables(calls="calls"), window, output="warmup")
        runs = [_timed(lambda: compute_sim_features(engine, SimTables(calls="calls"), window))
                for _ in range(2)]
        duck_s, duck_cpu = min(runs)
        sims = engine.fetch_pandas("SELECT count(*) AS n FROM sim_features")["n"].iloc[0]
        sample = engine.fetch_pandas(f"SELECT * FROM calls LIMIT {n_pandas}")
    n_pandas = len(sample)
    pandas_s, pandas_cpu = min(_timed(lambda: pandas_features(sample, pd.Timestamp(window.start)))
                               for _ in range(2))
    duck_rate, pandas_rate = n_calls / duck_s, n_pandas / pandas_s
    print(f"feature extraction, {n_calls:,} call records ({source}) -> {sims:,} SIMs")
    print(f"  DuckDB (2 threads): {duck_s:6.2f} s  {duck_rate / 1e6:6.2f} M records/s  "
          f"(CPU {duck_cpu:6.2f} s: {n_calls / duck_cpu / 1e6:5.2f} M records per CPU-second; "
          f"best of 2)")
    print(f"  pandas baseline   : {pandas_s:6.2f} s  {pandas_rate / 1e6:6.2f} M records/s  "
          f"(CPU {pandas_cpu:6.2f} s: {n_pandas / pandas_cpu / 1e6:5.2f} M records per "
          f"CPU-second; on {n_pandas:,} records, best of 2)")
    print(f"  ratio DuckDB/pandas: {duck_rate / pandas_rate:.1f}x; target >= 5 M records/s: "
          f"{'met' if duck_rate >= 5e6 else 'NOT met'}")


def _mule_sims(world: Path) -> set[str]:
    truth = pd.read_parquet(world / "truth" / "truth_entities.parquet")
    return set(truth.loc[(truth["kind"] == "sim")
                         & truth["role"].isin(["caller_sim", "sms_sim"]), "id"])


def _report(label: str, flagged: set[str], mules: set[str]) -> None:
    hits = len(flagged & mules)
    print(f"  {label}: recall {hits / max(len(mules), 1):.4f}  precision "
          f"{hits / max(len(flagged), 1):.4f}  ({len(flagged)} flagged, "
          f"{len(flagged - mules)} false, {len(mules - flagged)} missed)")


def bench_quality(world: Path) -> None:
    from scamtrace.analytics.sims.scoring import score_sims
    from scamtrace.analytics.sims.sim_inputs import load_sim_tables, world_sources

    mules = _mule_sims(world)
    sources = {k: v for k, v in world_sources(world).items()
               if k not in ("accounts", "transactions")}
    t0 = time.perf_counter()
    with create_engine("duckdb", threads=2) as engine:
        scored = score_sims(engine, load_sim_tables(engine, sources))
    seconds = time.perf_counter() - t0
    print(f"quality on {world} ({len(scored):,} SIMs, {len(mules)} mule SIMs, {seconds:.1f} s)")
    _report("rules", set(scored.loc[scored["flagged"], "msisdn"]), mules)
    # Baseline: NBTC's line alone, more than 100 outbound calls a day.
    _report("baseline >100 calls/day", set(scored.loc[scored["out_calls_per_day"] > 100,
                                                      "msisdn"]), mules)


def evaluate_scores(world: Path, scores: Path) -> None:
    """Recall and precision of a ``scamtrace sims`` output against the world's truth."""
    frame = pd.read_csv(scores, dtype={"msisdn": str, "reasons": str})
    mules = _mule_sims(world)
    print(f"{scores} against {world} ({len(frame):,} SIMs, {len(mules)} mule SIMs)")
    _report("flagged", set(frame.loc[frame["flagged"], "msisdn"]), mules)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10_000_000)
    parser.add_argument("--pandas-calls", type=int, default=2_000_000)
    parser.add_argument("--world", type=Path, action="append", default=[])
    parser.add_argument("--world-calls", type=Path, default=None,
                        help="time extraction on this calls.parquet instead of generated calls")
    parser.add_argument("--no-speed", action="store_true", help="only the quality figures")
    parser.add_argument("--scores", type=Path, default=None,
                        help="evaluate this `scamtrace sims` output against --world's truth")
    args = parser.parse_args()
    if args.scores is not None:
        evaluate_scores(args.world[0], args.scores)
        return
    if not args.no_speed:
        bench_speed(args.calls, args.pandas_calls, args.world_calls)
    for world in args.world:
        bench_quality(world)


if __name__ == "__main__":
    main()
