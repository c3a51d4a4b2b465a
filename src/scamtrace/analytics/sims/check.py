"""The *1185# calling-pattern check: the same SIM features and rules, for a few numbers.

When a person dials *1185# the network resolves the last caller and asks: does that
caller's last 48 hours look like a mule SIM? Report intake calls
:func:`check_calling_pattern` with the caller's number and the rolling call window it
keeps (an in-memory DuckDB table, or any analytics engine). Only calls that touch the
numbers asked about (or share a handset with them) are read, so the check stays fast
on a large window, and the features are exactly those of the batch scoring.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import duckdb
import pandas as pd

from scamtrace.analytics.duckdb_engine import DuckDBEngine
from scamtrace.analytics.engine import Engine
from scamtrace.analytics.sims.features import FeatureWindow, SimTables
from scamtrace.analytics.sims.rules import DEFAULT_RULES, DEFAULT_THRESHOLD, Rule, score_with_rules
from scamtrace.analytics.sims.sim_pipeline import sim_features_pipeline

#: The look-back of the *1185# check (AIS: "checks that caller's 48-hour calling pattern").
CHECK_HOURS = 48


def check_calling_pattern(
    source: Engine | duckdb.DuckDBPyConnection,
    msisdns: Sequence[str],
    *,
    at: datetime,
    hours: float = CHECK_HOURS,
    history_hours: float = 24,
    calls: str = "calls",
    sms: str | None = None,
    sims: str | None = None,
    devices: str | None = None,
    cells: str | None = None,
    reports: str | None = None,
    rules: tuple[Rule, ...] = DEFAULT_RULES,
    threshold: float = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Score the calling pattern of a few SIMs over the hours before ``at``.

    Args:
        source: an analytics engine, or a DuckDB connection holding the tables.
        msisdns: the numbers to check, canonical E.164 (``+66812345678``).
        at: the end of the window (the report's time), UTC, naive or aware.
        hours: the window's length.
        history_hours: calls this long before the window count as earlier contact (for
            the share of callees never contacted before).
        calls: the call-records table (ts, caller, callee, duration_s, cell_id, imei).
        sms, sims, devices, cells, reports: optional further tables, as in batch scoring.
        rules: the rule set.
        threshold: the flag threshold (a flagged SIM is one to escalate).

    Returns:
        One row per distinct number asked about, in the order asked: msisdn, score (0-1),
        flagged, reasons, the rule contributions and the features. A number without any
        call in the window gets score 0 and no reasons.

    Examples:
        >>> con = duckdb.connect()
        >>> _ = con.execute("CREATE TABLE calls (ts TIMESTAMP, caller VARCHAR, "
        ...     "callee VARCHAR, duration_s INTEGER, cell_id VARCHAR, imei VARCHAR)")
        >>> check_calling_pattern(con, ["+66812345678"], at=datetime(2026, 1, 2))["score"].tolist()
        [0.0]
    """
    wanted = list(dict.fromkeys(msisdns))
    engine = source if isinstance(source, Engine) else DuckDBEngine(connection=source)
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    # One focus table per distinct request, so concurrent checks do not collide.
    digest = hashlib.sha1("\n".join(wanted).encode() + at.isoformat().encode()).hexdigest()
    focus = engine.register({"msisdn": wanted}, f"sim_focus_{digest[:12]}")
    tables = SimTables(calls=calls, sms=sms, sims=sims, devices=devices, cells=cells,
                       reports=reports, focus=focus)
    start = at - timedelta(hours=hours)
    window = FeatureWindow(start=start, end=at, history_start=start - timedelta(hours=history_hours))
    output = f"sim_check_{digest[:12]}"
    try:
        engine.run(sim_features_pipeline(engine.dialect, tables, window), name=output)
        features = engine.fetch_pandas(output)
    finally:
        engine.drop(focus, output)
    features = features.set_index("msisdn").reindex(wanted).reset_index()
    # Numbers with no traffic at all: neutral values, so that absence raises no suspicion.
    features = features.fillna({"sim_age_days": 3650.0, "sims_per_identity": 1}).fillna(0)
    return score_with_rules(features, rules, threshold=threshold)

