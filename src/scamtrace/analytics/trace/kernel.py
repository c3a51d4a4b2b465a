"""FIFO, proportional, taint-first and LIFO tracing as a vectorised kernel over a
per-account ledger index.

The SQL policies find, at every hop, the frontier accounts' transfers and ledgers by
reading the whole transactions table: a hop costs as much as the data, however small
the trail. The kernel reads a :class:`~.ledger_index.LedgerIndex` built once from the
transactions (:mod:`.ledger_index`): every account's debits in time order with running
totals, and for every transfer its receiver's ledger at that moment. A hop then costs in proportion to the traced deposits and the
debits that can carry their money (the first few stepped through, the rest of a busy
account's found by binary search): all seeds together, numpy array operations, no loop
over seeds.

Same rules and same results as the SQL of :mod:`.allocation_sql` (the tests compare
them, and the Spark backend runs the SQL): debits after the deposit (same ``ts``: a
later ``tx_id``) and inside the window; the account's smallest opening balance; FIFO,
the proportional share, the victims' money first or the newest batch first; per seed
and transfer, at most its amount, kept when at least ``min_amount`` (less the same
float slack as the SQL's).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from scamtrace.analytics.trace.ledger_index import CREDIT, LedgerIndex, running_total
from scamtrace.analytics.trace.options import TraceOptions
from scamtrace.analytics.trace.steps_sql import DECIMALS, EMPTY, kept_from


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
        options: a ``fifo``, ``proportional``, ``taint-first`` or ``lifo`` policy, hops,
            window, threshold.

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
        limit = np.searchsorted(index.ts, index.ts[rows] + options.window, side="right")
    frontier = _Frontier(np.arange(len(rows)), limit, rows, index.amount[rows])
    if options.policy == "taint-first":
        seed_idx, hops, tx_rows, amounts = _taint_first(index, frontier, options)
    else:
        seed_idx, hops, tx_rows, amounts = _hops(index, frontier, options)
    # each hop's rows come sorted by seed: a merge sort finds the runs (many times faster
    # than a quicksort here)
    order = np.argsort((seed_idx * (options.max_hops + 1) + hops) * index.n_rows
                       + index.id_ranks(tx_rows), kind="stable")
    seed_idx, hops, tx_rows, amounts = seed_idx[order], hops[order], tx_rows[order], \
        amounts[order]
    record = {"dst": index.dst[tx_rows], "src": index.src[tx_rows]}
    seed_ids = index.ids_of(rows)
    trail = pd.DataFrame({
        "seed_id": pd.Series(seed_ids.array.take(seed_idx)),
        "hop": hops,
        "tx_id": index.ids_of(tx_rows),
        "src": index.accounts_of(record["src"]),
        "dst": index.accounts_of(record["dst"]),
        "amount_traced": round_half_away(amounts),
    }, copy=False)
    accounts = _trail_accounts(index, seed_ids, seed_idx, hops, record, amounts)
    return trail, accounts, missing


def _hops(index: LedgerIndex, frontier: _Frontier, options: TraceOptions,
          taint: _TaintLedger | None = None) -> tuple[np.ndarray, ...]:
    """All hops from the seeds' deposits: per traced transfer, the seed, hop, row and
    amount."""
    parts = [(frontier.seed, np.ones(len(frontier.row), np.int32), frontier.row, frontier.x)]
    for hop in range(2, options.max_hops + 1):
        if options.policy == "lifo":
            frontier = _lifo_hop(index, frontier, options)
        else:
            frontier = _hop(index, frontier, options, taint)
        if not len(frontier.row):
            break
        parts.append((frontier.seed, np.full(len(frontier.row), hop, dtype=np.int32),
                      frontier.row, frontier.x))
    return tuple(np.concatenate(c) for c in zip(*parts))


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
    times the victims' money was used up before it.
    """

    account: np.ndarray
    start: np.ndarray
    position: np.ndarray
    charged: np.ndarray
    logged: np.ndarray
    epoch: np.ndarray

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
        position = _ranges(start, lengths)
        debit = _gather(index.debits, position)
        events = np.concatenate([key, index.debit_key[position]])
        delta = np.concatenate([taint, -debit["amount"]])
        is_debit = np.concatenate([np.zeros(len(key), bool), np.ones(len(position), bool)])
        order = np.argsort(events, kind="stable")
        events, delta, is_debit = events[order], delta[order], is_debit[order]
        owner = events // n
        # the victims' money after each event: a debit takes it down, never below zero
        # (held = running sum - lowest running sum so far, below zero)
        level = running_total(delta, owner)
        lowest = pd.Series(level).groupby(owner, sort=False).cummin().to_numpy()
        after = level - np.minimum(lowest, 0.0)
        new = np.concatenate([[True], owner[1:] != owner[:-1]])
        before = np.where(new, 0.0, np.concatenate([[0.0], after[:-1]]))
        before, after, owner = before[is_debit], after[is_debit], owner[is_debit]
        held = before >= EMPTY
        emptied = held & (after < EMPTY)
        charged = np.where(held, (before - np.where(emptied, 0.0, after))
                           / np.where(held, before, 1.0), 0.0)
        kept = np.where(held & ~emptied, after / np.where(held, before, 1.0), 1.0)
        logged = running_total(np.log(kept), owner) - np.log(kept)
        epoch = running_total(emptied.astype(np.float64), owner) - emptied
        return cls(accounts, start, position, charged, logged, epoch.astype(np.int64))

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
    at = _ranges(first, span)
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


def _lifo_hop(index: LedgerIndex, frontier: _Frontier, options: TraceOptions) -> _Frontier:
    """One ``lifo`` hop for every traced deposit at once, read off the ledger index.

    An account's level after a debit is its inflow before the debit less its outflow up
    to it. A deposit's batch (the credits with no debit between them) sits on the level
    after the debit before it; after each later debit, what is left of the batch is how
    far the lowest level since stays above that, between nothing and the batch's total,
    and the deposit holds its share of that. This is
    :func:`.allocation_sql.lifo_ledger_sql`'s rule (the money held is the level less its
    lowest value so far below zero: a debit never takes the account below nothing)
    without the floor: the floor is never above the level the batch arrived on, so it
    takes the same amount off both, until the level falls below it, by which time the
    batch is used up.

    Read: each deposit's debits inside the window, the first :data:`_STEPS` of them for
    all deposits together, then twice as many at a time for the few whose batch is not
    used up yet, until it is, or the window or the account's debits end. No ledger is
    sorted or built, no debit before the deposit's batch is read.
    """
    debits = index.debits
    inflow = debits["inflow"]
    account = index.dst[frontier.row]
    end = index.debit_start[account + 1]
    credit = index.credit_of[frontier.row]
    first = end.copy()  # a self-transfer brings nothing in: no debit follows it
    is_credit = credit >= 0
    first[is_credit] = index.credits["first_debit"][credit[is_credit]]
    # deposits with a debit after them inside the window
    live = first < end
    live[live] = debits["row"][first[live]] < frontier.limit[live]
    keep = np.flatnonzero(live)
    account, end, first = account[keep], end[keep], first[keep]
    x, limit = frontier.x[keep], frontier.limit[keep]
    # the level the batch arrived on (after the debit before it; none: nothing yet) and
    # the batch's total (the inflow between that debit and the next)
    base, inflow_before = np.zeros(len(keep)), np.zeros(len(keep))
    earlier = np.flatnonzero(first > index.debit_start[account])
    before = _gather(debits, first[earlier] - 1)
    base[earlier] = before["inflow"] - before["cum"]
    inflow_before[earlier] = before["inflow"]
    total = inflow[first] - inflow_before
    going = np.flatnonzero(total > 0)
    found: tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]] = ([], [], [])
    at, lowest, left = first[going], np.full(len(going), np.inf), total[going]
    width = max(_STEPS, 1)
    while len(going):
        last = end[going, None] - 1
        step = at[:, None] + np.arange(width)
        inside = step <= last
        step = np.minimum(step, last)
        inside &= debits["row"][step] < limit[going, None]
        # the lowest level since the deposit (outside the run: +inf, changing nothing)
        level = np.where(inside, inflow[step] - debits["cum"][step], np.inf)
        lows = np.minimum(np.minimum.accumulate(level, axis=1), lowest[:, None])
        lefts = np.clip(lows - base[going, None], 0.0, total[going, None])
        before = np.concatenate([left[:, None], lefts[:, :-1]], axis=1)
        carried = x[going, None] * (before - lefts) / total[going, None]
        moved = inside & (carried > 0)
        found[0].append(np.broadcast_to(going[:, None], step.shape)[moved])
        found[1].append(step[moved])
        found[2].append(carried[moved])
        # on with the deposits whose whole run was inside and whose batch is not used up
        more = inside[:, -1] & (lefts[:, -1] > 0) & (at + width <= last[:, 0])
        at, lowest, left = at[more] + width, lows[more, -1], lefts[more, -1]
        going = going[more]
        width *= 2
    deposit, out, carried = (np.concatenate(c) if c else np.zeros(0, np.int64) for c in found)
    return _moved(frontier.seed[keep][deposit], limit[deposit], debits["row"][out],
                  debits["amount"][out], carried, index.n_rows, options.min_amount)


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
    return deposit[which], _ranges(first, lengths)


def _ranges(start: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``start[i], start[i] + 1, ..., start[i] + lengths[i] - 1`` for every ``i`` in
    turn, in one array (``lengths`` non-negative)."""
    return (np.arange(int(lengths.sum()), dtype=np.int64)
            - np.repeat(np.cumsum(lengths) - lengths, lengths) + np.repeat(start, lengths))


def _moved(seed: np.ndarray, limit: np.ndarray, out_row: np.ndarray, amt_out: np.ndarray,
           carried: np.ndarray, n_rows: int, min_amount: float) -> _Frontier:
    """Per seed and transfer, the carried money summed (at most the transfer's amount),
    kept when at least ``min_amount`` (:func:`.steps_sql.kept_from`, as the SQL): the
    next hop's deposits."""
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
    keep = total >= kept_from(min_amount)
    pick = pick[keep]
    return _Frontier(seed[pick], limit[pick], out_row[pick], total[keep])


def _trail_accounts(index: LedgerIndex, seed_ids: pd.Series, seed: np.ndarray,
                    hop: np.ndarray, record: dict[str, np.ndarray], amount: np.ndarray) -> pd.DataFrame:
    """Per seed, account and hop: traced money in, out and left; sinks never send.
    Sorted by seed id, hop and account."""
    n_accounts, n_hops = len(index.accounts), int(hop.max()) + 1
    into = (seed * n_accounts + record["dst"]) * n_hops + hop
    keys, which = _unique_nearly_sorted(into)
    amount_in = np.bincount(which, weights=amount, minlength=len(keys))
    later = hop > 1
    # a transfer at hop h leaves money its sender received at hop h - 1
    out_of = (seed[later] * n_accounts + record["src"][later]) * n_hops + hop[later] - 1
    amount_out = np.bincount(np.searchsorted(keys, out_of), weights=amount[later],
                             minlength=len(keys))
    key_hop = (keys % n_hops).astype(np.int32)
    code = keys // n_hops % n_accounts
    key_seed = keys // n_hops // n_accounts
    order = np.argsort((key_seed * n_hops + key_hop) * n_accounts + index.account_ranks(code),
                       kind="stable")
    code, key_hop, key_seed = code[order], key_hop[order], key_seed[order]
    amount_in, amount_out = amount_in[order], amount_out[order]
    return pd.DataFrame({
        "seed_id": pd.Series(seed_ids.array.take(key_seed)),
        "account": index.accounts_of(code),
        "hop": key_hop,
        "amount_in": round_half_away(amount_in),
        "amount_out": round_half_away(amount_out),
        "amount_remaining": round_half_away(np.maximum(amount_in - amount_out, 0.0)),
        "is_sink": ~index.sends[code],
    }, copy=False)


def _unique_nearly_sorted(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` by a merge sort, many times faster
    than unique's own quicksort on values already in long sorted runs (trail rows in
    seed order)."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    new = np.empty(len(ordered), dtype=bool)
    new[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    which = np.empty(len(values), dtype=np.int64)
    which[order] = np.cumsum(new) - 1
    return ordered[new], which


def _gather(records: np.ndarray, at: np.ndarray) -> np.ndarray:
    """``records[at]`` for a structured array, copying whole records as raw words (numpy's
    own structured gather goes field by field, many times slower)."""
    raw = records.view(np.int64).reshape(len(records), records.dtype.itemsize // 8)
    return np.take(raw, at, axis=0).view(records.dtype).reshape(-1)


def round_half_away(values: np.ndarray) -> np.ndarray:
    """Round to :data:`DECIMALS` places, halves away from zero (as SQL ``round``)."""
    scale = 10.0 ** DECIMALS
    return np.sign(values) * np.floor(np.abs(values) * scale + 0.5) / scale
