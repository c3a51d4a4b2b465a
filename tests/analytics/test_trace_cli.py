"""``scamtrace trace`` end to end through the CLI."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from scamtrace.cli import _register_domains, app


@pytest.fixture(scope="module")
def runner():
    if not any(c.name == "trace" for c in app.registered_commands):
        _register_domains()
    return CliRunner()


def _write_inputs(tmp_path):
    (tmp_path / "tx.csv").write_text(
        "from_acct,to_acct,baht,when\n"
        "V,M1,1000,2024-01-01 10:00:00\n"
        "M1,M2,950,2024-01-01 10:20:00\n"
        "M2,CASH,940,2024-01-02 09:00:00\n"
        "M2,CASH,5,2024-01-05 09:00:00\n"
    )
    (tmp_path / "seeds.csv").write_text("tx_id,note\n0,victim call 1185\n")


def test_trace_writes_trail_accounts_and_summary(runner, tmp_path):
    _write_inputs(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(app, [
        "trace", "--transactions", str(tmp_path / "tx.csv"), "--seeds", str(tmp_path / "seeds.csv"),
        "--out", str(out), "--map", "src=from_acct,dst=to_acct,amount=baht,ts=when",
        "--window", "48h", "--max-hops", "4",
    ])
    assert result.exit_code == 0, result.output
    assert "60.00 still held in accounts that can be frozen, 940.00 at accounts" in result.output
    trail = (out / "trail.csv").read_text().splitlines()
    assert trail[0] == "seed_id,hop,tx_id,src,dst,amount_traced"
    assert trail[1:] == ["0,1,0,V,M1,1000.0", "0,2,1,M1,M2,950.0", "0,3,2,M2,CASH,940.0"]
    accounts = (out / "accounts.csv").read_text().splitlines()
    assert accounts[0] == "seed_id,account,hop,amount_in,amount_out,amount_remaining"
    assert "0,M2,2,950.0,940.0,10.0" in accounts
    summary = json.loads((out / "summary.json").read_text())["seeds"][0]
    assert summary["layers"] == {"1": 1.0, "2": 0.95, "3": 0.94}
    assert summary["sinks"] == 0.94 and summary["held"] == 0.06


def test_bad_map_is_one_line_and_exit_2(tmp_path):
    import subprocess
    import sys

    _write_inputs(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "scamtrace", "trace", "--transactions", str(tmp_path / "tx.csv"),
         "--seeds", str(tmp_path / "seeds.csv"), "--out", str(tmp_path / "o"),
         "--map", "src=nope"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        (f"error: {tmp_path / 'tx.csv'}: --map src=nope names no column; columns are "
         "from_acct, to_acct, baht, when")
    ]
