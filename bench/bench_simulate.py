"""Benchmark of the world simulator: event rows per second and peak memory.

Runs ``simulate_world`` at a scale (default ``small``) in a child process, so that its peak
resident memory is the child's own ``ru_maxrss``, and prints rows per second of wall and
of CPU time beside a baseline measured in the same run: a naive generator that builds
the same kind of call rows one Python dict at a time (random module) and writes them with
the same Parquet settings, over a slice of the rows.

    .venv/bin/python bench/bench_simulate.py [--scale small] [--seed 11] [--baseline-rows 200000]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_CHILD = """
import json, sys, time
from pathlib import Path
from scamtrace.simulate import load_config, simulate_world
from scamtrace.simulate.engine import event_rows
cfg = load_config(scale=sys.argv[1], seed=int(sys.argv[2]))
wall, cpu = time.perf_counter(), time.process_time()
manifest = simulate_world(cfg, Path(sys.argv[3]))
print(json.dumps({"rows": event_rows(manifest), "wall": time.perf_counter() - wall,
                  "cpu": time.process_time() - cpu, "tables": manifest["rows"]}))
"""


def run_simulator(scale: str, seed: int, out_dir: Path) -> dict:
    """Simulate in a child process; return its rows, wall and CPU seconds and peak RSS (MiB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, scale, str(seed), str(out_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["peak_mib"] = max(peak_kib, before) / 1024
    return result


def naive_baseline(rows: int, out_dir: Path) -> dict:
    """One Python dict per call row, then the same Parquet writer: rows/s of wall and CPU."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from scamtrace.simulate.writer import PARQUET_OPTIONS

    rng = random.Random(11)
    wall, cpu = time.perf_counter(), time.process_time()
    records = []
    for i in range(rows):
        records.append(
            {
                "call_id": rng.getrandbits(62),
                "ts": 1_750_377_600 + rng.randrange(86_400),
                "caller": f"+66{rng.choice('689')}{rng.randrange(10**8):08d}",
                "callee": f"+66{rng.choice('689')}{rng.randrange(10**8):08d}",
                "duration_s": 0 if rng.random() < 0.14 else int(rng.lognormvariate(4.2, 1.0)),
                "cell_id": f"c{rng.getrandbits(32):08x}",
                "imei": f"{rng.randrange(10**14, 10**15)}",
            }
        )
    records.sort(key=lambda r: (r["ts"], r["call_id"]))
    pq.write_table(pa.Table.from_pylist(records), out_dir / "baseline.parquet", **PARQUET_OPTIONS)
    return {"rows": rows, "wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="small")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--baseline-rows", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-simulate-") as tmp:
        sim = run_simulator(args.scale, args.seed, Path(tmp) / "world")
        base = naive_baseline(args.baseline_rows, Path(tmp))
    sim_wall, sim_cpu = sim["rows"] / sim["wall"], sim["rows"] / sim["cpu"]
    base_wall, base_cpu = base["rows"] / base["wall"], base["rows"] / base["cpu"]
    print(
        f"scale {args.scale}, seed {args.seed}: {sim['rows']:,} event rows (calls + sms + transactions)"
    )
    print(
        f"  simulator  {sim_wall:>12,.0f} rows/s wall  {sim_cpu:>12,.0f} rows/s CPU  "
        f"({sim['wall']:.1f} s wall, {sim['cpu']:.1f} s CPU)"
    )
    print(
        f"  naive      {base_wall:>12,.0f} rows/s wall  {base_cpu:>12,.0f} rows/s CPU  "
        f"(per-row Python dicts, {base['rows']:,} call rows)"
    )
    print(
        f"  ratio      {sim_wall / base_wall:>12.1f} x wall     {sim_cpu / base_cpu:>12.1f} x CPU"
    )
    print(f"  peak memory of the simulator process: {sim['peak_mib']:,.0f} MiB")


if __name__ == "__main__":
    main()
