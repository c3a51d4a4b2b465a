"""Message intelligence: classify texts, extract indicators, judge links.

    >>> from scamtrace.messages import classify_text, extract_indicators, judge_url
    >>> judge_url("kbank-secure-th.com").brand
    'KBank'

The models ship in ``model/`` (plain numpy arrays, see model/PROVENANCE.json) and load
without network or scikit-learn; ``scamtrace model train`` rebuilds them.
"""

from __future__ import annotations

from scamtrace.messages.classifier import MessageResult, classify_text, classify_texts
from scamtrace.messages.extract import Indicator, extract_indicators
from scamtrace.messages.urls import UrlVerdict, judge_url, judge_urls

__all__ = [
    "Indicator",
    "MessageResult",
    "UrlVerdict",
    "classify_text",
    "classify_texts",
    "extract_indicators",
    "judge_url",
    "judge_urls",
]
