"""Demo hook: trace the simulated world's reported victim transfers and show the money.

``run_demo(world_dir, work_dir)`` reads WORLD/transactions.parquet and the bank
complaints in WORLD/reports.parquet (channel ``bank``, naming the victim's ``tx_id``),
traces them, writes the trail files under work_dir/trace/ and returns printable lines:
amounts traced per layer, money located, and the accounts to freeze first. When the
world's truth is there (WORLD/truth/), it also scores the trace against it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq

from scamtrace.analytics import create_engine, load_transactions
from scamtrace.analytics.trace import TraceOptions, TraceResult, trace_victim_transfers
from scamtrace.errors import InvalidDataFile

#: Mules move money within hours; two days covers every layer the simulator writes.
#: lifo (last in, first out by batch: the credits since the account's last debit leave
#: first, pro rata; older money after): the demo shows what to freeze and chase, and on
#: the simulator this policy locates the most money at the right account
#: (bench_trace.py --simulator, 2026-11-29: 0.901 / 0.967 / 0.980 / 0.933 on small worlds
#: 61, 67, 71 and medium 53, against 0.876 / 0.943 / 0.945 / 0.911 for taint-first and
#: 0.742 / 0.845 / - / 0.783 for FIFO): mules pass the newest money on and leave their
#: commission under it. `scamtrace trace` keeps FIFO (Clayton's case) as the
#: court-friendly default.
DEMO_OPTIONS = TraceOptions(policy="lifo", max_hops=6, window=48 * 3600,
                            min_amount=1.0)


def run_demo(world_dir: Path, work_dir: Path) -> list[str]:
    """Trace the reported victim transfers of a simulated world.

    Args:
        world_dir: the simulator's output directory.
        work_dir: where to write trace/trail.csv, trace/accounts.csv, trace/summary.json.

    Returns:
        Lines to print.
    """
    # Stay in Arrow: pandas would turn the nullable 64-bit ids into floats and round them.
    reports = pq.read_table(world_dir / "reports.parquet", columns=["channel", "tx_id"])
    bank = reports.filter(pc.equal(reports.column("channel"), "bank"))
    seeds = sorted(set(bank.column("tx_id").drop_null().to_pylist()))
    if not seeds:
        return ["money trails: no bank complaint names a victim transfer in this world"]
    with create_engine("duckdb") as engine:
        load_transactions(engine, world_dir / "transactions.parquet",
                          "src=src_account,dst=dst_account,amount=amount,ts=ts,id=tx_id")
        result = trace_victim_transfers(engine, seeds, DEMO_OPTIONS)
    out = work_dir / "trace"
    _write(result, out)
    lines = _describe(result, len(seeds))
    truth = world_dir / "truth"
    if (truth / "truth_flows.parquet").exists():
        lines += _against_truth(result, truth)
    lines.append(f"  files: {out}/trail.csv, accounts.csv, summary.json")
    return lines


def _write(result: TraceResult, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    result.trail.to_csv(out / "trail.csv", index=False)
    result.accounts.drop(columns=["is_sink"]).to_csv(out / "accounts.csv", index=False)
    (out / "summary.json").write_text(json.dumps({"seeds": result.summary}, indent=2,
                                                 default=str))


def _describe(result: TraceResult, n_seeds: int) -> list[str]:
    summary = pd.DataFrame(result.summary)
    total = summary["amount"].sum()
    per_hop = result.accounts.groupby("hop")["amount_in"].sum()
    layers = ", ".join(f"layer {h}: {v:,.0f}" for h, v in per_hop.items())
    sinks = (summary["sinks"] * summary["amount"]).sum()
    held = (summary["held"] * summary["amount"]).sum()
    lines = [
        (f"money trails ({DEMO_OPTIONS.policy} policy, {DEMO_OPTIONS.max_hops} hops, 48 h): "
         f"{len(summary)} of {n_seeds} reported victim transfers, {total:,.0f} baht"),
        f"  traced into {layers}",
        (f"  {held:,.0f} baht ({held / total:.0%}) still in accounts that can be frozen, "
         f"{sinks:,.0f} ({sinks / total:.0%}) at cash-out accounts that never send"),
        "  freeze first (account: traced baht still there):",
    ]
    accounts = result.accounts[~result.accounts["is_sink"].astype(bool)]
    still = accounts.groupby("account")["amount_remaining"].sum().sort_values(ascending=False)
    for account, amount in still[still >= 1.0].head(8).items():
        lines.append(f"    {account}: {amount:,.0f}")
    return lines


def _against_truth(result: TraceResult, truth: Path) -> list[str]:
    flows = pq.read_table(truth / "truth_flows.parquet").to_pandas()
    entities = pq.read_table(truth / "truth_entities.parquet").to_pandas()
    seeds = set(result.trail["seed_id"])
    flows = flows[flows["victim_tx_id"].isin(seeds)]
    if flows.empty:
        raise InvalidDataFile("the world's truth_flows do not cover the reported transfers")
    true_pairs = set(zip(flows["victim_tx_id"], flows["tx_id"]))
    traced_pairs = set(zip(result.trail["seed_id"], result.trail["tx_id"]))
    mules = set(entities.loc[(entities["kind"] == "account")
                             & entities["role"].str.startswith("mule"), "id"])
    reached = set(flows["dst_account"]) & mules
    found = reached & set(result.accounts["account"])
    # Where the truth says each victim's money ended (in minus out per account) against
    # where the trace puts it: only money placed at the right account counts as located.
    inflow = flows.groupby(["victim_tx_id", "dst_account"])["amount_carried"].sum()
    outflow = flows.groupby(["victim_tx_id", "src_account"])["amount_carried"].sum()
    outflow.index.names = inflow.index.names
    truth_end = inflow.sub(outflow, fill_value=0).clip(lower=0)
    ours = result.accounts.assign(
        end=result.accounts["amount_in"].where(result.accounts["is_sink"].astype(bool),
                                               result.accounts["amount_remaining"]))
    ours_end = ours.groupby(["seed_id", "account"])["end"].sum()
    ours_end.index.names = truth_end.index.names
    both = pd.concat([truth_end, ours_end], axis=1, keys=["truth", "ours"]).fillna(0)
    victims_total = flows.loc[flows["hop"] == flows.groupby("victim_tx_id")["hop"]
                              .transform("min"), "amount_carried"].sum()
    located = both.min(axis=1).sum() / victims_total
    line = (
        f"  against the world's truth: {located:.0%} of the victims' money located at the "
        f"right account; {len(true_pairs & traced_pairs)} of {len(true_pairs)} laundering "
        f"transfers followed ({len(traced_pairs - true_pairs)} others); {len(found)} of "
        f"{len(reached)} mule accounts on the true trails found"
    )
    return [line]
