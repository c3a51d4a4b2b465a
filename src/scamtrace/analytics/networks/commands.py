"""``scamtrace networks``: assemble criminal networks from a world's tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from scamtrace.errors import InvalidInput


def register(app: typer.Typer) -> None:
    """Add the ``networks`` command to the scamtrace app."""
    app.command("networks")(networks)


def write_networks(out: Path, members, summaries, result) -> None:
    """Write members.csv, networks.json and the Parquet tables into ``out``.

    Args:
        out: the output directory (created).
        members: the members frame of :func:`describe_networks`.
        summaries: its network summaries.
        result: the discovery result (evidence and hubs are written too).
    """
    import pandas as pd

    out.mkdir(parents=True, exist_ok=True)
    members.to_csv(out / "members.csv", index=False)
    members.to_parquet(out / "members.parquet", index=False)
    pd.DataFrame([{k: v for k, v in s.items() if k != "members_list"}
                  | {"members_by_role": json.dumps(s["members_by_role"]),
                     "evidence_kinds": json.dumps(s["evidence_kinds"]),
                     "time_span": json.dumps(s["time_span"]),
                     "scam_types": json.dumps(s["scam_types"]),
                     "scam_type_texts": json.dumps(s["scam_type_texts"])} for s in summaries]
                 ).to_parquet(out / "networks.parquet", index=False)
    result.evidence.to_parquet(out / "evidence.parquet", index=False)
    result.hubs.to_parquet(out / "hubs.parquet", index=False)
    (out / "networks.json").write_text(json.dumps(
        {"networks": summaries, "hubs_removed": len(result.hubs)}, indent=1, default=str))


def networks(
    out: Annotated[Path, typer.Option("--out", help="Output directory.")],
    world: Annotated[Path | None, typer.Option(help="A simulated world's directory.")] = None,
    calls: Annotated[Path | None, typer.Option(help="Call records.")] = None,
    sms: Annotated[Path | None, typer.Option(help="SMS records with text.")] = None,
    sims_table: Annotated[Path | None, typer.Option("--sims", help="Subscriptions.")] = None,
    devices: Annotated[Path | None, typer.Option(help="SIM-in-handset records.")] = None,
    cells: Annotated[Path | None, typer.Option(help="Cell sites.")] = None,
    reports: Annotated[Path | None, typer.Option(help="Citizen and bank reports.")] = None,
    accounts: Annotated[Path | None, typer.Option(help="Bank accounts (account_id, person_id, kind).")] = None,
    transactions: Annotated[Path | None, typer.Option(help="Transfers.")] = None,
    column_map: Annotated[str | None, typer.Option("--map", help="Column names, as for `scamtrace sims`.")] = None,
    resolution: Annotated[float, typer.Option(help="Leiden modularity resolution.")] = 1.0,
    max_conductance: Annotated[float, typer.Option(
        help="A community sending more than this share of its evidence weight outside "
             "joins the community it is most tied to.")] = 0.05,
    min_members: Annotated[int, typer.Option(help="Smallest network reported.")] = 3,
    engine_name: Annotated[str, typer.Option("--engine", help="duckdb or spark.")] = "duckdb",
) -> None:
    """Find criminal networks: SIMs, accounts, devices, identities, links and victims.

    Builds one graph from evidence (a SIM contacted a victim who then paid an account;
    traced money between accounts; shared owners and handsets; links and numbers in
    SMS and reports), removes hubs (banks' cash accounts, exchanges, merchants, link
    shorteners, nodes spread over many communities), finds Leiden communities and ranks
    them by victims and losses. Writes members.csv (network_id, kind, id, role, score,
    evidence), networks.json and Parquet tables into --out.
    """
    from scamtrace.analytics import create_engine
    from scamtrace.analytics.networks.describe import describe_networks
    from scamtrace.analytics.networks.discover import NetworkOptions, discover_networks
    from scamtrace.analytics.sims.sim_inputs import world_sources

    sources = world_sources(world) if world is not None else {}
    given = {"calls": calls, "sms": sms, "sims": sims_table, "devices": devices, "cells": cells,
             "reports": reports, "accounts": accounts, "transactions": transactions}
    sources.update({k: v for k, v in given.items() if v is not None})
    if "calls" not in sources:
        raise InvalidInput("give --world DIR or the tables (--calls, --transactions, ...)")
    for path in sources.values():
        if path is not None and not Path(path).exists():
            raise InvalidInput(f"{path}: no such file")
    options = NetworkOptions(resolution=resolution, max_conductance=max_conductance,
                             min_members=min_members)
    with create_engine(engine_name) as engine:
        result = discover_networks(engine, sources, options, column_map)
    members, summaries = describe_networks(result, min_members=min_members)
    write_networks(out, members, summaries, result)
    named = int((members["role"] != "victim").sum())
    typer.echo(f"{len(summaries)} networks, {named} members, "
               f"{int((members['role'] == 'victim').sum())} victims, "
               f"{len(result.hubs)} hubs removed; wrote {out}")
