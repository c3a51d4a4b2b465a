"""Guilt by association: SIMs that share a handset or a nominee identity with flagged SIMs.

A gang's SIM box rotates its SIMs: a SIM that sat in the same handset as a flagged SIM,
or that is registered to the same nominee identity, belongs to the same stock even on a
day it did not call. Operators suspend such SIMs together; this step flags them with a
score just below their flagged neighbour's, and says which neighbour and why.

A nominee identity links only SIMs bought in the same batch (activated within
:data:`BATCH_DAYS` of each other): people registered through a nominee for their own
use (a relative's id card) hold old SIMs on the same identity that are not the gang's
stock. On the medium simulated world (seed 53) the old rule flagged five such SIMs,
activated one to four years before the gang's.
"""

from __future__ import annotations

import pandas as pd

from scamtrace.analytics.dialects import Dialect, DuckDBDialect
from scamtrace.analytics.engine import Engine
from scamtrace.analytics.sims.features import SimTables

#: How much lower than its flagged neighbour an associated SIM scores.
ASSOCIATION_DISCOUNT = 0.05
#: Flagged neighbours must score at least this for an association to count.
MIN_NEIGHBOUR_SCORE = 0.8
#: SIMs on one nominee identity activated at most this many days apart are one batch.
BATCH_DAYS = 30


def associated_sims_sql(tables: SimTables, flagged: str, dialect: Dialect | None = None) -> str:
    """SIMs linked to a flagged SIM by a shared IMEI or a shared nominee identity.

    Args:
        tables: the input tables (devices, sims and calls are read where present).
        flagged: a table (msisdn, score) of flagged SIMs.
        dialect: the engine's dialect (for the activation-date arithmetic).

    Returns:
        SELECT msisdn, link_score, via, link (one row per associated SIM, best link).
    """
    handsets = f"SELECT DISTINCT caller AS msisdn, imei FROM {tables.calls} WHERE imei IS NOT NULL"
    if tables.devices:
        handsets += f" UNION SELECT msisdn, imei FROM {tables.devices} WHERE imei IS NOT NULL"
    links = [f"""
SELECT b.msisdn, f.score AS link_score, f.msisdn AS via, 'handset ' || a.imei AS link
FROM ({handsets}) a JOIN ({handsets}) b ON b.imei = a.imei AND b.msisdn <> a.msisdn
JOIN {flagged} f ON f.msisdn = a.msisdn"""]
    if tables.sims:
        dialect = dialect or DuckDBDialect()
        gap = (f"abs({dialect.epoch_seconds('a.activated_at')} - "
               f"{dialect.epoch_seconds('b.activated_at')})")
        links.append(f"""
SELECT b.msisdn, f.score, f.msisdn, 'nominee identity ' || a.person_id
FROM {tables.sims} a JOIN {tables.sims} b ON b.person_id = a.person_id AND b.msisdn <> a.msisdn
JOIN {flagged} f ON f.msisdn = a.msisdn
WHERE lower(a.registration) = 'nominee' AND lower(b.registration) = 'nominee'
  AND {gap} <= {BATCH_DAYS * 86400}""")
    union = " UNION ALL ".join(links)
    # The best link as one row (its SIM and its handset or identity together), the
    # first by SIM and link among equal scores: the same reason on every run.
    return f"""
SELECT msisdn, link_score, via, link FROM (
  SELECT msisdn, link_score, via, link,
         row_number() OVER (PARTITION BY msisdn ORDER BY link_score DESC, via, link) AS link_rank
  FROM ({union}) l
  WHERE link_score >= {MIN_NEIGHBOUR_SCORE}) r
WHERE link_rank = 1"""


def add_associated(engine: Engine, tables: SimTables, scored: pd.DataFrame,
                   threshold: float) -> pd.DataFrame:
    """Raise the scores of SIMs associated with strongly flagged SIMs.

    Args:
        engine: the engine holding the input tables.
        tables: their names.
        scored: rule scores (msisdn, score, flagged, reasons, ...).
        threshold: the flag threshold.

    Returns:
        ``scored`` with associated SIMs raised (and added when they had no traffic).
    """
    flagged = scored.loc[scored["flagged"], ["msisdn", "score"]]
    if flagged.empty:
        return scored
    name = engine.register(flagged.reset_index(drop=True), "sims_flagged_seed")
    links = engine.fetch_pandas(associated_sims_sql(tables, name, engine.dialect))
    engine.drop(name)
    if links.empty:
        return scored
    merged = scored.merge(links, on="msisdn", how="outer")
    merged["score"] = merged["score"].fillna(0.0)
    merged["reasons"] = merged["reasons"].fillna("")
    raised = merged["link_score"].notna() & (
        merged["link_score"] - ASSOCIATION_DISCOUNT > merged["score"])
    merged.loc[raised, "score"] = (merged.loc[raised, "link_score"] - ASSOCIATION_DISCOUNT).round(4)
    note = "associated: shares " + merged["link"].astype(str) + " with flagged SIM " \
        + merged["via"].astype(str)
    merged.loc[raised, "reasons"] = note[raised] + merged.loc[raised, "reasons"].map(
        lambda r: f"; {r}" if r else "")
    merged["flagged"] = merged["score"] >= threshold
    numeric = merged.select_dtypes("number").columns
    merged[numeric] = merged[numeric].fillna(0)
    return merged.drop(columns=["link_score", "via", "link"])
