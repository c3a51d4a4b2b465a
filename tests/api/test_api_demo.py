"""``scamtrace demo --no-serve``: members with keys, idempotent, and steps that others add."""

from __future__ import annotations

import json

from scamtrace.cli import main
from scamtrace.demo import DEMO_MEMBERS, DemoContext, DemoStep, run_demo


def run_demo_cli(tmp_path, capsys, steps: str = "store,members") -> str:
    # The settings fixture's monkeypatch restores SCAMTRACE_DATA_DIR, which demo sets.
    try:
        main(["demo", "--no-serve", "--data-dir", str(tmp_path / "demo"), "--steps", steps])
    except SystemExit as exited:
        assert exited.code in (0, None)
    return capsys.readouterr().out


def test_demo_registers_members_and_reuses_keys(settings, tmp_path, capsys, api_client):
    first = run_demo_cli(tmp_path, capsys)
    keys = json.loads((tmp_path / "demo" / "demo-keys.json").read_text())
    second = run_demo_cli(tmp_path, capsys)

    assert set(keys) == {"bank", "telco", "police", "regulator", "admin", "public"}
    assert first.count("new key for") == len(DEMO_MEMBERS)
    assert "new key for" not in second and "6 keys reused" in second
    assert json.loads((tmp_path / "demo" / "demo-keys.json").read_text()) == keys

    me = api_client.get("/v1/members/me", headers={"X-API-Key": keys["police"]["key"]}).json()
    assert me["role"] == "police" and me["sharing_groups"] == ["law-enforcement"]
    admin = {"Authorization": f"Bearer {keys['admin']['key']}"}
    assert api_client.get("/v1/members", headers=admin).json()["total"] == len(DEMO_MEMBERS)


def test_steps_run_in_order_and_resolve_import_paths(settings, tmp_path):
    seen: list[str] = []
    lines: list[str] = []
    context = DemoContext(
        data_dir=tmp_path,
        database_url=settings.effective_database_url,
        settings=settings,
        echo=lines.append,
    )
    steps = [
        DemoStep("first", lambda ctx: seen.append(f"first:{ctx.data_dir == tmp_path}")),
        DemoStep("members", "scamtrace.demo:register_demo_members"),
        DemoStep("last", lambda ctx: seen.append(f"last:{sorted(ctx.keys)}")),
    ]

    run_demo(context, steps)

    assert seen == [
        "first:True",
        "last:['admin', 'bank', 'police', 'public', 'regulator', 'telco']",
    ]
    assert [line for line in lines if line.startswith("== ")] == [
        "== first",
        "== members",
        "== last",
    ]
