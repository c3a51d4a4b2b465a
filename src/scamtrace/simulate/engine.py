"""Run a whole simulation: build the world, then generate and stream events chunk by chunk.

Per day, gangs act first (calls, SMS, victims, laundering, reports); their events are
queued in the writer. Per chunk of ``chunk_hours``, legitimate traffic is generated and
everything whose time falls in the chunk is sorted and written. Every component draws
from its own generator seeded by (seed, component, day, chunk), so output depends only
on the configuration.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from scamtrace.simulate.businesses import build_businesses
from scamtrace.simulate.config import SIMULATOR_VERSION, SimulationConfig
from scamtrace.simulate.events import DayEvents, EventTruth, gang_day, legit_chunk
from scamtrace.simulate.gangs import build_gangs
from scamtrace.simulate.ids import component_rng
from scamtrace.simulate.legit_calls import prepare_context
from scamtrace.simulate.names import assign_numbers
from scamtrace.simulate.poisoning import build_poisoning, poisoning_reports
from scamtrace.simulate.population import build_population
from scamtrace.simulate.static_tables import static_tables
from scamtrace.simulate.texts_legit import build_legit_pool
from scamtrace.simulate.truth_events import write_truth
from scamtrace.simulate.world import DAY
from scamtrace.simulate.writer import WorldWriter

MANIFEST = "world.json"


def simulate_world(cfg: SimulationConfig, out_dir: Path) -> dict:
    """Simulate the world described by ``cfg`` into ``out_dir``.

    Args:
        cfg: the configuration (see :func:`scamtrace.simulate.config.load_config`).
        out_dir: the output directory; existing tables there are overwritten.

    Returns:
        The manifest written to ``out_dir/world.json``: options, fingerprint, row counts.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MANIFEST).unlink(missing_ok=True)
    start = dt.datetime.combine(cfg.start_date, dt.time(), tzinfo=dt.UTC)
    world = build_population(cfg, int(start.timestamp()))
    build_businesses(world, cfg)
    gangs = build_gangs(world, cfg)
    campaign = build_poisoning(world, cfg)
    names = assign_numbers(world, cfg.seed)
    pool = build_legit_pool(component_rng(cfg.seed, "texts"))
    ctx = prepare_context(
        world, cfg, component_rng(cfg.seed, "heavy-callers"), cfg.start_date.weekday()
    )
    writer = WorldWriter(out_dir)
    try:
        for name, table in static_tables(world, names, gangs, cfg.seed, cfg.legit_nominee_share):
            writer.write_table(name, table)
        truth = EventTruth()
        days = DayEvents(world, cfg, gangs, names, pool, ctx, writer, truth)
        days.queue_reports(poisoning_reports(world, campaign, cfg.seed), seed_namespace=9)
        blocks = 24 // cfg.chunk_hours
        for day in range(cfg.days):
            gang_day(days, day)
            for block in range(blocks):
                a = day * DAY + block * cfg.chunk_hours * 3600
                legit_chunk(days, day * blocks + block, a, a + cfg.chunk_hours * 3600)
        write_truth(writer, world, names, gangs, truth, campaign, cfg)
    finally:
        writer.close()
    manifest = {
        "simulator_version": SIMULATOR_VERSION,
        "fingerprint": cfg.fingerprint(),
        "options": cfg.model_dump(mode="json"),
        "rows": dict(sorted(writer.rows.items())),
        "start": start.isoformat(),
        "end": (start + dt.timedelta(days=cfg.days)).isoformat(),
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def event_rows(manifest: dict) -> int:
    """Rows of calls, SMS and transactions in a manifest (the figure the bench reports)."""
    rows = manifest["rows"]
    return int(rows.get("calls", 0) + rows.get("sms", 0) + rows.get("transactions", 0))
