"""FIFO, proportional and taint-first tracing as a vectorised kernel over a per-account
ledger index.

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
later ``tx_id``) and inside the window; the account's smallest opening balance; FIFO,
the proportional share or the victims' money first; per seed and transfer, at most its amount, kept when at least
``min_amount``.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from scamtrace.analytics.engine import Engine
from scamtrace.analytics.trace.options import TraceOptions
from scamtrace.analytics.trace.steps_sql import DECIMALS, EMPTY

try:  # a counting sort in C (pandas' own group sorter); numpy's radix sort otherwise
    from pandas._libs.algos import groupsort_indexer as _groupsort_indexer
except ImportError:  # pragma: no cover - a pandas without it
    _groupsort_indexer = None

#: per credit (a transfer that is not a self-transfer), sorted by receiver then time:
#: what a hop reads about the deposit and its receiver's ledger at that moment
CREDIT = np.dtype([
    ("in_through", np.float64),  # the receiver's inflow up to and including this transfer
    ("out_before", np.float64),  # the receiver's outflow before it
    ("first_debit", np.int64),  # the receiver's first later debit, in the debit records
])
#: per debit, sorted by account then time: consecutive debits of an account are adjacent;
#: ``row`` is also the debit's rank in time
DEBIT = np.dtype([("row", np.int64), ("cum", np.float64), ("amount", np.float64)])


@dataclass
class LedgerIndex:
    """Every account's debits and credits in time order, with running totals.

    Transactions are numbered by row (the order fetched); accounts by code. Keys
    ``account * n_rows + rank`` order events by account, then by (``ts``, ``tx_id``):
    ``rank`` is a row's position in that order. Self-transfers are not events (as in SQL).

    Attributes:
        tx_id, accounts: the original ids of rows and of account codes (Arrow arrays).
        src, dst, amount: per row, the sender's and receiver's codes and the amount.
        credit_of, credits: per row, its position in ``credits`` (-1: a self-transfer,
            no credit), the :data:`CREDIT` records.
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
        account_order: the position of each account among the sorted accounts (to sort
            outputs as SQL does), when known without sorting; else see
            :meth:`account_ranks`.
    """

    tx_id: pa.Array
    accounts: pa.Array
    src: np.ndarray
    dst: np.ndarray
    amount: np.ndarray
    credit_of: np.ndarray
    credits: np.ndarray
    debits: np.ndarray
    debit_key: np.ndarray
    debit_start: np.ndarray
    ts: np.ndarray
    ts_by_rank: np.ndarray
    debit_axis_before: np.ndarray | None
    debit_axis_after: np.ndarray | None
    opening: np.ndarray
    sends: np.ndarray
    account_order: np.ndarray | None
    #: per account code, where its credits begin in ``credit_rows`` (plus the end), and
    #: the rows of the credits in account order (``lifo`` reads a visited account's)
    credit_start: np.ndarray | None = None
    credit_rows: np.ndarray | None = None
    _row_of_id: pd.Index | None = None
    _credits: tuple[np.ndarray, ...] | None = None
    #: proportional policy (:meth:`prepare_proportional`): per row and per debit, the
    #: log of the share of older money left, and the times the account was empty before
    row_dilution: np.ndarray | None = None
    row_epoch: np.ndarray | None = None
    debit_dilution: np.ndarray | None = None
    debit_epoch: np.ndarray | None = None

    @property
    def n_rows(self) -> int:
        return len(self.ts)

    @classmethod
    def build(cls, engine: Engine, transactions: str = "transactions") -> LedgerIndex:
        """Read the canonical transactions once and index them.

        Rows are renumbered in time order (``ts``, then ``tx_id``; no sort when the data
        come so, as most extracts do), so a row's number is its rank; accounts are
        integer-encoded once; each account's events are put in order by a radix sort of
        the account codes; running totals are cumulative sums. No Python work per row.

        Args:
            engine: an engine holding the canonical table.
            transactions: its name.

        Returns:
            The index (about 150 bytes per transaction in memory).
        """
        table = _in_time_order(engine.fetch_arrow(
            f"SELECT tx_id, src, dst, amount, ts FROM {transactions}"))
        n = table.num_rows
        src, dst, accounts, account_order = _encode_accounts(table.column("src"),
                                                             table.column("dst"))
        n_accounts = len(accounts)
        ts = _numpy(table.column("ts")).astype(np.int64)
        amount = _numpy(table.column("amount")).astype(np.float64)
        moving = src != dst

        # debits and credits are ordered apart, each on one of two threads (numpy and
        # pandas release the GIL in sorts, gathers and grouped sums)
        with ThreadPoolExecutor(2) as pool:
            debit_side = pool.submit(_account_events, src, amount, moving, n, n_accounts)
            credit_side = pool.submit(_account_events, dst, amount, moving, n, n_accounts)
            debit_key, debit_row, debit_start, debit_account, debit_amount, debit_cum = \
                debit_side.result()
            credit_key, credit_row, credit_start, credit_account, _, credit_cum = \
                credit_side.result()

        # opening: the largest (outflow - inflow) over the account's history, reached at
        # a debit; the inflow by then is that of the credits ranked before it
        before = np.searchsorted(credit_key, debit_key) - 1
        has_credit = before >= credit_start[debit_account]
        inflow = np.where(has_credit, credit_cum[np.maximum(before, 0)], 0.0)
        opening = np.zeros(n_accounts)
        np.maximum.at(opening, debit_account, debit_cum - inflow)
        del inflow, debit_account

        credit_of = np.full(n, -1, dtype=np.int64)  # a self-transfer is no credit
        credit_of[credit_row] = np.arange(len(credit_row), dtype=np.int64)
        credits = np.empty(len(credit_row), dtype=CREDIT)
        first_debit = np.searchsorted(debit_key, credit_key, side="right")
        credits["first_debit"], credits["in_through"] = first_debit, credit_cum
        has_debit = first_debit > debit_start[credit_account]
        credits["out_before"] = np.where(has_debit, debit_cum[np.maximum(first_debit - 1, 0)],
                                         0.0)
        del first_debit, has_debit, credit_cum, moving

        debits = np.empty(len(debit_row), dtype=DEBIT)
        debits["row"], debits["cum"], debits["amount"] = debit_row, debit_cum, debit_amount
        axis_before = axis_after = None
        if len(debits) and (amount >= 0).all():
            axis_after = np.cumsum(debits["amount"])
            axis_before = axis_after - debits["amount"]
        sends = np.zeros(n_accounts, dtype=bool)
        sends[src] = True
        index = cls(table.column("tx_id").combine_chunks(), accounts, src, dst, amount,
                    credit_of, credits, debits, debit_key,
                    debit_start, ts, ts, axis_before, axis_after, opening, sends,
                    account_order)
        index._credits = (credit_key, credit_row, before, has_credit)
        index.credit_start, index.credit_rows = credit_start, credit_row
        return index

    def rows_of(self, ids: pa.Array) -> np.ndarray:
        """Row of each transaction id, -1 where unknown."""
        if self._row_of_id is None:  # a hash table of the ids, made on first use
            self._row_of_id = pd.Index(self.tx_id.to_numpy(zero_copy_only=False))
        return self._row_of_id.get_indexer(ids.to_numpy(zero_copy_only=False))

    def id_ranks(self, rows: np.ndarray) -> np.ndarray:
        """The rank of each row's id among the ids of ``rows`` (to sort as SQL does)."""
        return _dense_ranks(self.tx_id.take(pa.array(rows, pa.int64())))

    def account_ranks(self, codes: np.ndarray) -> np.ndarray:
        """The rank of each account among the accounts ``codes`` name."""
        if self.account_order is not None:
            return self.account_order[codes]
        return _dense_ranks(self.accounts.take(pa.array(codes, pa.int64())))

    def prepare_proportional(self) -> None:
        """The proportional policy's per-credit dilution and epochs (once, on first use).

        Each credit dilutes the share of the money already there by balance before /
        balance after; an empty account keeps nothing older (a new epoch).
        """
        if self._credits is None:
            return
        credit_key, credit_row, before, has_credit = self._credits
        n = self.n_rows
        credit_account = self.dst[credit_row]
        balance_after = (self.opening[credit_account] + self.credits["in_through"]
                         - self.credits["out_before"])
        balance_before = balance_after - self.amount[credit_row]
        emptied = balance_before < EMPTY
        kept = np.where(emptied, 1.0, balance_before / np.where(emptied, 1.0, balance_after))
        dilution = _running_total(np.log(kept), credit_account)
        credit_start = np.searchsorted(credit_key, np.arange(len(self.accounts) + 1,
                                                             dtype=np.int64) * n)
        epoch = np.cumsum(emptied)
        epoch = epoch - np.repeat(np.concatenate([[0], epoch])[credit_start[:-1]],
                                  np.diff(credit_start))
        self.row_dilution, self.row_epoch = np.zeros(n), np.zeros(n, dtype=np.int64)
        self.row_dilution[credit_row], self.row_epoch[credit_row] = dilution, epoch
        # the dilution and epoch of the account's last credit before each debit
        credited = np.maximum(before, 0)
        self.debit_dilution = np.where(has_credit, dilution[credited], 0.0)
        self.debit_epoch = np.where(has_credit, epoch[credited], 0)
        self._credits = None


def _numpy(column: pa.ChunkedArray) -> np.ndarray:
    return column.combine_chunks().to_numpy(zero_copy_only=False)


def _in_time_order(table: pa.Table) -> pa.Table:
    """The table with rows in (``ts``, ``tx_id``) order: as it is when already so."""
    if table.num_rows < 2:
        return table
    ts = _numpy(table.column("ts")).astype(np.int64)
    ids = table.column("tx_id").combine_chunks()
    later = ts[1:] > ts[:-1]
    if not later.all():
        tied = np.flatnonzero(ts[1:] == ts[:-1])
        if (ts[1:] >= ts[:-1]).all() and pc.all(pc.greater(
                ids.take(pa.array(tied + 1)), ids.take(pa.array(tied)))).as_py() is not False:
            return table
        order = pc.sort_indices(table.select(["ts", "tx_id"]),
                                sort_keys=[("ts", "ascending"), ("tx_id", "ascending")])
        return table.take(order)
    return table


def _encode_accounts(src: pa.ChunkedArray, dst: pa.ChunkedArray
                     ) -> tuple[np.ndarray, np.ndarray, pa.Array, np.ndarray | None]:
    """Account codes of senders and receivers, the accounts by code, and each code's
    rank among the sorted accounts (None: computed when needed).

    Non-negative integer account numbers that are not much larger than the number of
    transfers are their own codes (no hashing, already in order).
    """
    n = len(src)
    if pa.types.is_integer(src.type) and pa.types.is_integer(dst.type) and n:
        s, d = _numpy(src).astype(np.int64), _numpy(dst).astype(np.int64)
        low, high = min(s.min(), d.min()), max(s.max(), d.max())
        if low >= 0 and high < 2 * n + 1_000_000:
            codes = np.arange(high + 1, dtype=np.int64)
            return s, d, pa.array(codes).cast(src.type), codes
    ends = pa.chunked_array(src.chunks + dst.chunks, type=src.type)
    encoded = ends.combine_chunks().dictionary_encode()
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return codes[:n], codes[n:], encoded.dictionary, None


def _dense_ranks(values: pa.Array) -> np.ndarray:
    """Each value's rank among the distinct values, in Arrow's sort order."""
    if not len(values):
        return np.zeros(0, dtype=np.int64)
    return pc.rank(values, sort_keys="ascending", tiebreaker="dense").to_numpy().astype(
        np.int64)


def _account_events(account: np.ndarray, amount: np.ndarray, moving: np.ndarray, n: int,
                    n_accounts: int) -> tuple[np.ndarray, ...]:
    """One side of every account's ledger (debits: ``account`` is the sender; credits:
    the receiver): keys, rows, where each account starts, the account and amount per
    event, and the running total."""
    key, row = _sorted_events(account, moving, n, n_accounts)
    start = np.searchsorted(key, np.arange(n_accounts + 1, dtype=np.int64) * n)
    event_account = np.repeat(np.arange(n_accounts, dtype=np.int64), np.diff(start))
    event_amount = amount[row]
    return key, row, start, event_account, event_amount, _running_total(event_amount,
                                                                        event_account)


def _sorted_events(account: np.ndarray, moving: np.ndarray, n: int,
                   n_accounts: int) -> tuple[np.ndarray, np.ndarray]:
    """Keys ``account * n + row`` of the moving rows, sorted, and the rows in that order.

    Rows are in time order, so a stable sort by account is enough: a counting sort
    (pandas' group sorter), else a radix sort 16 bits at a time.
    """
    if moving.all():
        rows, codes = np.arange(n, dtype=np.int64), account
    else:
        rows = np.flatnonzero(moving)
        codes = account[rows]
    order = _stable_order(codes, n_accounts)
    rows = rows[order]
    return codes[order] * n + rows, rows


def _stable_order(codes: np.ndarray, n_accounts: int) -> np.ndarray:
    """The stable sort permutation of non-negative integer codes below ``n_accounts``."""
    if _groupsort_indexer is not None:
        return _groupsort_indexer(codes.astype(np.intp), n_accounts)[0]
    if n_accounts <= 1 << 16:
        return np.argsort(codes.astype(np.uint16), kind="stable")
    if n_accounts <= 1 << 32:
        order = np.argsort((codes & 0xFFFF).astype(np.uint16), kind="stable")
        return order[np.argsort((codes[order] >> 16).astype(np.uint16), kind="stable")]
    return np.argsort(codes, kind="stable")


def _running_total(values: np.ndarray, account: np.ndarray) -> np.ndarray:
    """Per account (``account`` non-decreasing), the inclusive running sum, added in
    order within each account as SQL's window sum does."""
    if not len(values):
        return values.astype(np.float64)
    return pd.Series(values).groupby(account, sort=False).cumsum().to_numpy()


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
        options: a ``fifo``, ``proportional`` or ``taint-first`` policy, hops, window,
            threshold.

    Returns:
        The trail (``seed_id, hop, tx_id, src, dst, amount_traced``) and the accounts
        rows (as :func:`.steps_sql.trail_accounts_sql`), amounts rounded and rows sorted
        as the SQL path writes them, and the seed ids that name nothing.
    """
    if isinstance(seeds, pa.ChunkedArray):
        seeds = seeds.combine_chunks()
    if options.policy == "proportional":
        index.prepare_proportional()
    wanted = pc.unique(seeds)
    rows = index.rows_of(wanted)
    found = rows >= 0
    found[found] = index.amount[rows[found]] > 0
    missing = [v for v, ok in zip(wanted.to_pylist(), found) if not ok]
    rows = rows[found]
    rows = rows[np.argsort(index.id_ranks(rows), kind="stable")]  # seeds numbered in the order of their ids
    if options.window is None:
        limit = np.full(len(rows), index.n_rows, dtype=np.int64)
    else:
        limit = np.searchsorted(index.ts_by_rank, index.ts[rows] + options.window, side="right")
    frontier = _Frontier(np.arange(len(rows)), limit, rows, index.amount[rows])
    if options.policy == "taint-first":
        seed_idx, hops, tx_rows, amounts = _taint_first(index, frontier, options)
    elif options.policy == "lifo":  # its ledger is built hop by hop (see _hops)
        seed_idx, hops, tx_rows, amounts = _hops(index, frontier, options)
    else:
        seed_idx, hops, tx_rows, amounts = _hops(index, frontier, options)
    order = np.argsort((seed_idx * (options.max_hops + 1) + hops) * index.n_rows
                       + index.id_ranks(tx_rows))
    seed_idx, hops, tx_rows, amounts = seed_idx[order], hops[order], tx_rows[order], \
        amounts[order]
    ids = index.tx_id.take(pa.array(tx_rows, pa.int64()))
    record = {"dst": index.dst[tx_rows], "src": index.src[tx_rows]}
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


def _hops(index: LedgerIndex, frontier: _Frontier, options: TraceOptions,
          taint: _TaintLedger | None = None) -> tuple[np.ndarray, ...]:
    """All hops from the seeds' deposits: per traced transfer, the seed, hop, row and
    amount."""
    parts = [(frontier.seed, np.ones(len(frontier.row), np.int32), frontier.row, frontier.x)]
    for hop in range(2, options.max_hops + 1):
        if options.policy == "lifo":
            taint = _lifo_ledger(index, frontier.row)
        frontier = _hop(index, frontier, options, taint)
        if not len(frontier.row):
            break
        parts.append((frontier.seed, np.full(len(frontier.row), hop, dtype=np.int32),
                      frontier.row, frontier.x))
    return tuple(np.concatenate(c) for c in zip(*parts))


def _lifo_ledger(index: LedgerIndex, deposits: np.ndarray) -> _TaintLedger:
    """``lifo``'s ledger (taint-first's, over all the money: every transfer's amount) for
    the accounts that ``deposits`` reach and that ever send. Each account's ledger
    depends on its own transfers alone, so it is the same as over every account, at the
    cost of the accounts the trail visits rather than of the whole table."""
    accounts = np.unique(index.dst[deposits])
    accounts = accounts[index.sends[accounts]]  # one that never sends has no debit
    if index.credit_rows is None:
        reached = np.zeros(len(index.accounts), dtype=bool)
        reached[accounts] = True
        rows = np.flatnonzero(reached[index.dst])
    else:
        start, end = index.credit_start[accounts], index.credit_start[accounts + 1]
        lengths = end - start
        rows = index.credit_rows[np.arange(int(lengths.sum()), dtype=np.int64)
                                 - np.repeat(np.cumsum(lengths) - lengths, lengths)
                                 + np.repeat(start, lengths)]
    return _TaintLedger.build(index, rows, index.amount[rows].astype(np.float64))


#: rounds of the taint-first fixed point at most (each round is one whole trace)
TAINT_ROUNDS = 24


def _taint_first(index: LedgerIndex, seeds: _Frontier,
                 options: TraceOptions) -> tuple[np.ndarray, ...]:
    """Taint first: every debit is charged first to the victims' money in the account.

    What each account holds of the victims' money depends on what the traced transfers
    brought in, and they on what their senders held: a fixed point. Round 1 knows only
    the victim transfers; each round traces with the victims' money of the last round's
    trail, until the trail's transfers and amounts (rounded) no longer change. Money
    only moves forward in time, so every round settles at least one more layer.
    """
    credits = (seeds.row, seeds.x)
    previous = None
    for _ in range(TAINT_ROUNDS):
        taint = _TaintLedger.build(index, *credits)
        traced = _hops(index, seeds, options, taint)
        rows, which = np.unique(traced[2], return_inverse=True)
        credits = (rows, np.bincount(which, weights=traced[3], minlength=len(rows)))
        settled = (rows, round_half_away(credits[1]))
        if previous is not None and np.array_equal(previous[0], settled[0]) \
                and np.array_equal(previous[1], settled[1]):
            break
        previous = settled
    return traced


@dataclass
class _TaintLedger:
    """The victims' money in each account that receives some, at each debit after its
    first victim credit (taint first: a debit takes the victims' money first, all
    victims pro rata, and only then the account's own).

    ``account`` (sorted) and ``start``: the accounts and the position, in the index's
    debit records, of each one's first debit after its first victim credit; from there
    on every debit of the account has, at ``position`` (sorted): ``charged``, the
    share of the victims' money it takes; ``logged``, the log of the share of it left
    by the account's earlier debits (since the first victim credit); ``epoch``, the
    times the victims' money was used up before it; ``after``, the money held after it.
    Built over all the money (``lifo``), per credit (``credit_key``: account * rows +
    row): ``base``, the money held before its batch (credits with no debit between
    them), and ``batch_total``.
    """

    account: np.ndarray
    start: np.ndarray
    position: np.ndarray
    charged: np.ndarray
    logged: np.ndarray
    epoch: np.ndarray
    after: np.ndarray
    credit_key: np.ndarray
    base: np.ndarray
    batch_total: np.ndarray

    def batch_of(self, key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per credit (``key``: account * rows + row, all in this ledger), for ``lifo``:
        the money held before its batch, and the batch's total."""
        at = np.searchsorted(self.credit_key, key)
        return self.base[at], self.batch_total[at]

    @classmethod
    def build(cls, index: LedgerIndex, rows: np.ndarray, taint: np.ndarray) -> _TaintLedger:
        """From the victims' money each transfer (``rows``) carries (``taint``)."""
        n = index.n_rows
        account = index.dst[rows]
        moving = index.src[rows] != account
        rows, taint, account = rows[moving], taint[moving], account[moving]
        key = account * n + rows
        order = np.argsort(key)
        key, taint = key[order], taint[order]
        accounts, first = np.unique(key // n, return_index=True)
        start = np.searchsorted(index.debit_key, key[first])
        end = index.debit_start[accounts + 1]
        lengths = np.maximum(end - start, 0)
        position = (np.arange(int(lengths.sum()), dtype=np.int64)
                    - np.repeat(np.cumsum(lengths) - lengths, lengths)
                    + np.repeat(start, lengths))
        debit = _gather(index.debits, position)
        events = np.concatenate([key, index.debit_key[position]])
        delta = np.concatenate([taint, -debit["amount"]])
        is_debit = np.concatenate([np.zeros(len(key), bool), np.ones(len(position), bool)])
        order = np.argsort(events, kind="stable")
        events, delta, is_debit = events[order], delta[order], is_debit[order]
        owner = events // n
        # the victims' money after each event: a debit takes it down, never below zero
        # (held = running sum - lowest running sum so far, below zero)
        level = _running_total(delta, owner)
        lowest = pd.Series(level).groupby(owner, sort=False).cummin().to_numpy()
        after = level - np.minimum(lowest, 0.0)
        new = np.concatenate([[True], owner[1:] != owner[:-1]])
        before = np.where(new, 0.0, np.concatenate([[0.0], after[:-1]]))
        # lifo: a batch (credits with no debit between them) sits on the money held
        # before it; each credit's batch, its level below and its total
        opens = ~is_debit & (new | np.concatenate([[True], is_debit[:-1]]))
        batch = np.cumsum(opens)[~is_debit] - 1
        base = before[opens][batch]
        total = np.bincount(batch, weights=delta[~is_debit])[batch]
        credit_key = events[~is_debit]
        before, after, owner = before[is_debit], after[is_debit], owner[is_debit]
        held = before >= EMPTY
        emptied = held & (after < EMPTY)
        charged = np.where(held, (before - np.where(emptied, 0.0, after))
                           / np.where(held, before, 1.0), 0.0)
        kept = np.where(held & ~emptied, after / np.where(held, before, 1.0), 1.0)
        logged = _running_total(np.log(kept), owner) - np.log(kept)
        epoch = _running_total(emptied.astype(np.float64), owner) - emptied
        return cls(accounts, start, position, charged, logged, epoch.astype(np.int64),
                   after, credit_key, base, total)

    def first(self, account: np.ndarray, first: np.ndarray) -> np.ndarray:
        """Each deposit's first debit that can take victims' money (its account's end
        of debits where none can)."""
        at = np.minimum(np.searchsorted(self.account, account), max(len(self.account) - 1, 0))
        known = (self.account[at] == account) if len(self.account) else np.zeros(
            len(account), bool)
        return np.where(known, np.maximum(first, self.start[at] if len(self.start) else 0), -1)

    def at(self, position: np.ndarray) -> np.ndarray:
        """Where the debits at ``position`` are in this ledger (they all must be)."""
        return np.searchsorted(self.position, position)


def _hop(index: LedgerIndex, frontier: _Frontier, options: TraceOptions,
         taint: _TaintLedger | None = None) -> _Frontier:
    """One hop for every traced deposit at once: what each later debit carries.

    Each deposit's first :data:`_STEPS` later debits are examined, all deposits
    together, up to where the money is used up on the outflow axis, the window or the
    account's debits end; the few still going after them (busy accounts, or money behind
    much older money) find the rest of their range by binary search.
    """
    account, amt_in = index.dst[frontier.row], index.amount[frontier.row]
    end = index.debit_start[account + 1]
    credit = index.credit_of[frontier.row]
    is_credit = credit >= 0
    deposit_row = _gather(index.credits, np.maximum(credit, 0)) if len(index.credits) \
        else np.zeros(len(credit), dtype=CREDIT)
    in_through = np.where(is_credit, deposit_row["in_through"], 0.0)
    out_before = np.where(is_credit, deposit_row["out_before"], 0.0)
    # a self-transfer brings nothing in: no debit follows it
    first = np.where(is_credit, deposit_row["first_debit"], end)
    opening = index.opening[account]
    if taint is not None:  # only debits the victims' money can have reached
        first = taint.first(account, first)
        first = np.where(first < 0, end, first)
        state = taint.at(np.minimum(first, np.maximum(end - 1, 0)))
    if options.policy == "fifo":
        # the deposit is [low, high) on the account's inflow axis (after the opening)
        low = opening + in_through - amt_in
        high = low + amt_in
    else:
        held = np.maximum(opening + in_through - out_before, amt_in)
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
    going = debit["row"] < frontier.limit[deposit]
    if taint is not None:  # once the victims' money was used up, none of ours is left
        going &= taint.epoch[taint.at(at)] == taint.epoch[state[deposit]]
    elif options.policy != "fifo":  # once the account was empty, none of ours is left
        going &= index.debit_epoch[at] == index.row_epoch[frontier.row[deposit]]
    if monotone:
        going &= debit["cum"] - debit["amount"] < reach[deposit]
    found_deposit, found_at = [deposit[going]], [at[going]]
    # deposits whose every stepped debit passed and that have more: search the rest
    passed = np.bincount(deposit[going], minlength=len(first))
    active = np.flatnonzero((passed == span) & (span == _STEPS) & (first + _STEPS < end))
    if len(active):
        more, at = _search_rest(index, active, first[active] + _STEPS, end[active],
                                account[active], frontier.limit[active],
                                low[active], high[active])
        found_deposit.append(more)
        found_at.append(at)
    deposit, at = np.concatenate(found_deposit), np.concatenate(found_at)
    debit = _gather(index.debits, at)
    q_out, amt_out, x = debit["cum"], debit["amount"], frontier.x[deposit]
    if options.policy == "fifo":
        s, a = low[deposit], amt_in[deposit]
        carried = np.maximum(np.minimum(q_out, s + a) - np.maximum(q_out - amt_out, s), 0.0) * x / a
    elif options.policy == "lifo":
        # the deposit's batch [base, base + total) on the account's money, newest on top:
        # what is left of it is what the lowest level since stays above its base
        order = np.lexsort((at, deposit))
        deposit, at, debit = deposit[order], at[order], debit[order]
        amt_out, x = amt_out[order], x[order]
        base, total = taint.batch_of(account[deposit] * index.n_rows
                                     + frontier.row[deposit])
        lowest = pd.Series(taint.after[taint.at(at)]).groupby(deposit, sort=False).cummin()
        left = np.clip(lowest.to_numpy() - base, 0.0, total)
        opens = np.ones(len(deposit), bool)
        opens[1:] = deposit[1:] != deposit[:-1]
        left_before = np.where(opens, total, np.concatenate([[0.0], left[:-1]]))
        carried = x * (left_before - left) / total
    elif taint is not None:
        here, then = taint.at(at), state[deposit]
        same = taint.epoch[here] == taint.epoch[then]
        left = np.exp(np.minimum(taint.logged[here] - taint.logged[then], 0.0))
        carried = np.where(same, x * left * taint.charged[here], 0.0)
    else:
        row = frontier.row[deposit]
        same = index.debit_epoch[at] == index.row_epoch[row]
        diluted = np.exp(np.minimum(index.debit_dilution[at] - index.row_dilution[row], 0.0))
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
                    hop: np.ndarray, record: dict[str, np.ndarray], amount: np.ndarray) -> pd.DataFrame:
    """Per seed, account and hop: traced money in, out and left; sinks never send.
    Sorted by seed id, hop and account."""
    n_accounts, n_hops = len(index.accounts), int(hop.max()) + 1
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
    order = np.argsort((key_seed * n_hops + key_hop) * n_accounts + index.account_ranks(code))
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
