"""What message intelligence makes of a report's text, as stored on the report.

The text brain lives in :mod:`scamtrace.messages`; this module only shapes its answer
into the report's ``analysis`` document: label, scam type, calibrated score, language,
the canonical indicators found in the text, and the verdict on each link.
"""

from __future__ import annotations

from typing import Any

from scamtrace.messages import classify_text, judge_urls


def analyse_report(text: str) -> dict[str, Any]:
    """Classify ``text``, extract its indicators and judge its links.

    Args:
        text: a validated report text.

    Returns:
        ``{"label", "scam_type", "score", "scores", "language",
        "indicators": [{"kind", "value"}], "links": [{"url", "verdict", "score", "brand",
        "reasons"}]}``.
    """
    result = classify_text(text)
    urls = [item.value for item in result.indicators if item.kind == "url"]
    links = [
        {"url": verdict.url, "verdict": verdict.verdict, "score": round(verdict.score, 4),
         "brand": verdict.brand, "reasons": list(verdict.reasons)}
        for verdict in (judge_urls(urls) if urls else [])
    ]
    return {
        "label": result.label,
        "scam_type": result.scam_type,
        "score": round(result.score, 4),
        "scores": {label: round(score, 4) for label, score in result.scores.items()},
        "language": result.language,
        "indicators": [{"kind": item.kind, "value": item.value} for item in result.indicators],
        "links": links,
    }
