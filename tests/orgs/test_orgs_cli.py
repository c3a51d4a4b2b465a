"""The orgs, keys and audit commands: output, and one error line with exit code 2."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from scamtrace.cli import main


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_add_member_create_key_and_list(settings, capsys):
    code, out, _ = run_cli(capsys, "orgs", "add", "Krungthai Bank", "--sector", "bank")
    assert code == 0 and out.strip() == "member 1: Krungthai Bank (bank)"

    code, out, err = run_cli(
        capsys, "keys", "create", "Krungthai Bank", "--role", "bank", "--groups", "banks,th-fraud"
    )
    assert code == 0
    key = out.strip()
    assert key.startswith("stk_") and "cannot be shown again" in err

    code, out, _ = run_cli(capsys, "keys", "list")
    assert out.strip() == f"{key[4:12]}\t1\tbank\tbanks,th-fraud\tactive"

    code, out, _ = run_cli(capsys, "orgs", "list")
    assert out.strip() == "1\tbank\tactive\tKrungthai Bank"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("keys", "create", "Nobody", "--role", "bank"), "error: no member 'Nobody'"),
        (("keys", "create", "AIS", "--role", "king"), "error: unknown role 'king'"),
        (("orgs", "add", "AIS", "--sector", "telco"), "error: a member named 'AIS' already exists"),
        (("orgs", "add", "Moon", "--sector", "moon"), "error: unknown sector 'moon'"),
        (("keys", "revoke", "deadbeef"), "error: no API key with prefix 'deadbeef'"),
    ],
)
def test_user_errors_exit_2_with_one_line(settings, capsys, args, message):
    assert run_cli(capsys, "orgs", "add", "AIS", "--sector", "telco")[0] == 0

    code, _out, err = run_cli(capsys, *args)

    assert code == 2
    assert err.startswith(message)
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_revoke_then_audit_verify_ok_then_broken(settings, capsys, session):
    run_cli(capsys, "orgs", "add", "AIS", "--sector", "telco")
    key = run_cli(capsys, "keys", "create", "AIS", "--role", "telco")[1].strip()
    code, out, _ = run_cli(capsys, "keys", "revoke", key[4:12])
    assert code == 0 and out.startswith(f"revoked {key[4:12]}")

    code, out, _ = run_cli(capsys, "audit", "verify")
    assert code == 0 and out.startswith("ok: 3 rows, head ")

    session.execute(text("UPDATE audit_log SET actor = 'cli:mallory' WHERE seq = 2"))
    session.commit()
    code, out, err = run_cli(capsys, "audit", "verify")
    assert code == 2
    assert err.strip().splitlines() == [
        "error: audit row 2 (seq 2): content changed since it was written"
    ]


def test_commands_on_a_store_never_migrated_say_what_to_run(
    empty_database_url, monkeypatch, capsys
):
    from scamtrace.config import get_settings

    monkeypatch.setenv("SCAMTRACE_DATABASE_URL", empty_database_url)
    get_settings.cache_clear()
    try:
        code, _, err = run_cli(capsys, "orgs", "list")
        assert code == 2 and "run `scamtrace db upgrade`" in err
        code, out, _ = run_cli(capsys, "db", "upgrade")
        assert code == 0 and "empty ->" in out
        code, out, _ = run_cli(capsys, "db", "current")
        assert code == 0 and "(up to date)" in out
    finally:
        get_settings.cache_clear()


def test_deactivate_member_from_the_cli(settings, capsys):
    run_cli(capsys, "orgs", "add", "AIS", "--sector", "telco")

    code, out, _ = run_cli(capsys, "orgs", "deactivate", "AIS")
    assert code == 0 and out.strip() == "deactivated member 1: AIS"
    assert run_cli(capsys, "orgs", "list")[1].strip() == "1\ttelco\tinactive\tAIS"
    code, _, err = run_cli(capsys, "orgs", "deactivate", "AIS")
    assert code == 2 and err.strip() == "error: member 'AIS' is already inactive"


def test_help_lists_the_foundation_commands(capsys):
    code, out, _ = run_cli(capsys, "--help")

    assert code == 0
    for command in ("db", "orgs", "keys", "audit", "serve", "demo"):
        assert f" {command} " in out


def test_python_dash_m_scamtrace_runs():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "scamtrace", "keys", "--help"],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0
    assert "revoke" in result.stdout
