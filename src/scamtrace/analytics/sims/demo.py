"""Demo step: score the simulated world's SIMs and run one *1185# 48-hour check."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from scamtrace.analytics import create_engine
from scamtrace.analytics.sims.check import check_calling_pattern
from scamtrace.analytics.sims.scoring import SCORE_COLUMNS, score_sims
from scamtrace.analytics.sims.sim_inputs import load_sim_tables, world_sources


def run_demo(world_dir: Path, work_dir: Path) -> list[str]:
    """Score every SIM of a simulated world and check the top one as *1185# would.

    Args:
        world_dir: a directory written by ``scamtrace simulate``.
        work_dir: where ``sim_scores.csv`` is written.

    Returns:
        Lines to print.
    """
    sources = {k: v for k, v in world_sources(world_dir).items()
               if k not in ("accounts", "transactions")}
    with create_engine("duckdb") as engine:
        tables = load_sim_tables(engine, sources)
        scored = score_sims(engine, tables)
        flagged = scored[scored["flagged"]]
        lines = [f"mule SIMs: scored {len(scored)} SIMs, flagged {len(flagged)}"]
        for row in flagged.head(5).itertuples():
            lines.append(f"  {row.msisdn}  score {row.score:.2f}  {row.reasons.split('; ')[0]}")
        if len(flagged):
            top = flagged["msisdn"].iloc[0]
            last = engine.fetch_pandas(
                f"SELECT max(ts) AS ts FROM calls WHERE caller = '{top}'")["ts"].iloc[0]
            if not pd.isna(last):  # a SIM that only texted has no call to check
                at = last.to_pydatetime()
                check = check_calling_pattern(engine, [top], at=at, calls="calls",
                                              sims="sims", devices="devices", cells="cells",
                                              reports="reports").iloc[0]
                lines.append(f"*1185# check of {top} over the 48 hours to {at:%Y-%m-%d %H:%M}: "
                             f"score {check['score']:.2f}, "
                             f"{'escalate' if check['flagged'] else 'no escalation'}")
    work_dir.mkdir(parents=True, exist_ok=True)
    scored[list(SCORE_COLUMNS)].to_csv(work_dir / "sim_scores.csv", index=False)
    lines.append(f"wrote {work_dir / 'sim_scores.csv'}")
    return lines
