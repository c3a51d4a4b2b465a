"""``scamtrace normalize``: JSON output through the Typer app, and the exit-2 contract
through ``scamtrace.cli.main``, the console-script entry point."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import scamtrace.cli
from scamtrace.errors import InvalidIdentifier


@pytest.fixture(scope="module")
def invoke():
    scamtrace.cli._register_domains()
    runner = CliRunner()
    return lambda *args: runner.invoke(scamtrace.cli.app, ["normalize", *args])


def test_normalize_prints_canonical_json(invoke):
    result = invoke("phone", "๐๘๑-๒๓๔-๕๖๗๘")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "kind": "phone",
        "value": "+66812345678",
        "facts": {"country": "TH", "line_type": "mobile", "national": "0812345678"},
    }
    assert result.stdout.startswith('{"facts":')  # sorted keys, compact: byte-stable output


def test_normalize_with_bank_hint_and_auto_kind(invoke):
    hinted = invoke("bank_account", "123-4-56789-0", "--bank", "SCB")
    assert json.loads(hinted.stdout)["value"] == "014:1234567890"
    guessed = invoke("auto", "bit.ly/abc")
    assert json.loads(guessed.stdout)["kind"] == "url"
    assert json.loads(guessed.stdout)["facts"]["shortener"] is True


def test_normalize_raises_invalid_identifier_for_the_cli_to_map(invoke):
    result = invoke("fax", "123")
    assert isinstance(result.exception, InvalidIdentifier)
    assert "unknown kind" in result.exception.reason


def test_normalize_bad_value_is_one_line_on_stderr_and_exit_2(invoke, capsys):
    # main() is the console-script entry point: it maps ScamtraceError to exit code 2.
    with pytest.raises(SystemExit) as exited:
        scamtrace.cli.main(["normalize", "phone", "08123"])
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert "invalid phone '08123'" in lines[0]
    assert "Thai mobile numbers have 10 digits" in lines[0]
