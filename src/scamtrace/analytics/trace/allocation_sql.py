"""SQL that decides how much of the traced money each outgoing transfer carries.

Every function returns DuckDB-dialect SQL over ``transactions`` (canonical, see
:mod:`scamtrace.analytics.inputs`), ``frontier`` (one row per traced deposit:
``seed_id, seed_ts, hop, in_tx, account, t_in, amt_in, x``; ``x`` is the traced part of
the deposit ``in_tx`` of ``amt_in`` that reached ``account`` at ``t_in``) and, for FIFO
and proportional, ``pairs`` (:func:`outgoing_after_deposit_sql`) and ``ledger``
(:func:`account_ledger_sql`). Allocations return rows ``seed_id, seed_ts, hop, out_tx, src, dst, t_out, amt_out, carried``.

Time-respecting: only transfers after the deposit (same ``ts``: a later ``tx_id``) and
before ``seed_ts + window`` count. Amount-conserving: what a deposit's transfers carry
never exceeds ``x``.
"""

from __future__ import annotations

from scamtrace.analytics.trace.options import TraceOptions
from scamtrace.analytics.trace.steps_sql import EMPTY

_OUT_COLUMNS = "seed_id, seed_ts, hop, out_tx, src, dst, t_out, amt_out"
_RUNNING = ("PARTITION BY account ORDER BY ts, tx_id "
            "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW")


def outgoing_after_deposit_sql(options: TraceOptions, sent: str = "transactions") -> str:
    """Each deposit joined with the account's later outgoing transfers inside the window.

    Args:
        options: the window.
        sent: the table of transfers to read (``transactions``, or the frontier
            accounts' own transfers of :func:`frontier_outflows_sql`, already cut down).
    """
    window = "" if options.window is None else f"AND t.ts <= f.seed_ts + {int(options.window)}"
    return f"""
    SELECT f.*, t.tx_id AS out_tx, t.src AS src, t.dst AS dst, t.ts AS t_out,
           t.amount AS amt_out
    FROM frontier f JOIN {sent} t ON t.src = f.account
    WHERE t.dst <> t.src AND (t.ts > f.t_in OR (t.ts = f.t_in AND t.tx_id > f.in_tx)) {window}
    """


def frontier_outflows_sql() -> str:
    """Every transfer the frontier accounts ever sent: one scan of the transactions per
    hop serves both the candidates and the ledgers' debits."""
    return """
    SELECT t.tx_id, t.src, t.dst, t.ts, t.amount FROM transactions t
    WHERE t.src IN (SELECT DISTINCT account FROM frontier) AND t.src <> t.dst
    """


def account_ledger_sql() -> str:
    """Running inflow and outflow, over its whole history, of every account that passes
    traced money on (read from ``pairs``, so sinks and idle accounts, which may hold
    millions of credits, are never sorted); debits come from ``outflows``.

    ``opening`` is the smallest opening balance that keeps the account from ever going
    negative: money we cannot see arriving (cash deposits, a data extract's start).
    For the proportional policy, ``dilution`` sums over the credits so far the log of
    (balance before / balance after): by how much each credit diluted the money already
    there; ``epoch`` counts the credits that found the account empty (nothing older left).
    """
    return f"""
    WITH accounts AS (SELECT DISTINCT account FROM pairs),
    events AS (
        SELECT t.dst AS account, t.ts, t.tx_id, t.amount AS inflow, 0.0 AS outflow
        FROM transactions t JOIN accounts a ON t.dst = a.account WHERE t.src <> t.dst
        UNION ALL
        SELECT t.src AS account, t.ts, t.tx_id, 0.0 AS inflow, t.amount AS outflow
        FROM outflows t JOIN accounts a ON t.src = a.account
    ),
    running AS (
        SELECT *,
            sum(inflow) OVER (PARTITION BY account ORDER BY ts, tx_id, outflow
                              ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum_in,
            sum(outflow) OVER (PARTITION BY account ORDER BY ts, tx_id, outflow
                               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum_out
        FROM events
    ),
    opened AS (
        SELECT *, greatest(max(cum_out - cum_in) OVER (PARTITION BY account), 0.0) AS opening
        FROM running
    ),
    credited AS (
        SELECT *, opening + cum_in - cum_out - inflow AS balance_before
        FROM opened
    )
    SELECT account, ts, tx_id, inflow, outflow, cum_in, cum_out, opening,
        sum(CASE WHEN inflow > 0 AND balance_before >= {EMPTY}
                 THEN ln(balance_before / (balance_before + inflow)) ELSE 0.0 END)
            OVER (PARTITION BY account ORDER BY ts, tx_id, outflow
                  ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS dilution,
        sum(CASE WHEN inflow > 0 AND balance_before < {EMPTY} THEN 1 ELSE 0 END)
            OVER (PARTITION BY account ORDER BY ts, tx_id, outflow
                  ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS epoch
    FROM credited
    """


def fifo_allocation_sql(options: TraceOptions) -> str:
    """First in, first out (Clayton's case): a debit draws on the oldest credits first.

    On the account's inflow axis the deposit occupies ``[S, S + amt_in)`` with ``S`` the
    opening balance plus all earlier inflow; a debit occupies ``[Q - amt_out, Q)`` on the
    outflow axis (``Q``: outflow so far). The overlap is the deposit's money the debit
    carries, of which the traced share is ``x / amt_in``.
    """
    return f"""
    WITH placed AS (
        SELECT p.*, d.opening + d.cum_in - p.amt_in AS start_in, o.cum_out AS q_out
        FROM pairs p
        JOIN ledger d ON d.account = p.account AND d.tx_id = p.in_tx AND d.inflow > 0
        JOIN ledger o ON o.account = p.account AND o.tx_id = p.out_tx AND o.outflow > 0
    )
    SELECT {_OUT_COLUMNS},
        greatest(least(q_out, start_in + amt_in) - greatest(q_out - amt_out, start_in), 0.0)
            * x / amt_in AS carried
    FROM placed
    """


def proportional_allocation_sql(options: TraceOptions) -> str:
    """Proportional (haircut, the rolling charge): each later debit carries the traced
    share of the balance at that moment.

    The share starts at ``x / balance after the deposit``; debits leave it unchanged
    (they take the same share of everything), every later credit dilutes it by
    ``balance before / balance after`` (the ledger's ``dilution``), and once the account
    is empty (a later ``epoch``) nothing of the deposit is left.
    """
    return f"""
    WITH placed AS (
        SELECT p.*,
            x / greatest(d.opening + d.cum_in - d.cum_out, p.amt_in) AS share,
            exp(least(o.dilution - d.dilution, 0.0)) AS diluted,
            o.epoch = d.epoch AS same_epoch
        FROM pairs p
        JOIN ledger d ON d.account = p.account AND d.tx_id = p.in_tx AND d.inflow > 0
        JOIN ledger o ON o.account = p.account AND o.tx_id = p.out_tx AND o.outflow > 0
    )
    SELECT {_OUT_COLUMNS},
        CASE WHEN same_epoch THEN share * diluted * amt_out ELSE 0.0 END AS carried
    FROM placed
    """


def _held_levels(extra: str = "") -> str:
    """The CTEs ``running``, ``held`` and ``stepped`` over ``events`` (account, ts, tx_id,
    delta, is_debit): the money held after each event (a debit takes it down, never below
    zero: the running sum less its lowest value so far below zero) and before it, plus
    the columns ``extra`` adds to ``stepped``."""
    return f"""running AS (
        SELECT *, sum(delta) OVER ({_RUNNING}) AS level
        FROM events
    ),
    held AS (
        SELECT *, level - least(min(level) OVER ({_RUNNING}), 0.0) AS after
        FROM running
    ),
    stepped AS (
        SELECT *, coalesce(lag(after) OVER (PARTITION BY account ORDER BY ts, tx_id), 0.0)
            AS before{extra}
        FROM held
    )"""


def taint_ledger_sql() -> str:
    """Taint first: the victims' money in each account at each of its debits.

    The victims' money an account receives is what ``trail`` (the last round's, see
    :func:`taint_first_allocation_sql`) says each transfer carried, all seeds together.
    From the account's first such credit on, every debit takes the victims' money first
    (all victims pro rata, the account's own money only after it): the money held after
    each event is the running sum of credits less debits minus its lowest value so far
    below zero. Per debit: ``charged``, the share of the victims' money it takes;
    ``logged``, the log of the share left by the earlier debits; ``epoch``, the times
    the victims' money was used up before it.
    """
    return f"""
    WITH credits AS (
        SELECT t.dst AS account, t.ts, t.tx_id, sum(r.amount_traced) AS delta
        FROM trail r JOIN transactions t ON t.tx_id = r.tx_id
        WHERE t.src <> t.dst GROUP BY t.dst, t.ts, t.tx_id
    ),
    firsts AS (
        SELECT account, ts, tx_id FROM (
            SELECT account, ts, tx_id,
                row_number() OVER (PARTITION BY account ORDER BY ts, tx_id) AS n
            FROM credits) WHERE n = 1
    ),
    events AS (
        SELECT account, ts, tx_id, delta, 0 AS is_debit FROM credits
        UNION ALL
        SELECT t.src AS account, t.ts, t.tx_id, -t.amount AS delta, 1 AS is_debit
        FROM transactions t JOIN firsts f ON t.src = f.account
        WHERE t.src <> t.dst AND (t.ts > f.ts OR (t.ts = f.ts AND t.tx_id > f.tx_id))
    ),
    {_held_levels()},
    debits AS (
        SELECT account, ts, tx_id,
            CASE WHEN before < {EMPTY} THEN 0.0 WHEN after < {EMPTY} THEN 1.0
                 ELSE (before - after) / before END AS charged,
            CASE WHEN before >= {EMPTY} AND after >= {EMPTY} THEN ln(after / before)
                 ELSE 0.0 END AS kept,
            CASE WHEN before >= {EMPTY} AND after < {EMPTY} THEN 1 ELSE 0 END AS emptied
        FROM stepped WHERE is_debit = 1
    )
    SELECT account, tx_id, charged,
        sum(kept) OVER ({_RUNNING}) - kept AS logged,
        sum(emptied) OVER ({_RUNNING}) - emptied AS epoch
    FROM debits
    """


def taint_first_allocation_sql(options: TraceOptions) -> str:
    """Taint first: each debit carries its charged share of the deposit's money still
    there (``taint``: :func:`taint_ledger_sql`).

    The deposit's money starts whole at its account's first later debit that the
    victims' money can have reached; each debit after takes its ``charged`` share of
    what is left; once the victims' money was used up (a later ``epoch``) none is left.
    """
    return f"""
    WITH placed AS (
        SELECT p.*, o.charged, o.logged, o.epoch,
            first_value(o.logged) OVER (PARTITION BY p.seed_id, p.in_tx
                                        ORDER BY p.t_out, p.out_tx) AS logged_in,
            first_value(o.epoch) OVER (PARTITION BY p.seed_id, p.in_tx
                                       ORDER BY p.t_out, p.out_tx) AS epoch_in
        FROM pairs p JOIN taint o ON o.account = p.account AND o.tx_id = p.out_tx
        -- a self-transfer brings nothing in (as in the ledger of the other policies)
        WHERE p.in_tx NOT IN (SELECT tx_id FROM transactions WHERE src = dst)
    )
    SELECT {_OUT_COLUMNS},
        CASE WHEN epoch = epoch_in THEN x * exp(least(logged - logged_in, 0.0)) * charged
             ELSE 0.0 END AS carried
    FROM placed
    """


def lifo_ledger_sql() -> str:
    """Last in, first out by batch: every account's money at each of its events.

    A batch is the credits an account receives with no debit between them. Each debit
    takes the newest batch first, all its credits pro rata, then the batch before: the
    money held after each event is the running sum of credits less debits minus its
    lowest value so far below zero (the opening money, oldest of all, goes last), and a
    batch keeps what the lowest level since it stays above the level it arrived on.
    Per credit (``is_debit`` 0): ``base``, the money held before its batch, and
    ``total``, the batch's; per debit: ``after``, the money held after it.
    """
    return f"""
    WITH events AS (
        SELECT dst AS account, ts, tx_id, amount AS delta, 0 AS is_debit
        FROM transactions WHERE src <> dst
        UNION ALL
        SELECT src AS account, ts, tx_id, -amount AS delta, 1 AS is_debit
        FROM transactions WHERE src <> dst
    ),
    {_held_levels(", coalesce(lag(is_debit) OVER (PARTITION BY account ORDER BY ts, "
                  "tx_id), 1) AS after_debit")},
    batched AS (
        SELECT *, sum(CASE WHEN is_debit = 0 AND after_debit = 1 THEN 1 ELSE 0 END)
            OVER ({_RUNNING}) AS batch
        FROM stepped
    )
    SELECT account, tx_id, is_debit, after,
        first_value(before) OVER (PARTITION BY account, batch, is_debit
                                  ORDER BY ts, tx_id) AS base,
        sum(delta) OVER (PARTITION BY account, batch, is_debit) AS total
    FROM batched
    """


def lifo_allocation_sql(options: TraceOptions) -> str:
    """Last in, first out by batch: each debit carries the deposit's share of what it
    took of the deposit's batch (``lifo``: :func:`lifo_ledger_sql`).

    What is left of the batch after a debit is the lowest level since the deposit less
    the level the batch arrived on, between nothing and the whole batch; the deposit
    holds its share of that.
    """
    return f"""
    WITH placed AS (
        SELECT p.*, c.base, c.total,
            min(o.after) OVER (PARTITION BY p.seed_id, p.in_tx ORDER BY p.t_out, p.out_tx
                               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS lowest
        FROM pairs p
        JOIN lifo o ON o.account = p.account AND o.tx_id = p.out_tx AND o.is_debit = 1
        JOIN lifo c ON c.account = p.account AND c.tx_id = p.in_tx AND c.is_debit = 0
    ),
    left_over AS (
        SELECT *, greatest(least(lowest - base, total), 0.0) AS left_after
        FROM placed
    ),
    stepped AS (
        SELECT *, coalesce(lag(left_after) OVER (PARTITION BY seed_id, in_tx
                                                 ORDER BY t_out, out_tx), total) AS left_before
        FROM left_over
    )
    SELECT {_OUT_COLUMNS},
        x * (left_before - left_after) / total AS carried
    FROM stepped
    """
