"""SIM features beyond the call records: SMS, registration, reports and payments.

Like :mod:`scamtrace.analytics.sims.features`, each function returns a DuckDB-dialect
SELECT over templated table names; the step names they read (``w_calls``,
``callee_pairs``, ``sms_pairs``) are produced earlier in the same pipeline.
"""

from __future__ import annotations

from scamtrace.analytics.dialects import Dialect
from scamtrace.analytics.sims.features import FeatureWindow, SimTables, in_window_sql, timestamp_sql


def window_sms_sql(tables: SimTables, window: FeatureWindow) -> str:
    """SMS inside the window sent from phone numbers (spoofed sender ids are not SIMs)."""
    where = f"{in_window_sql('ts', window)} AND sender LIKE '+%'"
    if tables.focus:
        where += f" AND sender IN (SELECT msisdn FROM {tables.focus})"
    return f"SELECT ts, sender, recipient FROM {tables.sms} WHERE {where}"


def sms_pairs_sql() -> str:
    """One row per (sender, recipient) with the first SMS inside the window."""
    return "SELECT sender, recipient, min(ts) AS first_ts, count(*) AS n FROM w_sms GROUP BY sender, recipient"


def sms_stats_sql() -> str:
    """Per sender: SMS sent and distinct recipients (fan-out)."""
    return "SELECT sender AS msisdn, sum(n) AS sms_sent, count(*) AS sms_fanout FROM sms_pairs GROUP BY sender"


def contacts_sql(with_sms: bool) -> str:
    """Everyone a SIM called or texted in the window, with the first contact time."""
    sql = "SELECT caller AS msisdn, callee AS contact, first_ts FROM callee_pairs"
    if with_sms:
        sql = (
            f"SELECT msisdn, contact, min(first_ts) AS first_ts FROM ({sql} UNION ALL "
            "SELECT sender, recipient, first_ts FROM sms_pairs) u GROUP BY msisdn, contact"
        )
    return sql


def registration_sql(dialect: Dialect, tables: SimTables, window: FeatureWindow) -> str:
    """Per SIM: age at the window's end, SIMs on the same registered identity, nominee.

    NBTC asked holders of more than 100 SIMs to confirm their identity; gangs buy SIMs in
    batches registered to a few nominees.
    """
    end, activated = dialect.epoch_seconds(timestamp_sql(window.end)), dialect.epoch_seconds("s.activated_at")
    age = f"CAST({end} - {activated} AS DOUBLE) / 86400"
    return f"""
SELECT s.msisdn, {age} AS sim_age_days, i.sims AS sims_per_identity,
       CASE WHEN lower(s.registration) = 'nominee' THEN 1 ELSE 0 END AS nominee
FROM {tables.sims} s
LEFT JOIN (SELECT person_id, count(*) AS sims FROM {tables.sims}
           WHERE person_id IS NOT NULL GROUP BY person_id) i ON i.person_id = s.person_id"""


def reports_against_sql(dialect: Dialect, tables: SimTables, window: FeatureWindow) -> str:
    """Per phone number: distinct reporters who named it up to the window's end.

    A *1185# report names no number: the network resolves it to the last caller of the
    reporter within the five minutes before (AIS's "Report End of Scammer"), and so does
    this step, from the call records.
    """
    end = timestamp_sql(window.end)
    report_at, call_at = dialect.epoch_seconds("r.ts"), dialect.epoch_seconds("c.ts")
    return f"""
SELECT msisdn, count(DISTINCT reporter) AS reports_against FROM (
  SELECT reported_value AS msisdn, reporter_msisdn AS reporter FROM {tables.reports}
  WHERE reported_kind = 'phone' AND reported_value IS NOT NULL AND ts < {end}
  UNION ALL
  SELECT arg_max(c.caller, c.ts), r.reporter_msisdn
  FROM {tables.reports} r JOIN {tables.calls} c ON c.callee = r.reporter_msisdn
  WHERE r.reported_kind = 'phone' AND r.reported_value IS NULL AND r.ts < {end}
    AND {call_at} <= {report_at} AND {call_at} >= {report_at} - 300
  GROUP BY r.reporter_msisdn, r.ts
) named GROUP BY msisdn"""


def reported_contacts_sql(dialect: Dialect, tables: SimTables, window: FeatureWindow) -> str:
    """Per SIM: distinct contacts who filed any report within the horizon after contact.

    A victim reports about the account or the link as often as about the number, so any
    report counts, not only one naming this SIM.
    """
    horizon = window.contact_horizon_hours * 3600
    contact_at = dialect.epoch_seconds("c.first_ts")
    return f"""
SELECT c.msisdn, count(DISTINCT c.contact) AS reported_contacts,
       count(DISTINCT c.contact) / CAST(max(n.contacts) AS DOUBLE) AS reported_contact_share
FROM contacts c
JOIN (SELECT msisdn, count(*) AS contacts FROM contacts GROUP BY msisdn) n ON n.msisdn = c.msisdn
JOIN (SELECT reporter_msisdn, {dialect.epoch_seconds('ts')} AS seen_at FROM {tables.reports}
      WHERE ts < {timestamp_sql(window.end)}) r ON r.reporter_msisdn = c.contact
WHERE r.seen_at >= {contact_at} AND r.seen_at < {contact_at} + {horizon}
GROUP BY c.msisdn"""


def paid_flagged_contacts_sql(dialect: Dialect, tables: SimTables, window: FeatureWindow) -> str:
    """Per SIM: distinct contacts who paid a flagged (mule-like) account within the
    horizon after the contact: the call-to-transfer pattern of a successful scam."""
    horizon = window.contact_horizon_hours * 3600
    contact_at = dialect.epoch_seconds("c.first_ts")
    paid_at = dialect.epoch_seconds("t.ts")
    return f"""
SELECT c.msisdn, count(DISTINCT c.contact) AS paid_flagged_contacts
FROM contacts c
JOIN {tables.sims} s ON s.msisdn = c.contact
JOIN {tables.accounts} a ON a.person_id = s.person_id
JOIN {tables.transactions} t ON t.src_account = a.account_id
JOIN {tables.flagged_accounts} f ON f.account = t.dst_account
WHERE {paid_at} >= {contact_at} AND {paid_at} < {contact_at} + {horizon}
GROUP BY c.msisdn"""


def history_bounds_sql(table: str) -> str:
    """First and last timestamp of a table, to place the default window."""
    return f"SELECT min(ts) AS first_ts, max(ts) AS last_ts FROM {table}"

