"""Tracing many victim transfers at once, hop by hop, set-wise on the analytics engine.

One round per hop (at most ``max_hops - 1`` rounds), each round one pipeline over all
seeds together: the loop is over hops, never over seeds (taint-first repeats the
hops until the trail settles: see :func:`.kernel._taint_first`). On DuckDB the FIFO,
proportional, taint-first and LIFO hops run instead as a numpy kernel over a per-account
ledger index (:mod:`.kernel`), whose cost follows the trail rather than the data; same
results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pyarrow as pa

from scamtrace.analytics.engine import Engine
from scamtrace.analytics.pipeline import Pipeline
from scamtrace.analytics.trace import steps_sql
from scamtrace.analytics.trace.allocation_sql import (
    account_ledger_sql,
    fifo_allocation_sql,
    frontier_outflows_sql,
    lifo_allocation_sql,
    lifo_ledger_sql,
    outgoing_after_deposit_sql,
    proportional_allocation_sql,
    taint_first_allocation_sql,
    taint_ledger_sql,
)
from scamtrace.analytics.trace.kernel import TAINT_ROUNDS, trace_with_index
from scamtrace.analytics.trace.ledger_index import LedgerIndex
from scamtrace.analytics.trace.matching_sql import matched_allocation_sql
from scamtrace.analytics.trace.options import KERNEL_POLICIES, TraceOptions
from scamtrace.analytics.trace.summary import summarise_trails
from scamtrace.errors import InvalidDataFile

_WORK_TABLES = ("seeds", "seed_rows", "frontier", "outflows", "pairs", "ledger", "allocation",
                "moved", "trail", "trail_accounts", "taint", "lifo")


@dataclass
class TraceResult:
    """What a trace found.

    Attributes:
        trail: seed_id, hop, tx_id, src, dst, amount_traced (hop 1 = the victim transfer).
        accounts: seed_id, account, hop, amount_in, amount_out, amount_remaining, is_sink.
        summary: per seed, the shares of its amount per layer, at sinks and still held.
        missing_seeds: seed ids that name no transaction.
    """

    trail: pd.DataFrame
    accounts: pd.DataFrame
    summary: list[dict[str, Any]]
    missing_seeds: list[Any] = field(default_factory=list)


def trace_victim_transfers(
    engine: Engine,
    seeds: Any,
    options: TraceOptions | None = None,
    *,
    transactions: str = "transactions",
    index: LedgerIndex | None = None,
) -> TraceResult:
    """Follow the money of victim transfers through the layers of accounts.

    Args:
        engine: an engine holding the canonical transactions table
            (:func:`scamtrace.analytics.load_transactions`).
        seeds: the victim transfers' ids: a list, or a table with a ``tx_id`` column.
        options: policy, hops, window and thresholds (default :class:`TraceOptions`).
        transactions: the canonical table's name.
        index: the kernel's ledger index of that table, when already built
            (:meth:`LedgerIndex.build`; built here when the kernel runs without one).

    Returns:
        The trails, the accounts on them and a per-seed summary.

    Examples:
        >>> result = trace_victim_transfers(engine, ["T1"], TraceOptions(window=172800))
        >>> result.accounts.sort_values("amount_remaining").tail(1)  # best freeze target
    """
    options = options or TraceOptions()
    if uses_kernel(engine, options):
        index = index or LedgerIndex.build(engine, transactions)
        seed_table = _seed_table(seeds, index.tx_id.type)
        return _trace_with_kernel(seed_table, options, index)
    id_type = engine.columns(transactions)["tx_id"]
    engine.register(_seed_table(seeds, id_type), "seeds")
    if transactions != "transactions":
        engine.execute(f"SELECT * FROM {transactions}", "transactions")
    engine.execute(steps_sql.seed_rows_sql(), "seed_rows")
    engine.execute(steps_sql.seed_frontier_sql(), "frontier")
    found = engine.fetch_arrow("SELECT DISTINCT seed_id FROM frontier")["seed_id"].to_pylist()
    wanted = engine.fetch_arrow("SELECT tx_id FROM seeds")["tx_id"].to_pylist()
    missing = sorted(set(wanted) - set(found), key=str)
    if not found:
        raise InvalidDataFile(f"none of the {len(wanted)} seed transfers is in the transactions")
    engine.execute(steps_sql.seed_trail_sql(), "trail")
    if options.policy == "taint-first":
        # a fixed point, as in the kernel: each round traces with the victims' money
        # of the last round's trail, until the trail no longer changes
        previous = None
        for _ in range(TAINT_ROUNDS):
            engine.execute(taint_ledger_sql(), "taint")
            engine.execute(steps_sql.seed_frontier_sql(), "frontier")
            engine.execute(steps_sql.seed_trail_sql(), "trail")
            _hops_sql(engine, options)
            settled = engine.fetch_pandas(
                f"SELECT tx_id, round(sum(amount_traced), {steps_sql.DECIMALS}) AS amount "
                "FROM trail GROUP BY tx_id").sort_values("tx_id", ignore_index=True)
            if previous is not None and settled.equals(previous):
                break
            previous = settled
    else:
        if options.policy == "lifo":
            engine.execute(lifo_ledger_sql(), "lifo")
        _hops_sql(engine, options)
    trail = engine.fetch_pandas(steps_sql.rounded_trail_sql())
    engine.execute(steps_sql.trail_accounts_sql(), "trail_accounts")
    accounts = engine.fetch_pandas("trail_accounts")
    trail = trail.sort_values(["seed_id", "hop", "tx_id"], kind="stable", ignore_index=True)
    accounts = accounts.sort_values(["seed_id", "hop", "account"], kind="stable",
                                    ignore_index=True)
    result = TraceResult(trail, accounts, summarise_trails(trail, accounts), missing)
    engine.drop(*_WORK_TABLES)
    return result


def _hops_sql(engine: Engine, options: TraceOptions) -> None:
    for _ in range(options.max_hops - 1):
        engine.run(_hop_pipeline(options), "frontier")
        if engine.fetch_arrow("SELECT count(*) AS n FROM frontier").to_pylist()[0]["n"] == 0:
            break


def uses_kernel(engine: Engine, options: TraceOptions) -> bool:
    """Whether ``options`` run on the kernel (see :attr:`TraceOptions.method`)."""
    if options.method == "auto":
        return engine.dialect.name == "duckdb" and options.policy in KERNEL_POLICIES
    return options.method == "kernel"


def _trace_with_kernel(seeds: pa.Table, options: TraceOptions,
                       index: LedgerIndex) -> TraceResult:
    trail, accounts, missing = trace_with_index(index, seeds.column("tx_id"), options)
    if trail.empty:
        raise InvalidDataFile(
            f"none of the {seeds.num_rows} seed transfers is in the transactions")
    return TraceResult(trail, accounts, summarise_trails(trail, accounts),
                       sorted(missing, key=str))


def _hop_pipeline(options: TraceOptions) -> Pipeline:
    pipeline = Pipeline()
    if options.policy == "matched":
        pipeline.add("allocation", matched_allocation_sql(options), persist=True,
                     repartition_by=("seed_id",))
    else:
        allocate = {"fifo": fifo_allocation_sql, "proportional": proportional_allocation_sql,
                    "taint-first": taint_first_allocation_sql,
                    "lifo": lifo_allocation_sql}[options.policy]
        pipeline.add("outflows", frontier_outflows_sql(), persist=True,
                     repartition_by=("src",))
        pipeline.add("pairs", outgoing_after_deposit_sql(options, sent="outflows"),
                     persist=True, repartition_by=("account",))
        if options.policy not in ("taint-first", "lifo"):
            pipeline.add("ledger", account_ledger_sql(), persist=True,
                         repartition_by=("account",))
        pipeline.add("allocation", allocate(options))
    pipeline.add("moved", steps_sql.moved_sql(options), persist=True)
    pipeline.add("trail", steps_sql.extend_trail_sql(), persist=True)
    pipeline.add("next_frontier", steps_sql.next_frontier_sql())
    return pipeline


def _seed_table(seeds: Any, id_type: pa.DataType) -> pa.Table:
    if isinstance(seeds, pa.Table):
        column = seeds.column("tx_id")
    elif isinstance(seeds, pd.DataFrame):
        column = pa.array(seeds["tx_id"])
    else:
        column = pa.array(list(seeds))
    try:
        column = column.cast(id_type)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise InvalidDataFile(f"seed tx_id values do not fit the transactions' ids: {exc}") from exc
    return pa.table({"tx_id": column})
