"""Demo hooks: reuse or create a simulated world, and say what it holds."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

from scamtrace.errors import InvalidDataFile
from scamtrace.simulate.config import load_config
from scamtrace.simulate.engine import MANIFEST, simulate_world
from scamtrace.simulate.tables import SCHEMAS


def _complete(world_dir: Path, fingerprint: str) -> bool:
    manifest = world_dir / MANIFEST
    if not manifest.is_file():
        return False
    try:
        recorded = json.loads(manifest.read_text())
    except (OSError, ValueError):
        return False
    files = all((world_dir / f"{name}.parquet").is_file() for name in SCHEMAS)
    return files and recorded.get("fingerprint") == fingerprint


def ensure_world(out_dir: Path, *, seed: int = 7, scale: str = "tiny") -> Path:
    """Return a directory holding a complete world for these options, simulating if needed.

    Args:
        out_dir: where the world lives (or is to be written).
        seed: the root seed.
        scale: tiny, small, medium or large.

    Returns:
        ``out_dir``, now holding every table and ``world.json``.
    """
    cfg = load_config(scale=scale, seed=seed)
    if not _complete(out_dir, cfg.fingerprint()):
        simulate_world(cfg, out_dir)
    return out_dir


def describe_world(world_dir: Path) -> dict[str, int]:
    """Count what a simulated world holds.

    Args:
        world_dir: a directory written by ``scamtrace simulate``.

    Returns:
        Counts of persons, sims, gangs, mule_sims, mule_accounts, victims,
        victim_transfers, reports, calls, sms and transactions.

    Raises:
        InvalidDataFile: the directory does not hold a simulated world.
    """

    def rows(name: str) -> int:
        path = world_dir / f"{name}.parquet"
        if not path.is_file():
            raise InvalidDataFile(f"not a simulated world (missing {name}.parquet): {world_dir}")
        return pq.ParquetFile(path).metadata.num_rows

    entities = (
        pq.read_table(world_dir / "truth" / "truth_entities.parquet")
        if rows("truth/truth_entities")
        else None
    )

    def distinct(kind: str, roles: tuple[str, ...]) -> int:
        if entities is None:
            return 0
        mask = pc.and_(
            pc.equal(entities["kind"], kind),
            pc.is_in(entities["role"], pc.cast(list(roles), "string")),
        )
        return len(pc.unique(entities.filter(mask)["id"]))

    return {
        "persons": rows("persons"),
        "sims": rows("sims"),
        "gangs": rows("truth/gangs"),
        "mule_sims": distinct("sim", ("caller_sim", "sms_sim")),
        "mule_accounts": distinct("account", ("mule_l1", "mule_l2+", "cashout")),
        "victims": distinct("person", ("victim",)),
        "victim_transfers": rows("truth/truth_victim_transfers"),
        "reports": rows("reports"),
        "calls": rows("calls"),
        "sms": rows("sms"),
        "transactions": rows("transactions"),
    }
