"""Demo step: score the simulated world's bank accounts and compare with the truth."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sklearn.metrics import average_precision_score

from scamtrace.analytics import create_engine, load_transactions
from scamtrace.analytics.mules.mule_inputs import register_accounts
from scamtrace.analytics.mules.rules import DEFAULT_THRESHOLD
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
        Lines to print: the top flagged accounts with reasons, then the precision and
        recall of the flagged set and the average precision of the whole ranking against
        the simulator's truth.
    """
    with create_engine("duckdb") as engine:
        txs = load_transactions(engine, world_dir / "transactions.parquet",
                                "src=src_account,dst=dst_account,amount=amount,ts=ts,id=tx_id")
        accounts_file = world_dir / "accounts.parquet"
        accounts = (register_accounts(engine, accounts_file, txs.ts_kind)
                    if accounts_file.exists() else None)
        result = score_mule_accounts(engine, txs, accounts_table=accounts)
        owners = accounts is not None and int(engine.fetch_pandas(
            f"SELECT count(owner) AS n FROM {accounts}")["n"].iloc[0]) > 0
    scores = result.scores
    flagged = scores[scores["flagged"]]
    inputs = ("the transfers alone" if accounts is None else
              "the transfers, with account opening dates "
              + ("and owners " if owners else "") + "from accounts.parquet")
    lines = [(f"mule accounts: scored {len(scores)} accounts by typology rules (no labels) "
              f"from {inputs}; flagged {len(flagged)} at score >= {DEFAULT_THRESHOLD:g}")]
    for row in flagged.head(top).itertuples():
        lines.append(f"  {row.account}  score {row.score:.2f}  {row.reasons}")
    truth_file = world_dir / "truth" / "truth_entities.parquet"
    if truth_file.exists():
        lines.extend(truth_lines(scores, pd.read_parquet(truth_file)))
    work_dir.mkdir(parents=True, exist_ok=True)
    scores.to_csv(work_dir / "mule_scores.csv", index=False)
    lines.append(f"wrote {work_dir / 'mule_scores.csv'}")
    return lines


def truth_lines(scores: pd.DataFrame, truth: pd.DataFrame) -> list[str]:
    """Precision and recall of the flagged set and average precision of the ranking.

    Args:
        scores: ``account``, ``score``, ``flagged`` for every scored account.
        truth: the simulator's truth entities (``kind``, ``id``, ``role``).

    Returns:
        Lines saying what was measured against which truth.
    """
    roles = truth["role"].astype(str)
    mules = set(truth.loc[(truth["kind"] == "account") & roles.str.startswith(MULE_ROLES_PREFIX),
                          "id"].astype(str))
    flagged = set(scores.loc[scores["flagged"], "account"])
    hits = len(flagged & mules)
    precision = hits / len(flagged) if flagged else 0.0
    recall = hits / len(mules) if mules else 0.0
    is_mule = scores["account"].isin(mules).to_numpy()
    lines = [(f"against the simulator's truth: {len(mules)} mule accounts (roles mule_l1, "
              f"mule_l2+, cashout); {hits} of the {len(flagged)} flagged are mule accounts "
              f"(precision {precision:.2f}), {hits} of the {len(mules)} mule accounts are "
              f"flagged (recall {recall:.2f})")]
    if is_mule.any() and not is_mule.all():
        ap = average_precision_score(is_mule, scores["score"].to_numpy(dtype=float))
        lines.append(f"  ranking of all {len(scores)} scored accounts by score: average "
                     f"precision {ap:.2f} (mule accounts are {is_mule.mean():.2%} of them)")
    return lines

