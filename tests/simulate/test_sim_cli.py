import json
import subprocess
import sys
from pathlib import Path

from scamtrace.simulate.demo import describe_world, ensure_world

# run the real entry point with only this domain registered (other domains are not ours)
_RUN = (
    "import sys, scamtrace.cli as cli; cli.DOMAIN_COMMANDS = ('scamtrace.simulate.commands',); "
    "cli.main(sys.argv[1:])"
)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", _RUN, *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_bad_scale_is_one_line_and_exit_code_2(tmp_path: Path):
    result = _cli("simulate", "--out", str(tmp_path / "w"), "--scale", "huge")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "unknown scale 'huge'" in result.stderr
    bad_days = _cli("simulate", "--out", str(tmp_path / "w"), "--days", "0")
    assert bad_days.returncode == 2 and bad_days.stderr.strip().count("\n") == 0


def test_simulate_with_a_config_file_writes_a_world(tmp_path: Path):
    config = tmp_path / "small-world.toml"
    config.write_text("persons = 1000\ngangs = 1\nactive_day_share = 1.0\n")
    out = tmp_path / "w"
    result = _cli(
        "simulate", "--out", str(out), "--seed", "3", "--days", "2", "--config", str(config)
    )
    assert result.returncode == 0, result.stderr
    assert "event rows" in result.stdout
    manifest = json.loads((out / "world.json").read_text())
    assert manifest["options"]["persons"] == 1000 and manifest["options"]["days"] == 2
    counts = describe_world(out)
    assert counts["persons"] == 1000 and counts["gangs"] == 1
    assert counts["calls"] == manifest["rows"]["calls"] > 0


def test_ensure_world_reuses_a_complete_world(tiny_world: Path):
    before = (tiny_world / "calls.parquet").stat().st_mtime_ns
    assert ensure_world(tiny_world, seed=7, scale="tiny") == tiny_world
    assert (tiny_world / "calls.parquet").stat().st_mtime_ns == before
    counts = describe_world(tiny_world)
    assert set(counts) == {
        "persons",
        "sims",
        "gangs",
        "mule_sims",
        "mule_accounts",
        "victims",
        "victim_transfers",
        "reports",
        "calls",
        "sms",
        "transactions",
    }
    assert counts["persons"] == 5000 and counts["gangs"] == 2
    assert (
        0 < counts["mule_sims"] < counts["sims"]
        and 0 < counts["victims"] <= counts["victim_transfers"]
    )
