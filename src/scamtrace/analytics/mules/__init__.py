"""Mule-account scoring: explainable typology rules, graph features, supervised mode.

Public API::

    from scamtrace.analytics import create_engine, load_transactions
    from scamtrace.analytics.mules import score_mule_accounts
    with create_engine("duckdb") as engine:
        txs = load_transactions(engine, "tx.parquet", "src=from,dst=to")
        result = score_mule_accounts(engine, txs)
        result.scores.head()   # account, score, flagged, reasons

See docs/mules.md.
"""

from __future__ import annotations

from scamtrace.analytics.mules.service import MuleScores, score_mule_accounts

__all__ = ["MuleScores", "score_mule_accounts"]
