"""The per-seed baselines of the trace speed benchmark: FIFO tracing (and LIFO, like for
like with the engine's ``lifo``) in plain Python over a networkx MultiDiGraph, one seed
at a time, with the same rules as the engine's policies (so their trails double as a
cross-check). Per traced deposit it reads the account's credits and debits, sorts them
into its ledger and allocates the later debits; accounts that never send (sinks, such as
merchants whose credits grow with the data) are skipped without reading their ledger,
as the engine skips them."""

from __future__ import annotations

from collections import defaultdict

import networkx as nx
import pyarrow as pa


def build_graph(table: pa.Table) -> nx.MultiDiGraph:
    """One edge per transfer, keyed by tx_id, with ts (epoch seconds) and amount."""
    graph = nx.MultiDiGraph()
    cols = table.to_pydict()
    ts = [int(t.timestamp()) for t in cols["ts"]]
    graph.add_edges_from(
        (s, d, i, {"ts": t, "amount": a})
        for i, s, d, a, t in zip(cols["tx_id"], cols["src"], cols["dst"], cols["amount"], ts)
        if s != d
    )
    return graph


def _ledger_events(graph: nx.MultiDiGraph, account) -> list[tuple]:
    """An account's credits and debits in time order: (ts, tx_id, outflow, inflow,
    receiver), receiver ``None`` for a credit."""
    return sorted(
        [(d["ts"], k, 0.0, d["amount"], None) for _, _, k, d in
         graph.in_edges(account, keys=True, data=True)]
        + [(d["ts"], k, d["amount"], 0.0, v) for _, v, k, d in
           graph.out_edges(account, keys=True, data=True)]
    )


def trace_one_seed_fifo(graph: nx.MultiDiGraph, seed: tuple, hops: int, window: int,
                        min_amount: float) -> dict[int, float]:
    """FIFO-trace one victim transfer; returns tx_id -> amount traced (hop 1 included)."""
    src, dst, tx_id = seed
    data = graph.edges[src, dst, tx_id]
    seed_ts = data["ts"]
    traced = {tx_id: data["amount"]}
    frontier = [(dst, data["ts"], tx_id, data["amount"], data["amount"])]
    for _hop in range(hops - 1):
        moved: dict[tuple, float] = defaultdict(float)
        for account, t_in, in_tx, amt_in, x in frontier:
            if graph.out_degree(account) == 0:
                continue  # a sink: nothing leaves, no ledger to read
            events = _ledger_events(graph, account)
            cum_in = cum_out = opening = 0.0
            placed = []
            for ts, key, outflow, inflow, receiver in events:
                cum_in += inflow
                cum_out += outflow
                opening = max(opening, cum_out - cum_in)
                placed.append((ts, key, outflow, inflow, receiver, cum_in, cum_out))
            start = next(opening + ci - amt_in for ts, k, o, i, r, ci, co in placed
                         if k == in_tx and i > 0)
            for ts, key, outflow, _i, receiver, _ci, q in placed:
                if outflow <= 0 or (ts, key) <= (t_in, in_tx) or ts > seed_ts + window:
                    continue
                overlap = min(q, start + amt_in) - max(q - outflow, start)
                if overlap > 0:
                    moved[(key, receiver, ts, outflow)] += overlap * x / amt_in
        frontier = []
        for (key, receiver, ts, amount), carried in moved.items():
            carried = min(carried, amount)
            if carried >= min_amount:
                traced[key] = traced.get(key, 0.0) + carried
                frontier.append((receiver, ts, key, amount, carried))
        if not frontier:
            break
    return traced


def trace_one_seed_lifo(graph: nx.MultiDiGraph, seed: tuple, hops: int, window: int,
                        min_amount: float) -> dict[int, float]:
    """LIFO-trace one victim transfer, with the same rules as the engine's ``lifo``
    policy: an account's credits with no debit between them form a batch; a debit takes
    the newest batch first (its credits pro rata), then older money, and the money held
    never goes below nothing (the opening balance is the oldest). Per traced deposit it
    reads the account's credits and debits, sorts them into its ledger, walks it for
    the money held after each event and each batch's base and total, and allocates the
    later debits. Returns tx_id -> amount traced (hop 1 included)."""
    src, dst, tx_id = seed
    data = graph.edges[src, dst, tx_id]
    seed_ts = data["ts"]
    traced = {tx_id: data["amount"]}
    frontier = [(dst, data["ts"], tx_id, data["amount"])]
    for _hop in range(hops - 1):
        moved: dict[tuple, float] = defaultdict(float)
        for account, _t_in, in_tx, x in frontier:
            if graph.out_degree(account) == 0:
                continue  # a sink: nothing leaves, no ledger to read
            events = _ledger_events(graph, account)
            level = lowest = held = 0.0
            batches: list[list[float]] = []  # per batch: money held before it, its total
            after_debit, mine, ledger = True, None, []
            for ts, key, outflow, inflow, receiver in events:
                if receiver is None:  # a credit
                    if after_debit:
                        batches.append([held, 0.0])
                    batches[-1][1] += inflow
                    after_debit = False
                    level += inflow
                    if key == in_tx:
                        mine = (len(batches) - 1, len(ledger))
                else:
                    level -= outflow
                    after_debit = True
                lowest = min(lowest, level)
                held = level - lowest
                if receiver is not None:
                    ledger.append((ts, key, outflow, receiver, held))
            base, total = batches[mine[0]]
            left, low = total, float("inf")
            for ts, key, outflow, receiver, held_after in ledger[mine[1]:]:
                if ts > seed_ts + window or left <= 0:
                    break
                low = min(low, held_after)
                now = min(max(low - base, 0.0), total)
                if left > now:
                    moved[(key, receiver, ts, outflow)] += x * (left - now) / total
                left = now
        frontier = []
        for (key, receiver, ts, amount), carried in moved.items():
            carried = min(carried, amount)
            if carried >= min_amount:
                traced[key] = traced.get(key, 0.0) + carried
                frontier.append((receiver, ts, key, carried))
        if not frontier:
            break
    return traced
