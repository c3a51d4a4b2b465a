"""``scamtrace normalize``: the canonical form of one identifier, as JSON."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from scamtrace.identifiers import KINDS, guess, parse


def normalize(
    kind: Annotated[str, typer.Argument(help=f"one of: {', '.join(KINDS)}; or 'auto' to guess")],
    value: Annotated[str, typer.Argument(help="the identifier as written, e.g. '081-234-5678'")],
    bank: Annotated[
        str | None, typer.Option(help="bank code or name for a bare account number")
    ] = None,
    chain: Annotated[str | None, typer.Option(help="btc, eth or tron for a wallet")] = None,
) -> None:
    """Print the canonical form of an identifier as JSON {kind, value, facts}.

    Example: scamtrace normalize phone '๐๘๑-๒๓๔-๕๖๗๘' prints
    {"facts":{...},"kind":"phone","value":"+66812345678"}. An invalid value prints one
    error line saying why and exits with code 2.
    """
    if kind == "auto":
        identifier = guess(value)
    else:
        hints = (
            {"bank": bank}
            if kind == "bank_account"
            else {"chain": chain}
            if kind == "wallet"
            else {}
        )
        identifier = parse(kind, value, **hints)
    typer.echo(
        json.dumps(identifier.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    )


def register(app: typer.Typer) -> None:
    """Add the identifier commands to the ``scamtrace`` app."""
    app.command("normalize")(normalize)
