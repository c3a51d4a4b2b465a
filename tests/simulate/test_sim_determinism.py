import hashlib
from pathlib import Path

import pytest

from scamtrace.simulate.config import SimulationConfig
from scamtrace.simulate.engine import simulate_world


def _digests(world: Path) -> dict[str, str]:
    return {
        p.relative_to(world).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(world.rglob("*"))
        if p.is_file()
    }


def _cfg(seed: int) -> SimulationConfig:
    return SimulationConfig(
        seed=seed, persons=1_000, days=2, gangs=2, chunk_hours=12, active_day_share=1.0
    )


@pytest.fixture(scope="module")
def first_world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("det") / "a"
    simulate_world(_cfg(5), out)
    return _digests(out)


def test_same_seed_and_options_give_identical_bytes(first_world, tmp_path: Path):
    simulate_world(_cfg(5), tmp_path / "b")
    assert first_world == _digests(tmp_path / "b")
    assert "calls.parquet" in first_world and "truth/truth_flows.parquet" in first_world


def test_another_seed_gives_another_world(first_world, tmp_path: Path):
    simulate_world(_cfg(6), tmp_path / "c")
    other = _digests(tmp_path / "c")
    assert first_world["calls.parquet"] != other["calls.parquet"]
    assert first_world["persons.parquet"] != other["persons.parquet"]
