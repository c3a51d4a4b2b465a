"""Partner bulk files (CSV or JSONL) turned into rows for :func:`submit_partner_rows`.

Columns: ``idempotency_key`` (required; a re-upload with the same key never duplicates),
``reported_kind`` and ``reported_value`` (what is reported), ``text``, ``reporter``,
``received_at`` (ISO 8601), ``scam_type``, ``loss_amount_thb``, ``tx_id``, ``note``.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from scamtrace.errors import InvalidDataFile, InvalidMessage
from scamtrace.reports.validation import decode_report_bytes

#: One upload at most: larger loads are split by the partner (and stay idempotent).
MAX_BULK_ROWS = 50_000
MAX_BULK_BYTES = 20 * 1024 * 1024


def read_partner_file(content: bytes, *, filename: str) -> list[dict[str, Any]]:
    """Parse a partner upload by its extension (``.csv``, ``.jsonl`` or ``.ndjson``).

    Args:
        content: the file's bytes.
        filename: its name, for the format and for messages.

    Returns:
        The rows as dicts, in file order.

    Raises:
        InvalidDataFile: unknown format, invalid UTF-8, a malformed line, no
            ``idempotency_key`` column, no rows, or past the size limits.
    """
    if len(content) > MAX_BULK_BYTES:
        raise InvalidDataFile(f"{filename} is larger than {MAX_BULK_BYTES // (1024 * 1024)} MiB")
    try:
        text = decode_report_bytes(content, field=filename)
    except InvalidMessage as exc:
        raise InvalidDataFile(exc.detail) from None
    name = filename.lower()
    if name.endswith(".csv"):
        rows = _csv_rows(text, filename)
    elif name.endswith((".jsonl", ".ndjson")):
        rows = _jsonl_rows(text, filename)
    else:
        raise InvalidDataFile(f"{filename}: upload a .csv or .jsonl file")
    if not rows:
        raise InvalidDataFile(f"{filename} has no rows")
    if len(rows) > MAX_BULK_ROWS:
        raise InvalidDataFile(f"{filename} has {len(rows)} rows; the limit is {MAX_BULK_ROWS}")
    if "idempotency_key" not in rows[0]:
        raise InvalidDataFile(f"{filename} has no idempotency_key column")
    return rows


def _csv_rows(text: str, filename: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        return [{key: value for key, value in row.items() if key is not None} for row in reader]
    except csv.Error as exc:
        raise InvalidDataFile(f"{filename} line {reader.line_num}: {exc}") from None


def _jsonl_rows(text: str, filename: str) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidDataFile(f"{filename} line {number}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise InvalidDataFile(f"{filename} line {number}: expected a JSON object")
        rows.append(row)
    return rows
