"""``scamtrace sims``: score mule SIMs from call records."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from scamtrace.errors import InvalidInput

_FILE = {"exists": False, "dir_okay": True, "file_okay": True}


def register(app: typer.Typer) -> None:
    """Add the ``sims`` command to the scamtrace app."""
    app.command("sims")(sims)


def sims(
    out: Annotated[Path, typer.Option("--out", help="Scores CSV to write.")],
    calls: Annotated[Path | None, typer.Option(help="Call records (Parquet or CSV).")] = None,
    sms: Annotated[Path | None, typer.Option(help="SMS records.")] = None,
    sims_table: Annotated[Path | None, typer.Option("--sims", help="Subscriptions.")] = None,
    devices: Annotated[Path | None, typer.Option(help="SIM-in-handset records.")] = None,
    cells: Annotated[Path | None, typer.Option(help="Cell sites with border_zone.")] = None,
    reports: Annotated[Path | None, typer.Option(help="Citizen reports.")] = None,
    accounts: Annotated[Path | None, typer.Option(help="Bank accounts with person_id.")] = None,
    transactions: Annotated[Path | None, typer.Option(help="Transfers (src_account, dst_account, ts).")] = None,
    flagged_accounts: Annotated[Path | None, typer.Option(
        help="Mule accounts (a list, or `scamtrace mules` output with a flagged column).")] = None,
    world: Annotated[Path | None, typer.Option(help="A simulated world's directory.")] = None,
    column_map: Annotated[str | None, typer.Option("--map", help=(
        "Source column names: caller=a,callee=b,ts=t,duration_s=d (calls) and "
        "table.role=column for the others, e.g. sms.sender=from."))] = None,
    labels: Annotated[Path | None, typer.Option(help="Labels (msisdn, label 0/1) to train a model.")] = None,
    label_column: Annotated[str, typer.Option(help="Label column of --labels.")] = "label",
    id_column: Annotated[str, typer.Option(help="Number column of --labels.")] = "msisdn",
    folds: Annotated[int, typer.Option(help="Folds for out-of-fold model scores.")] = 5,
    threshold: Annotated[float | None, typer.Option(help="Flag threshold (rules 0.75, model 0.5).")] = None,
    window_hours: Annotated[float | None, typer.Option(help="Score only the last N hours.")] = None,
    end: Annotated[datetime | None, typer.Option(help="End of the window, UTC (default: after the last call).")] = None,
    engine_name: Annotated[str, typer.Option("--engine", help="duckdb or spark.")] = "duckdb",
) -> None:
    """Score mule SIMs from call records: writes msisdn, score (0-1), flagged, reasons.

    Features per SIM: outbound/inbound ratio, distinct and never-contacted callees,
    short and unanswered calls, bursts, night calls, SMS fan-out, cells and border
    zones, SIM age, handsets, SIMs per identity, nominee registration, contacts who
    reported or paid flagged accounts, and reports against the number. Without
    --labels the score comes from explainable rules; with them, from a LightGBM model
    scored out-of-fold.
    """
    from scamtrace.analytics import create_engine
    from scamtrace.analytics.sims.model import read_labels
    from scamtrace.analytics.sims.scoring import SCORE_COLUMNS, score_sims
    from scamtrace.analytics.sims.sim_inputs import load_sim_tables, world_sources
    from scamtrace.analytics.sims.sim_pipeline import default_window

    if world is None and calls is None:
        raise InvalidInput("give --calls (and the other tables) or --world DIR")
    sources = world_sources(world) if world is not None else {}
    given = {"calls": calls, "sms": sms, "sims": sims_table, "devices": devices,
             "cells": cells, "reports": reports, "accounts": accounts,
             "transactions": transactions, "flagged_accounts": flagged_accounts}
    sources.update({k: v for k, v in given.items() if v is not None})
    if sources.get("flagged_accounts") is None:
        # Accounts and transfers serve only "contacts who then paid a flagged account":
        # without flagged accounts they would be loaded for nothing (GBs at scale).
        sources.pop("accounts", None)
        sources.pop("transactions", None)
    for path in sources.values():
        if path is not None and not Path(path).exists():
            raise InvalidInput(f"{path}: no such file")
    with create_engine(engine_name) as engine:
        tables = load_sim_tables(engine, sources, column_map)
        window = default_window(engine, tables.calls, end=end, hours=window_hours)
        label_series = (read_labels(str(labels), id_column=id_column, label_column=label_column)
                        if labels is not None else None)
        scored = score_sims(engine, tables, window=window, labels=label_series, folds=folds,
                            threshold=threshold)
    out.parent.mkdir(parents=True, exist_ok=True)
    scored[list(SCORE_COLUMNS)].to_csv(out, index=False)
    flagged = int(scored["flagged"].sum())
    typer.echo(f"scored {len(scored)} SIMs, flagged {flagged}; wrote {out}")
