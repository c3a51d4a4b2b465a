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
        keyed: the calls table also holds ``caller_key`` and ``callee_key``, each number's
            digits as a BIGINT (``+66812345678`` -> 66812345678), set when every number
            is in that canonical form (:func:`~scamtrace.analytics.sims.sim_inputs.load_sim_table`
            adds them once at load); the batch groupings then compare integers, not strings.
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
    keyed: bool = False


@dataclass(frozen=True)
class CallKeys:
    """How the call groupings read the two numbers of a call, and turn a grouped number
    back into its msisdn string."""

    caller: str = "caller"
    callee: str = "callee"
    keyed: bool = False

    def msisdn(self, column: str) -> str:
        """The msisdn string of a grouped number column."""
        return f"'+' || CAST({column} AS VARCHAR)" if self.keyed else column


#: Numbers read as the strings they are.
STRING_KEYS = CallKeys()
#: Numbers read as their digits (see :attr:`SimTables.keyed`).
INTEGER_KEYS = CallKeys("caller_key", "callee_key", keyed=True)


def call_keys(tables: SimTables) -> CallKeys:
    """Integer keys for a keyed calls table in batch; strings otherwise (the focus
    path filters the calls by msisdn string first)."""
    return INTEGER_KEYS if tables.keyed and not tables.focus else STRING_KEYS

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


def _ts(value: datetime) -> str:
    return f"TIMESTAMP '{value.strftime('%Y-%m-%d %H:%M:%S')}'"


def _in_window(column: str, window: FeatureWindow) -> str:
    return f"{column} >= {_ts(window.start)} AND {column} < {_ts(window.end)}"


def calls_since(window: FeatureWindow) -> datetime:
    """The first instant of call records the features read (history included)."""
    return window.history_start or window.start


def window_calls_sql(tables: SimTables, window: FeatureWindow) -> str:
    """With a focus table: the calls that touch its SIMs from :func:`calls_since` to the
    window's end, and the window's calls from handsets they used (enough to compute
    the focus SIMs' features exactly). The batch pipeline reads the calls table itself.
    """
    focus = f"SELECT msisdn FROM {tables.focus}"
    in_window = _in_window("ts", window)
    touches = f"caller IN ({focus}) OR callee IN ({focus})"
    handsets = f"SELECT imei FROM {tables.calls} WHERE caller IN ({focus}) AND {in_window}"
    return (
        f"SELECT ts, caller, callee, duration_s, cell_id, imei FROM {tables.calls} "
        f"WHERE ts >= {_ts(calls_since(window))} AND ts < {_ts(window.end)} "
        f"AND ({touches} OR ({in_window} AND imei IN ({handsets})))"
    )


def outbound_hourly_sql(dialect: Dialect, window: FeatureWindow, calls: str = "calls",
                        keys: CallKeys = STRING_KEYS) -> str:
    """Outbound calls per caller and clock hour, with short and unanswered counts."""
    return f"""
SELECT {keys.caller} AS caller, CAST(floor({dialect.epoch_seconds('ts')} / 3600) AS BIGINT) AS hour_slot,
       count(*) AS n,
       sum(CASE WHEN duration_s > 0 AND duration_s < {window.short_call_s}
                THEN 1 ELSE 0 END) AS n_short,
       sum(CASE WHEN duration_s <= 0 THEN 1 ELSE 0 END) AS n_unanswered
FROM {calls} WHERE {_in_window('ts', window)}
GROUP BY {keys.caller}, CAST(floor({dialect.epoch_seconds('ts')} / 3600) AS BIGINT)"""


def outbound_stats_sql(window: FeatureWindow, keys: CallKeys = STRING_KEYS) -> str:
    """Per caller: calls, short/unanswered counts, active hours, peak hour, night calls.

    Burstiness is calls per active hour: campaign SIMs fire dozens of calls in the hours
    they are on, people make one or two.
    """
    night_from, night_to = window.night_hours
    local_hour = f"((hour_slot + {window.utc_offset_hours}) % 24 + 24) % 24"
    if night_from > night_to:
        is_night = f"{local_hour} >= {night_from} OR {local_hour} < {night_to}"
    else:
        is_night = f"{local_hour} >= {night_from} AND {local_hour} < {night_to}"
    return f"""
SELECT {keys.msisdn('caller')} AS msisdn, sum(n) AS out_calls, sum(n_short) AS n_short,
       sum(n_unanswered) AS n_unanswered, count(*) AS active_hours, max(n) AS peak_hour_calls,
       sum(CASE WHEN {is_night} THEN n ELSE 0 END) AS n_night
FROM out_hourly GROUP BY caller"""


def pair_stats_sql(window: FeatureWindow, calls: str = "calls",
                   keys: CallKeys = STRING_KEYS) -> str:
    """One row per unordered pair of numbers in contact in the window: calls and first
    call each way.

    ``lo`` is the smaller number of the pair; ``n_lo``/``first_lo`` count the calls
    ``lo`` made to ``hi``, ``n_hi``/``first_hi`` those ``hi`` made to ``lo`` (a call to
    oneself counts both ways). One aggregation gives inbound calls, distinct callees and
    never-contacted callees, without a self-join of directed pairs.
    """
    a, b = keys.caller, keys.callee
    lo_calls, hi_calls = f"{a} <= {b}", f"{b} <= {a}"
    return f"""
SELECT least({a}, {b}) AS lo, greatest({a}, {b}) AS hi,
       count(CASE WHEN {lo_calls} THEN 1 END) AS n_lo,
       count(CASE WHEN {hi_calls} THEN 1 END) AS n_hi,
       min(CASE WHEN {lo_calls} THEN ts END) AS first_lo,
       min(CASE WHEN {hi_calls} THEN ts END) AS first_hi
FROM {calls} WHERE {_in_window('ts', window)} AND {a} IS NOT NULL AND {b} IS NOT NULL
GROUP BY least({a}, {b}), greatest({a}, {b})"""


def earlier_contacts_sql(window: FeatureWindow, calls: str = "calls",
                         keys: CallKeys = STRING_KEYS) -> str:
    """Unordered pairs in contact (either direction) between history start and window."""
    a, b = keys.caller, keys.callee
    return f"""
SELECT DISTINCT least({a}, {b}) AS lo, greatest({a}, {b}) AS hi
FROM {calls} WHERE ts >= {_ts(window.history_start or window.start)} AND ts < {_ts(window.start)}"""


def _pair_sides(with_history: bool, keys: CallKeys = STRING_KEYS) -> str:
    # Each pair seen from both of its numbers (once for a number calling itself); a join
    # with two constant rows reads pair_stats once, where a UNION ALL would read it twice.
    earlier, history = "0", ""
    if with_history:
        earlier = "CASE WHEN h.lo IS NULL THEN 0 ELSE 1 END"
        history = "LEFT JOIN earlier_contacts h ON h.lo = p.lo AND h.hi = p.hi"
    return f"""
SELECT CASE WHEN side = 0 THEN p.lo ELSE p.hi END AS msisdn,
       {keys.msisdn('CASE WHEN side = 0 THEN p.hi ELSE p.lo END')} AS contact,
       CASE WHEN side = 0 THEN n_lo ELSE n_hi END AS n_out,
       CASE WHEN side = 0 THEN n_hi ELSE n_lo END AS n_in,
       CASE WHEN side = 0 THEN first_lo ELSE first_hi END AS first_out,
       CASE WHEN side = 0 THEN first_hi ELSE first_lo END AS first_in,
       {earlier} AS earlier
FROM pair_stats p {history}
CROSS JOIN (SELECT 0 AS side UNION ALL SELECT 1 AS side) sides
WHERE side = 0 OR p.lo <> p.hi"""


def callee_stats_sql(with_history: bool, keys: CallKeys = STRING_KEYS) -> str:
    """Per number: calls received, distinct callees, and callees with no earlier contact.

    A callee is new when neither side called the other before the first call in the
    window (inside the window, or in the history before it when there is one).
    """
    return f"""
SELECT {keys.msisdn('msisdn')} AS msisdn, sum(n_in) AS in_calls,
       sum(CASE WHEN n_out > 0 THEN 1 ELSE 0 END) AS distinct_callees,
       sum(CASE WHEN n_out > 0 AND earlier = 0 AND (first_in IS NULL OR first_in >= first_out)
                THEN 1 ELSE 0 END) AS new_callees
FROM ({_pair_sides(with_history, STRING_KEYS)}) s
GROUP BY msisdn"""


def callee_pairs_sql(keys: CallKeys = STRING_KEYS) -> str:
    """One row per (caller, callee) with the first call inside the window."""
    return (f"SELECT {keys.msisdn('msisdn')} AS caller, contact AS callee, "
            f"first_out AS first_ts FROM ({_pair_sides(False, keys)}) s WHERE n_out > 0")


def cell_stats_sql(tables: SimTables, window: FeatureWindow, calls: str = "calls",
                   keys: CallKeys = STRING_KEYS) -> str:
    """Per caller: distinct cells, Shannon entropy (nats) of calls over cells, and the
    share of calls from border-zone cells (SIM boxes sit near the borders)."""
    if tables.cells:
        border = (
            "sum(CASE WHEN c.border_zone THEN n ELSE 0 END) / sum(n)"
        )
        join = f"LEFT JOIN {tables.cells} c ON c.cell_id = k.cell_id"
    else:
        border, join = "CAST(0 AS DOUBLE)", ""
    # H = ln N - (1/N) * sum(n ln n), with N = sum(n): one pass, no window function.
    return f"""
SELECT {keys.msisdn('k.caller')} AS msisdn, count(*) AS cell_count,
       ln(sum(n)) - sum(n * ln(n)) / sum(n) AS cell_entropy, {border} AS border_share
FROM (SELECT {keys.caller} AS caller, cell_id, count(*) AS n FROM {calls}
      WHERE {_in_window('ts', window)} AND cell_id IS NOT NULL GROUP BY {keys.caller}, cell_id) k
{join}
GROUP BY k.caller"""


def device_pairs_sql(tables: SimTables, window: FeatureWindow, calls: str = "calls",
                     keys: CallKeys = STRING_KEYS) -> str:
    """Distinct (msisdn, imei) pairs seen in the window, from calls and device records."""
    sql = (f"SELECT DISTINCT {keys.caller} AS msisdn, imei FROM {calls} "
           f"WHERE {_in_window('ts', window)} AND imei IS NOT NULL")
    if keys.keyed:
        sql = f"SELECT {keys.msisdn('msisdn')} AS msisdn, imei FROM ({sql}) k"
    if tables.devices:
        sql += (
            f" UNION SELECT msisdn, imei FROM {tables.devices} "
            f"WHERE from_ts < {_ts(window.end)} "
            f"AND (to_ts IS NULL OR to_ts >= {_ts(window.start)})"
        )
    return sql


def device_stats_sql() -> str:
    """Per SIM: handsets used, and the most SIMs seen in any one of those handsets."""
    return """
SELECT d.msisdn, count(*) AS imeis_per_sim, max(l.sims) AS sims_per_imei
FROM device_pairs d
JOIN (SELECT imei, count(*) AS sims FROM device_pairs GROUP BY imei) l ON l.imei = d.imei
GROUP BY d.msisdn"""
