"""The call-record features of a batch on DuckDB as a vectorised numpy kernel.

The same features as the SQL steps of :mod:`scamtrace.analytics.sims.features` (which
stay the definition, the Spark path and the *1185# check path), computed from arrays
fetched once from DuckDB: the calls table's dense ids (``caller_id``, ``callee_id``,
``imei_key``), and per-call flags and packed keys DuckDB computes as it scans. Per-number
counts are ``np.bincount`` over the ids; hours and cells per caller come from sorted
packed keys (caller x hour, caller x cell), handsets from per-caller first and last ids;
distinct and never-contacted callees from one sort of the unordered pairs, each with a
direction bit (and, when every call time is a whole second and the bits fit, the second
of the call too, so that the first call each way is the first of its run).

:func:`register_call_features` leaves two tables for the rest of the pipeline:
:data:`KERNEL_CALLS` (one row per number id, the columns ``call_features_sql`` gives) and,
when asked, :data:`KERNEL_SIDES` (``k``, ``contact``, ``mine``: a number, a number it
called in the window and the first such call), what ``callee_pairs`` reads.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow as pa

from scamtrace.analytics.duckdb_engine import DuckDBEngine
from scamtrace.analytics.engine import Engine
from scamtrace.analytics.sims.features import (
    FeatureWindow,
    SimTables,
    _epoch,
    _ts,
    call_keys,
    calls_since,
    calls_span_sql,
    hour_slot_sql,
    night_sql,
    window_hours,
)

#: The kernel's per-number table (number id ``k`` and the call features).
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

    DuckDB computes the per-call values while it scans the calls (on all its threads):
    the flags of each call, and the packed keys caller x hour, caller x cell and pair
    (with the direction, and the second of the call when the bits fit); numpy counts
    and sorts them, the pairs beside the rest.

    Args:
        engine: the DuckDB engine holding ``tables``.
        tables: a batch with number ids (:func:`kernel_applies`).
        window: the window and thresholds.
        receivers: also numbers that were only called (their other columns NULL).
        sides: also register the (number, callee, first call) rows.
    """
    n = int(engine.fetch_pandas(f"SELECT count(*) AS n FROM {tables.numbers}")["n"].iloc[0])
    since, end = _epoch(calls_since(window)), _epoch(window.end)
    span = calls_span_sql(window)
    bounds = engine.fetch_pandas(
        f"SELECT coalesce(max(cell_key), -1) + 1 AS cells, "
        f"coalesce(bool_or(epoch_us(ts) % {_US} <> 0), false) AS frac FROM {tables.calls} WHERE {span}")
    cells, fractional = max(int(bounds["cells"].iloc[0]), 1), bool(bounds["frac"].iloc[0])
    first_slot, hours = window_hours(window)
    slot = hour_slot_sql(engine.dialect)
    border = "false"
    if tables.cells:
        border = f"cell_id IN (SELECT cell_id FROM {tables.cells} WHERE border_zone)"
    pair = f"(CAST(least(caller_id, callee_id) AS BIGINT) * {n} + greatest(caller_id, callee_id)) * 2 " \
           "+ CAST(caller_id > callee_id AS BIGINT)"
    time_bits = (end - since).bit_length()
    packed = not fractional and (2 * n * n).bit_length() + time_bits <= 63
    if packed:  # the second of the call below the pair: the first of a run is the first call
        pair = f"({pair}) * {1 << time_bits} + (epoch_us(ts) // {_US} - {since})"
    in_window = "true" if window.history_start is None else f"ts >= {_ts(window.start)}"
    calls = engine.fetch_arrow(f"""
SELECT coalesce(caller_id, -1) AS a, coalesce(callee_id, -1) AS b, {in_window} AS w,
       coalesce(duration_s > 0 AND duration_s < {window.short_call_s}, false) AS short,
       coalesce(duration_s <= 0, false) AS unanswered, {night_sql(engine.dialect, window)} AS night,
       coalesce({_key(f"caller_id * {hours} + ({slot} - {first_slot})", n * hours)}, -1) AS hk,
       coalesce({_key(f"caller_id * {cells} + cell_key", n * cells)}, -1) AS ck,
       coalesce(imei_key, -1) AS i, coalesce({border}, false) AS border,
       coalesce({pair}, -1) AS p{'' if packed else ', epoch_us(ts) AS t'}
FROM {tables.calls} WHERE {span}""")
    col = {name: _numpy(calls, name) for name in calls.column_names}
    a, b = col["a"], col["b"]
    handsets = not tables.devices
    with ThreadPoolExecutor(2) as pool:  # the pair and hour sorts beside the rest
        valid = (a >= 0) & col["w"]
        pairs = pool.submit(_pairs, a, b, col["p"], col.get("t"), col["w"], n,
                            (time_bits, since) if packed else None, sides)
        hour_keys = pool.submit(_sorted_valid, col["hk"], valid)
        columns = _per_caller(n, valid, a, b, col, cells, handsets=handsets)
        keys = hour_keys.result()
        starts, lengths = _runs(keys)
        hour_caller = keys[starts] // hours
        columns["active_hours"] = np.bincount(hour_caller, minlength=n)
        columns["peak_hour_calls"] = _group_max(hour_caller, lengths, n)
        distinct, new, side_rows = pairs.result()
    columns["distinct_callees"], columns["new_callees"] = distinct, new
    caller = columns["out_calls"] > 0
    ids = np.flatnonzero(caller | (columns["in_calls"] > 0) if receivers else caller)
    known = caller[ids]
    with_cell = known & (columns["n_cell"][ids] > 0)
    table = {"k": pa.array(ids.astype(np.int32))}
    for name in _call_columns(devices=not handsets):
        values = columns[name][ids]
        if name == "in_calls":
            table[name] = pa.array(values)
        else:
            table[name] = pa.array(values, mask=~(with_cell if name.startswith(("cell", "border"))
                                                  else known))
    engine.register(pa.table(table), KERNEL_CALLS)
    if sides:
        k, contact, mine = side_rows
        engine.register(pa.table({"k": pa.array(k.astype(np.int32)),
                                  "contact": pa.array(contact.astype(np.int32)),
                                  "mine": pa.array(mine, pa.timestamp("us"))}), KERNEL_SIDES)


def _key(expr: str, bound: int) -> str:
    # A packed key below ``bound`` (ids are INTEGER: multiply in BIGINT), in 32 bits when
    # it fits (they sort in about half the time).
    return (f"CAST(({expr.replace('caller_id', 'CAST(caller_id AS BIGINT)', 1)}) AS "
            f"{'INTEGER' if bound < 2**31 else 'BIGINT'})")


def _call_columns(*, devices: bool) -> tuple[str, ...]:
    return tuple(c for c in CALL_COLUMNS if not (devices and c in _HANDSET_COLUMNS))


def kernel_call_features_sql(numbers: str, *, devices: bool) -> str:
    """``call_features`` from :data:`KERNEL_CALLS`: the msisdn of each number id and the
    columns ``call_features_sql`` gives (no handsets when device records join by msisdn)."""
    columns = "".join(f", k.{c}" for c in _call_columns(devices=devices))
    return f"SELECT n.msisdn{columns} FROM {KERNEL_CALLS} k JOIN {numbers} n ON n.id = k.k"


def kernel_callee_pairs_sql(numbers: str) -> str:
    """``callee_pairs`` (caller, callee msisdn, first call in the window) from
    :data:`KERNEL_SIDES`."""
    return (f"SELECT a.msisdn AS caller, b.msisdn AS callee, s.mine AS first_ts FROM {KERNEL_SIDES} s "
            f"JOIN {numbers} a ON a.id = s.k JOIN {numbers} b ON b.id = s.contact")


def _numpy(table: pa.Table, name: str) -> np.ndarray:
    return table.column(name).to_numpy()


def _runs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # Starts and lengths of the runs of equal values in a sorted array.
    if len(keys) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    change = np.empty(len(keys), bool)
    change[0] = True
    np.not_equal(keys[1:], keys[:-1], out=change[1:])
    starts = np.flatnonzero(change)
    return starts, np.diff(np.append(starts, len(keys)))


def _distinct(keys: np.ndarray) -> np.ndarray:
    # Sorted distinct values (a sort: np.unique hashes, many times slower here).
    keys = np.sort(keys)
    return keys[_runs(keys)[0]]


def _group_max(groups: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    # Largest value of each group (groups sorted), 0 for the others.
    out = np.zeros(size, np.int64)
    starts, _ = _runs(groups)
    if len(starts):
        out[groups[starts]] = np.maximum.reduceat(values, starts)
    return out


def _logs(top: int) -> np.ndarray:
    # ln k for k = 0..top with the C library's log, as the SQL's ln (ln 0 unused: 0).
    return np.array([math.log(k) if k else 0.0 for k in range(top + 1)])


def _sorted_valid(keys: np.ndarray, valid: np.ndarray) -> np.ndarray:
    return np.sort(keys if valid.all() else keys[valid])


def _per_caller(n: int, valid: np.ndarray, a: np.ndarray, b: np.ndarray, col: dict,
                cells: int, *, handsets: bool) -> dict[str, np.ndarray]:
    """Per number id: calls, short, unanswered, night and received calls; cells, handsets."""
    every = valid.all()

    def of_valid(values: np.ndarray) -> np.ndarray:
        return values if every else values[valid]

    a_w = of_valid(a)
    out: dict[str, np.ndarray] = {"out_calls": np.bincount(a_w, minlength=n)}
    for name, flag in (("n_short", "short"), ("n_unanswered", "unanswered"), ("n_night", "night")):
        out[name] = np.bincount(a_w[of_valid(col[flag])], minlength=n)
    out["in_calls"] = np.bincount(b[valid & (b >= 0)], minlength=n)
    # Caller x cell: distinct cells, H = ln N - sum(n ln n) / N, border calls / N.
    cell_keys = of_valid(col["ck"])
    with_cell = cell_keys >= 0
    a_c = a_w[with_cell]
    n_cell = np.bincount(a_c, minlength=n)
    n_border = np.bincount(a_c[of_valid(col["border"])[with_cell]], minlength=n)
    keys = np.sort(cell_keys[with_cell])
    starts, lengths = _runs(keys)
    cell_caller = keys[starts] // cells
    logs = _logs(int(n_cell.max(initial=0)))
    n_log_n = np.bincount(cell_caller, weights=lengths * logs[lengths], minlength=n)
    out["n_cell"], out["cell_count"] = n_cell, np.bincount(cell_caller, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["cell_entropy"] = logs[n_cell] - n_log_n / n_cell
        out["border_share"] = n_border / n_cell
    if handsets:
        out["imeis_per_sim"], out["sims_per_imei"] = _handsets(n, a_w, of_valid(col["i"]))
    return out


def _handsets(n: int, a_w: np.ndarray, i_w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # Handsets per caller and the most callers seen in one of its handsets: callers whose
    # first and last handset ids agree used one; only the others' calls are grouped.
    used = i_w >= 0
    a_i, i_i = a_w[used], i_w[used]
    # Same dtype as the ids: ufunc.at with a cast is many times slower.
    low = np.full(n, np.iinfo(i_i.dtype).max, i_i.dtype)
    high = np.full(n, -1, i_i.dtype)
    np.minimum.at(low, a_i, i_i)
    np.maximum.at(high, a_i, i_i)
    sim = np.flatnonzero(low == high)
    imei = low[sim]
    several = low < high
    if several.any():
        handsets = int(i_i.max()) + 1
        pairs = _distinct(a_i[several[a_i]].astype(np.int64) * handsets + i_i[several[a_i]])
        sim = np.concatenate([sim, pairs // handsets])
        imei = np.concatenate([imei, pairs % handsets])
        order = np.argsort(sim, kind="stable")
        sim, imei = sim[order], imei[order]
    per_sim = np.bincount(sim, minlength=n)
    sims = np.bincount(imei) if len(imei) else np.zeros(0, np.int64)
    return per_sim, _group_max(sim, sims[imei], n)


def _pairs(a, b, p, t, in_window, n: int, packed: tuple[int, int] | None, sides: bool):
    """Per number id: distinct callees and never-contacted callees in the window, and
    (with ``sides``) each number's callees with its first call to them.

    ``p`` is the pair key (unordered pair times two plus the direction: 0 when the
    lesser id called), times ``2 ** time_bits`` plus the second of the call from
    ``since`` when ``packed`` is ``(time_bits, since)``, else ``t`` holds the call times.
    """
    both = (a >= 0) & (b >= 0)
    window_calls = both & in_window
    every = window_calls.all()
    keys = p if every else p[window_calls]
    time_bits = 0
    if packed is not None:
        time_bits, since = packed
        keys = np.sort(keys)
        groups = keys >> time_bits
        starts, _ = _runs(groups)
        directed = groups[starts]
        first = ((keys[starts] & ((1 << time_bits) - 1)) + since) * _US
    else:
        when = t if every else t[window_calls]
        order = np.argsort(keys)
        ordered = keys[order]
        starts, _ = _runs(ordered)
        directed = ordered[starts]
        first = (np.minimum.reduceat(when[order], starts) if len(starts)
                 else np.zeros(0, np.int64))
    pair, back = directed >> 1, (directed & 1).astype(bool)
    # The other direction of a pair, when it called too, is its neighbour in the order.
    theirs = np.full(len(pair), _NO_TIME)
    both_ways = np.flatnonzero(pair[1:] == pair[:-1])
    theirs[both_ways] = first[both_ways + 1]
    theirs[both_ways + 1] = first[both_ways]
    new = theirs >= first  # a call to oneself is its own other direction: new
    if not in_window.all():
        before = both & ~in_window
        history = p[before] >> time_bits
        earlier = _distinct(history >> 1)
        if len(earlier):
            at = np.minimum(np.searchsorted(earlier, pair), len(earlier) - 1)
            new &= earlier[at] != pair
    lo, hi = pair // n, pair % n
    k = np.where(back, hi, lo)
    rows = (k, np.where(back, lo, hi), first) if sides else None
    return np.bincount(k, minlength=n), np.bincount(k[new], minlength=n), rows
