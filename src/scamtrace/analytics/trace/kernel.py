"""FIFO and proportional tracing as a vectorised kernel over a per-account ledger index.

The SQL policies find, at every hop, the frontier accounts' transfers and ledgers by
reading the whole transactions table: a hop costs as much as the data, however small
the trail. The kernel builds once a :class:`LedgerIndex` of the transactions: every
account's debits and credits in time order with running totals (two compressed sparse
row arrays, the counterpart of a graph library's adjacency lists). A hop then costs in
proportion to the traced deposits and the debits that can carry their money, found by
binary search: all seeds together, numpy array operations, no loop over seeds.

Same rules and same results as the SQL of :mod:`.allocation_sql` (the tests compare
them, and the Spark backend runs the SQL): debits after the deposit (same ``ts``: a
later ``tx_id``) and inside the window; the account's smallest opening balance; FIFO or
the proportional share; per seed and transfer, at most its amount, kept when at least
``min_amount``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from scamtrace.analytics.engine import Engine
from scamtrace.analytics.trace.options import TraceOptions
from scamtrace.analytics.trace.steps_sql import DECIMALS


@dataclass
class LedgerIndex:
    """Every account's debits and credits in time order, with running totals.

    Transactions are numbered by row (the order fetched); accounts by code. Keys
    ``account * n_rows + rank`` order events by account, then by (``ts``, ``tx_id``):
    ``rank`` is a row's position in that order. Self-transfers are not events (as in SQL).

    Attributes:
        tx_id, accounts: the original ids of rows and of account codes (Arrow arrays).
        src, dst, rank, ts, amount: per row.
        ts_by_rank: ``ts`` in rank order (the window's last rank by binary search).
        debit_key, debit_row, debit_cum, debit_start: debits sorted by key; ``debit_cum``
            is the account's outflow up to and including the debit; ``debit_start``
            (per account code, plus one) where its debits begin.
        debit_axis_before, debit_axis_after: the global outflow before and after each
            debit (non-decreasing: what lets a deposit find the debits that can carry
            it by binary search), or None when some amount is negative.
        credit_key, credit_cum: credits sorted by key, with the account's inflow so far.
        opening: per account, the smallest opening balance that keeps it from ever going
            negative.
        sends: per account, whether it ever sends (self-transfers too), else a sink.
    """

    tx_id: pa.Array
    accounts: pa.Array
    src: np.ndarray
    dst: np.ndarray
    rank: np.ndarray
    ts: np.ndarray
    amount: np.ndarray
    ts_by_rank: np.ndarray
    debit_key: np.ndarray
    debit_row: np.ndarray
    debit_cum: np.ndarray
    debit_start: np.ndarray
    debit_axis_before: np.ndarray | None
    debit_axis_after: np.ndarray | None
    credit_key: np.ndarray
    credit_cum: np.ndarray
    opening: np.ndarray
    sends: np.ndarray
    _row_of_id: pd.Index

    @property
    def n_rows(self) -> int:
        return len(self.ts)

    @classmethod
    def build(cls, engine: Engine, transactions: str = "transactions") -> LedgerIndex:
        """Read the canonical transactions once and index them.

        Args:
            engine: an engine holding the canonical table.
            transactions: its name.

        Returns:
            The index (about 100 bytes per transaction in memory).
        """
        table = engine.fetch_arrow(f"SELECT tx_id, src, dst, amount, ts FROM {transactions}")
        n = table.num_rows
        ends = pa.chunked_array(table.column("src").chunks + table.column("dst").chunks)
        encoded = ends.combine_chunks().dictionary_encode()
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        src, dst = codes[:n], codes[n:]
        n_accounts = len(encoded.dictionary)
        ts = table.column("ts").to_numpy().astype(np.int64)
        amount = table.column("amount").to_numpy().astype(np.float64)
        order = pc.sort_indices(table.select(["ts", "tx_id"]),
                                sort_keys=[("ts", "ascending"), ("tx_id", "ascending")])
        order = order.to_numpy().astype(np.int64)
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n, dtype=np.int64)
        moving = np.flatnonzero(src != dst)

        debit_key, debit_row = _sorted_events(src, rank, moving, n)
        credit_key, credit_row = _sorted_events(dst, rank, moving, n)
        debit_amount, credit_amount = amount[debit_row], amount[credit_row]
        debit_start = np.searchsorted(debit_key, np.arange(n_accounts + 1, dtype=np.int64) * n)
        credit_start = np.searchsorted(credit_key, np.arange(n_accounts + 1, dtype=np.int64) * n)
        debit_cum = _running_total(debit_amount, debit_start)
        credit_cum = _running_total(credit_amount, credit_start)

        # opening: the largest (outflow - inflow) over the account's history, reached at
        # a debit; the inflow by then is that of the credits ranked before it
        debit_account = debit_key // n if n else debit_key
        before = np.searchsorted(credit_key, debit_key) - 1
        has_credit = before >= credit_start[debit_account]
        inflow = np.where(has_credit, credit_cum[np.maximum(before, 0)], 0.0)
        opening = np.zeros(n_accounts)
        np.maximum.at(opening, debit_account, debit_cum - inflow)

        axis_before = axis_after = None
        if len(debit_amount) and (debit_amount >= 0).all():
            axis_after = np.cumsum(debit_amount)
            axis_before = axis_after - debit_amount
        sends = np.zeros(n_accounts, dtype=bool)
        sends[src] = True
        ids = table.column("tx_id").combine_chunks()
        row_of_id = pd.Index(ids.to_numpy(zero_copy_only=False))
        row_of_id.get_indexer(row_of_id[:1])  # build the hash table now, not per trace
        return cls(ids, encoded.dictionary, src, dst, rank, ts, amount, ts[order],
                   debit_key, debit_row, debit_cum, debit_start, axis_before, axis_after,
                   credit_key, credit_cum, opening, sends, row_of_id)

    def rows_of(self, ids: pa.Array) -> np.ndarray:
        """Row of each transaction id, -1 where unknown."""
        return self._row_of_id.get_indexer(ids.to_numpy(zero_copy_only=False))


def _sorted_events(account: np.ndarray, rank: np.ndarray, moving: np.ndarray,
                   n: int) -> tuple[np.ndarray, np.ndarray]:
    key = account[moving] * n + rank[moving]
    order = np.argsort(key)
    return key[order], moving[order]


def _running_total(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Per account (events between consecutive ``starts``), the inclusive running sum.

    Summed in extended precision over all accounts and differenced at each account's
    start, so that large totals elsewhere do not cost this account's digits.
    """
    if not len(values):
        return values.astype(np.float64)
    total = np.cumsum(values.astype(np.longdouble))
    lengths = np.diff(starts)
    offset = np.repeat(np.concatenate([[0.0], total])[starts[:-1]].astype(np.longdouble),
                       lengths)
    return (total - offset).astype(np.float64)


@dataclass
class _Frontier:
    """Traced deposits: per row, the seed (index), its ts, the deposit's row, what of it
    is traced."""

    seed: np.ndarray
    seed_ts: np.ndarray
    row: np.ndarray
    x: np.ndarray

    def take(self, keep: np.ndarray) -> _Frontier:
        return _Frontier(self.seed[keep], self.seed_ts[keep], self.row[keep], self.x[keep])


def trace_with_index(
    index: LedgerIndex, seeds: pa.Array | pa.ChunkedArray, options: TraceOptions
) -> tuple[pd.DataFrame, pd.DataFrame, list[Any]]:
    """Trace with the kernel: (trail unrounded, accounts, missing seed ids).

    Args:
        index: the ledger index of the transactions.
        seeds: the victim transfers' ids, of the transactions' id type.
        options: a ``fifo`` or ``proportional`` policy, hops, window, threshold.

    Returns:
        The trail (``seed_id, hop, tx_id, src, dst, amount_traced``), the accounts rows
        (as :func:`.steps_sql.trail_accounts_sql`) and the seed ids that name nothing.
    """
    if isinstance(seeds, pa.ChunkedArray):
        seeds = seeds.combine_chunks()
    wanted = pc.unique(seeds)
    rows = index.rows_of(wanted)
    found = rows >= 0
    found[found] = index.amount[rows[found]] > 0
    missing = [v for v, ok in zip(wanted.to_pylist(), found) if not ok]
    rows = np.sort(rows[found])
    frontier = _Frontier(np.arange(len(rows)), index.ts[rows], rows, index.amount[rows])
    trail_seed, trail_hop, trail_row, trail_x = [frontier.seed], [np.ones(len(rows), np.int64)], \
        [rows], [frontier.x]
    for hop in range(2, options.max_hops + 1):
        frontier = _hop(index, frontier, options)
        if not len(frontier.row):
            break
        trail_seed.append(frontier.seed)
        trail_hop.append(np.full(len(frontier.row), hop, dtype=np.int64))
        trail_row.append(frontier.row)
        trail_x.append(frontier.x)
    seed_rows = rows
    seed_idx, hops = np.concatenate(trail_seed), np.concatenate(trail_hop)
    tx_rows, amounts = np.concatenate(trail_row), np.concatenate(trail_x)
    trail = pd.DataFrame({
        "seed_id": _values(index.tx_id, seed_rows[seed_idx]),
        "hop": hops,
        "tx_id": _values(index.tx_id, tx_rows),
        "src": _values(index.accounts, index.src[tx_rows]),
        "dst": _values(index.accounts, index.dst[tx_rows]),
        "amount_traced": amounts,
    })
    accounts = _trail_accounts(index, seed_rows[seed_idx], hops, tx_rows, amounts)
    return trail, accounts, missing


def _hop(index: LedgerIndex, frontier: _Frontier, options: TraceOptions) -> _Frontier:
    """One hop for every traced deposit at once: what each later debit carries."""
    n = index.n_rows
    account = index.dst[frontier.row]
    key = account * n + index.rank[frontier.row]
    # the deposit in its account's credits (a self-transfer is none: the trail ends)
    at = np.minimum(np.searchsorted(index.credit_key, key), max(len(index.credit_key) - 1, 0))
    real = (index.credit_key[at] == key) if len(index.credit_key) else np.zeros(len(key), bool)
    frontier, account, key, at = frontier.take(real), account[real], key[real], at[real]
    amt_in = index.amount[frontier.row]
    first = np.searchsorted(index.debit_key, key, side="right")  # debits after the deposit
    if options.window is None:
        last = index.debit_start[account + 1]
    else:
        limit = np.searchsorted(index.ts_by_rank, frontier.seed_ts + options.window,
                                side="right")
        last = np.searchsorted(index.debit_key, account * n + limit)
    starts = index.debit_start[account]
    out_before = np.where(first > starts, index.debit_cum[np.maximum(first - 1, 0)], 0.0)
    in_through = index.credit_cum[at]
    balance = index.opening[account] + in_through - out_before
    if options.policy == "fifo":
        # the deposit is [start_in, start_in + amt_in) on the inflow axis
        start_in = index.opening[account] + in_through - amt_in
        low, high = start_in, start_in + amt_in
    else:
        held = np.maximum(balance, amt_in)
        share = frontier.x / held
        low, high = out_before, out_before + held  # the share is used up after ``held``
    if index.debit_axis_after is not None and len(first):
        # only debits whose stretch of the outflow axis meets [low, high) can carry money
        base = np.where(starts < len(index.debit_key),
                        index.debit_axis_before[np.minimum(starts, len(index.debit_key) - 1)],
                        0.0)
        slack = 1e-9 * float(index.debit_axis_after[-1]) + 1e-6
        first = np.maximum(first, np.searchsorted(index.debit_axis_after, base + low - slack,
                                                  side="right"))
        last = np.minimum(last, np.searchsorted(index.debit_axis_before, base + high + slack))
    lengths = np.maximum(last - first, 0)
    deposit = np.repeat(np.arange(len(first)), lengths)
    debit = (np.arange(int(lengths.sum()), dtype=np.int64)
             - np.repeat(np.cumsum(lengths) - lengths, lengths) + first[deposit])
    out_row = index.debit_row[debit]
    q_out = index.debit_cum[debit]
    amt_out = index.amount[out_row]
    if options.policy == "fifo":
        s = start_in[deposit]
        overlap = np.minimum(q_out, s + amt_in[deposit]) - np.maximum(q_out - amt_out, s)
        carried = np.maximum(overlap, 0.0) * frontier.x[deposit] / amt_in[deposit]
    else:
        through = q_out - out_before[deposit]
        sh, x = share[deposit], frontier.x[deposit]
        carried = np.maximum(np.minimum(sh * through, x) - sh * (through - amt_out), 0.0)
    return _moved(frontier.seed[deposit], frontier.seed_ts[deposit], out_row, carried,
                  index, options.min_amount)


def _moved(seed: np.ndarray, seed_ts: np.ndarray, out_row: np.ndarray, carried: np.ndarray,
           index: LedgerIndex, min_amount: float) -> _Frontier:
    """Per seed and transfer, the carried money summed (at most the transfer's amount),
    kept when at least ``min_amount``: the next hop's deposits."""
    if not len(seed):
        return _Frontier(seed, seed_ts, out_row, carried)
    key = seed * index.n_rows + out_row
    order = np.argsort(key, kind="stable")
    key = key[order]
    starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
    total = np.add.reduceat(carried[order], starts)
    pick = order[starts]
    total = np.minimum(total, index.amount[out_row[pick]])
    keep = total >= min_amount
    pick = pick[keep]
    return _Frontier(seed[pick], seed_ts[pick], out_row[pick], total[keep])


def _trail_accounts(index: LedgerIndex, seed_row: np.ndarray, hop: np.ndarray,
                    tx_row: np.ndarray, amount: np.ndarray) -> pd.DataFrame:
    """Per seed, account and hop: traced money in, out and left; sinks never send."""
    inflow = pd.DataFrame({"seed": seed_row, "account": index.dst[tx_row], "hop": hop,
                           "amount_in": amount})
    inflow = inflow.groupby(["seed", "account", "hop"], as_index=False, sort=False).sum()
    later = hop > 1
    outflow = pd.DataFrame({"seed": seed_row[later], "account": index.src[tx_row[later]],
                            "hop": hop[later] - 1, "amount_out": amount[later]})
    outflow = outflow.groupby(["seed", "account", "hop"], as_index=False, sort=False).sum()
    rows = inflow.merge(outflow, on=["seed", "account", "hop"], how="left")
    amount_in = rows["amount_in"].to_numpy()
    amount_out = rows["amount_out"].fillna(0.0).to_numpy()
    codes = rows["account"].to_numpy()
    return pd.DataFrame({
        "seed_id": _values(index.tx_id, rows["seed"].to_numpy()),
        "account": _values(index.accounts, codes),
        "hop": rows["hop"].to_numpy(),
        "amount_in": round_half_away(amount_in),
        "amount_out": round_half_away(amount_out),
        "amount_remaining": round_half_away(np.maximum(amount_in - amount_out, 0.0)),
        "is_sink": ~index.sends[codes],
    })


def round_half_away(values: np.ndarray) -> np.ndarray:
    """Round to :data:`DECIMALS` places, halves away from zero (as SQL ``round``)."""
    scale = 10.0 ** DECIMALS
    return np.sign(values) * np.floor(np.abs(values) * scale + 0.5) / scale


def _values(array: pa.Array, positions: np.ndarray) -> Any:
    return array.take(pa.array(positions, pa.int64())).to_pandas()
