"""The call-record features of a batch on DuckDB as a vectorised numpy kernel.

The same features as the SQL steps of :mod:`scamtrace.analytics.sims.features` (which
stay the definition, the Spark path and the *1185# check path), computed from the
columns of the calls in the span, fetched once from DuckDB as they are stored (the dense
ids ``caller_id``, ``callee_id``, ``cell_key``, ``imei_key``, the time in microseconds
and the duration: DuckDB evaluates no expression per call). numpy derives each call's
clock hour and flags; one ``np.bincount`` over caller x flags counts calls, short,
unanswered and night calls; hours per caller come from sorted packed keys (caller x
hour, or hour x caller sorted an hour at a time when the calls come in time order),
where only the repeats of a key need looking at; cells and handsets from one id written
per caller (one of its calls') and the calls that differ from it (only those are
sorted);
distinct and never-contacted callees from one sort of the unordered pairs, each with a
direction bit (and, when every call time is a whole second and the bits fit, the second
of the call too, so that the first call each way is the first of its run).

:func:`register_call_features` leaves two tables for the rest of the pipeline:
:data:`KERNEL_CALLS` (one row per number, its ``msisdn`` and the columns
``call_features_sql`` gives) and, when asked, :data:`KERNEL_SIDES` (``k``, ``contact``,
``mine``: a number id, a number id it called in the window and the first such call),
what ``callee_pairs`` reads.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import numpy as np
import pyarrow as pa

from scamtrace.analytics.duckdb_engine import DuckDBEngine
from scamtrace.analytics.engine import Engine
from scamtrace.analytics.sims.features import (
    FeatureWindow,
    SimTables,
    call_keys,
    calls_since,
    calls_span_sql,
    epoch_seconds,
    window_hours,
)
from scamtrace.analytics.sims.sim_inputs import cells_table

#: The kernel's per-number table (``msisdn`` and the call features).
KERNEL_CALLS = "sim_kernel_calls"
#: The kernel's (number, callee, first call) rows.
KERNEL_SIDES = "sim_kernel_sides"

#: The call features of :data:`KERNEL_CALLS`, in the order ``call_features_sql`` gives
#: them; the handset columns only without device records (which join by msisdn).
CALL_COLUMNS = ("out_calls", "n_short", "n_unanswered", "n_night", "in_calls", "distinct_callees",
                "new_callees", "imeis_per_sim", "sims_per_imei", "active_hours", "peak_hour_calls",
                "cell_count", "cell_entropy", "border_share")
_HANDSET_COLUMNS = ("imeis_per_sim", "sims_per_imei")

_US = 1_000_000
_NO_TIME = np.iinfo(np.int64).max


def kernel_applies(engine: Engine, tables: SimTables) -> bool:
    """Whether the kernel can compute these tables' call features: DuckDB, a batch (no
    focus) on a calls table loaded with ids, and cell sites with one row per cell id
    (the SQL joins them per call)."""
    if not isinstance(engine, DuckDBEngine) or call_keys(tables).numbers is None:
        return False
    if tables.cells:
        row = engine.fetch_pandas(f"SELECT count(*) - count(DISTINCT cell_id) AS d FROM {tables.cells}")
        return int(row["d"].iloc[0]) == 0
    return True


def register_call_features(engine: DuckDBEngine, tables: SimTables, window: FeatureWindow,
                           *, receivers: bool, sides: bool) -> None:
    """Compute the call features and register :data:`KERNEL_CALLS` (and
    :data:`KERNEL_SIDES` with ``sides``) in the engine.

    DuckDB reads the calls of the span (columns as stored); numpy computes the rest on
    two threads: the pairs beside the per-caller counts, hours, cells and handsets.

    Args:
        engine: the DuckDB engine holding ``tables``.
        tables: a batch with number ids (:func:`kernel_applies`).
        window: the window and thresholds.
        receivers: also numbers that were only called (their other columns NULL).
        sides: also register the (number, callee, first call) rows.
    """
    msisdn = _msisdn_by_id(engine, tables.numbers)
    n = len(msisdn)
    since, end = epoch_seconds(calls_since(window)), epoch_seconds(window.end)
    handsets = not tables.devices
    fetch = {"a": "coalesce(caller_id, -1)", "b": "coalesce(callee_id, -1)", "t": "epoch_us(ts)",
             "d": "coalesce(duration_s, CAST('NaN' AS DOUBLE))", "c": "coalesce(cell_key, -1)"}
    if handsets:
        fetch["i"] = "coalesce(imei_key, -1)"
    calls = engine.fetch_arrow(f"SELECT {', '.join(f'{e} AS {c}' for c, e in fetch.items())} "
                               f"FROM {tables.calls} WHERE {calls_span_sql(window)}")
    col = {name: _numpy(calls, name) for name in calls.column_names}
    a, b, t = col["a"], col["b"], col["t"]
    seconds = t // _US
    scratch = seconds * _US
    whole = np.array_equal(scratch, t)
    if not whole:  # the SQL's clock hour reads CAST(epoch(ts) AS BIGINT): rounded half to even
        seconds = np.rint(t / _US).astype(np.int64)
    in_window = None if window.history_start is None else t >= epoch_seconds(window.start) * _US
    time_bits = (end - since).bit_length()
    packed = whole and (2 * n * n).bit_length() + time_bits <= 63
    border = _border_keys(engine, tables) if tables.cells else None
    first_slot, hours = window_hours(window)
    when = np.subtract(seconds, since, out=scratch) if packed else t
    # The steps on two threads, each taking the next when it is done: the pairs first
    # (the longest), the per-caller counts (the cells need them), hours, cells, handsets.
    with ThreadPoolExecutor(2) as pool:
        pairs = pool.submit(_pairs, a, b, when, in_window, n,
                            time_bits if packed else None, since, sides)
        valid = _all(a >= 0 if a.min(initial=0) < 0 else None, in_window)

        def of_valid(values: np.ndarray) -> np.ndarray:
            return values if valid is None else values[valid]

        a_w = of_valid(a)
        position = of_valid(seconds)  # seconds is not read again
        position //= 3600
        position -= first_slot  # a window call's hour, 0..hours-1
        per_caller = pool.submit(_per_caller, n, window, a_w, of_valid(b), of_valid(col["d"]), position,
                                 first_slot)
        hour_repeats = pool.submit(_hour_repeats, a_w, hours, position, n)
        c_w = of_valid(col["c"])
        cell_stats = pool.submit(lambda: _cell_stats(n, a_w, c_w, border, per_caller.result()["out_calls"]))
        if handsets:
            handset_counts = pool.submit(_handsets, n, a_w, of_valid(col["i"]))
        columns = per_caller.result()
        columns.update(cell_stats.result())
        if handsets:
            columns["imeis_per_sim"], columns["sims_per_imei"] = handset_counts.result()
        repeats, peak = hour_repeats.result()
        columns["active_hours"] = columns["out_calls"] - repeats
        columns["peak_hour_calls"] = np.maximum(peak, columns["out_calls"] > 0)
        columns["distinct_callees"], columns["new_callees"], side_rows = pairs.result()
    caller = columns["out_calls"] > 0
    ids = np.flatnonzero(caller | (columns["in_calls"] > 0) if receivers else caller)
    every = len(ids) == n

    def of_ids(values: np.ndarray) -> np.ndarray:
        return values if every else values.take(ids)

    known = of_ids(caller)
    with_cell = known & (of_ids(columns["n_cell"]) > 0)
    unknown, no_cell = ~known, ~with_cell
    unknown, no_cell = unknown if unknown.any() else None, no_cell if no_cell.any() else None
    table = {"msisdn": msisdn.take(pa.array(ids))}
    for name in _call_columns(devices=not handsets):
        values = of_ids(columns[name])
        if name == "in_calls":
            table[name] = pa.array(values)
        else:
            table[name] = pa.array(values, mask=no_cell if name.startswith(("cell", "border")) else unknown)
    engine.register(pa.table(table), KERNEL_CALLS)
    if sides:
        k, contact, mine = side_rows
        engine.register(pa.table({"k": pa.array(k.astype(np.int32)),
                                  "contact": pa.array(contact.astype(np.int32)),
                                  "mine": pa.array(mine, pa.timestamp("us"))}), KERNEL_SIDES)


def _call_columns(*, devices: bool) -> tuple[str, ...]:
    return tuple(c for c in CALL_COLUMNS if not (devices and c in _HANDSET_COLUMNS))


def kernel_call_features_sql(*, devices: bool) -> str:
    """``call_features`` from :data:`KERNEL_CALLS`: the msisdn and the columns
    ``call_features_sql`` gives (no handsets when device records join by msisdn)."""
    columns = "".join(f", {c}" for c in _call_columns(devices=devices))
    return f"SELECT msisdn{columns} FROM {KERNEL_CALLS}"


def kernel_callee_pairs_sql(numbers: str) -> str:
    """``callee_pairs`` (caller, callee msisdn, first call in the window) from
    :data:`KERNEL_SIDES`."""
    return (f"SELECT a.msisdn AS caller, b.msisdn AS callee, s.mine AS first_ts FROM {KERNEL_SIDES} s "
            f"JOIN {numbers} a ON a.id = s.k JOIN {numbers} b ON b.id = s.contact")


def _msisdn_by_id(engine: DuckDBEngine, numbers: str) -> pa.ChunkedArray:
    # The number dictionary's msisdn in id order (ids are 0..n-1, stored in that order
    # by the load; put in it here if not).
    table = engine.fetch_arrow(f"SELECT id, msisdn FROM {numbers}")
    ids = _numpy(table, "id")
    msisdn = table.column("msisdn")
    if not np.array_equal(ids, np.arange(len(ids), dtype=ids.dtype)):
        msisdn = msisdn.take(pa.array(np.argsort(ids)))
    return msisdn


def _border_keys(engine: DuckDBEngine, tables: SimTables) -> np.ndarray:
    # The cell ids (cell_key) of the border-zone cells.
    table = engine.fetch_arrow(f"SELECT key FROM {cells_table(tables.calls)} "
                               f"WHERE cell_id IN (SELECT cell_id FROM {tables.cells} WHERE border_zone)")
    return _numpy(table, "key")


def _numpy(table: pa.Table, name: str) -> np.ndarray:
    return table.column(name).to_numpy()


def _all(*masks: np.ndarray | None) -> np.ndarray | None:
    # The conjunction of the masks given (None: no mask, every row).
    given = [m for m in masks if m is not None]
    if not given:
        return None
    out = given[0]
    for mask in given[1:]:
        out = out & mask
    return out


def _packed(group: np.ndarray, width: int, value: np.ndarray) -> np.ndarray:
    # group * width + value, in 32 bits when it fits, unsigned (they sort in about 0.6 of
    # the time of 64 bits).
    dtype = np.uint32 if (int(group.max(initial=0)) + 1) * width <= 2**32 else np.int64
    out = group.astype(dtype)
    out *= width
    out += value.astype(dtype, copy=False)
    return out


def _starts(keys: np.ndarray) -> np.ndarray:
    # Where the runs of equal values of a sorted array start.
    if len(keys) == 0:
        return np.zeros(0, np.int64)
    change = np.empty(len(keys), bool)
    change[0] = True
    np.not_equal(keys[1:], keys[:-1], out=change[1:])
    return np.flatnonzero(change)


def _runs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # Starts and lengths of the runs of equal values in a sorted array.
    starts = _starts(keys)
    return starts, np.diff(np.append(starts, len(keys)))


def _distinct(keys: np.ndarray) -> np.ndarray:
    # Sorted distinct values (a sort: np.unique hashes, many times slower here); sorts
    # ``keys`` in place.
    keys.sort()
    return keys[_starts(keys)]


def _group_max(groups: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    # Largest value of each group (groups sorted), 0 for the others.
    out = np.zeros(size, np.int64)
    starts = _starts(groups)
    if len(starts):
        out[groups[starts]] = np.maximum.reduceat(values, starts)
    return out


def _logs(top: int) -> np.ndarray:
    # ln k for k = 0..top with the C library's log, as the SQL's ln (ln 0 unused: 0).
    return np.array([math.log(k) if k else 0.0 for k in range(top + 1)])


def _night_hours(window: FeatureWindow) -> np.ndarray:
    # Whether each local clock hour 0..23 is a night hour, as night_sql decides.
    night_from, night_to = window.night_hours
    hour = np.arange(24)
    if night_from > night_to:
        return (hour >= night_from) | (hour < night_to)
    return (hour >= night_from) & (hour < night_to)


def _per_caller(n: int, window: FeatureWindow, a_w: np.ndarray, b_w: np.ndarray, d_w: np.ndarray,
                position: np.ndarray, first_slot: int) -> dict[str, np.ndarray]:
    """Per number id: calls, short, unanswered and night calls (one bincount of caller x
    six codes), and calls received."""
    hours = window_hours(window)[1]
    night_at = _night_hours(window)[(np.arange(hours) + first_slot + window.utc_offset_hours) % 24]
    # code: 1 short, 2 unanswered (NaN, no duration: neither), plus 3 at night
    code = (d_w <= 0).view(np.uint8) << 1
    code |= ((d_w > 0) & (d_w < window.short_call_s)).view(np.uint8)
    code += (night_at.astype(np.uint8) * 3).take(position)
    key = code.astype(np.intp)  # code x caller: each code's counts contiguous
    key *= n
    key += a_w
    counts = np.bincount(key, minlength=6 * n).reshape(6, n)
    received = b_w if b_w.min(initial=0) >= 0 else b_w[b_w >= 0]
    return {
        "out_calls": counts.sum(axis=0),
        "n_short": counts[1] + counts[4],
        "n_unanswered": counts[2] + counts[5],
        "n_night": counts[3:].sum(axis=0),
        "in_calls": np.bincount(received, minlength=n),
    }


#: Calls in at most this many runs of non-decreasing hours are sorted an hour at a time.
MAX_HOUR_RUNS = 64


def _hour_repeats(a_w: np.ndarray, hours: int, position: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per caller: calls minus active hours, and the most calls in one of its hours with
    two calls or more (0 when none).

    From the sorted keys (caller, hour): a run of k equal keys leaves k - 1 repeats.
    Call records come in time order, or in a few such runs (a load on several threads
    writes one per thread): the keys hour x caller are then sorted one hour at a time
    (:func:`_keys_by_hour`); else the keys caller x hour at once.
    """
    keys = _keys_by_hour(a_w, hours, position, n)
    by_hour = keys is not None
    if not by_hour:
        keys = _packed(a_w, hours, position)
        keys.sort()
    repeated = keys[np.flatnonzero(keys[1:] == keys[:-1])]
    del keys
    starts, lengths = _runs(repeated)
    caller = repeated[starts] % n if by_hour else repeated[starts] // hours
    repeats = np.bincount(caller, weights=lengths, minlength=n).astype(np.int64)
    if not by_hour:  # each caller's runs are together
        return repeats, _group_max(caller, lengths + 1, n)
    peak = np.zeros(n, np.int64)
    np.maximum.at(peak, caller, lengths + 1)
    return repeats, peak


def _keys_by_hour(a_w: np.ndarray, hours: int, position: np.ndarray, n: int) -> np.ndarray | None:
    """The keys hour x caller, sorted, when the hours come in at most
    :data:`MAX_HOUR_RUNS` non-decreasing runs (else None): each hour's keys, gathered from
    the runs, are sorted on their own (they fit the caches: about 0.7 of the time of one
    sort of them all)."""
    if not len(position) or n * hours > 2**32:
        return None
    edges = np.flatnonzero(position[1:] < position[:-1]) + 1
    if len(edges) >= MAX_HOUR_RUNS:
        return None
    keys = _packed(position, n, a_w)
    edges = np.concatenate([[0], edges, [len(keys)]])
    every_hour = np.arange(hours + 1)
    cuts = [start + np.searchsorted(position[start:stop], every_hour)
            for start, stop in pairwise(edges)]
    out = keys if len(cuts) == 1 else np.empty_like(keys)
    at = 0
    for hour in range(hours):
        size = sum(int(cut[hour + 1] - cut[hour]) for cut in cuts)
        block = out[at:at + size]
        if out is not keys:
            np.concatenate([keys[cut[hour]:cut[hour + 1]] for cut in cuts], out=block)
        block.sort()
        at += size
    return out


def _written_per_caller(n: int, a_w: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One value written per caller (one of its calls', whichever; -1 for numbers that
    did not call) and the positions of the calls whose value differs from it: the calls
    that need grouping, when callers keep to few values (cells, handsets)."""
    index = a_w.astype(np.intp)  # converted once (numpy converts other index types)
    seen = np.full(n, -1, values.dtype)
    seen[index] = values
    return seen, np.flatnonzero(seen.take(index) != values)


def _cell_stats(n: int, a_w: np.ndarray, c_w: np.ndarray, border: np.ndarray | None,
                out_calls: np.ndarray) -> dict[str, np.ndarray]:
    """Per caller: calls with a cell N, distinct cells, H = ln N - sum(n ln n) / N (runs
    of one call add 0) and border calls / N.

    Callers keep to few cells: the calls in one cell of each caller's (any one of its
    calls') are one group each, counted at once; only the others are sorted by the keys
    caller x cell and counted in runs.
    """
    n_cell = out_calls
    if c_w.min(initial=0) < 0:
        with_cell = c_w >= 0
        n_cell = out_calls - np.bincount(a_w[~with_cell], minlength=n)
        a_w, c_w = a_w[with_cell], c_w[with_cell]
    cells = int(c_w.max(initial=0)) + 1
    _, elsewhere = _written_per_caller(n, a_w, c_w)
    a_e = a_w[elsewhere]
    at_seen = n_cell - np.bincount(a_e, minlength=n)  # the calls in the cell written
    keys = _packed(a_e, cells, c_w[elsewhere])
    del a_e, elsewhere
    keys.sort()
    starts, lengths = _runs(keys)
    caller = keys[starts] // cells
    del keys
    logs = _logs(int(n_cell.max(initial=0)))
    n_log_n = at_seen * logs[at_seen]
    n_log_n += np.bincount(caller, weights=lengths * logs[lengths], minlength=n)  # ln 1 = 0
    n_border = np.zeros(n, np.int64)
    if border is not None and len(border):
        is_border = np.zeros(cells, bool)
        is_border[border[border < cells]] = True
        n_border = np.bincount(a_w[is_border.take(c_w)], minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        return {"n_cell": n_cell, "cell_count": np.bincount(caller, minlength=n) + (at_seen > 0),
                "cell_entropy": logs[n_cell] - n_log_n / n_cell, "border_share": n_border / n_cell}


def _handsets(n: int, a_w: np.ndarray, i_w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # Handsets per caller and the most callers seen in one of its handsets. One handset
    # id is written per caller (one of its calls', whichever); a caller none of
    # whose calls differs from it used one handset; only the others' calls are grouped.
    if i_w.min(initial=0) < 0:
        used = i_w >= 0
        a_w, i_w = a_w[used], i_w[used]
    seen, differ = _written_per_caller(n, a_w, i_w)
    a_d = a_w[differ]
    several = np.zeros(n, bool)
    several[a_d] = True
    one = np.flatnonzero((seen >= 0) & ~several)
    imei_one = seen[one]
    handsets = int(i_w.max(initial=0)) + 1
    # A caller's calls either differ from its seen handset or are on it.
    multi = np.flatnonzero(several)
    pairs = _distinct(np.concatenate([a_d.astype(np.int64) * handsets + i_w[differ],
                                      multi * handsets + seen[multi]]))
    sim, imei = pairs // handsets, pairs % handsets
    sims = np.bincount(np.concatenate([imei_one, imei]).astype(np.intp), minlength=handsets)
    per_sim = np.bincount(sim, minlength=n)
    per_sim[one] = 1
    most = _group_max(sim, sims[imei], n)
    most[one] = sims[imei_one]
    return per_sim, most


def _pairs(a: np.ndarray, b: np.ndarray, when: np.ndarray, in_window: np.ndarray | None, n: int,
           time_bits: int | None, since: int, sides: bool):
    """Per number id: distinct callees and never-contacted callees in the window, and
    (with ``sides``) each number's callees with its first call to them.

    The pair key is the unordered pair (least id times ``n`` plus greatest id) times two
    plus the direction (0 when the lesser id called); with ``time_bits``, shifted by
    ``time_bits`` with ``when``, the second of the call from ``since``; else ``when``
    holds the call times (microseconds).
    """
    both = _all(a >= 0 if a.min(initial=0) < 0 else None, b >= 0 if b.min(initial=0) < 0 else None)
    window_calls = _all(both, in_window)
    history = in_window is not None and not in_window.all()  # p is read again for calls before
    p = np.empty(len(a), np.int64)
    np.minimum(a, b, out=p)
    p *= n
    p += np.maximum(a, b)
    p <<= 1
    p |= a > b
    shift = time_bits or 0
    if time_bits is not None:
        p <<= time_bits
        p |= when
    keys = p if window_calls is None else p[window_calls]
    if time_bits is not None:
        if keys is p and history:
            keys = np.sort(keys)
        else:
            keys.sort()
        directed = keys >> time_bits
        starts = _starts(directed)
        directed = directed[starts]
        last = (1 << time_bits) - 1

        def first_at(runs: np.ndarray) -> np.ndarray:
            # Seconds from since of the first call of these runs: in the order of the times.
            at = keys[starts[runs]]
            at &= last
            return at

        first = first_at(slice(None)) if sides else None
    else:
        when = when if window_calls is None else when[window_calls]
        order = np.argsort(keys)
        ordered = keys[order]
        starts = _starts(ordered)
        directed = ordered[starts]
        first = (np.minimum.reduceat(when[order], starts) if len(starts)
                 else np.zeros(0, np.int64))

        def first_at(runs: np.ndarray) -> np.ndarray:
            return first[runs]

    pair = directed >> 1
    back = directed
    back &= 1
    np.negative(back, out=back)
    low = pair // n
    high = low * n
    np.subtract(pair, high, out=high)
    k = low ^ high
    k &= back
    k ^= low  # the caller: high when back
    del back
    # The other direction of a pair, when it called too, is its neighbour in the order
    # (a call to oneself is its own other direction): the later first call is not new.
    ways = np.flatnonzero(pair[1:] == pair[:-1])
    mine, theirs = first_at(ways), first_at(ways + 1)
    stale = np.concatenate([ways[theirs < mine], ways[mine < theirs] + 1])
    if history:
        before = ~in_window if both is None else both & ~in_window
        earlier = _distinct(p[before] >> shift >> 1)
        if len(earlier):
            at = np.minimum(np.searchsorted(earlier, pair), len(earlier) - 1)
            new = earlier[at] != pair
            new[stale] = False
            stale = np.flatnonzero(~new)
    distinct = np.bincount(k, minlength=n)
    rows = None
    if sides:
        rows = (k, low ^ high ^ k, (first + since) * _US if time_bits is not None else first)
    return distinct, distinct - np.bincount(k[stale], minlength=n), rows
