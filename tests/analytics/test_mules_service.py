"""score_mule_accounts end to end: out-of-fold honesty, engines, accounts table, CLI."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest
from mules_world import EXPECTED, transfers
from typer.testing import CliRunner

from scamtrace.analytics import create_engine, load_transactions
from scamtrace.analytics.mules import score_mule_accounts
from scamtrace.analytics.mules.model import fold_of_account

PLANTED = ["splitter", "collector", "sweeper", "fanout", "passer", "rounder", "sleeper",
           "cyc_a", "cyc_b", "cyc_c", "sg_mid0", "sg_mid1", "sg_mid2", "sg_src"]


def _labels() -> pd.Series:
    table = transfers().to_pandas()
    accounts = sorted(set(table.src) | set(table.dst))
    return pd.Series([int(a in PLANTED) for a in accounts], index=accounts)


def _supervised(labels: pd.Series) -> pd.Series:
    with create_engine("duckdb", threads=2) as engine:
        txs = load_transactions(engine, transfers(), "src=src,dst=dst,amount=amount,ts=ts")
        result = score_mule_accounts(engine, txs, labels=labels, folds=3)
    assert result.mode == "supervised"
    return result.scores.set_index("account")["score"]


def test_an_accounts_score_does_not_depend_on_its_own_label():
    labels = _labels()
    before = _supervised(labels)
    for account in ("splitter", "bg7"):
        flipped = labels.copy()
        flipped[account] = 1 - flipped[account]
        after = _supervised(flipped)
        assert after[account] == before[account]
        # the flip is real: accounts in other folds were trained on it and may move
        others = [a for a in labels.index if fold_of_account(a, 3) != fold_of_account(account, 3)]
        assert len(others) > 0


def test_folds_are_stable_hashes():
    assert fold_of_account("004:1234567890", 5) == fold_of_account("004:1234567890", 5)
    spread = {fold_of_account(f"acct{i}", 5) for i in range(100)}
    assert spread == {0, 1, 2, 3, 4}


def test_same_features_on_every_engine(engine):
    txs = load_transactions(engine, transfers(), "src=src,dst=dst,amount=amount,ts=ts")
    result = score_mule_accounts(engine, txs)
    features = result.features.set_index("account")
    for feature, (account, expected) in EXPECTED.items():
        assert features.loc[account, feature] >= expected, feature
    top = result.scores.head(5)["account"].tolist()
    assert set(top) <= set(PLANTED) | {"bg1"}


def test_timestamps_night_and_young_accounts(tmp_path):
    base = 1_767_225_600  # 2026-01-01 00:00 UTC = 07:00 in Bangkok
    rows = []
    for day in range(60):  # background: daytime transfers among ten accounts
        for i in range(10):
            rows.append((f"a{i}", f"a{(i + day) % 10 + 10}", 500.0 + i + day / 7,
                         base + day * 86400 + 3 * 3600 + i * 60))
    # a new account paid at night (02:00 Bangkok = 19:00 UTC) from day 40 on
    for day in range(40, 48):
        rows.append(("a1", "newbie", 480.5 + day, base + day * 86400 + 19 * 3600))
        rows.append(("newbie", "a2", 470.5 + day, base + day * 86400 + 19 * 3600 + 600))
    src, dst, amount, ts = zip(*rows, strict=True)
    table = pa.table({"src": list(src), "dst": list(dst), "amount": list(amount),
                      "ts": pa.array([t * 1_000_000 for t in ts], pa.timestamp("us", tz="UTC"))})
    opened = pd.DataFrame({"account_id": ["newbie", "a1"],
                           "opened_at": ["2026-02-08T00:00:00Z", "2020-01-01T00:00:00Z"]})
    opened.to_csv(tmp_path / "accounts.csv", index=False)
    from scamtrace.analytics.mules.mule_inputs import register_accounts

    with create_engine("duckdb", threads=2) as engine:
        txs = load_transactions(engine, table, "src=src,dst=dst,amount=amount,ts=ts")
        assert txs.ts_kind == "timestamp"
        accounts = register_accounts(engine, tmp_path / "accounts.csv", txs.ts_kind)
        result = score_mule_accounts(engine, txs, accounts_table=accounts)
    features = result.features.set_index("account")
    assert features.loc["newbie", "night_share"] == 1.0
    assert features.loc["a5", "night_share"] == 0.0
    assert 1.5 < features.loc["newbie", "age_at_first_credit"] < 3.5
    reasons = result.scores.set_index("account").loc["newbie", "reasons"]
    assert "night_activity" in reasons and "young_account" in reasons


@pytest.fixture(scope="module")
def cli():
    import scamtrace.cli as cli_module

    cli_module._register_domains()
    return cli_module.app


def test_cli_writes_scores_and_supervised_mode(cli, tmp_path):
    pq_path = tmp_path / "tx.parquet"
    import pyarrow.parquet as pq

    table = transfers().rename_columns(["from_acct", "to_acct", "baht", "step"])
    pq.write_table(table, pq_path)
    labels = _labels().rename_axis("acct").reset_index(name="is_mule")
    labels.to_csv(tmp_path / "labels.csv", index=False)
    out = tmp_path / "scores.csv"
    runner = CliRunner()
    mapping = "src=from_acct,dst=to_acct,amount=baht,ts=step"
    result = runner.invoke(cli, ["mules", "--transactions", str(pq_path), "--out", str(out),
                                 "--map", mapping])
    assert result.exit_code == 0, result.output
    scores = pd.read_csv(out, dtype={"account": str})
    assert list(scores.columns) == ["account", "score", "flagged", "reasons"]
    assert set(scores["flagged"].astype(str).str.lower()) <= {"true", "false"}
    assert scores["score"].between(0, 1).all()
    assert len(scores) == len(_labels())
    result = runner.invoke(cli, ["mules", "--transactions", str(pq_path), "--out", str(out),
                                 "--map", mapping, "--labels", str(tmp_path / "labels.csv"),
                                 "--label-column", "is_mule", "--id-column", "acct",
                                 "--folds", "3", "--threshold", "0.3"])
    assert result.exit_code == 0, result.output
    assert "supervised" in result.output
    supervised = pd.read_csv(out, dtype={"account": str}).set_index("account")
    assert supervised.loc["splitter", "score"] > supervised.loc["bg7", "score"]


def test_cli_rejects_bad_labels(tmp_path):
    import subprocess
    import sys

    pd.DataFrame({"acct": ["a"], "is_mule": ["maybe"]}).to_csv(tmp_path / "l.csv", index=False)
    import pyarrow.parquet as pq

    pq.write_table(transfers(), tmp_path / "tx.parquet")
    done = subprocess.run(
        [sys.executable, "-m", "scamtrace", "mules", "--transactions",
         str(tmp_path / "tx.parquet"), "--out", str(tmp_path / "s.csv"),
         "--labels", str(tmp_path / "l.csv")],
        check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "not 0/1 labels" in done.stderr


def test_demo_reports_flagged_accounts_against_truth(tmp_path):
    from scamtrace.analytics.mules.demo import run_demo

    world = tmp_path / "world"
    (world / "truth").mkdir(parents=True)
    table = transfers().to_pandas()
    frame = pd.DataFrame({
        "tx_id": range(len(table)),
        "ts": pd.to_datetime(1_767_225_600 + table["ts"] * 3600, unit="s"),
        "src_account": table["src"], "dst_account": table["dst"],
        "amount": table["amount"], "channel": "mobile_banking",
    })
    frame.to_parquet(world / "transactions.parquet")
    pd.DataFrame({"kind": "account", "id": ["splitter", "fanout", "sweeper"], "gang_id": 1,
                  "role": ["mule_l1", "mule_l2+", "cashout"]}).to_parquet(
        world / "truth" / "truth_entities.parquet")
    lines = run_demo(world, tmp_path / "work")
    assert lines[0].startswith("mule accounts: scored")
    truth_line = next(line for line in lines if line.startswith("against the simulator's truth"))
    assert "3 mule accounts" in truth_line
    scores = pd.read_csv(tmp_path / "work" / "mule_scores.csv")
    assert {"splitter", "fanout", "sweeper"} <= set(scores.loc[scores["flagged"], "account"])
