"""Per-account behaviour features in SQL: the inputs of the typology rules.

Every function returns DuckDB-dialect SQL over templated table names (the engine
transpiles it for Spark). Amounts are divided by the data's median amount and times are
measured in the data's own windows (:mod:`scamtrace.analytics.mules.scales`), so each
feature means the same on baht with timestamps and on simulated dollars with steps.
"""

from __future__ import annotations

from scamtrace.analytics.mules.scales import DataScales
from scamtrace.analytics.pipeline import Pipeline

#: Local time of the night-activity rule: Thailand is UTC+7 all year.
DEFAULT_UTC_OFFSET_HOURS = 7


def account_events_sql(transactions: str) -> str:
    """Each transaction twice, once per side: account, counterparty, ``is_out``, amount, ts.

    ``is_out`` is a boolean (a debit of the account), not a text: every later sort and
    filter compares one byte instead of a string.
    """
    return f"""
        SELECT src AS account, dst AS cp, true AS is_out, amount, ts, tx_id FROM {transactions}
        UNION ALL
        SELECT dst AS account, src AS cp, false AS is_out, amount, ts, tx_id FROM {transactions}"""


def contacts_sql(transactions: str) -> str:
    """Each directed pair of accounts once, with the time of its first transfer.

    One aggregation serves both the new-sender and counterparty counts of the burst
    features and the graph's edges.
    """
    return f"SELECT src, dst, min(ts) AS first_ts FROM {transactions} GROUP BY src, dst"


def ordered_events_sql(events: str, scales: DataScales) -> str:
    """Events with their place in the account's history (credits sort before debits at a tie).

    Adds ``gap_before`` (silence before the event), ``last_in_ts`` (latest credit so far),
    ``debits_so_far``/``credits_so_far`` (segment numbers) and ``bucket`` (burst window
    number). All window functions share one ordering, so the engine sorts once.
    """
    order = "PARTITION BY account ORDER BY ts, is_out, tx_id"
    running = f"OVER ({order} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
    return f"""
        SELECT account, cp, is_out, amount, ts,
            CAST(floor((ts - {scales.t_min}) / {scales.bucket_window}) AS BIGINT) AS bucket,
            ts - lag(ts) OVER ({order}) AS gap_before,
            max(CASE WHEN NOT is_out THEN ts END) {running} AS last_in_ts,
            sum(CASE WHEN is_out THEN 1 ELSE 0 END) {running} AS debits_so_far,
            row_number() OVER ({order})
                - sum(CASE WHEN is_out THEN 1 ELSE 0 END) {running} AS credits_so_far
        FROM {events}"""


def pair_buckets_sql(ordered: str) -> str:
    """Transfers per account, counterparty, direction and burst window."""
    return f"""
        SELECT account, cp, is_out, bucket, count(*) AS n
        FROM {ordered} GROUP BY account, cp, is_out, bucket"""


def account_aggregates_sql(ordered: str, scales: DataScales, utc_offset_hours: int) -> str:
    """Plain volumes plus the single-pass rule features of each account.

    ``rapid_out_share`` is the money sent on within the fast window after a credit, at
    most the money that came in, as a share of the larger of money in and money out. An
    account that spends an older balance soon after a small credit (out far above in)
    therefore scores low: it did not pass the credit on, it spent its own money.
    """
    med, fast = scales.amount_q50, scales.fast_window
    night = (
        f"avg(CASE WHEN (ts + {utc_offset_hours * 3600}) % 86400 < {5 * 3600} "
        "THEN 1.0 ELSE 0.0 END)"
        if scales.ts_kind == "timestamp"
        else "CAST(NULL AS DOUBLE)"
    )
    sum_in = "coalesce(sum(CASE WHEN NOT is_out THEN amount END), 0)"
    sum_out = "coalesce(sum(CASE WHEN is_out THEN amount END), 0)"
    return f"""
        SELECT account,
            sum(CASE WHEN NOT is_out THEN 1 ELSE 0 END) AS n_in,
            sum(CASE WHEN is_out THEN 1 ELSE 0 END) AS n_out,
            {sum_in} / {med} AS sum_in,
            {sum_out} / {med} AS sum_out,
            avg(CASE WHEN NOT is_out THEN amount END) / {med} AS mean_in,
            avg(CASE WHEN is_out THEN amount END) / {med} AS mean_out,
            min(CASE WHEN NOT is_out THEN amount END) / {med} AS min_in,
            min(CASE WHEN is_out THEN amount END) / {med} AS min_out,
            max(CASE WHEN NOT is_out THEN amount END) / {med} AS max_in,
            max(CASE WHEN is_out THEN amount END) / {med} AS max_out,
            avg(CASE WHEN amount < {scales.amount_q01} THEN 1.0 ELSE 0.0 END) AS tiny_share,
            avg(CASE WHEN amount < {scales.amount_q05} THEN 1.0 ELSE 0.0 END) AS small_share,
            avg(CASE WHEN amount >= {scales.round_unit}
                      AND amount % {scales.round_unit} = 0 THEN 1.0 ELSE 0.0 END) AS round_share,
            least(coalesce(sum(CASE WHEN is_out AND ts - last_in_ts <= {fast}
                                    THEN amount END), 0), {sum_in})
                / nullif(greatest({sum_in}, {sum_out}), 0) AS rapid_out_share,
            least({sum_out}, {sum_in}) / nullif(greatest({sum_out}, {sum_in}), 0)
                AS pass_through_ratio,
            avg(CASE WHEN is_out AND last_in_ts IS NOT NULL
                     THEN CAST(ts - last_in_ts AS DOUBLE) / {scales.bucket_window} END)
                AS hold_time,
            coalesce(max(gap_before), 0) / {float(scales.span)} AS longest_silence,
            CAST(min(ts) - {scales.t_min} AS DOUBLE) / {float(scales.span)} AS first_seen,
            CAST(max(ts) - {scales.t_min} AS DOUBLE) / {float(scales.span)} AS last_seen,
            {night} AS night_share
        FROM {ordered}
        GROUP BY account"""


def burst_features_sql(ordered: str, contacts: str, scales: DataScales) -> str:
    """Per account: busiest burst windows, new senders, splitting and dormancy.

    A sender is new in the window of its first transfer to the account. Splitting is the
    most transfers with one counterparty in one window. A dormant account wakes when a
    transfer follows a silence of ``dormant_gap``; the rule counts that window's events.
    """
    first_bucket = (
        f"CAST(floor((first_ts - {scales.t_min}) / {scales.bucket_window}) AS BIGINT)"
    )
    return f"""
        WITH pair_buckets AS ({pair_buckets_sql(ordered)}
        ), windows AS (
            SELECT account, bucket,
                   sum(CASE WHEN NOT is_out THEN 1 ELSE 0 END) AS senders,
                   sum(CASE WHEN is_out THEN 1 ELSE 0 END) AS receivers,
                   sum(n) AS events, max(n) AS same_pair
            FROM pair_buckets GROUP BY account, bucket
        ), contacts AS (
            SELECT dst AS account, src AS cp, false AS is_out, {first_bucket} AS first_bucket
            FROM {contacts}
            UNION ALL
            SELECT src AS account, dst AS cp, true AS is_out, {first_bucket} AS first_bucket
            FROM {contacts}
        ), first_contacts AS (
            SELECT account, first_bucket, count(*) AS new_senders
            FROM contacts WHERE NOT is_out GROUP BY account, first_bucket
        ), pairs AS (
            SELECT account, sum(CASE WHEN is_out THEN 0 ELSE 1 END) AS cp_in,
                   sum(CASE WHEN is_out THEN 1 ELSE 0 END) AS cp_out
            FROM contacts GROUP BY account
        ), wakes AS (
            SELECT o.account, max(w.events) AS dormant_wake_events
            FROM {ordered} AS o
            JOIN windows AS w ON w.account = o.account AND w.bucket = o.bucket
            WHERE o.gap_before >= {scales.dormant_gap}
            GROUP BY o.account
        ), per_account AS (
            SELECT account, max(senders) AS fan_in_window_max,
                   max(receivers) AS fan_out_window_max, max(events) AS events_window_max,
                   max(same_pair) AS split_max,
                   sum(CASE WHEN same_pair >= 2 THEN 1 ELSE 0 END) AS split_windows,
                   count(*) AS active_windows
            FROM windows GROUP BY account
        )
        SELECT a.*, p.cp_in, p.cp_out, coalesce(f.fan_in_new_max, 0) AS fan_in_new_max,
               coalesce(k.dormant_wake_events, 0) AS dormant_wake_events
        FROM per_account AS a
        JOIN pairs AS p ON p.account = a.account
        LEFT JOIN (SELECT account, max(new_senders) AS fan_in_new_max FROM first_contacts
                   GROUP BY account) AS f ON f.account = a.account
        LEFT JOIN wakes AS k ON k.account = a.account"""


def credit_debit_features_sql(ordered: str, scales: DataScales) -> str:
    """Many credits then one large debit, and many debits after one credit.

    Credits between two debits form a segment; a debit at least twice the largest credit
    of the segment before it and carrying most of that segment's total "sweeps" it.
    Debits after one credit and before the next, within one burst window, are onward
    transfers.
    """
    return f"""
        WITH credit_runs AS (
            SELECT account, debits_so_far AS seg, count(*) AS n_credits,
                   max(amount) AS max_credit, sum(amount) AS sum_credits
            FROM {ordered} WHERE NOT is_out GROUP BY account, debits_so_far
        ), sweeps AS (
            SELECT d.account, max(c.n_credits) AS credits_then_sweep
            FROM {ordered} AS d
            JOIN credit_runs AS c ON c.account = d.account AND c.seg = d.debits_so_far - 1
            WHERE d.is_out AND d.amount >= 2 * c.max_credit
              AND d.amount >= 0.5 * c.sum_credits
            GROUP BY d.account
        ), onward AS (
            SELECT account, max(n) AS onward_max
            FROM (SELECT account, credits_so_far, count(*) AS n FROM {ordered}
                  WHERE is_out AND credits_so_far > 0
                    AND ts - last_in_ts <= {scales.bucket_window}
                  GROUP BY account, credits_so_far) AS o
            GROUP BY account
        )
        SELECT a.account, coalesce(s.credits_then_sweep, 0) AS credits_then_sweep,
               coalesce(o.onward_max, 0) AS onward_max
        FROM (SELECT DISTINCT account FROM {ordered}) AS a
        LEFT JOIN sweeps AS s ON s.account = a.account
        LEFT JOIN onward AS o ON o.account = a.account"""


def account_age_sql(transactions_first_seen: str, accounts: str, scales: DataScales) -> str:
    """Age of the account when it first received money (days, or share of the period)."""
    unit = 86400.0 if scales.ts_kind == "timestamp" else float(scales.span)
    return f"""
        SELECT f.account, CAST(f.first_in - a.opened_ts AS DOUBLE) / {unit} AS age_at_first_credit
        FROM (SELECT account, min(ts) AS first_in FROM {transactions_first_seen}
              WHERE NOT is_out GROUP BY account) AS f
        JOIN {accounts} AS a ON a.account = f.account"""


def external_payees_sql(contacts: str, accounts: str) -> str:
    """Per account: distinct payees owned by someone else (or by an unknown owner).

    ``contacts`` holds each directed pair once (``mule_contacts``); ``accounts`` has
    ``account`` and ``owner`` (NULL when unknown). A transfer between two accounts of one
    owner (a shop's takings moved to its owner's personal account) moves no money to
    anyone else.
    """
    return f"""
        SELECT c.src AS account, count(*) AS cp_out_external
        FROM {contacts} AS c
        LEFT JOIN {accounts} AS s ON s.account = c.src
        LEFT JOIN {accounts} AS d ON d.account = c.dst
        WHERE c.src <> c.dst AND (s.owner IS NULL OR d.owner IS NULL OR s.owner <> d.owner)
        GROUP BY c.src"""


def behaviour_pipeline(
    transactions: str, scales: DataScales, *, utc_offset_hours: int = DEFAULT_UTC_OFFSET_HOURS
) -> Pipeline:
    """The steps that build ``mule_behaviour`` (one row per account) from transactions.

    Args:
        transactions: canonical table (tx_id, src, dst, amount, ts).
        scales: the data's scales.
        utc_offset_hours: local time offset for the night rule.

    Returns:
        A pipeline whose output has one row per account and every behaviour feature.
    """
    return (
        Pipeline()
        .add("mule_contacts", contacts_sql(transactions), persist=True, repartition_by=["src"])
        .add("mule_events", account_events_sql(transactions))
        .add("mule_ordered", ordered_events_sql("mule_events", scales), persist=True,
             repartition_by=["account"])
        .add("mule_aggregates", account_aggregates_sql("mule_ordered", scales, utc_offset_hours),
             persist=True)
        .add("mule_bursts", burst_features_sql("mule_ordered", "mule_contacts", scales),
             persist=True)
        .add("mule_credit_debit", credit_debit_features_sql("mule_ordered", scales),
             persist=True)
        .add("mule_behaviour", """
            SELECT g.*, b.cp_in, b.cp_out, b.fan_in_new_max, b.fan_in_window_max,
                   b.fan_out_window_max, b.events_window_max, b.split_max, b.split_windows,
                   b.active_windows, b.dormant_wake_events,
                   c.credits_then_sweep, c.onward_max
            FROM mule_aggregates AS g
            JOIN mule_bursts AS b ON b.account = g.account
            JOIN mule_credit_debit AS c ON c.account = g.account""")
    )
