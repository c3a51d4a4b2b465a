"""``scamtrace intel import / export / rebuild-index``."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from scamtrace.intel.commands import register
from scamtrace.orgs.service import create_member
from scamtrace.store.engine import session_scope


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Test root."""

    register(app)
    return app


def test_import_export_and_rebuild(settings, tmp_path):
    with session_scope(settings.effective_database_url) as session:
        create_member(session, name="True Move", sector="telco", actor="t")
    data = tmp_path / "evidence.csv"
    data.write_text(
        "kind,value,evidence,confidence\n"
        "phone,081-234-5678,sighting/true_positive,0.9\n"
        "domain,www.kbank-secure-th.com,sighting,0.8\n"
        "phone,garbage,sighting,0.9\n"
    )
    runner, app = CliRunner(), _app()
    imported = runner.invoke(app, ["intel", "import", str(data), "--source", "True Move"])
    assert imported.exit_code == 0, imported.output
    assert "imported 2 pieces of evidence from True Move; skipped 1" in imported.output
    exported = runner.invoke(app, ["intel", "export", "--format", "csv"])
    rows = exported.output.splitlines()
    assert rows[0].startswith("kind,value,tier") and len(rows) == 3
    assert any(r.startswith("domain,kbank-secure-th.com,") for r in rows)
    bundle = runner.invoke(app, ["intel", "export", "--format", "stix"])
    assert json.loads(bundle.output)["type"] == "bundle"
    built = runner.invoke(app, ["intel", "rebuild-index"])
    assert built.exit_code == 0 and "generation 1: 2 indicators changed" in built.output
    bad = runner.invoke(app, ["intel", "export", "--format", "xml"])
    assert bad.exit_code != 0
