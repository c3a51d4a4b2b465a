"""FIFO and proportional tracing as a vectorised kernel over a per-account ledger index.

The SQL policies find, at every hop, the frontier accounts' transfers and ledgers by
reading the whole transactions table: a hop costs as much as the data, however small
the trail. The kernel builds once a :class:`LedgerIndex` of the transactions: every
account's debits in time order with running totals (compressed sparse rows, the
counterpart of a graph library's adjacency lists), and for every transfer its receiver's
ledger at that moment. A hop then costs in proportion to the traced deposits and the
debits that can carry their money (the first few stepped through, the rest of a busy
account's found by binary search): all seeds together, numpy array operations, no loop
over seeds.

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
from scamtrace.analytics.trace.steps_sql import DECIMALS, EMPTY

#: per transaction row, what a hop reads about the deposit it is and its receiver's
#: ledger at that moment: one cache line, so a traced deposit costs one memory access
ROW = np.dtype([
    ("src", np.int64), ("dst", np.int64), ("amount", np.float64),
    ("in_through", np.float64),  # the receiver's inflow up to and including this transfer
    ("out_before", np.float64),  # the receiver's outflow before it
    ("opening", np.float64),  # the receiver's smallest opening balance
    ("first_debit", np.int64),  # the receiver's first later debit, in the debit records
    ("end_debit", np.int64),  # past the receiver's last debit (= first: none, or self)
    ("dilution", np.float64),  # log of the share of older money left after this credit
    ("epoch", np.int64),  # times the receiver was empty before, up to this credit
])
#: per debit, sorted by account then time: consecutive debits of an account are adjacent
DEBIT = np.dtype([("row", np.int64), ("cum", np.float64), ("rank", np.int64),
                  ("amount", np.float64), ("dilution", np.float64), ("epoch", np.int64)])


@dataclass
class LedgerIndex:
    """Every account's debits and credits in time order, with running totals.

    Transactions are numbered by row (the order fetched); accounts by code. Keys
    ``account * n_rows + rank`` order events by account, then by (``ts``, ``tx_id``):
    ``rank`` is a row's position in that order. Self-transfers are not events (as in SQL).

    Attributes:
        tx_id, accounts: the original ids of rows and of account codes (Arrow arrays).
        rows: per row, a :data:`ROW` record.
        debits: the debits as :data:`DEBIT` records, sorted by ``debit_key``; ``cum`` is
            the account's outflow up to and including the debit.
        debit_key, debit_start: the debits' keys, and where each account code's debits
            begin (plus one entry for the end).
        ts, ts_by_rank: per row, and in rank order (the window's last rank by search).
        debit_axis_before, debit_axis_after: the global outflow before and after each
            debit (non-decreasing: what lets a deposit find the debits that can carry
            it by binary search), or None when some amount is negative.
        opening: per account, the smallest opening balance that keeps it from ever going
            negative.
        sends: per account, whether it ever sends (self-transfers too), else a sink.
        id_order, account_order: the position of each row's id among the sorted ids,
            and of each account among the sorted accounts (to sort outputs as SQL does).
    """

    tx_id: pa.Array
    accounts: pa.Array
    rows: np.ndarray
    debits: np.ndarray
    debit_key: np.ndarray
    debit_start: np.ndarray
    ts: np.ndarray
    ts_by_rank: np.ndarray
    debit_axis_before: np.ndarray | None
    debit_axis_after: np.ndarray | None
    opening: np.ndarray
    sends: np.ndarray
    id_order: np.ndarray
    account_order: np.ndarray
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
            The index (about 200 bytes per transaction in memory).
        """
        table = engine.fetch_arrow(f"SELECT tx_id, src, dst, amount, ts FROM {transactions}")
        n = table.num_rows
        ends = pa.chunked_array(table.column("src").chunks + table.column("dst").chunks)
        encoded = ends.combine_chunks().dictionary_encode()
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        src, dst = codes[:n], codes[n:]
        del codes, ends
        n_accounts = len(encoded.dictionary)
        ts = table.column("ts").to_numpy().astype(np.int64)
        amount = table.column("amount").to_numpy().astype(np.float64)
        order = pc.sort_indices(table.select(["ts", "tx_id"]),
                                sort_keys=[("ts", "ascending"), ("tx_id", "ascending")])
        order = order.to_numpy().astype(np.int64)
        rank = _positions(order)
        moving = np.flatnonzero(src != dst)

        debit_key, debit_row = _sorted_events(src, rank, moving, n)
        credit_key, credit_row = _sorted_events(dst, rank, moving, n)
        debit_start = np.searchsorted(debit_key, np.arange(n_accounts + 1, dtype=np.int64) * n)
        credit_start = np.searchsorted(credit_key, np.arange(n_accounts + 1, dtype=np.int64) * n)
        debit_cum = _running_total(amount[debit_row], debit_start)
        credit_cum = _running_total(amount[credit_row], credit_start)

        # opening: the largest (outflow - inflow) over the account's history, reached at
        # a debit; the inflow by then is that of the credits ranked before it
        debit_account = debit_key // n if n else debit_key
        before = np.searchsorted(credit_key, debit_key) - 1
        has_credit = before >= credit_start[debit_account]
        inflow = np.where(has_credit, credit_cum[np.maximum(before, 0)], 0.0)
        opening = np.zeros(n_accounts)
        np.maximum.at(opening, debit_account, debit_cum - inflow)
        del inflow, debit_account

        rows = np.zeros(n, dtype=ROW)
        rows["src"], rows["dst"], rows["amount"] = src, dst, amount
        rows["opening"] = opening[dst]
        # a self-transfer is no credit: no debits follow it (first = end = 0)
        first_debit = np.searchsorted(debit_key, credit_key, side="right")
        rows["first_debit"][credit_row] = first_debit
        rows["end_debit"][credit_row] = debit_start[dst[credit_row] + 1]
        rows["in_through"][credit_row] = credit_cum
        has_debit = first_debit > debit_start[dst[credit_row]]
        rows["out_before"][credit_row] = np.where(
            has_debit, debit_cum[np.maximum(first_debit - 1, 0)], 0.0)
        # proportional: each credit dilutes the share of the money already there by
        # balance before / balance after; an empty account keeps nothing older (epoch)
        balance_after = (opening[dst[credit_row]] + credit_cum
                         - rows["out_before"][credit_row])
        balance_before = balance_after - amount[credit_row]
        emptied = balance_before < EMPTY
        kept = np.where(emptied, 1.0, balance_before / np.where(emptied, 1.0, balance_after))
        dilution = _running_total(np.log(kept), credit_start)
        epoch = np.cumsum(emptied)
        epoch = epoch - np.repeat(np.concatenate([[0], epoch])[credit_start[:-1]],
                                  np.diff(credit_start))
        rows["dilution"][credit_row], rows["epoch"][credit_row] = dilution, epoch
        del credit_key, credit_row, credit_cum, first_debit, has_debit, balance_after, \
            balance_before, kept

        debits = np.zeros(len(debit_row), dtype=DEBIT)
        debits["row"], debits["cum"] = debit_row, debit_cum
        debits["rank"], debits["amount"] = rank[debit_row], amount[debit_row]
        # the dilution and epoch of the account's last credit before each debit
        credited = np.maximum(before, 0)
        debits["dilution"] = np.where(has_credit, dilution[credited], 0.0)
        debits["epoch"] = np.where(has_credit, epoch[credited], 0)
        del before, has_credit, credited, dilution, epoch, credit_start
        axis_before = axis_after = None
        if len(debits) and (debits["amount"] >= 0).all():
            axis_after = np.cumsum(debits["amount"])
            axis_before = axis_after - debits["amount"]
        sends = np.zeros(n_accounts, dtype=bool)
        sends[src] = True
        ids = table.column("tx_id").combine_chunks()
        id_order = _positions(pc.sort_indices(ids).to_numpy().astype(np.int64))
        account_order = _positions(
            pc.sort_indices(encoded.dictionary).to_numpy().astype(np.int64))
        row_of_id = pd.Index(ids.to_numpy(zero_copy_only=False))
        row_of_id.get_indexer(row_of_id[:1])  # build the hash table now, not per trace
        return cls(ids, encoded.dictionary, rows, debits, debit_key, debit_start, ts, ts[order],
                   axis_before, axis_after, opening, sends, id_order, account_order, row_of_id)

    def rows_of(self, ids: pa.Array) -> np.ndarray:
        """Row of each transaction id, -1 where unknown."""
        return self._row_of_id.get_indexer(ids.to_numpy(zero_copy_only=False))


def _positions(order: np.ndarray) -> np.ndarray:
    """The inverse of a sort permutation: each element's position in sorted order."""
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order), dtype=np.int64)
    return position


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
    """Traced deposits: per row, the seed (index), the first rank outside its window,
    the deposit's row, and what of it is traced."""

    seed: np.ndarray
    limit: np.ndarray
    row: np.ndarray
    x: np.ndarray

    def take(self, keep: np.ndarray) -> _Frontier:
        return _Frontier(self.seed[keep], self.limit[keep], self.row[keep], self.x[keep])


#: debits examined after each deposit before the kernel turns to binary search (mules
#: pass money on in a few transfers; busy accounts are searched)
_STEPS = 8


def trace_with_index(
    index: LedgerIndex, seeds: pa.Array | pa.ChunkedArray, options: TraceOptions
) -> tuple[pd.DataFrame, pd.DataFrame, list[Any]]:
    """Trace with the kernel: (trail, accounts, missing seed ids).

    Args:
        index: the ledger index of the transactions.
        seeds: the victim transfers' ids, of the transactions' id type.
        options: a ``fifo`` or ``proportional`` policy, hops, window, threshold.

    Returns:
        The trail (``seed_id, hop, tx_id, src, dst, amount_traced``) and the accounts
        rows (as :func:`.steps_sql.trail_accounts_sql`), amounts rounded and rows sorted
        as the SQL path writes them, and the seed ids that name nothing.
    """
    if isinstance(seeds, pa.ChunkedArray):
        seeds = seeds.combine_chunks()
    wanted = pc.unique(seeds)
    rows = index.rows_of(wanted)
    found = rows >= 0
    found[found] = index.rows["amount"][rows[found]] > 0
    missing = [v for v, ok in zip(wanted.to_pylist(), found) if not ok]
    rows = rows[found]
    rows = rows[np.argsort(index.id_order[rows])]  # seeds numbered in the order of their ids
    if options.window is None:
        limit = np.full(len(rows), index.n_rows, dtype=np.int64)
    else:
        limit = np.searchsorted(index.ts_by_rank, index.ts[rows] + options.window, side="right")
    frontier = _Frontier(np.arange(len(rows)), limit, rows, index.rows["amount"][rows])
    parts = [(frontier.seed, np.ones(len(rows), np.int32), rows, frontier.x)]
    for hop in range(2, options.max_hops + 1):
        frontier = _hop(index, frontier, options)
        if not len(frontier.row):
            break
        parts.append((frontier.seed, np.full(len(frontier.row), hop, dtype=np.int32),
                      frontier.row, frontier.x))
    seed_idx, hops, tx_rows, amounts = (np.concatenate(c) for c in zip(*parts))
    order = np.argsort((seed_idx * (options.max_hops + 1) + hops) * index.n_rows
                       + index.id_order[tx_rows])
    seed_idx, hops, tx_rows, amounts = seed_idx[order], hops[order], tx_rows[order], \
        amounts[order]
    ids = index.tx_id.take(pa.array(tx_rows, pa.int64()))
    record = _gather(index.rows, tx_rows)
    seed_ids = index.tx_id.take(pa.array(rows, pa.int64())).to_pandas()
    trail = pd.DataFrame({
        "seed_id": seed_ids.take(seed_idx).reset_index(drop=True),
        "hop": hops,
        "tx_id": ids.to_pandas(),
        "src": _values(index.accounts, record["src"]),
        "dst": _values(index.accounts, record["dst"]),
        "amount_traced": round_half_away(amounts),
    })
    accounts = _trail_accounts(index, seed_ids, seed_idx, hops, record, amounts)
    return trail, accounts, missing


def _hop(index: LedgerIndex, frontier: _Frontier, options: TraceOptions) -> _Frontier:
    """One hop for every traced deposit at once: what each later debit carries.

    Each deposit's first :data:`_STEPS` later debits are examined, all deposits
    together, up to where the money is used up on the outflow axis, the window or the
    account's debits end; the few still going after them (busy accounts, or money behind
    much older money) find the rest of their range by binary search.
    """
    deposit_row = _gather(index.rows, frontier.row)
    amt_in, out_before = deposit_row["amount"], deposit_row["out_before"]
    first, end = deposit_row["first_debit"], deposit_row["end_debit"]
    if options.policy == "fifo":
        # the deposit is [low, high) on the account's inflow axis (after the opening)
        low = deposit_row["opening"] + deposit_row["in_through"] - amt_in
        high = low + amt_in
    else:
        held = np.maximum(deposit_row["opening"] + deposit_row["in_through"] - out_before,
                          amt_in)
        share = frontier.x / held
        low, high = out_before, np.full(len(held), np.inf)
    monotone = index.debit_axis_after is not None and options.policy == "fifo"
    # a debit occupying [q - amount, q) on the outflow axis carries money when it meets
    # [low, high); with non-negative amounts, once q - amount passes high none after can
    reach = high + 1e-9 * np.abs(high) + 1e-9
    # the first _STEPS debits after each deposit, all deposits at once; along a deposit's
    # debits each condition, once false, stays false (ranks, epochs and the outflow
    # axis only grow), so the debits that pass are a prefix of each deposit's run
    span = np.minimum(end - first, _STEPS)
    span = np.maximum(span, 0)
    deposit = np.repeat(np.arange(len(first)), span)
    at = np.arange(int(span.sum()), dtype=np.int64) - np.repeat(np.cumsum(span) - span, span) \
        + first[deposit]
    debit = _gather(index.debits, at)
    going = debit["rank"] < frontier.limit[deposit]
    if options.policy != "fifo":  # once the account was empty, none of ours is left
        going &= debit["epoch"] == deposit_row["epoch"][deposit]
    if monotone:
        going &= debit["cum"] - debit["amount"] < reach[deposit]
    found_deposit, found_debit = [deposit[going]], [_gather(debit, np.flatnonzero(going))]
    # deposits whose every stepped debit passed and that have more: search the rest
    passed = np.bincount(deposit[going], minlength=len(first))
    active = np.flatnonzero((passed == span) & (span == _STEPS) & (first + _STEPS < end))
    if len(active):
        more, at = _search_rest(index, active, first[active] + _STEPS, end[active],
                                deposit_row["dst"][active], frontier.limit[active],
                                low[active], high[active])
        found_deposit.append(more)
        found_debit.append(_gather(index.debits, at))
    deposit, debit = np.concatenate(found_deposit), np.concatenate(found_debit)
    q_out, amt_out, x = debit["cum"], debit["amount"], frontier.x[deposit]
    if options.policy == "fifo":
        s, a = low[deposit], amt_in[deposit]
        carried = np.maximum(np.minimum(q_out, s + a) - np.maximum(q_out - amt_out, s), 0.0) * x / a
    else:
        same = debit["epoch"] == deposit_row["epoch"][deposit]
        diluted = np.exp(np.minimum(debit["dilution"] - deposit_row["dilution"][deposit], 0.0))
        carried = np.where(same, share[deposit] * diluted * amt_out, 0.0)
    return _moved(frontier.seed[deposit], frontier.limit[deposit], debit["row"], amt_out,
                  carried, index.n_rows, options.min_amount)


def _search_rest(index: LedgerIndex, deposit: np.ndarray, first: np.ndarray, end: np.ndarray,
                 account: np.ndarray, limit: np.ndarray, low: np.ndarray,
                 high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The remaining candidate debits of busy deposits, their range by binary search."""
    n = index.n_rows
    last = np.minimum(end, np.searchsorted(index.debit_key, account * n + limit))
    if index.debit_axis_after is not None:
        # on the global outflow axis, the account's debits start at ``base``
        base = index.debit_axis_before[index.debit_start[account]]
        slack = 1e-9 * float(index.debit_axis_after[-1]) + 1e-6
        first = np.maximum(first, np.searchsorted(index.debit_axis_after, base + low - slack,
                                                  side="right"))
        last = np.minimum(last, np.searchsorted(index.debit_axis_before, base + high + slack))
    lengths = np.maximum(last - first, 0)
    which = np.repeat(np.arange(len(first)), lengths)
    debit = (np.arange(int(lengths.sum()), dtype=np.int64)
             - np.repeat(np.cumsum(lengths) - lengths, lengths) + first[which])
    return deposit[which], debit


def _moved(seed: np.ndarray, limit: np.ndarray, out_row: np.ndarray, amt_out: np.ndarray,
           carried: np.ndarray, n_rows: int, min_amount: float) -> _Frontier:
    """Per seed and transfer, the carried money summed (at most the transfer's amount),
    kept when at least ``min_amount``: the next hop's deposits."""
    some = carried > 0
    seed, limit, out_row, amt_out, carried = (seed[some], limit[some], out_row[some],
                                              amt_out[some], carried[some])
    if not len(seed):
        return _Frontier(seed, limit, out_row, carried)
    key = seed * n_rows + out_row
    order = np.argsort(key, kind="stable")
    key = key[order]
    starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
    total = np.add.reduceat(carried[order], starts)
    pick = order[starts]
    total = np.minimum(total, amt_out[pick])
    keep = total >= min_amount
    pick = pick[keep]
    return _Frontier(seed[pick], limit[pick], out_row[pick], total[keep])


def _trail_accounts(index: LedgerIndex, seed_ids: pd.Series, seed: np.ndarray,
                    hop: np.ndarray, record: np.ndarray, amount: np.ndarray) -> pd.DataFrame:
    """Per seed, account and hop: traced money in, out and left; sinks never send.
    Sorted by seed id, hop and account."""
    n_accounts, n_hops = len(index.account_order), int(hop.max()) + 1
    into = (seed * n_accounts + record["dst"]) * n_hops + hop
    keys, which = np.unique(into, return_inverse=True)
    amount_in = np.bincount(which, weights=amount, minlength=len(keys))
    later = hop > 1
    # a transfer at hop h leaves money its sender received at hop h - 1
    out_of = (seed[later] * n_accounts + record["src"][later]) * n_hops + hop[later] - 1
    amount_out = np.bincount(np.searchsorted(keys, out_of), weights=amount[later],
                             minlength=len(keys))
    key_hop = (keys % n_hops).astype(np.int32)
    code = keys // n_hops % n_accounts
    key_seed = keys // n_hops // n_accounts
    order = np.argsort((key_seed * n_hops + key_hop) * n_accounts + index.account_order[code])
    code, key_hop, key_seed = code[order], key_hop[order], key_seed[order]
    amount_in, amount_out = amount_in[order], amount_out[order]
    return pd.DataFrame({
        "seed_id": seed_ids.take(key_seed).reset_index(drop=True),
        "account": _values(index.accounts, code),
        "hop": key_hop,
        "amount_in": round_half_away(amount_in),
        "amount_out": round_half_away(amount_out),
        "amount_remaining": round_half_away(np.maximum(amount_in - amount_out, 0.0)),
        "is_sink": ~index.sends[code],
    })


def _gather(records: np.ndarray, at: np.ndarray) -> np.ndarray:
    """``records[at]`` for a structured array, copying whole records as raw words (numpy's
    own structured gather goes field by field, many times slower)."""
    raw = records.view(np.int64).reshape(len(records), records.dtype.itemsize // 8)
    return np.take(raw, at, axis=0).view(records.dtype).reshape(-1)


def round_half_away(values: np.ndarray) -> np.ndarray:
    """Round to :data:`DECIMALS` places, halves away from zero (as SQL ``round``)."""
    scale = 10.0 ** DECIMALS
    return np.sign(values) * np.floor(np.abs(values) * scale + 0.5) / scale


def _values(array: pa.Array, positions: np.ndarray) -> Any:
    return array.take(pa.array(positions, pa.int64())).to_pandas()
