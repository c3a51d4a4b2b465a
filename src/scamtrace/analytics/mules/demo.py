"""Demo step: score the simulated world's bank accounts and compare with the truth."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from scamtrace.analytics import create_engine, load_transactions
from scamtrace.analytics.mules.mule_inputs import register_accounts
from scamtrace.analytics.mules.service import score_mule_accounts

#: Truth roles that count as mule accounts (every layer, cash-out included).
MULE_ROLES_PREFIX = ("mule", "cashout")


def run_demo(world_dir: Path, work_dir: Path, top: int = 5) -> list[str]:
    """Score every account of a simulated world without labels; report against the truth.

    Args:
        world_dir: a directory written by ``scamtrace simulate`` (transactions.parquet,
            accounts.parquet, truth/truth_entities.parquet).
        work_dir: where ``mule_scores.csv`` is written.
        top: how many flagged accounts to print.

    Returns:
        Lines to print: the top flagged accounts with reasons, precision and recall.
    """
    with create_engine("duckdb") as engine:
        txs = load_transactions(engine, world_dir / "transactions.parquet",
                                "src=src_account,dst=dst_account,amount=amount,ts=ts,id=tx_id")
        accounts_file = world_dir / "accounts.parquet"
        accounts = (register_accounts(engine, accounts_file, txs.ts_kind)
                    if accounts_file.exists() else None)
        result = score_mule_accounts(engine, txs, accounts_table=accounts)
    scores = result.scores
    flagged = scores[scores["flagged"]]
    lines = [(f"mule accounts: scored {len(scores)} accounts by typology rules, "
              f"flagged {len(flagged)} at score >= 0.5")]
    for row in flagged.head(top).itertuples():
        lines.append(f"  {row.account}  score {row.score:.2f}  {row.reasons}")
    truth_file = world_dir / "truth" / "truth_entities.parquet"
    if truth_file.exists():
        truth = pd.read_parquet(truth_file)
        roles = truth["role"].astype(str)
        mules = set(truth.loc[(truth["kind"] == "account") & roles.str.startswith(MULE_ROLES_PREFIX),
                              "id"].astype(str))
        hits = len(set(flagged["account"]) & mules)
        precision = hits / len(flagged) if len(flagged) else 0.0
        recall = hits / len(mules) if mules else 0.0
        lines.append(f"against the truth: {len(mules)} mule accounts; precision {precision:.2f}, "
                     f"recall {recall:.2f} of the flagged set")
    work_dir.mkdir(parents=True, exist_ok=True)
    scores.to_csv(work_dir / "mule_scores.csv", index=False)
    lines.append(f"wrote {work_dir / 'mule_scores.csv'}")
    return lines
