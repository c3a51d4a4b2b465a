"""``scamtrace trace``: follow victim transfers through mule accounts from the shell."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from scamtrace.errors import InvalidDataFile


def register(app: typer.Typer) -> None:
    """Add the ``trace`` command to the scamtrace CLI."""
    app.command("trace")(trace)


def trace(
    transactions: Annotated[
        Path, typer.Option("--transactions", help="Parquet or CSV of transfers.")],
    seeds: Annotated[
        Path, typer.Option("--seeds", help="CSV with a tx_id column: victim transfers.")],
    out: Annotated[
        Path, typer.Option("--out", help="Directory for trail.csv, accounts.csv, summary.json.")],
    column_map: Annotated[
        str, typer.Option("--map", help="src=...,dst=...,amount=...,ts=...,id=...")] = "",
    policy: Annotated[
        str, typer.Option("--policy", help="fifo (Clayton's case, default), proportional, taint-first, lifo or matched.")
    ] = "fifo",
    max_hops: Annotated[
        int, typer.Option("--max-hops", help="Transfers per trail, the victim's being 1.")] = 4,
    window: Annotated[
        str, typer.Option("--window", help="48h, 7d, or a number of steps; empty: no limit.")
    ] = "",
    min_amount: Annotated[
        float, typer.Option("--min-amount", help="Do not follow smaller amounts.")] = 1.0,
    engine_name: Annotated[str, typer.Option("--engine", help="duckdb or spark.")] = "duckdb",
) -> None:
    """Trace victim transfers through layers of accounts and locate the money.

    Writes DIR/trail.csv (every transfer carrying traced money), DIR/accounts.csv (per
    account: traced money in, out, and still there: what a freeze can save) and
    DIR/summary.json (per victim transfer: the share of its amount per layer, at sinks
    and still held).
    """
    import pandas as pd

    from scamtrace.analytics import create_engine, load_transactions
    from scamtrace.analytics.inputs import parse_window
    from scamtrace.analytics.trace import TraceOptions, trace_victim_transfers

    seed_ids = _read_seed_ids(seeds)
    with create_engine(engine_name) as engine:
        table = load_transactions(engine, transactions, column_map)
        options = TraceOptions(
            policy=policy,  # type: ignore[arg-type]
            max_hops=max_hops,
            window=parse_window(window, table.ts_kind),
            min_amount=min_amount,
        )
        result = trace_victim_transfers(engine, seed_ids, options)
    out.mkdir(parents=True, exist_ok=True)
    result.trail.to_csv(out / "trail.csv", index=False)
    result.accounts.drop(columns=["is_sink"]).to_csv(out / "accounts.csv", index=False)
    (out / "summary.json").write_text(json.dumps({
        "policy": policy, "max_hops": max_hops, "window": window or None,
        "missing_seeds": [str(s) for s in result.missing_seeds],
        "seeds": result.summary,
    }, indent=2, default=str))
    seeds_summary = pd.DataFrame(result.summary)
    amount = seeds_summary["amount"]
    typer.echo(
        f"traced {len(seeds_summary)} victim transfers ({amount.sum():,.2f}) through "
        f"{result.accounts['account'].nunique()} accounts in {len(result.trail)} transfers; "
        f"{(seeds_summary['held'] * amount).sum():,.2f} still held in accounts that can be "
        f"frozen, {(seeds_summary['sinks'] * amount).sum():,.2f} at accounts that never send; "
        f"wrote {out}"
    )
    if result.missing_seeds:
        typer.echo(f"warning: {len(result.missing_seeds)} seed ids name no transfer", err=True)


def _read_seed_ids(path: Path) -> list[str]:
    import pyarrow.csv as pacsv

    if not path.exists():
        raise InvalidDataFile(f"{path}: no such file")
    try:
        table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
            column_types={"tx_id": "string"}))
    except Exception as exc:  # pyarrow raises ArrowInvalid and friends
        raise InvalidDataFile(f"{path}: cannot read as CSV: {exc}") from exc
    if "tx_id" not in table.column_names:
        raise InvalidDataFile(f"{path}: needs a tx_id column (has {', '.join(table.column_names)})")
    ids = [s for s in table.column("tx_id").to_pylist() if s not in (None, "")]
    if not ids:
        raise InvalidDataFile(f"{path}: no seed tx_id values")
    return ids
