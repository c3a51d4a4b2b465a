"""Compose the SIM feature SQL into one pipeline and run it on an analytics engine."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import pandas as pd

from scamtrace.analytics.dialects import Dialect
from scamtrace.analytics.duckdb_engine import DuckDBEngine
from scamtrace.analytics.engine import Engine
from scamtrace.analytics.pipeline import Pipeline
from scamtrace.analytics.sims import context_features as ctx
from scamtrace.analytics.sims import features as f
from scamtrace.analytics.sims.call_kernel import (
    KERNEL_CALLS,
    KERNEL_SIDES,
    kernel_applies,
    kernel_call_features_sql,
    kernel_callee_pairs_sql,
    register_call_features,
)
from scamtrace.analytics.sims.features import FEATURE_COLUMNS, FeatureWindow, SimTables
from scamtrace.errors import InvalidDataFile, InvalidInput

#: Number ids up to 2**24 (16.7 million numbers) are grouped by array index on DuckDB.
PERFECT_HASH_BITS = 24


def sim_features_pipeline(dialect: Dialect, tables: SimTables, window: FeatureWindow,
                          *, kernel: bool = False) -> Pipeline:
    """Build the pipeline whose output has one row per SIM: ``msisdn`` + FEATURE_COLUMNS.

    Args:
        dialect: the engine's dialect (for epoch arithmetic).
        tables: names of the registered input tables.
        window: the time window and thresholds.
        kernel: the call features come from the numpy kernel's tables
            (:func:`~scamtrace.analytics.sims.call_kernel.register_call_features`, run
            first), not from the SQL steps over the calls.

    Returns:
        The pipeline; its last step is the feature table.
    """
    p = Pipeline()
    receivers = bool(tables.focus or tables.sms)
    if kernel:
        p.add("call_features", kernel_call_features_sql(devices=bool(tables.devices)))
        if tables.devices:
            keys = f.call_keys(tables)
            p.add("device_pairs", f.device_pairs_sql(tables, window, tables.calls, keys))
            p.add("device_stats", f.device_stats_sql())
        return _context_steps(p, dialect, tables, window, receivers=receivers, kernel=True)
    calls = tables.calls
    if tables.focus:
        # A few SIMs: read their calls once; the batch steps read the calls table itself
        # (each aggregation filters the window while it scans: no copy of the calls).
        p.add("w_calls", f.window_calls_sql(tables, window))
        calls = "w_calls"
    # Batch on a calls table loaded with number ids: the groupings read the ids and the
    # per-number rows turn them back into msisdn strings (tables.numbers).
    keys = f.call_keys(tables)
    history = window.history_start is not None
    p.add("caller_stats", f.caller_stats_sql(dialect, tables, window, calls, keys))
    p.add("hour_stats", f.hour_stats_sql(dialect, window, calls, keys))
    p.add("pair_stats", f.pair_stats_sql(window, calls, keys))
    p.add("callee_stats", f.callee_stats_sql(history))
    p.add("in_calls", f.in_calls_sql(window, calls, keys))
    p.add("cell_stats", f.cell_stats_sql(tables, window, calls, keys))
    p.add("device_pairs", f.device_pairs_sql(tables, window, calls, keys))
    p.add("device_stats", f.device_stats_sql())
    parts = ["caller_stats", "in_calls", "hour_stats", "callee_stats", "cell_stats"]
    if not tables.devices:  # else keyed by msisdn: device records name SIMs that may never call
        parts.append("device_stats")
    p.add("call_features", f.call_features_sql(parts, keys, receivers=receivers))
    return _context_steps(p, dialect, tables, window, receivers=receivers, kernel=False)


def _context_steps(p: Pipeline, dialect: Dialect, tables: SimTables, window: FeatureWindow, *, receivers: bool,
                   kernel: bool) -> Pipeline:
    # SMS, subscriptions, reports and payments after the call features, and the final join.
    joins = [("device_stats", "d", "k")] if tables.devices else []
    if tables.sms:
        p.add("w_sms", ctx.window_sms_sql(tables, window))
        p.add("sms_pairs", ctx.sms_pairs_sql())
        p.add("sms_stats", ctx.sms_stats_sql())
        joins.append(("sms_stats", "m", "msisdn"))
    pays = _pays(tables)
    if tables.reports or pays:
        p.add("callee_pairs", kernel_callee_pairs_sql(tables.numbers) if kernel
              else f.callee_pairs_sql(f.call_keys(tables)))
        p.add("contacts", ctx.contacts_sql(bool(tables.sms)))
    if tables.sims:
        p.add("registration", ctx.registration_sql(dialect, tables, window))
        joins.append(("registration", "g", "msisdn"))
    if tables.reports:
        p.add("reports_against", ctx.reports_against_sql(dialect, tables, window))
        p.add("reported_contacts", ctx.reported_contacts_sql(dialect, tables, window))
        joins += [("reports_against", "ra", "msisdn"), ("reported_contacts", "rc", "msisdn")]
    if pays:
        p.add("paid_flagged", ctx.paid_flagged_contacts_sql(dialect, tables, window))
        joins.append(("paid_flagged", "pf", "msisdn"))
    if tables.focus:
        p.add("universe", f"SELECT DISTINCT msisdn FROM {tables.focus}")
    elif tables.sms:
        p.add("universe", "SELECT msisdn FROM call_features WHERE out_calls IS NOT NULL "
                          "UNION SELECT msisdn FROM sms_stats")
    p.add("sim_features", _final_sql(joins, window, universe=receivers))
    return p


def _pays(tables: SimTables) -> bool:
    # Whether the tables tell which contacts then paid a flagged account.
    return all((tables.sims, tables.accounts, tables.transactions, tables.flagged_accounts))


def _final_sql(joins: list[tuple[str, str, str]], window: FeatureWindow, *, universe: bool) -> str:
    # The call features are alias o; without a universe step (no focus, no SMS) the SIMs
    # are the callers, read straight from call_features.
    present = {alias for _, alias, _ in joins} | {"o"}
    # Handsets come with the call features unless device records are joined by msisdn.
    device = "d" if "d" in present else "o"

    def col(alias: str, name: str, default: str = "0") -> str:
        alias = device if alias == "d" else alias
        return f"coalesce({alias}.{name}, {default})" if alias in present else default

    out, inc = col("o", "out_calls"), col("o", "in_calls")
    days = f"CAST({window.days!r} AS DOUBLE)"

    def share(numerator: str, denominator: str) -> str:
        return f"CASE WHEN {denominator} > 0 THEN {numerator} / {denominator} ELSE 0.0 END"

    callees, sms_fanout = col("o", "distinct_callees"), col("m", "sms_fanout")
    exprs = {
        "window_days": days,
        "out_calls": out,
        "in_calls": inc,
        # CAST rather than 1.0 literals: Spark reads 1.0 as DECIMAL, DuckDB as DOUBLE.
        "out_in_ratio": f"CAST({out} AS DOUBLE) / ({inc} + 1)",
        "out_calls_per_day": f"{out} / {days}",
        "distinct_callees": callees,
        "distinct_callees_per_day": f"{callees} / {days}",
        "new_callee_share": share(f"CAST({col('o', 'new_callees')} AS DOUBLE)", callees),
        "short_call_share": share(f"CAST({col('o', 'n_short')} AS DOUBLE)", out),
        "unanswered_share": share(f"CAST({col('o', 'n_unanswered')} AS DOUBLE)", out),
        "burstiness": share(f"CAST({out} AS DOUBLE)", col("o", "active_hours")),
        "peak_hour_calls": col("o", "peak_hour_calls"),
        "night_share": share(f"CAST({col('o', 'n_night')} AS DOUBLE)", out),
        "sms_sent": col("m", "sms_sent"),
        "sms_fanout": sms_fanout,
        "sms_fanout_per_day": f"{sms_fanout} / {days}",
        "cell_count": col("o", "cell_count"),
        "cell_entropy": col("o", "cell_entropy", "0.0"),
        "border_share": col("o", "border_share", "0.0"),
        # Unknown activation: treat as old, so that missing data never raises suspicion.
        "sim_age_days": col("g", "sim_age_days", "3650.0"),
        "imeis_per_sim": col("d", "imeis_per_sim"),
        "sims_per_imei": col("d", "sims_per_imei"),
        "sims_per_identity": col("g", "sims_per_identity", "1"),
        "nominee": col("g", "nominee"),
        "reported_contacts": col("rc", "reported_contacts"),
        "reported_contact_share": col("rc", "reported_contact_share", "0.0"),
        "paid_flagged_contacts": col("pf", "paid_flagged_contacts"),
        "reports_against": col("ra", "reports_against"),
        "reports_per_100_contacts": f"CAST(100 * {col('ra', 'reports_against')} AS DOUBLE) / "
                                    f"({callees} + {sms_fanout} + 1)",
    }
    assert tuple(exprs) == FEATURE_COLUMNS
    select = ",\n       ".join(f"{expr} AS {name}" for name, expr in exprs.items())
    if universe:
        base = "universe u\nLEFT JOIN call_features o ON o.msisdn = u.msisdn"
        msisdn, where = "u.msisdn", ""
    else:
        base, msisdn, where = "call_features o", "o.msisdn", "\nWHERE o.out_calls IS NOT NULL"
    join_sql = "".join(f"\nLEFT JOIN {table} {alias} ON {alias}.{key} = {msisdn}"
                       for table, alias, key in joins)
    return f"SELECT {msisdn} AS msisdn,\n       {select}\nFROM {base}{join_sql}{where}"


def default_window(
    engine: Engine, calls: str, *, end: datetime | None = None, hours: float | None = None
) -> FeatureWindow:
    """The window ending at ``end`` (default: just after the last call) and lasting
    ``hours`` (default: back to the first call), with any earlier calls as history.

    Args:
        engine: the engine holding the calls table.
        calls: its name.
        end: the window's end (exclusive).
        hours: the window's length.

    Returns:
        The window.
    """
    row = engine.fetch_pandas(ctx.history_bounds_sql(calls))
    first, last = row["first_ts"].iloc[0], row["last_ts"].iloc[0]
    if pd.isna(first):
        raise InvalidDataFile(f"table {calls} holds no call records")
    first, last = first.to_pydatetime(), last.to_pydatetime()
    end = end or last + timedelta(seconds=1)
    start = end - timedelta(hours=hours) if hours else first
    history = first if first < start else None
    return FeatureWindow(start=start, end=end, history_start=history)


#: How the call features of a batch are computed (see :func:`compute_sim_features`).
METHODS = ("auto", "kernel", "sql")


def compute_sim_features(
    engine: Engine, tables: SimTables, window: FeatureWindow | None = None,
    *, output: str = "sim_features", method: str = "auto",
) -> str:
    """Run the feature pipeline and keep its rows as table ``output``.

    Args:
        engine: the analytics engine holding the input tables.
        tables: their names.
        window: the window; default :func:`default_window` over the calls table.
        output: the name of the feature table to create.
        method: ``sql`` (the SQL steps, any engine), ``kernel`` (the call features by
            the numpy kernel of :mod:`~scamtrace.analytics.sims.call_kernel`: DuckDB, a
            calls table loaded with ids, no focus) or ``auto`` (the kernel where it
            applies). The features are the same either way.

    Returns:
        ``output``: a table of the engine, or with the kernel an Arrow table registered
        under that name (read and dropped like a table).
    """
    if method not in METHODS:
        raise InvalidInput(f"unknown method {method!r}: use {', '.join(METHODS)}")
    window = window or default_window(engine, tables.calls)
    kernel = method != "sql" and kernel_applies(engine, tables)
    if method == "kernel" and not kernel:
        raise InvalidInput("the feature kernel needs DuckDB, a calls table loaded with ids "
                           "(load_sim_table), no focus table, and one row per cell id")
    if not kernel:
        with perfect_hashing(engine):
            return engine.run(sim_features_pipeline(engine.dialect, tables, window), name=output)
    # The (number, callee) rows only for the steps that read them (callee_pairs).
    sides = bool(tables.reports) or _pays(tables)
    register_call_features(engine, tables, window, receivers=bool(tables.sms), sides=sides)
    try:
        with perfect_hashing(engine):
            # The rows kept as an Arrow table under ``output``: DuckDB computes them in a
            # tenth of the time it takes to store them as one of its tables.
            pipeline = sim_features_pipeline(engine.dialect, tables, window, kernel=True)
            return engine.register(engine.fetch_arrow(pipeline.to_sql()), output)
    finally:
        engine.drop(KERNEL_CALLS, KERNEL_SIDES)


@contextmanager
def perfect_hashing(engine: Engine) -> Iterator[None]:
    """On DuckDB, group by dense number ids by array index (a perfect hash) while inside.

    DuckDB does so when the grouped ids span at most 2**perfect_ht_threshold values (12
    by default); the feature pipeline's per-number groupings span the number ids.
    """
    if not isinstance(engine, DuckDBEngine):
        yield
        return
    con = engine.con
    before = con.execute("SELECT current_setting('perfect_ht_threshold')").fetchone()[0]
    con.execute(f"SET perfect_ht_threshold = {PERFECT_HASH_BITS}")
    try:
        yield
    finally:
        con.execute(f"SET perfect_ht_threshold = {int(before)}")
