"""``scamtrace mules``: score accounts for mule behaviour from the shell."""

from __future__ import annotations

from pathlib import Path

import typer

from scamtrace.errors import InvalidInput


def register(app: typer.Typer) -> None:
    """Add the ``mules`` command to the scamtrace CLI."""
    app.command("mules")(mules)


def mules(
    transactions: Path = typer.Option(..., "--transactions", help="Parquet or CSV of transfers."),
    out: Path = typer.Option(..., "--out", help="CSV to write: account, score, flagged, reasons."),
    column_map: str = typer.Option("", "--map", help="src=...,dst=...,amount=...,ts=...,id=..."),
    accounts: Path | None = typer.Option(
        None, "--accounts",
        help="CSV/Parquet with account ids and opened_at (account-age rule), optionally the "
             "owner (owner/person_id/customer_id): paying only one's own accounts is not paying out."),
    labels: Path | None = typer.Option(
        None, "--labels", help="CSV/Parquet of known mules (1) and non-mules (0): supervised mode."),
    label_column: str | None = typer.Option(None, "--label-column", help="Label column in --labels."),
    id_column: str | None = typer.Option(None, "--id-column", help="Account id column in --labels."),
    folds: int = typer.Option(5, "--folds", help="Out-of-fold scoring folds (supervised mode)."),
    threshold: float = typer.Option(0.5, "--threshold", help="Flag accounts scoring at least this."),
    engine_name: str = typer.Option("duckdb", "--engine", help="duckdb or spark."),
) -> None:
    """Score every account for mule behaviour and write account, score, flagged, reasons.

    Without --labels: explainable typology rules (rapid pass-through, fan-in from new
    senders, small credits swept out, onward transfers, splitting, round amounts, dormant
    accounts waking, night activity, young accounts, cycles, scatter-gather). With
    --labels: a gradient-boosted model on those rules plus graph features, scored out of
    fold so that no account's score comes from a model that saw its label.
    """
    from scamtrace.analytics import create_engine, load_transactions
    from scamtrace.analytics.mules.mule_inputs import read_labels, register_accounts
    from scamtrace.analytics.mules.service import score_mule_accounts

    if not 0.0 <= threshold <= 1.0:
        raise InvalidInput("--threshold must be between 0 and 1")
    known = read_labels(labels, id_column=id_column, label_column=label_column) if labels else None
    with create_engine(engine_name) as engine:
        table = load_transactions(engine, transactions, column_map)
        accounts_table = register_accounts(engine, accounts, table.ts_kind) if accounts else None
        result = score_mule_accounts(
            engine, table, accounts_table=accounts_table, labels=known, folds=folds,
            threshold=threshold,
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    frame = result.scores.copy()
    frame["flagged"] = frame["flagged"].map({True: "true", False: "false"})
    frame.to_csv(out, index=False)
    flagged = int(result.scores["flagged"].sum())
    typer.echo(
        f"scored {len(frame)} accounts ({result.mode}); flagged {flagged} at "
        f"score >= {threshold:g}; wrote {out}"
    )
