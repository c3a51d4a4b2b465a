"""The matched policy: counterparties, timing and amounts, as an investigator reads them.

A mule passes money on to accounts it has never paid before (the next layer), soon
after it arrived, and forwards about what it received, less a cut, often after pooling
several transfers that reached it around the same time (AMLGentex stack and
scatter-gather patterns; the layering stage of money-mule typologies). Its rent, shops
and family are counterparties it has paid before. So for each traced deposit:

1. the *pot* is the deposit plus the other first-time transfers into the account within
   ``burst`` of it (money pooled with ours);
2. the *candidates* are the account's later transfers, inside the window, to
   counterparties it pays for the first time;
3. candidates draw on the pot in time order (first in, first out inside the pot), and
   each carries the traced share ``x / pot`` of what it draws; once the pot is used up
   later transfers carry nothing.

So a trail never carries more than the deposit, goes quiet where money stops moving
(a freeze target), and does not wander into an account's ordinary spending. Unlike
FIFO over the whole balance history, it does not depend on balances that data sets
often get wrong (AMLGentex tops balances up without logging it).
"""

from __future__ import annotations

from scamtrace.analytics.trace.allocation_sql import outgoing_after_deposit_sql
from scamtrace.analytics.trace.options import TraceOptions


def matched_allocation_sql(options: TraceOptions) -> str:
    """SQL of the matched policy (columns as in :mod:`.allocation_sql`)."""
    burst = int(options.burst_width)
    return f"""
    WITH arrivals AS (
        SELECT f.seed_id, f.in_tx, t.src, t.dst, t.ts, t.amount
        FROM frontier f
        JOIN transactions t ON t.dst = f.account AND t.tx_id <> f.in_tx AND t.src <> t.dst
         AND t.ts BETWEEN f.t_in - {burst} AND f.t_in + {burst}
    ),
    departures AS ({outgoing_after_deposit_sql(options)}),
    -- when each sender first paid each receiver, for the pairs at hand only
    pairs_seen AS (
        SELECT DISTINCT src, dst FROM arrivals
        UNION
        SELECT DISTINCT src, dst FROM departures
    ),
    first_contact AS (
        SELECT t.src, t.dst, min(t.ts) AS first_ts
        FROM transactions t JOIN pairs_seen p ON p.src = t.src AND p.dst = t.dst
        GROUP BY t.src, t.dst
    ),
    pooled AS (
        SELECT a.seed_id, a.in_tx, sum(a.amount) AS extra
        FROM arrivals a
        JOIN first_contact c ON c.src = a.src AND c.dst = a.dst AND c.first_ts = a.ts
        GROUP BY a.seed_id, a.in_tx
    ),
    pots AS (
        SELECT f.seed_id, f.in_tx, f.amt_in + coalesce(p.extra, 0.0) AS pot
        FROM frontier f LEFT JOIN pooled p ON p.seed_id = f.seed_id AND p.in_tx = f.in_tx
    ),
    candidates AS (
        SELECT o.*, p.pot
        FROM departures o
        JOIN first_contact c ON c.src = o.src AND c.dst = o.dst AND c.first_ts = o.t_out
        JOIN pots p ON p.seed_id = o.seed_id AND p.in_tx = o.in_tx
    ),
    drawn AS (
        SELECT *, sum(amt_out) OVER (
            PARTITION BY seed_id, in_tx ORDER BY t_out, out_tx
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - amt_out AS before
        FROM candidates
    )
    SELECT seed_id, seed_ts, hop, out_tx, src, dst, t_out, amt_out,
        least(amt_out, pot - before) * x / pot AS carried
    FROM drawn
    WHERE before < pot
    """
