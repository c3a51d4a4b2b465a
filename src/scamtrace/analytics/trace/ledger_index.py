"""The ledger index that the tracing kernel (:mod:`.kernel`) reads.

Built once per transactions table: every account's debits and credits in time order
with running totals (compressed sparse rows, the counterpart of a graph library's
adjacency lists), and for every transfer its receiver's ledger at that moment. No
Python work per row: integer-encoded accounts, counting sorts, cumulative sums.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from scamtrace.analytics.engine import Engine
from scamtrace.analytics.trace.steps_sql import EMPTY

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
#: ``row`` is also the debit's rank in time; ``inflow``, the account's inflow before it
#: (``lifo`` reads the money held at each debit of the accounts a hop reaches from it
#: and ``cum``, in the same record)
DEBIT = np.dtype([("row", np.int64), ("cum", np.float64), ("amount", np.float64),
                  ("inflow", np.float64)])


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
        ts: per row; rows are in time order, so it is sorted (the window's last rank
            by search).
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
    debit_axis_before: np.ndarray | None
    debit_axis_after: np.ndarray | None
    opening: np.ndarray
    sends: np.ndarray
    account_order: np.ndarray | None
    #: the ids are integers rising with the rows (numbered in time order, as extracts
    #: usually are): a row's number orders it as its id does, and ids are found by
    #: binary search (no hash table)
    ids_ascending: bool = False
    #: when the ids are moreover one apart (numbered rows, as without an id column):
    #: the first id, a row's id being it plus the row
    first_id: int | None = None
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
        del debit_account

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
        debits["inflow"] = inflow
        del inflow
        axis_before = axis_after = None
        if len(debits) and (amount >= 0).all():
            axis_after = np.cumsum(debits["amount"])
            axis_before = axis_after - debits["amount"]
        sends = np.zeros(n_accounts, dtype=bool)
        sends[src] = True
        index = cls(table.column("tx_id").combine_chunks(), accounts, src, dst, amount,
                    credit_of, credits, debits, debit_key,
                    debit_start, ts, axis_before, axis_after, opening, sends,
                    account_order)
        index._credits = (credit_key, credit_row, before, has_credit)
        index.ids_ascending = _ascending_integers(index.tx_id)
        if index.ids_ascending and n and index.tx_id[n - 1].as_py() < 1 << 62 and \
                index.tx_id[n - 1].as_py() - index.tx_id[0].as_py() == n - 1:
            index.first_id = index.tx_id[0].as_py()
        return index

    def rows_of(self, ids: pa.Array) -> np.ndarray:
        """Row of each transaction id, -1 where unknown."""
        if self.ids_ascending and ids.null_count == 0 and pa.types.is_integer(ids.type) \
                and self.n_rows:
            if self.first_id is not None:  # no search: the ids are the rows, shifted
                at = ids.to_numpy().astype(np.int64) - self.first_id
                return np.where((at >= 0) & (at < self.n_rows), at, -1)
            known, wanted = self.tx_id.to_numpy(), ids.to_numpy()
            at = np.minimum(np.searchsorted(known, wanted), self.n_rows - 1)
            return np.where(known[at] == wanted, at, -1)
        if self._row_of_id is None:  # a hash table of the ids, made on first use
            self._row_of_id = pd.Index(self.tx_id.to_numpy(zero_copy_only=False))
        return self._row_of_id.get_indexer(ids.to_numpy(zero_copy_only=False))

    def ids_of(self, rows: np.ndarray) -> pd.Series:
        """The ids of ``rows``."""
        if self.first_id is not None:
            values = np.asarray(rows, dtype=np.int64) + self.first_id
            return pd.Series(values.astype(self.tx_id.type.to_pandas_dtype()))
        return self.tx_id.take(pa.array(rows, pa.int64())).to_pandas()

    def id_ranks(self, rows: np.ndarray) -> np.ndarray:
        """Numbers below :attr:`n_rows` in the order of the ``rows``' ids, equal for
        equal ids (to sort as SQL does): the rows themselves when the ids rise with them,
        else the ids' dense ranks."""
        if self.ids_ascending:
            return np.asarray(rows, dtype=np.int64)
        return _dense_ranks(self.tx_id.take(pa.array(rows, pa.int64())))

    def accounts_of(self, codes: np.ndarray) -> pd.Series:
        """The accounts of ``codes``."""
        if self.account_order is not None:  # integer account numbers, their own codes
            return pd.Series(np.asarray(codes).astype(self.accounts.type.to_pandas_dtype()))
        return self.accounts.take(pa.array(codes, pa.int64())).to_pandas()

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
        dilution = running_total(np.log(kept), credit_account)
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


def _ascending_integers(ids: pa.Array) -> bool:
    """Whether ``ids`` are integers, none missing, each larger than the one before."""
    if not pa.types.is_integer(ids.type) or ids.null_count:
        return False
    return len(ids) < 2 or pc.all(pc.greater(ids[1:], ids[:-1])).as_py() is True


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
    return key, row, start, event_account, event_amount, running_total(event_amount,
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


def running_total(values: np.ndarray, account: np.ndarray) -> np.ndarray:
    """Per account (``account`` non-decreasing), the inclusive running sum, added in
    order within each account as SQL's window sum does."""
    if not len(values):
        return values.astype(np.float64)
    return pd.Series(values).groupby(account, sort=False).cumsum().to_numpy()
