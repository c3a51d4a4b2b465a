"""Per-SIM calling-pattern features over a time window, as portable SQL.

Every function here returns a SELECT in the DuckDB dialect over templated table names
(the engine translates it for Spark). :func:`sim_features_pipeline` composes them into
one pipeline whose output has one row per SIM and the columns of :data:`FEATURE_COLUMNS`.

The features follow what regulators and operators look at for mule SIMs: NBTC suspended
numbers making more than 100 calls a day; mule SIMs call many strangers, briefly, rarely
receive calls, work in campaign bursts, sit in SIM boxes near the borders on few
nominee identities and rotate handsets (IMEIs).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime

from scamtrace.analytics.dialects import Dialect

#: The feature columns of the pipeline's output, besides ``msisdn``, in order.
FEATURE_COLUMNS: tuple[str, ...] = (
    "window_days", "out_calls", "in_calls", "out_in_ratio", "out_calls_per_day",
    "distinct_callees", "distinct_callees_per_day", "new_callee_share", "short_call_share",
    "unanswered_share", "burstiness", "peak_hour_calls", "night_share", "sms_sent",
    "sms_fanout", "sms_fanout_per_day", "cell_count", "cell_entropy", "border_share",
    "sim_age_days", "imeis_per_sim", "sims_per_imei", "sims_per_identity", "nominee",
    "reported_contacts", "reported_contact_share", "paid_flagged_contacts", "reports_against",
    "reports_per_100_contacts",
)


@dataclass(frozen=True)
class SimTables:
    """Names of the engine tables the features read; ``None`` where a table is absent.

    Attributes:
        calls: call records (ts, caller, callee, duration_s, cell_id, imei).
        sms: SMS records (ts, sender, recipient).
        sims: subscriptions (msisdn, person_id, activated_at, registration).
        devices: SIM-in-handset intervals (msisdn, imei, from_ts, to_ts).
        cells: cell sites (cell_id, border_zone).
        reports: citizen reports (ts, reporter_msisdn, reported_kind, reported_value).
        flagged_accounts: accounts judged mule-like (a column ``account``).
        accounts: bank accounts (account_id, person_id), with ``transactions``
            (ts, src_account, dst_account), for "contacts who then paid a flagged account".
        focus: a one-column table ``msisdn``: compute only these SIMs (the *1185# check).
        numbers: the calls table's number dictionary (``id`` INTEGER, ``msisdn``), when
            the calls table also holds ``caller_id`` and ``callee_id``, the dense ids of
            its numbers, and ``cell_key`` and ``imei_key``, those of its cell and handset
            (:func:`~scamtrace.analytics.sims.sim_inputs.load_sim_table` makes them once
            at load); the batch groupings then read small integers, not strings.
    """

    calls: str = "calls"
    sms: str | None = None
    sims: str | None = None
    devices: str | None = None
    cells: str | None = None
    reports: str | None = None
    flagged_accounts: str | None = None
    accounts: str | None = None
    transactions: str | None = None
    focus: str | None = None
    numbers: str | None = None


@dataclass(frozen=True)
class CallKeys:
    """How the call groupings read the two numbers of a call (``caller``/``callee``
    strings, or ``caller_id``/``callee_id`` with the ``numbers`` dictionary that turns
    an id back into its msisdn), its cell and handset (``cell_id`` and ``imei``, or their
    ids ``cell_key`` and ``imei_key``)."""

    caller: str = "caller"
    callee: str = "callee"
    numbers: str | None = None
    cell: str = "cell_id"
    imei: str = "imei"


#: Numbers read as the strings they are.
STRING_KEYS = CallKeys()


def call_keys(tables: SimTables) -> CallKeys:
    """Dense integer ids for a calls table loaded with them, in batch; strings otherwise
    (the focus path filters the calls by msisdn string first)."""
    if tables.numbers and not tables.focus:
        return CallKeys("caller_id", "callee_id", tables.numbers, "cell_key", "imei_key")
    return STRING_KEYS


@dataclass(frozen=True)
class FeatureWindow:
    """The time window and the thresholds that define the features.

    Attributes:
        start: first instant of the window (inclusive), UTC.
        end: end of the window (exclusive), UTC; SIM age is measured at this instant.
        history_start: calls from here to ``start`` count as earlier contact; ``None``
            when the table holds nothing before the window.
        short_call_s: an answered call shorter than this is short.
        night_hours: local hours [from, to) counted as night.
        utc_offset_hours: local time minus UTC (Thailand: +7).
        contact_horizon_hours: how long after a contact a report or payment counts.
    """

    start: datetime
    end: datetime
    history_start: datetime | None = None
    short_call_s: int = 30
    night_hours: tuple[int, int] = (22, 6)
    utc_offset_hours: int = 7
    contact_horizon_hours: int = 72

    @property
    def days(self) -> float:
        """Length of the window in days (at least one hour)."""
        return max((self.end - self.start).total_seconds(), 3600.0) / 86400.0


def timestamp_sql(value: datetime) -> str:
    """A TIMESTAMP literal of the instant, to the second (UTC)."""
    return f"TIMESTAMP '{value.strftime('%Y-%m-%d %H:%M:%S')}'"


def in_window_sql(column: str, window: FeatureWindow) -> str:
    """The condition that ``column`` falls in the window, start included, end excluded."""
    return f"{column} >= {timestamp_sql(window.start)} AND {column} < {timestamp_sql(window.end)}"


def calls_since(window: FeatureWindow) -> datetime:
    """The first instant of call records the features read (history included)."""
    return window.history_start or window.start


def calls_span_sql(window: FeatureWindow) -> str:
    """The condition on ``ts`` of the call records the features read: from
    :func:`calls_since` to the window's end."""
    return f"ts >= {timestamp_sql(calls_since(window))} AND ts < {timestamp_sql(window.end)}"


def window_calls_sql(tables: SimTables, window: FeatureWindow) -> str:
    """With a focus table: the calls that touch its SIMs from :func:`calls_since` to the
    window's end, and the window's calls from handsets they used (enough to compute
    the focus SIMs' features exactly). The batch pipeline reads the calls table itself.
    """
    focus = f"SELECT msisdn FROM {tables.focus}"
    in_window = in_window_sql("ts", window)
    touches = f"caller IN ({focus}) OR callee IN ({focus})"
    handsets = f"SELECT imei FROM {tables.calls} WHERE caller IN ({focus}) AND {in_window}"
    return (
        f"SELECT ts, caller, callee, duration_s, cell_id, imei FROM {tables.calls} "
        f"WHERE {calls_span_sql(window)} "
        f"AND ({touches} OR ({in_window} AND imei IN ({handsets})))"
    )


#: Bits used in each BIGINT lane of the hour detector (the sign bit stays clear).
LANE_BITS = 63
#: Lanes of a detector at most (252 positions).
MAX_LANES = 4
#: Lanes of the distinct-cell detector.
CELL_LANES = 4

#: Callers whose cell features need their calls grouped by cell: neither one cell nor
#: as many cells as calls (by the detector of :func:`caller_stats_sql`).
MIXED_CELLS = "n_cell > 0 AND cell_min < cell_max AND cell_bits < n_cell"


def epoch_seconds(value: datetime) -> int:
    """Seconds since 1970 of the instant as :func:`timestamp_sql` writes it (its fields
    to the second, read as UTC)."""
    return calendar.timegm(value.timetuple())


def hour_slot_sql(dialect: Dialect, column: str = "ts") -> str:
    """The clock hour of a timestamp as hours since 1970 (UTC)."""
    return f"CAST(floor({dialect.epoch_seconds(column)} / 3600) AS BIGINT)"


def window_hours(window: FeatureWindow) -> tuple[int, int]:
    """The window's first clock hour (hours since 1970, UTC) and how many clock hours it
    touches: a call's hour position is ``hour_slot_sql - first``, from 0 to hours - 1."""
    first = epoch_seconds(window.start) // 3600
    return first, epoch_seconds(window.end) // 3600 - first + 1


def night_sql(dialect: Dialect, window: FeatureWindow) -> str:
    """Whether a call (its ``ts``) falls in the window's night hours, local time.

    Night is the caller's local clock hour: NBTC's suspensions and operators' rules look
    at calls made while people sleep.
    """
    night_from, night_to = window.night_hours
    local_hour = f"(({hour_slot_sql(dialect)} + {window.utc_offset_hours}) % 24 + 24) % 24"
    if night_from > night_to:
        return f"{local_hour} >= {night_from} OR {local_hour} < {night_to}"
    return f"{local_hour} >= {night_from} AND {local_hour} < {night_to}"


def _lanes(name: str, position: str, lanes: int) -> tuple[list[str], str]:
    """Aggregates that set one bit per row at ``position`` (0 to lanes * LANE_BITS - 1)
    in ``lanes`` BIGINT columns ``{name}_lane{i}``, and the number of bits set.

    As many bits as rows proves that no two rows share a value (different positions).
    Values that share a position, or a position out of range (which sets no bit), only
    make the count fall short: they never make two rows look apart when they are not.
    """
    aggregates = [
        f"bit_or(CASE WHEN {position} >= {i * LANE_BITS} AND {position} < {(i + 1) * LANE_BITS} "
        f"THEN CAST(1 AS BIGINT) << ({position} - {i * LANE_BITS}) ELSE CAST(0 AS BIGINT) END) "
        f"AS {name}_lane{i}"
        for i in range(lanes)
    ]
    bits = " + ".join(f"CAST(bit_count({name}_lane{i}) AS INTEGER)" for i in range(lanes))
    return aggregates, bits or "0"


def _hour_lanes(dialect: Dialect, window: FeatureWindow) -> tuple[list[str], str]:
    # One position per clock hour of the window; hours MAX_LANES * LANE_BITS apart share one.
    first, hours = window_hours(window)
    lanes = max(1, min(MAX_LANES, -(-hours // LANE_BITS)))
    return _lanes("hour", f"(({hour_slot_sql(dialect)} - {first}) % {lanes * LANE_BITS})", lanes)


def _cell_lanes(keys: CallKeys) -> tuple[list[str], str]:
    # Cells by their dense id, or a hash of the cell id (two cells may share a position).
    size = CELL_LANES * LANE_BITS
    if keys.cell == "cell_id":
        return _lanes("cell", f"CAST((hash(cell_id) % {size} + {size}) % {size} AS BIGINT)", CELL_LANES)
    return _lanes("cell", f"({keys.cell} % {size})", CELL_LANES)


def caller_stats_sql(dialect: Dialect, tables: SimTables, window: FeatureWindow,
                     calls: str = "calls", keys: CallKeys = STRING_KEYS) -> str:
    """Per caller (``k``), in one grouping of the window's calls: calls, short, unanswered
    and night calls, and what tells the callers whose hours, cells and handsets need a
    grouping of their own from those whose features follow from these counts.

    - ``hour_bits``: distinct-hour detector (:func:`_lanes`); ``hour_bits = out_calls``
      when every call fell in an hour of its own (one call per active hour).
    - ``n_cell``, ``cell_min``, ``cell_max``, ``cell_bits``, ``n_border``: calls with a
      cell, the first and last cell, a distinct-cell detector, calls from border cells;
      one cell, or as many cells as calls, give the cell features directly.
    - ``imei_min``, ``imei_max`` (handset ids, without device records): the caller used
      one handset when they are equal.

    Night calls are counted by :func:`night_sql`.
    """
    hour_lanes, hour_bits = _hour_lanes(dialect, window)
    cell_lanes, cell_bits = _cell_lanes(keys)
    handsets = handset_columns = ""
    if _handsets_by_id(tables, keys):
        handsets = f",\n         min({keys.imei}) AS imei_min, max({keys.imei}) AS imei_max"
        handset_columns = ", imei_min, imei_max"
    border, border_join = "CAST(0 AS BIGINT)", ""
    if tables.cells:
        border = "count(b.border)"
        border_join = (f"\n  LEFT JOIN (SELECT DISTINCT cell_id AS border_cell, 1 AS border "
                       f"FROM {tables.cells} WHERE border_zone) b ON b.border_cell = x.cell_id")
    return f"""
SELECT k, out_calls, n_short, n_unanswered, n_night, {hour_bits} AS hour_bits,
       n_cell, cell_min, cell_max, {cell_bits} AS cell_bits, n_border{handset_columns}
FROM (
  SELECT {keys.caller} AS k, count(*) AS out_calls,
         count_if(duration_s > 0 AND duration_s < {window.short_call_s}) AS n_short,
         count_if(duration_s <= 0) AS n_unanswered,
         count_if({night_sql(dialect, window)}) AS n_night,
         count({keys.cell}) AS n_cell, min({keys.cell}) AS cell_min, max({keys.cell}) AS cell_max,
         {border} AS n_border{handsets}{''.join(f", {lane}" for lane in hour_lanes + cell_lanes)}
  FROM {calls} x{border_join}
  WHERE {in_window_sql('ts', window)} AND {keys.caller} IS NOT NULL
  GROUP BY {keys.caller}
) o"""


def hour_stats_sql(dialect: Dialect, window: FeatureWindow, calls: str = "calls",
                   keys: CallKeys = STRING_KEYS) -> str:
    """Active hours and the busiest hour's calls, counted exactly for the callers whose
    detector saw two calls share an hour (the others have one call per active hour).

    Burstiness is calls per active hour: campaign SIMs fire dozens of calls in the hours
    they are on, people make one or two.
    """
    slot = hour_slot_sql(dialect)
    return f"""
SELECT k, count(*) AS active_hours, max(n) AS peak_hour_calls FROM (
  SELECT {keys.caller} AS k, {slot} AS hour_slot, count(*) AS n FROM {calls}
  WHERE {in_window_sql('ts', window)}
    AND {keys.caller} IN (SELECT k FROM caller_stats WHERE hour_bits < out_calls)
  GROUP BY {keys.caller}, {slot}
) h GROUP BY k"""


def pair_stats_sql(window: FeatureWindow, calls: str = "calls",
                   keys: CallKeys = STRING_KEYS) -> str:
    """One row per unordered pair of numbers in contact: the first call each way in the
    window, and (with a history) whether they were in contact before it.

    ``lo`` is the smaller number of the pair; ``first_lo`` is the first call ``lo`` made
    to ``hi`` in the window, ``first_hi`` the first the other way (a call to oneself
    counts both ways). One grouping gives distinct and never-contacted callees for both
    numbers, without a self-join of directed pairs or a second pass over the history.
    """
    a, b = keys.caller, keys.callee
    lo_calls, hi_calls = f"{a} <= {b}", f"{b} <= {a}"
    if window.history_start is None:
        lo_first, hi_first, earlier = f"{lo_calls}", f"{hi_calls}", ""
    else:
        in_window = f"ts >= {timestamp_sql(window.start)}"
        lo_first, hi_first = f"{lo_calls} AND {in_window}", f"{hi_calls} AND {in_window}"
        earlier = f",\n       max(CASE WHEN ts < {timestamp_sql(window.start)} THEN 1 ELSE 0 END) AS earlier"
    return f"""
SELECT least({a}, {b}) AS lo, greatest({a}, {b}) AS hi,
       min(CASE WHEN {lo_first} THEN ts END) AS first_lo,
       min(CASE WHEN {hi_first} THEN ts END) AS first_hi{earlier}
FROM {calls} WHERE {calls_span_sql(window)}
  AND {a} IS NOT NULL AND {b} IS NOT NULL
GROUP BY least({a}, {b}), greatest({a}, {b})"""


def _pair_sides(extra: str = "") -> str:
    # Each pair from both of its numbers (once for a number calling itself), keeping the
    # sides that called in the window.
    return f"""
SELECT lo AS k, hi AS contact, first_lo AS mine, first_hi AS theirs{extra} FROM pair_stats
WHERE first_lo IS NOT NULL
UNION ALL
SELECT hi, lo, first_hi, first_lo{extra} FROM pair_stats WHERE first_hi IS NOT NULL AND lo <> hi"""


def callee_stats_sql(with_history: bool) -> str:
    """Per number (``k``): distinct callees, and callees with no earlier contact.

    A callee is new when neither side called the other before the first call in the
    window (inside the window, or in the history before it when there is one).
    """
    earlier = "earlier = 0 AND " if with_history else ""
    return f"""
SELECT k, count(*) AS distinct_callees,
       count_if({earlier}(theirs IS NULL OR theirs >= mine)) AS new_callees
FROM ({_pair_sides(', earlier' if with_history else '')}) s
GROUP BY k"""


def in_calls_sql(window: FeatureWindow, calls: str = "calls", keys: CallKeys = STRING_KEYS) -> str:
    """Per number (``k``): calls received in the window from another number."""
    return f"""
SELECT {keys.callee} AS k, count(*) AS in_calls FROM {calls}
WHERE {in_window_sql('ts', window)} AND {keys.caller} IS NOT NULL AND {keys.callee} IS NOT NULL
GROUP BY {keys.callee}"""


def callee_pairs_sql(keys: CallKeys = STRING_KEYS) -> str:
    """One row per (caller, callee) msisdn with the first call inside the window."""
    if keys.numbers is None:
        return f"SELECT k AS caller, contact AS callee, mine AS first_ts FROM ({_pair_sides()}) s"
    return (f"SELECT a.msisdn AS caller, b.msisdn AS callee, s.mine AS first_ts FROM ({_pair_sides()}) s "
            f"JOIN {keys.numbers} a ON a.id = s.k JOIN {keys.numbers} b ON b.id = s.contact")


def cell_stats_sql(tables: SimTables, window: FeatureWindow, calls: str = "calls",
                   keys: CallKeys = STRING_KEYS) -> str:
    """Per caller (``k``): distinct cells, Shannon entropy (nats) of calls over cells, and
    the share of calls from border-zone cells (SIM boxes sit near the borders), counted
    for the callers whose calls neither keep to one cell nor each have a cell of their
    own (:data:`MIXED_CELLS`; :func:`call_features_sql` has the others')."""
    if tables.cells:
        border = "sum(CASE WHEN c.border_zone THEN n ELSE 0 END) / sum(n)"
        join = f"LEFT JOIN {tables.cells} c ON c.cell_id = g.cell_id"
    else:
        border, join = "CAST(0 AS DOUBLE)", ""
    # H = ln N - (1/N) * sum(n ln n), with N = sum(n): one pass, no window function.
    return f"""
SELECT g.k, count(*) AS cell_count,
       ln(sum(n)) - sum(n * ln(n)) / sum(n) AS cell_entropy, {border} AS border_share
FROM (SELECT {keys.caller} AS k, cell_id, count(*) AS n FROM {calls}
      WHERE {in_window_sql('ts', window)} AND cell_id IS NOT NULL
        AND {keys.caller} IN (SELECT k FROM caller_stats WHERE {MIXED_CELLS})
      GROUP BY {keys.caller}, cell_id) g
{join}
GROUP BY g.k"""


def _handsets_by_id(tables: SimTables, keys: CallKeys) -> bool:
    # Handset ids serve unless device records, which name handsets by imei, join in.
    return keys.imei != "imei" and not tables.devices


def device_pairs_sql(tables: SimTables, window: FeatureWindow, calls: str = "calls",
                     keys: CallKeys = STRING_KEYS) -> str:
    """Distinct (SIM, imei) pairs seen in the window, from calls and device records.

    The SIM is the grouping key ``k``; with device records it is the msisdn (a SIM may
    have records and no calls).
    """
    if _handsets_by_id(tables, keys):
        # One row per caller that used one handset; the others' handsets from their calls.
        return (f"SELECT k, imei_min AS imei FROM caller_stats WHERE imei_min = imei_max "
                f"UNION ALL SELECT DISTINCT {keys.caller} AS k, {keys.imei} AS imei FROM {calls} "
                f"WHERE {in_window_sql('ts', window)} AND {keys.imei} IS NOT NULL "
                f"AND {keys.caller} IN (SELECT k FROM caller_stats WHERE imei_min < imei_max)")
    sql = (f"SELECT DISTINCT {keys.caller} AS k, imei FROM {calls} "
           f"WHERE {in_window_sql('ts', window)} AND imei IS NOT NULL AND {keys.caller} IS NOT NULL")
    if tables.devices:
        if keys.numbers is not None:
            sql = f"SELECT n.msisdn AS k, p.imei FROM ({sql}) p JOIN {keys.numbers} n ON n.id = p.k"
        sql += (
            f" UNION SELECT msisdn, imei FROM {tables.devices} "
            f"WHERE from_ts < {timestamp_sql(window.end)} "
            f"AND (to_ts IS NULL OR to_ts >= {timestamp_sql(window.start)})"
        )
    return sql


def device_stats_sql() -> str:
    """Per SIM (``k``): handsets used, and the most SIMs seen in any one of those handsets."""
    return """
SELECT d.k, count(*) AS imeis_per_sim, max(l.sims) AS sims_per_imei
FROM device_pairs d
JOIN (SELECT imei, count(*) AS sims FROM device_pairs GROUP BY imei) l ON l.imei = d.imei
GROUP BY d.k"""


#: The columns each per-number step gives the call features, and its alias there.
CALL_PARTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "caller_stats": ("c", ("out_calls", "n_short", "n_unanswered", "n_night")),
    "hour_stats": ("h", ()),
    "in_calls": ("i", ("in_calls",)),
    "callee_stats": ("e", ("distinct_callees", "new_callees")),
    "cell_stats": ("l", ()),
    "device_stats": ("d", ("imeis_per_sim", "sims_per_imei")),
}


def call_features_sql(parts: list[str], keys: CallKeys = STRING_KEYS, *,
                      receivers: bool = False) -> str:
    """One row per caller, its ``msisdn`` and the columns of the ``parts`` steps (names of
    :data:`CALL_PARTS`, joined on the number ``k``); with ``receivers``, numbers that
    were only called too (their calls received).

    Active hours and the busiest hour come from ``caller_stats`` when every call of the
    caller had an hour of its own, else from ``hour_stats``.
    """
    key = "coalesce(c.k, i.k)" if receivers else "c.k"
    selects = [f"{CALL_PARTS[part][0]}.{column}" for part in parts for column in CALL_PARTS[part][1]]
    # A caller in one cell: H = ln N - N ln N / N, as cell_stats computes it; in as many
    # cells as calls: every n ln n is 0. Either way border share is border calls / N.
    one, each = "c.cell_min = c.cell_max", "c.cell_bits = c.n_cell"
    selects += [
        "CASE WHEN c.hour_bits = c.out_calls THEN c.out_calls ELSE h.active_hours END AS active_hours",
        "CASE WHEN c.hour_bits = c.out_calls THEN 1 ELSE h.peak_hour_calls END AS peak_hour_calls",
        (f"CASE WHEN c.n_cell = 0 THEN NULL WHEN {one} THEN 1 WHEN {each} THEN c.n_cell "
        "ELSE l.cell_count END AS cell_count"),
        (f"CASE WHEN c.n_cell = 0 THEN NULL "
        f"WHEN {one} THEN ln(c.n_cell) - c.n_cell * ln(c.n_cell) / c.n_cell "
        f"WHEN {each} THEN ln(c.n_cell) - CAST(0 AS DOUBLE) / c.n_cell ELSE l.cell_entropy END "
        "AS cell_entropy"),
        (f"CASE WHEN c.n_cell = 0 THEN NULL WHEN {one} OR {each} "
        "THEN CAST(c.n_border AS DOUBLE) / c.n_cell ELSE l.border_share END AS border_share"),
    ]
    joins = "".join(
        f"\n{'FULL' if receivers and part == 'in_calls' else 'LEFT'} JOIN {part} "
        f"{CALL_PARTS[part][0]} ON {CALL_PARTS[part][0]}.k = c.k"
        for part in parts if part != "caller_stats"
    )
    msisdn, numbers = f"{key} AS msisdn", ""
    if keys.numbers is not None:
        msisdn, numbers = "n.msisdn", f"\nJOIN {keys.numbers} n ON n.id = {key}"
    return f"SELECT {msisdn}, {', '.join(selects)}\nFROM caller_stats c{joins}{numbers}"
