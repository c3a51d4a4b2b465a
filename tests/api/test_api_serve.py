"""``scamtrace serve`` starts a real server that answers /healthz (the one socket test)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx

from scamtrace.store.migrate import head_revision, upgrade_database


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_answers_healthz(tmp_path):
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    upgrade_database(url)
    port = _free_port()
    env = {**os.environ, "SCAMTRACE_DATABASE_URL": url, "SCAMTRACE_ENVIRONMENT": "test"}
    server = subprocess.Popen(
        [sys.executable, "-m", "scamtrace", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "server did not start within 120 s"
                time.sleep(0.2)
        assert response.status_code == 200
        assert response.json()["status"] == "ok"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_refuses_a_store_never_migrated(tmp_path, monkeypatch, capsys):
    from scamtrace.cli import main
    from scamtrace.config import get_settings

    monkeypatch.setenv("SCAMTRACE_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    get_settings.cache_clear()
    try:
        main(["serve", "--port", str(_free_port())])
    except SystemExit as exited:
        code = exited.code
    finally:
        get_settings.cache_clear()

    assert code == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        (
            f"error: database is at revision none, this scamtrace needs {head_revision()}: "
            "run `scamtrace db upgrade`"
        )
    ]
