"""Mule-SIM feature extraction speed on DuckDB (2 threads), beside a pandas baseline.

Generates call records in DuckDB (SIMs calling mostly within a contact circle, a few
hundred heavy callers) and writes them to Parquet, then times, on 2 threads: loading them
into the engine as ``scamtrace sims`` does (with dense ids of the numbers, cells and
handsets, and without), the whole feature pipeline of :mod:`scamtrace.analytics.sims` over
all of them (on the ids by the numpy kernel and by the SQL, and on msisdn strings), and a
pandas implementation of the same
call-record features on the same rows. Prints records per second and the ratios.

    .venv/bin/python bench/bench_sims.py [--calls 10000000] [--pandas-calls 2000000]
    .venv/bin/python bench/bench_sims.py --calls 4000000 --world-calls WORLD/calls.parquet --steps

With ``--world DIR`` it also scores a simulated world's SIMs and prints recall and
precision of the flagged set against DIR/truth (caller and SMS SIMs); with
``--world DIR --scores scores.csv`` it only evaluates a ``scamtrace sims`` output.
"""

from __future__ import annotations

import scamtrace  # noqa: F401  first, before numpy: its CPU dispatch (scamtrace.numpy_cpu)

# isort: split
import argparse
import tempfile
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from scamtrace.analytics import create_engine
from scamtrace.analytics.sims.features import FeatureWindow, SimTables
from scamtrace.analytics.sims.sim_inputs import load_sim_table, numbers_table
from scamtrace.analytics.sims.sim_pipeline import (
    compute_sim_features,
    default_window,
    perfect_hashing,
    sim_features_pipeline,
)

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


def _best(fn, runs: int = 2) -> tuple[float, float]:
    return min(_timed(fn) for _ in range(runs))


def _line(label: str, n: int, wall: float, cpu: float, note: str = "") -> None:
    print(f"  {label:<34}: {wall:6.2f} s  {n / wall / 1e6:6.2f} M records/s  "
          f"(CPU {cpu:6.2f} s: {n / cpu / 1e6:5.2f} M per CPU-second){note}")


def profile_steps(engine, tables: SimTables, window: FeatureWindow, n_calls: int) -> None:
    """CPU seconds of each pipeline step materialised on its own (best of two)."""
    print(f"  steps ({'ids' if tables.numbers else 'strings'}), each materialised, CPU s:")
    total = 0.0
    for step in sim_features_pipeline(engine.dialect, tables, window).steps:
        with perfect_hashing(engine):
            cpu = min(_timed(lambda step=step: engine.con.execute(
                f"CREATE OR REPLACE TEMP TABLE {step.name} AS {step.sql}").fetchall())[1]
                for _ in range(2))
        rows = engine.fetch_pandas(f"SELECT count(*) AS n FROM {step.name}")["n"].iloc[0]
        total += cpu
        print(f"    {step.name:<16} {rows:>11,} rows  {cpu:5.2f}")
    print(f"    total {total:5.2f} s: {n_calls / total / 1e6:.2f} M records per CPU-second")


def bench_speed(n_calls: int, n_pandas: int, world_calls: Path | None = None,
                steps: bool = False, runs: int = 3) -> None:
    """Time loading, feature extraction on DuckDB (2 threads) and the pandas baseline.

    The calls are generated (``make_calls``) or, with ``world_calls``, read from a
    simulated world's calls.parquet (its first ``n_calls`` rows in time order: callers
    keep to few cells and handsets there, as real subscribers do). Either way they are
    written to a Parquet file first and loaded from it as ``scamtrace sims`` loads
    ``--calls``: the load is timed on its own (with the dense ids of numbers, cells and
    handsets, and without), then the extraction (best of ``runs``, after one run to warm
    up) on the ids and on msisdn
    strings.
    """
    with tempfile.TemporaryDirectory() as tmp, create_engine("duckdb", threads=2) as engine:
        parquet = Path(tmp) / "calls.parquet"
        if world_calls is None:
            make_calls(engine, n_calls, max(n_calls // 10, 1000))
            engine.con.execute(f"COPY calls TO '{parquet}' (FORMAT parquet)")
            window = FeatureWindow(start=START, end=datetime(2026, 1, 1 + DAYS))
            source = "generated"
        else:
            location = str(world_calls).replace("'", "''")
            engine.con.execute(f"""
COPY (SELECT ts, caller, callee, duration_s, cell_id, imei FROM read_parquet('{location}')
      ORDER BY ts LIMIT {n_calls}) TO '{parquet}' (FORMAT parquet)""")
            source = str(world_calls)
        engine.drop("calls")

        def load(keys: bool) -> None:
            load_sim_table(engine, "calls", str(parquet), keys=keys)
            assert (numbers_table(engine, "calls") is not None) == keys

        plain_load = _timed(lambda: load(False))
        if world_calls is not None:
            window = default_window(engine, "calls")
        n_calls = int(engine.fetch_pandas("SELECT count(*) AS n FROM calls")["n"].iloc[0])
        strings = SimTables(calls="calls")
        compute_sim_features(engine, strings, window, output="warmup")
        plain = _best(lambda: compute_sim_features(engine, strings, window), runs)
        sample = engine.fetch_pandas(f"SELECT * FROM calls LIMIT {n_pandas}")
        keyed_load = _timed(lambda: load(True))
        keyed = SimTables(calls="calls", numbers=numbers_table(engine, "calls"))
        compute_sim_features(engine, keyed, window, output="warmup", method="sql")
        fast = _best(lambda: compute_sim_features(engine, keyed, window, method="sql"), runs)
        compute_sim_features(engine, keyed, window, output="warmup", method="kernel")
        kernel = _best(lambda: compute_sim_features(engine, keyed, window, method="kernel"), runs)
        sims = engine.fetch_pandas("SELECT count(*) AS n FROM sim_features")["n"].iloc[0]
        if steps:
            for tables in (strings, keyed):
                profile_steps(engine, tables, window, n_calls)
    n_pandas = len(sample)
    pandas_s, pandas_cpu = _best(lambda: pandas_features(sample, pd.Timestamp(window.start)))
    pandas_rate = n_pandas / pandas_s
    print(f"feature extraction, {n_calls:,} call records ({source}) -> {sims:,} SIMs")
    _line("load, with ids (once)", n_calls, *keyed_load)
    _line("extraction on ids, numpy kernel", n_calls, *kernel, f"; best of {runs}")
    _line("extraction on ids, SQL", n_calls, *fast, f"; best of {runs}")
    together = (keyed_load[0] + kernel[0], keyed_load[1] + kernel[1])
    _line("load with ids + extraction", n_calls, *together)
    _line("load, strings only", n_calls, *plain_load)
    _line("extraction on msisdn strings", n_calls, *plain, f"; best of {runs}")
    _line("load strings + extraction", n_calls, plain_load[0] + plain[0], plain_load[1] + plain[1])
    _line("pandas baseline", n_pandas, pandas_s, pandas_cpu,
          f"; on {n_pandas:,} records, best of 2")
    for label, wall in (("extraction, ids, kernel", kernel[0]), ("extraction, ids, SQL", fast[0]),
                        ("extraction, strings", plain[0]),
                        ("load with ids + extraction", together[0])):
        rate = n_calls / wall
        print(f"  {label}: {rate / pandas_rate:.1f}x pandas; target >= 5 M records/s: "
              f"{'met' if rate >= 5e6 else 'NOT met'}")


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
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each extraction (best kept)")
    parser.add_argument("--no-speed", action="store_true", help="only the quality figures")
    parser.add_argument("--steps", action="store_true",
                        help="also the CPU time of each pipeline step, strings and ids")
    parser.add_argument("--scores", type=Path, default=None,
                        help="evaluate this `scamtrace sims` output against --world's truth")
    args = parser.parse_args()
    if args.scores is not None:
        evaluate_scores(args.world[0], args.scores)
        return
    if not args.no_speed:
        bench_speed(args.calls, args.pandas_calls, args.world_calls, args.steps, args.runs)
    for world in args.world:
        bench_quality(world)


if __name__ == "__main__":
    main()
