"""The data's own amount and time scales, so that rules need no fixed baht or hour limits.

Mule rules compare an account with the rest of the data: "small" means below the data's
1st percentile of amounts, "fast" means quicker than the usual gap between an account's
transactions, "dormant" means silent for far longer than accounts usually are. The same
rules then work on baht and on AMLSim's dollars, on epoch seconds and on integer steps.
The scales are computed once (one small query) and written into the rule SQL as literals,
because window frames (``RANGE ... FOLLOWING``) need literal bounds on every engine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scamtrace.analytics.dialects import Dialect
from scamtrace.analytics.engine import Engine

#: Shortest meaningful time window per kind of ``ts``: one step, or one minute.
_MIN_WINDOW = {"step": 1, "timestamp": 60}


@dataclass(frozen=True)
class DataScales:
    """Amount and time scales of one transactions table.

    Attributes:
        ts_kind: ``timestamp`` (ts in epoch seconds) or ``step``.
        amount_q01, amount_q05, amount_q50, amount_q95: amount percentiles.
        round_unit: a power of ten near the median amount (what "a round amount" means).
        t_min, t_max: first and last ts.
        fast_window: "quickly" in ts units (the lower quartile of an account's gaps).
        bucket_window: one burst window in ts units (the median gap).
        dormant_gap: a silence this long counts as dormancy.
    """

    ts_kind: str
    amount_q01: float
    amount_q05: float
    amount_q50: float
    amount_q95: float
    round_unit: float
    t_min: int
    t_max: int
    fast_window: int
    bucket_window: int
    dormant_gap: int

    @property
    def span(self) -> int:
        """Length of the observed period in ts units (at least 1)."""
        return max(self.t_max - self.t_min, 1)


def quantile_sql(dialect: Dialect, expr: str, q: float) -> str:
    """An exact quantile aggregate on either engine (the engine's dialect has only median).

    Args:
        dialect: the engine's dialect.
        expr: the numeric expression.
        q: the quantile in [0, 1].

    Returns:
        A SQL aggregate expression in that engine's own dialect (passes sqlglot unchanged).
    """
    if dialect.name == "spark":
        return f"percentile({expr}, {q})"
    return f"quantile_cont({expr}, {q})"


def amount_scales_sql(dialect: Dialect, transactions: str) -> str:
    """One row of amount percentiles and the time range of ``transactions``."""
    qs = ", ".join(
        f"{quantile_sql(dialect, 'amount', q)} AS amount_q{int(q * 100):02d}"
        for q in (0.01, 0.05, 0.5, 0.95)
    )
    return f"SELECT {qs}, min(ts) AS t_min, max(ts) AS t_max FROM {transactions}"


def gap_scales_sql(dialect: Dialect, transactions: str, sample_buckets: int = 8) -> str:
    """Quantiles of the positive gaps between consecutive transfers of one account.

    Measured on a deterministic sample of senders (one hash bucket in ``sample_buckets``):
    the quantiles need thousands of gaps, not a sort of every transfer.
    """
    q25, q50, q99 = (quantile_sql(dialect, "gap", q) for q in (0.25, 0.5, 0.99))
    # hash each distinct sender once, not every transfer
    sampled = dialect.hash_bucket("src", sample_buckets)
    return f"""
        WITH senders AS (
            SELECT src FROM (SELECT DISTINCT src FROM {transactions}) AS d WHERE {sampled} = 0
        )
        SELECT {q25} AS gap_q25, {q50} AS gap_q50, {q99} AS gap_q99
        FROM (
            SELECT t.ts - lag(t.ts) OVER (PARTITION BY t.src ORDER BY t.ts) AS gap
            FROM {transactions} AS t JOIN senders AS s ON s.src = t.src
        ) AS g
        WHERE gap > 0"""


def measure_scales(engine: Engine, transactions: str, ts_kind: str) -> DataScales:
    """Compute :class:`DataScales` for a canonical transactions table.

    Args:
        engine: the analytics engine holding the table.
        transactions: table with columns tx_id, src, dst, amount, ts.
        ts_kind: ``timestamp`` or ``step``.

    Returns:
        The scales (sane defaults when the table is tiny or has no repeated accounts).
    """
    amounts = engine.fetch_arrow(amount_scales_sql(engine.dialect, transactions)).to_pylist()[0]
    gaps = engine.fetch_arrow(gap_scales_sql(engine.dialect, transactions)).to_pylist()[0]
    if gaps["gap_q50"] is None:  # too few senders in the sample: measure them all
        gaps = engine.fetch_arrow(gap_scales_sql(engine.dialect, transactions, 1)).to_pylist()[0]
    floor = _MIN_WINDOW[ts_kind]
    median_amount = float(amounts["amount_q50"] or 1.0)
    t_min, t_max = int(amounts["t_min"] or 0), int(amounts["t_max"] or 0)
    span = max(t_max - t_min, 1)
    fast = max(floor, int(gaps["gap_q25"] or floor))
    bucket = max(fast, int(gaps["gap_q50"] or floor))
    # Dormancy: silent longer than 99% of gaps and at least a quarter of the period.
    dormant = max(bucket * 2, int(gaps["gap_q99"] or span), span // 4)
    return DataScales(
        ts_kind=ts_kind,
        amount_q01=float(amounts["amount_q01"] or 0.0),
        amount_q05=float(amounts["amount_q05"] or 0.0),
        amount_q50=median_amount,
        amount_q95=float(amounts["amount_q95"] or median_amount),
        round_unit=10.0 ** math.floor(math.log10(median_amount)) if median_amount > 0 else 1.0,
        t_min=t_min,
        t_max=t_max,
        fast_window=fast,
        bucket_window=bucket,
        dormant_gap=dormant,
    )
