"""Lookup path benchmark: memory-mapped index vs one SQL query per lookup, same run.

Prints, each beside its baseline:
  1. single lookups per second over HTTP (uvicorn workers, loopback load generator,
     keep-alive connections) with p50/p99, while reports are being ingested and the
     index republished; the baseline serves the same requests with one SQL query each;
  2. batch lookups (POST /v1/lookup, 10,000 identifiers a request) in identifiers/s;
  3. memory for the index of N indicators (default 10 million) vs the store's bytes.

    .venv/bin/python bench/bench_lookup.py [--indicators 10000000] [--seconds 10]

Everything runs in a temporary directory; every server and helper it starts is
stopped before it exits (bounded by timeouts).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Self

import httpx
import numpy as np
from fastapi import Request, Response  # module level: FastAPI resolves the handlers' annotations

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))


def _phone(n: int) -> str:
    return f"+668{n:08d}"


def _env(work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SCAMTRACE_DATABASE_URL": f"sqlite:///{work / 'bench.db'}",
        "SCAMTRACE_DATA_DIR": str(work / "data"),
        "SCAMTRACE_ENVIRONMENT": "test",
        "PYTHONPATH": str(REPO / "bench"),
    }


def prepare_store(work: Path, store_indicators: int) -> str:
    """Migrate a store, add a bank member with a key and N scored phone indicators."""
    os.environ.update(_env(work))
    from sqlalchemy import insert

    from scamtrace.config import get_settings
    from scamtrace.intel.models import Indicator
    from scamtrace.orgs.service import create_api_key, create_member
    from scamtrace.store.base import utcnow
    from scamtrace.store.engine import session_scope
    from scamtrace.store.migrate import upgrade_database

    get_settings.cache_clear()
    upgrade_database()
    now = utcnow()
    # Indicators last changed ten minutes ago: an established store, not one whose rows
    # all fall inside the builders' two-minute re-merge margin (a fresh bulk import).
    changed = now - timedelta(minutes=10)
    with session_scope() as session:
        member = create_member(session, name="bench bank", sector="bank", actor="bench")
        key = create_api_key(session, member_ref=member.id, role="bank", actor="bench").plaintext
        rng = random.Random(1)
        for start in range(0, store_indicators, 20_000):
            rows = []
            for n in range(start, min(start + 20_000, store_indicators)):
                score = rng.randint(1, 100)
                rows.append(
                    {
                        "kind": "phone",
                        "value": _phone(n),
                        "score": float(score),
                        "tier": "high" if score >= 60 else "medium",
                        "status": "active",
                        "tlp": "green",
                        "reasons": ["reported"],
                        "evidence_count": 3,
                        "first_seen_at": changed,
                        "last_seen_at": changed,
                        "scored_at": now,
                        "updated_at": changed,
                        "n_reports": 3,
                        "n_reporters": 3,
                    }
                )
            session.execute(insert(Indicator), rows)
    return key


def build_index(work: Path, total: int, store_indicators: int) -> dict:
    """Publish an index of ``total`` records: the store's phones plus synthetic ones."""
    os.environ.update(_env(work))
    from scamtrace.intel.lookup_index import ALLIANCE, RECORD_DTYPE, index_key, publish

    started = time.perf_counter()
    real = np.fromiter(
        (index_key(ALLIANCE, "phone", _phone(n)) for n in range(store_indicators)),
        dtype="<u8",
        count=store_indicators,
    )
    rng = np.random.default_rng(2)
    synthetic = rng.integers(0, 2**63, size=total - store_indicators, dtype=np.int64).astype("<u8")
    keys = np.concatenate([real, synthetic])
    # Records as varied as a real hub's, so that no cache of rendered answers flatters the
    # batch figure: scores, flags, reason sets and counts vary, and every indicator has
    # its own first and last seen within the last 90 days.
    records = np.zeros(total, RECORD_DTYPE)
    records["score"] = rng.integers(1, 101, size=total)
    records["tier"] = np.minimum(records["score"] // 20, 4)
    records["public_tier"] = np.minimum(records["tier"], rng.integers(0, 5, size=total))
    records["flags"] = rng.integers(0, 16, size=total)
    records["reasons"] = rng.choice([1, 1, 1, 3, 9, 17, 33, 65, 129, 257], size=total)
    records["n_reports"] = rng.geometric(0.2, size=total)
    records["n_reporters"] = np.maximum(1, records["n_reports"] - rng.integers(0, 3, size=total))
    records["n_members"] = rng.integers(0, 4, size=total)
    now = int(time.time())
    records["first_seen"] = now - rng.integers(0, 90 * 86_400, size=total)
    records["last_seen"] = np.minimum(
        now, records["first_seen"] + rng.integers(0, 14 * 86_400, size=total)
    )
    index_dir = work / "data" / "lookup-index"
    generation = publish(index_dir, keys, records)
    from scamtrace.store.base import utcnow

    (index_dir / "builder-state.json").write_text(json.dumps({"cursor": utcnow().isoformat()}))
    file = next(index_dir.glob("index-*.bin"))
    return {
        "generation": generation,
        "seconds": time.perf_counter() - started,
        "file_bytes": file.stat().st_size,
        "builder_peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def ingest(work: Path, seconds: float, rate: float, store_indicators: int) -> dict:
    """Add citizen reports at ``rate`` a second and republish the index every 5 s."""
    os.environ.update(_env(work))
    from scamtrace.config import get_settings
    from scamtrace.intel.index_builder import rebuild_index
    from scamtrace.intel.service import NewEvidence, add_evidence
    from scamtrace.intel.serving import index_dir_for
    from scamtrace.store.engine import session_scope

    get_settings.cache_clear()
    rng = random.Random(3)
    added = builds = 0
    started = time.perf_counter()
    last_build = started
    while (now := time.perf_counter()) - started < seconds:
        batch = [
            NewEvidence(
                "phone",
                _phone(rng.randrange(store_indicators * 2)),
                "report",
                "sms_1185",
                reporter_number=f"+669{rng.randrange(10**8):08d}",
            )
            for _ in range(max(1, int(rate / 10)))
        ]
        with session_scope() as session:
            add_evidence(session, items=batch, source_member_id=None, actor="bench")
        added += len(batch)
        if now - last_build >= 5:
            with session_scope() as session:
                rebuild_index(session, index_dir_for(get_settings()))
            builds, last_build = builds + 1, time.perf_counter()
        time.sleep(max(0.0, 0.1 - (time.perf_counter() - now)))
    return {"reports": added, "rebuilds": builds, "seconds": time.perf_counter() - started}


def sql_baseline_app():
    """The API plus the baseline routes: the same lookups with one SQL query each."""
    import orjson
    from sqlalchemy import select

    from scamtrace.api.main import create_app
    from scamtrace.intel.lookup import normalise
    from scamtrace.intel.models import Indicator
    from scamtrace.intel.serving import serving_for
    from scamtrace.store.engine import get_session_factory

    app = create_app()

    def answer(session, kind: str, raw: str) -> dict:
        kind, value = normalise(kind, raw)
        row = session.execute(
            select(Indicator.score, Indicator.tier, Indicator.reasons).where(
                Indicator.kind == kind, Indicator.value == value
            )
        ).first()
        return {
            "kind": kind,
            "value": value,
            "tier": row.tier if row else "none",
            "score": int(row.score) if row else 0,
            "reasons": row.reasons if row else [],
        }

    @app.get("/bench/sql-lookup/{kind}/{value:path}")
    def sql_single(request: Request, kind: str, value: str) -> Response:
        serving_for(request.app).principal_for(request.headers["authorization"][7:])
        with get_session_factory(app.state.settings.effective_database_url)() as session:
            return Response(
                orjson.dumps(answer(session, kind, value)), media_type="application/json"
            )

    @app.post("/bench/sql-lookup")
    async def sql_batch(request: Request) -> Response:
        serving_for(request.app).principal_for(request.headers["authorization"][7:])
        items = orjson.loads(await request.body())["items"]
        with get_session_factory(app.state.settings.effective_database_url)() as session:
            out = [answer(session, i["kind"], i["value"]) for i in items]
        return Response(orjson.dumps({"items": out}), media_type="application/json")

    return app


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """uvicorn with N workers on a free loopback port, stopped on exit."""

    def __init__(self, work: Path, factory: str, workers: int) -> None:
        self.port = _free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                factory,
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
                "--log-level",
                "warning",
                "--no-access-log",
                "--loop",
                "uvloop",
                "--http",
                "httptools",
            ],
            env=_env(work),
            cwd=REPO / "bench",
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def __enter__(self) -> Self:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=2)
                return self
            except httpx.TransportError:
                if self.process.poll() is not None:
                    raise RuntimeError(self.process.stderr.read().decode())
                time.sleep(0.3)
        raise RuntimeError("server did not start within 60 s")

    def _children(self) -> list[str]:
        return subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False
        ).stdout.split()

    def worker_cpu_seconds(self) -> float:
        """CPU seconds used so far by the workers (user + system)."""
        total = 0.0
        for pid in self._children():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def worker_rss(self) -> int:
        total = 0
        for pid in self._children():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total = max(total, int(line.split()[1]) * 1024)
        return total

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


def _helper(work: Path, *args: str, timeout: float) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--work", str(work), *args],
        env=_env(work),
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def load(
    work: Path,
    server: Server,
    paths: list[str],
    seconds: float,
    connections: int,
    key: str,
    ingest_rate: float,
    store_indicators: int,
) -> tuple[dict, dict]:
    """Run the load generator with the ingest helper beside it; return both results.

    The load result also has ``server_cpu_us``: worker CPU time per request, which does
    not depend on how busy the shared machine is, unlike requests per second.
    """
    port = server.port
    cpu_before = server.worker_cpu_seconds()
    paths_file = work / "paths.txt"
    paths_file.write_text("\n".join(paths))
    feeder = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--work",
            str(work),
            "--ingest",
            str(seconds),
            "--rate",
            str(ingest_rate),
            "--store-indicators",
            str(store_indicators),
        ],
        env=_env(work),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        client = subprocess.run(
            [
                sys.executable,
                str(REPO / "bench" / "_loadgen.py"),
                str(paths_file),
                str(port),
                str(seconds),
                str(connections),
                key,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        )
        result = json.loads(client.stdout.strip().splitlines()[-1])
        cpu = server.worker_cpu_seconds() - cpu_before
        result["server_cpu_us"] = cpu / max(result["requests"], 1) * 1e6
        out, err = feeder.communicate(timeout=seconds + 120)
    finally:
        if feeder.poll() is None:
            feeder.kill()
            feeder.wait(timeout=5)
    fed = json.loads(out.strip().splitlines()[-1]) if out.strip() else {"error": err[-500:]}
    return result, fed


def batch(
    work: Path,
    server: Server,
    key: str,
    route: str,
    raws: list[str],
    requests: int,
    connections: int,
) -> tuple[float, float]:
    """Identifiers per second, and worker CPU microseconds per identifier.

    ``requests`` batches of 10,000 identifiers, each identifier written in one of several
    forms and no batch repeating another's, are POSTed over ``connections`` keep-alive
    connections by the raw load generator (bench/_loadgen.py --post).
    """
    bodies = work / "bodies.jsonl"
    bodies.write_text(
        "\n".join(
            json.dumps(
                {
                    "items": [
                        {"kind": "phone", "value": r} for r in raws[i * 10_000 : (i + 1) * 10_000]
                    ]
                },
                ensure_ascii=False,
            )
            for i in range(requests)
        )
    )
    cpu_before = server.worker_cpu_seconds()
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "_loadgen.py"),
            "--post",
            route,
            str(bodies),
            str(server.port),
            str(connections),
            key,
        ],
        capture_output=True,
        text=True,
        timeout=1800,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["errors"] or result["requests"] != requests:
        raise RuntimeError(f"batch run failed: {result}")
    cpu_us = (server.worker_cpu_seconds() - cpu_before) / (requests * 10_000) * 1e6
    return requests * 10_000 / result["seconds"], cpu_us


def _written(rng: random.Random, number: str) -> str:
    """One of the ways people and systems write a Thai mobile number."""
    national = "0" + number[3:]
    form = rng.randrange(6)
    if form == 0:
        return number
    if form == 1:
        return national
    if form == 2:
        return f"{national[:3]}-{national[3:6]}-{national[6:]}"
    if form == 3:
        return f"+66 {number[3:5]} {number[5:8]} {number[8:]}"
    if form == 4:
        return national.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    return f"({national[:3]}) {national[3:6]} {national[6:]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indicators", type=int, default=10_000_000)
    parser.add_argument("--store-indicators", type=int, default=200_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--ingest-rate", type=float, default=50.0, help="reports a second")
    parser.add_argument("--batch-workers", type=int, default=2, help="workers for batches")
    parser.add_argument("--batch-connections", type=int, default=8)
    parser.add_argument("--batches", type=int, default=60, help="batches of 10,000 ids")
    parser.add_argument("--work")
    parser.add_argument("--build-index", action="store_true")
    parser.add_argument("--ingest", type=float)
    parser.add_argument("--rate", type=float, default=50.0)
    args = parser.parse_args()
    if args.build_index:
        print(json.dumps(build_index(Path(args.work), args.indicators, args.store_indicators)))
        return
    if args.ingest is not None:
        print(json.dumps(ingest(Path(args.work), args.ingest, args.rate, args.store_indicators)))
        return
    args.load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-lookup-") as tmp:
        work = Path(tmp)
        key = prepare_store(work, args.store_indicators)
        built = _helper(
            work,
            "--build-index",
            "--indicators",
            str(args.indicators),
            "--store-indicators",
            str(args.store_indicators),
            timeout=1800,
        )
        db_bytes = (work / "bench.db").stat().st_size
        rng = random.Random(4)
        raw_forms = [lambda p: p, lambda p: "0" + p[3:], lambda p: f"0{p[3:5]}-{p[5:8]}-{p[8:]}"]
        numbers = [_phone(rng.randrange(args.store_indicators * 11 // 10)) for _ in range(20_000)]
        raws = [rng.choice(raw_forms)(n) for n in numbers]
        with Server(work, "bench_lookup:sql_baseline_app", args.workers) as server:
            index_paths = [f"/v1/lookup/phone/{r}" for r in raws]
            sql_paths = [f"/bench/sql-lookup/phone/{r}" for r in raws]
            fast, fed_fast = load(
                work,
                server,
                index_paths,
                args.seconds,
                args.connections,
                key,
                args.ingest_rate,
                args.store_indicators,
            )
            rss = server.worker_rss()
            slow, fed_slow = load(
                work,
                server,
                sql_paths,
                args.seconds,
                args.connections,
                key,
                args.ingest_rate,
                args.store_indicators,
            )
            batch_raws = [
                _written(rng, _phone(rng.randrange(args.store_indicators * 11 // 10)))
                for _ in range(10_000 * (args.batches + 2))
            ]
            warm_up, batch_raws = batch_raws[:20_000], batch_raws[20_000:]
            batch_slow = batch(work, server, key, "/bench/sql-lookup", batch_raws, 2, 2)
        with Server(work, "bench_lookup:sql_baseline_app", args.batch_workers) as server:
            batch(work, server, key, "/v1/lookup", warm_up, 2, 2)
            batch_fast = batch(
                work, server, key, "/v1/lookup", batch_raws, args.batches, args.batch_connections
            )
    _report(args, built, db_bytes, rss, fast, fed_fast, slow, fed_slow, batch_fast, batch_slow)


def _report(args, built, db_bytes, rss, fast, fed_fast, slow, fed_slow, batch_fast, batch_slow):
    gib = 1024**3
    per_store_row = db_bytes / args.store_indicators
    fast_rate = fast["requests"] / fast["seconds"]
    slow_rate = slow["requests"] / slow["seconds"]
    print(
        f"lookup benchmark: {args.workers} uvicorn workers, {args.connections} keep-alive "
        f"connections, {args.seconds:.0f} s each, {os.cpu_count()} cores shared with the "
        f"client; load average before the run {args.load_before:.1f}"
    )
    for name, run, rate, fed in (
        ("index", fast, fast_rate, fed_fast),
        ("SQL", slow, slow_rate, fed_slow),
    ):
        print(
            f"single lookups/s  {name:5} {rate:8.0f}  p50 {run['p50_ms']:.2f} ms  "
            f"p99 {run['p99_ms']:.2f} ms  errors {run['errors']}  server CPU "
            f"{run['server_cpu_us']:.0f} us/lookup  (meanwhile {fed.get('reports', 0)} reports "
            f"ingested, {fed.get('rebuilds', 0)} index generations published)"
        )
    print(
        f"                  ratio {fast_rate / slow_rate:.1f}x; CPU-bound capacity of "
        f"{args.workers} dedicated server cores: index "
        f"{args.workers * 1e6 / fast['server_cpu_us']:.0f}/s vs SQL "
        f"{args.workers * 1e6 / slow['server_cpu_us']:.0f}/s"
    )
    (fast_ids, fast_cpu), (slow_ids, slow_cpu) = batch_fast, batch_slow
    print(
        f"batch ids/s       index {fast_ids:8.0f}   SQL {slow_ids:8.0f}   "
        f"ratio {fast_ids / slow_ids:.1f}x  (10,000 ids a request in six written forms; index: "
        f"{args.batches} requests, {args.batch_workers} workers, {args.batch_connections} "
        f"connections; SQL: 2 requests, {args.workers} workers, 2 connections)"
    )
    print(
        f"                  server CPU per identifier: index {fast_cpu:.2f} us vs SQL "
        f"{slow_cpu:.1f} us; 2 dedicated cores: index "
        f"{2e6 / fast_cpu:.0f} ids/s vs SQL {2e6 / slow_cpu:.0f} ids/s"
    )
    print(
        f"memory, {args.indicators:,} indicators: index file {built['file_bytes'] / gib:.2f} GiB "
        f"({built['file_bytes'] / args.indicators:.0f} B each), builder peak RSS "
        f"{built['builder_peak_rss'] / gib:.2f} GiB, largest worker RSS {rss / gib:.2f} GiB "
        f"(index pages are shared by all workers)"
    )
    print(
        f"                  SQL store rows at the same count (extrapolated from "
        f"{args.store_indicators:,}): {per_store_row * args.indicators / gib:.2f} GiB "
        f"({per_store_row:.0f} B each), ratio "
        f"{per_store_row * args.indicators / built['file_bytes']:.1f}x"
    )


if __name__ == "__main__":
    main()
