"""``scamtrace sims`` end to end on small files, with column mapping, labels and errors."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from scamtrace.analytics.sims.commands import register

START = datetime(2026, 2, 1)


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)  # a second command keeps "sims" a subcommand
    return app


def _calls(n_mules: int = 6, n_people: int = 30) -> pd.DataFrame:
    rows = []
    for m in range(n_mules):  # 140 calls a day to strangers, short, from a border cell
        for i in range(280):
            rows.append((START + timedelta(minutes=10 * i + m), f"+6681000{m:04d}",
                         f"+6690{m:03d}{i:05d}", 9, "B", f"35000000000000{m % 2}"))
    for p in range(n_people):  # people calling two friends who call back
        for d in range(2):
            for friend in (1, 2):
                caller, callee = f"+6682000{p:04d}", f"+6682000{(p + friend) % n_people:04d}"
                rows.append((START + timedelta(days=d, hours=8 + friend), caller, callee,
                             95, "N", f"3510000000{p:05d}"))
    return pd.DataFrame(rows, columns=["start", "a_party", "b_party", "secs", "cell", "imei"])


def _write(tmp_path):
    calls = tmp_path / "calls.csv"
    _calls().to_csv(calls, index=False)
    sims = tmp_path / "sims.csv"
    numbers = [f"+6681000{m:04d}" for m in range(6)] + [f"+6682000{p:04d}" for p in range(30)]
    pd.DataFrame({
        "msisdn": numbers,
        "person_id": ["nom1"] * 6 + [f"p{p}" for p in range(30)],
        "activated_at": [START - timedelta(days=1)] * 6 + [START - timedelta(days=900)] * 30,
        "registration": ["nominee"] * 6 + ["named"] * 30,
    }).to_csv(sims, index=False)
    cells = tmp_path / "cells.csv"
    pd.DataFrame({"cell_id": ["B", "N"], "border_zone": [True, False]}).to_csv(cells, index=False)
    return calls, sims, cells


def test_sims_scores_mapped_csv_files(app, tmp_path):
    calls, sims, cells = _write(tmp_path)
    out = tmp_path / "scores.csv"
    result = CliRunner().invoke(app, [
        "sims", "--calls", str(calls), "--sims", str(sims), "--cells", str(cells),
        "--map", "ts=start,caller=a_party,callee=b_party,duration_s=secs,cell_id=cell",
        "--out", str(out)])
    assert result.exit_code == 0, result.output
    scores = pd.read_csv(out, dtype={"msisdn": str})
    assert list(scores.columns) == ["msisdn", "score", "flagged", "reasons"]
    flagged = set(scores.loc[scores["flagged"], "msisdn"])
    assert flagged == {f"+6681000{m:04d}" for m in range(6)}
    top = scores.iloc[0]
    assert "nominee" in top["reasons"] and "call_volume" in top["reasons"]
    assert scores["score"].between(0, 1).all()


def test_sims_model_out_of_fold_with_labels(app, tmp_path):
    calls, sims, _ = _write(tmp_path)
    labels = tmp_path / "labels.csv"
    numbers = [f"+6681000{m:04d}" for m in range(6)] + [f"+6682000{p:04d}" for p in range(30)]
    pd.DataFrame({"number": numbers, "is_mule": [1] * 6 + [0] * 30}).to_csv(labels, index=False)
    out = tmp_path / "model.csv"
    result = CliRunner().invoke(app, [
        "sims", "--calls", str(calls), "--sims", str(sims), "--out", str(out),
        "--map", "ts=start,caller=a_party,callee=b_party,duration_s=secs,cell_id=cell",
        "--labels", str(labels), "--label-column", "is_mule", "--id-column", "number",
        "--folds", "3"])
    assert result.exit_code == 0, result.output
    scores = pd.read_csv(out, dtype={"msisdn": str})
    assert scores["reasons"].str.startswith("model p=").all()
    mules = scores[scores["msisdn"].str.startswith("+6681")]
    people = scores[scores["msisdn"].str.startswith("+6682")]
    assert mules["score"].min() > people["score"].max()


def test_sims_unknown_column_is_a_clear_error(app, tmp_path):
    calls, _, _ = _write(tmp_path)
    result = CliRunner().invoke(app, ["sims", "--calls", str(calls), "--out",
                                      str(tmp_path / "x.csv")])
    assert result.exit_code != 0
    assert "no column 'ts'" in str(result.exception)
