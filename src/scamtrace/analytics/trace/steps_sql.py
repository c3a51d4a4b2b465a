"""SQL of the trace's bookkeeping: seeds, hops, the trail, accounts. DuckDB dialect."""

from __future__ import annotations

from scamtrace.analytics.trace.options import TraceOptions

# Amounts are rounded in outputs so that both engines write identical files although
# they add floating-point numbers in different orders.
DECIMALS = 6
#: a balance below this (in currency units) counts as empty: the proportional policy
#: keeps nothing of the money that was there before (float noise is not money)
EMPTY = 1e-6
#: a traced amount counts as at least ``min_amount`` when it is at least ``min_amount``
#: less this, half the last decimal written (so what the output shows as exactly the
#: threshold is kept): the kernel and the SQL add and multiply the same money in
#: different orders, and an amount that is exactly the threshold can come out a few
#: units in the last place below it on one side and not the other
MIN_AMOUNT_SLACK = 0.5 * 10.0 ** -DECIMALS


def kept_from(min_amount: float) -> float:
    """The smallest traced amount followed for ``min_amount`` (the kernel and the SQL
    both compare with it: see :data:`MIN_AMOUNT_SLACK`)."""
    return float(min_amount) - MIN_AMOUNT_SLACK


def seed_rows_sql() -> str:
    """The victim transfers named in ``seeds`` (one scan of the transactions)."""
    return """
    SELECT t.tx_id, t.src, t.dst, t.ts, t.amount
    FROM transactions t WHERE t.tx_id IN (SELECT tx_id FROM seeds) AND t.amount > 0
    """


def seed_frontier_sql() -> str:
    """The victim transfers as the first deposits (hop 1)."""
    return """
    SELECT tx_id AS seed_id, ts AS seed_ts, 1 AS hop, tx_id AS in_tx,
           dst AS account, ts AS t_in, amount AS amt_in, amount AS x
    FROM seed_rows
    """


def seed_trail_sql() -> str:
    """Trail rows of hop 1: each victim transfer in full."""
    return """
    SELECT tx_id AS seed_id, 1 AS hop, tx_id, src, dst, amount AS amount_traced
    FROM seed_rows
    """


def moved_sql(options: TraceOptions) -> str:
    """What each outgoing transfer carries per seed (summed over deposits, at most its
    amount), one hop further, keeping what is worth following (some money, at least
    :func:`kept_from` ``min_amount``)."""
    return f"""
    SELECT seed_id, seed_ts, hop + 1 AS hop, out_tx, src, dst, t_out, amt_out,
           least(sum(carried), amt_out) AS carried
    FROM allocation
    GROUP BY seed_id, seed_ts, hop, out_tx, src, dst, t_out, amt_out
    HAVING sum(carried) > 0 AND least(sum(carried), amt_out) >= {kept_from(options.min_amount)!r}
    """


def next_frontier_sql() -> str:
    """The moved money as the next hop's deposits."""
    return """
    SELECT seed_id, seed_ts, hop, out_tx AS in_tx, dst AS account, t_out AS t_in,
           amt_out AS amt_in, carried AS x
    FROM moved
    """


def extend_trail_sql() -> str:
    """The trail so far plus this hop's moves."""
    return """
    SELECT seed_id, hop, tx_id, src, dst, amount_traced FROM trail
    UNION ALL
    SELECT seed_id, hop, out_tx AS tx_id, src, dst, carried AS amount_traced FROM moved
    """


def trail_accounts_sql() -> str:
    """Per seed, account and hop: traced money in, traced money out, what is left.

    ``is_sink``: the account never sends anything in the data (cash-out, exchange,
    merchant, or an account outside the data), so the trail ends there.
    """
    return f"""
    WITH inflow AS (
        SELECT seed_id, dst AS account, hop, sum(amount_traced) AS amount_in
        FROM trail GROUP BY 1, 2, 3
    ),
    outflow AS (
        SELECT seed_id, src AS account, hop - 1 AS hop, sum(amount_traced) AS amount_out
        FROM trail WHERE hop > 1 GROUP BY 1, 2, 3
    ),
    senders AS (
        SELECT DISTINCT t.src AS account FROM transactions t
        WHERE t.src IN (SELECT dst FROM trail)
    )
    SELECT i.seed_id, i.account, i.hop,
        round(i.amount_in, {DECIMALS}) AS amount_in,
        round(coalesce(o.amount_out, 0.0), {DECIMALS}) AS amount_out,
        round(greatest(i.amount_in - coalesce(o.amount_out, 0.0), 0.0), {DECIMALS})
            AS amount_remaining,
        s.account IS NULL AS is_sink
    FROM inflow i
    LEFT JOIN outflow o ON o.seed_id = i.seed_id AND o.account = i.account AND o.hop = i.hop
    LEFT JOIN senders s ON s.account = i.account
    """


def rounded_trail_sql() -> str:
    """The trail for output, amounts rounded (see :data:`DECIMALS`)."""
    return f"""
    SELECT seed_id, hop, tx_id, src, dst, round(amount_traced, {DECIMALS}) AS amount_traced
    FROM trail
    """
