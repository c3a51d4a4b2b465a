"""What message intelligence makes of a report's text, as stored on the report.

The text brain lives in :mod:`scamtrace.messages`; this module only shapes its answer
into the report's ``analysis`` document: label, scam type, calibrated score, language,
the canonical indicators found in the text, and the verdict on each link.
"""

from __future__ import annotations

from typing import Any


def analyse_report(text: str) -> dict[str, Any]:
    """Classify ``text``, extract its indicators and judge its links.

    Args:
        text: a validated report text.

    Returns:
        ``{"label", "scam_type", "score", "language", "indicators": [{"kind", "value"}],
        "links": [{"url", "verdict", "score", "brand", "reasons"}]}``.
    """
    from scamtrace.messages import analyse_message

    return analyse_message(text)
