"""Timestamps as channels send them, made aware and UTC.

Gateways send ISO 8601 strings with an offset (``2026-11-29T09:15:00+07:00``); a
timestamp without an offset is taken as UTC, the convention of the call-records feed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd

from scamtrace.errors import InvalidInput


def parse_timestamp(value: Any, *, field: str = "ts") -> datetime:
    """Return ``value`` as an aware UTC datetime.

    Args:
        value: a datetime, a pandas Timestamp, or an ISO 8601 string.
        field: the name used in the error message.

    Raises:
        InvalidInput: when it is not a timestamp.
    """
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())  # 3.11+ reads a trailing Z
        except ValueError:
            raise InvalidInput(f"{field} {value[:40]!r} is not an ISO 8601 timestamp") from None
    if not isinstance(value, datetime):
        raise InvalidInput(f"{field} must be a timestamp, got {type(value).__name__}")
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
