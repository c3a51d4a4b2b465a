"""The matched policy: amounts, timing and counterparties, as an investigator reads them.

A mule forwards what it received minus a cut, soon after, often split over a few
accounts, and often after pooling several victims' or layer-mates' transfers
(AMLGentex scatter-gather and stack patterns; Europol IOCTA on money-mule layering).
So for each traced deposit we look for a set of up to three outgoing transfers whose sum
lies between ``(1 - max_fee)`` and 1 times the deposit plus up to two other deposits
received around the same time (the pool), prefer the set that leaves earliest and uses
fewest transfers, and let each transfer of that set carry its share of the pool:
``amt_out * x / pool``. A deposit with no such set stays where it is (a freeze target).
Unlike FIFO this ignores the untraceable balance history, which synthetic and real data
often get wrong (AMLGentex tops balances up without logging it).
"""

from __future__ import annotations

from scamtrace.analytics.trace.allocation_sql import outgoing_after_deposit_sql
from scamtrace.analytics.trace.options import TraceOptions

# Floating sums of amounts written with two decimals differ from their parts by cents.
_TOLERANCE = 1e-3


def matched_allocation_sql(options: TraceOptions) -> str:
    """SQL of the matched policy (columns as in :mod:`.allocation_sql`)."""
    burst = int(options.burst_width)
    low = 1.0 - options.max_fee
    high = 1.0 + _TOLERANCE
    horizon = float(options.window) if options.window else 1.0
    return f"""
    WITH pool_members AS (
        SELECT f.seed_id, f.in_tx, t.amount AS p_amt,
            row_number() OVER (PARTITION BY f.seed_id, f.in_tx
                               ORDER BY abs(t.ts - f.t_in), t.tx_id) AS r
        FROM frontier f JOIN transactions t ON t.dst = f.account
        WHERE t.tx_id <> f.in_tx AND t.src <> t.dst AND abs(t.ts - f.t_in) <= {burst}
    ),
    near AS (SELECT * FROM pool_members WHERE r <= 2),
    pools AS (
        SELECT seed_id, in_tx, amt_in AS pool, 1 AS n_in FROM frontier
        UNION ALL
        SELECT f.seed_id, f.in_tx, f.amt_in + n.p_amt, 2
        FROM frontier f JOIN near n ON n.seed_id = f.seed_id AND n.in_tx = f.in_tx
        UNION ALL
        SELECT f.seed_id, f.in_tx, f.amt_in + a.p_amt + b.p_amt, 3
        FROM frontier f
        JOIN near a ON a.seed_id = f.seed_id AND a.in_tx = f.in_tx AND a.r = 1
        JOIN near b ON b.seed_id = f.seed_id AND b.in_tx = f.in_tx AND b.r = 2
    ),
    biggest_pool AS (SELECT seed_id, in_tx, max(pool) AS pool FROM pools GROUP BY 1, 2),
    ranked AS (
        SELECT p.*, row_number() OVER (PARTITION BY p.seed_id, p.in_tx
                                       ORDER BY p.t_out, p.out_tx) AS k
        FROM ({outgoing_after_deposit_sql(options)}) p
        JOIN biggest_pool b ON b.seed_id = p.seed_id AND b.in_tx = p.in_tx
        WHERE p.amt_out <= b.pool * {high}
    ),
    cands AS (SELECT * FROM ranked WHERE k <= {int(options.candidates)}),
    out_sets AS (
        SELECT seed_id, in_tx, k AS k1, -1 AS k2, -1 AS k3, amt_out AS total, t_out AS last,
               1 AS n_out
        FROM cands
        UNION ALL
        SELECT a.seed_id, a.in_tx, a.k, b.k, -1, a.amt_out + b.amt_out, b.t_out, 2
        FROM cands a JOIN cands b ON b.seed_id = a.seed_id AND b.in_tx = a.in_tx AND b.k > a.k
        UNION ALL
        SELECT a.seed_id, a.in_tx, a.k, b.k, c.k, a.amt_out + b.amt_out + c.amt_out, c.t_out, 3
        FROM cands a
        JOIN cands b ON b.seed_id = a.seed_id AND b.in_tx = a.in_tx AND b.k > a.k
        JOIN cands c ON c.seed_id = a.seed_id AND c.in_tx = a.in_tx AND c.k > b.k
        JOIN biggest_pool g ON g.seed_id = a.seed_id AND g.in_tx = a.in_tx
        WHERE a.amt_out + b.amt_out + c.amt_out <= g.pool * {high}
    ),
    matches AS (
        SELECT o.*, p.pool, f.t_in,
            row_number() OVER (
                PARTITION BY o.seed_id, o.in_tx
                ORDER BY (o.last - f.t_in) / {horizon} + 0.05 * (o.n_out + p.n_in),
                         abs(o.total / p.pool - 1.0), o.k1, o.k2, o.k3
            ) AS choice
        FROM out_sets o
        JOIN pools p ON p.seed_id = o.seed_id AND p.in_tx = o.in_tx
        JOIN frontier f ON f.seed_id = o.seed_id AND f.in_tx = o.in_tx
        WHERE o.total BETWEEN p.pool * {low} AND p.pool * {high}
    ),
    best AS (SELECT * FROM matches WHERE choice = 1)
    SELECT c.seed_id, c.seed_ts, c.hop, c.out_tx, c.src, c.dst, c.t_out, c.amt_out,
           c.amt_out * c.x / b.pool AS carried
    FROM best b JOIN cands c
      ON c.seed_id = b.seed_id AND c.in_tx = b.in_tx AND c.k IN (b.k1, b.k2, b.k3)
    """
