"""``scamtrace demo --no-serve`` end to end on the embedded defaults, as ``make demo`` runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def _scamtrace(*args: str, data_dir) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCAMTRACE_")}
    env["SCAMTRACE_DATA_DIR"] = str(data_dir)
    return subprocess.run([sys.executable, "-m", "scamtrace", *args], capture_output=True,
                          text=True, env=env, timeout=900, check=False)


@pytest.mark.slow
def test_demo_runs_every_capability_and_leaves_a_servable_store(tmp_path, monkeypatch):
    data_dir = tmp_path / "demo"
    done = _scamtrace("demo", "--no-serve", data_dir=data_dir)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    for header in ("== store", "== members", "== world", "== reports", "== messages",
                   "== intel", "== trace", "== mules", "== sims", "== networks"):
        assert header in out
    assert "resolved to the last caller" in out and "poisoning campaign held for review" in out
    assert "freeze first" in out and "networks:" in out

    from fastapi.testclient import TestClient

    from scamtrace.api.main import create_app
    from scamtrace.config import get_settings

    monkeypatch.setenv("SCAMTRACE_DATA_DIR", str(data_dir))
    get_settings.cache_clear()
    keys = json.loads((data_dir / "demo-keys.json").read_text())
    with TestClient(create_app(get_settings())) as client:
        assert client.get("/healthz").status_code == 200
        bank = {"Authorization": f"Bearer {keys['bank']['key']}"}
        answer = client.get("/v1/lookup/short_code/1185", headers=bank)
        assert answer.status_code == 200 and answer.json()["tier"] == "none"
    get_settings.cache_clear()


def test_demo_refuses_an_unknown_step_in_one_line(tmp_path):
    done = _scamtrace("demo", "--no-serve", "--steps", "store,nonsense", data_dir=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        ("error: unknown demo steps nonsense; steps are: store, members, world, reports, "
         "messages, intel, trace, mules, sims, networks, findings")]
