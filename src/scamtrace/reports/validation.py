"""Checks on what a reporter sends, before anything is stored.

A report text is what a citizen forwarded to 1185 or typed on the web. It may carry the
scammers' evasion tricks (zero-width characters, homoglyphs, full-width digits): those are
*format* characters (Unicode category Cf) and are kept, because the analysis needs them.
What is refused is what no SMS or web form produces: control characters (category Cc other
than tab and line breaks), undecodable bytes, empty texts and texts past the limit.
"""

from __future__ import annotations

import unicodedata

from scamtrace.errors import InvalidMessage

#: A concatenated SMS tops out near 1,530 GSM-7 characters (10 segments); 2,000 leaves room
#: for a forwarded text plus the reporter's own words without accepting documents.
MAX_TEXT_CHARS = 2000

_ALLOWED_CONTROLS = frozenset("\t\n\r")


def decode_report_bytes(raw: bytes, *, field: str = "text") -> str:
    """Decode bytes as UTF-8, refusing invalid sequences with a clear message.

    Args:
        raw: the bytes as received (a bulk file cell, a USSD gateway payload).
        field: the field name used in the error message.

    Returns:
        The decoded text.

    Raises:
        InvalidMessage: when the bytes are not valid UTF-8.
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidMessage(
            f"{field} is not valid UTF-8 (bad byte at position {exc.start})", field=field
        ) from None


def validate_report_text(text: str | None, *, field: str = "text", required: bool = True) -> str | None:
    """Return the text with surrounding whitespace removed, or raise why it is refused.

    Args:
        text: the text as received.
        field: the field name used in the error message.
        required: when False, ``None`` or an empty text is allowed and returns ``None``.

    Returns:
        The stripped text, or ``None`` when optional and absent.

    Raises:
        InvalidMessage: empty when required, longer than :data:`MAX_TEXT_CHARS`, containing
            control characters or lone surrogates.

    Examples:
        >>> validate_report_text("  พัสดุของท่านตกค้าง  ")
        'พัสดุของท่านตกค้าง'
    """
    if text is None or not text.strip():
        if required:
            raise InvalidMessage(f"{field} is empty", field=field)
        return None
    stripped = text.strip()
    if len(stripped) > MAX_TEXT_CHARS:
        raise InvalidMessage(
            f"{field} has {len(stripped)} characters; the limit is {MAX_TEXT_CHARS}", field=field
        )
    for position, char in enumerate(stripped):
        category = unicodedata.category(char)
        if category == "Cc" and char not in _ALLOWED_CONTROLS:
            raise InvalidMessage(
                f"{field} contains the control character U+{ord(char):04X} at position {position}",
                field=field,
            )
        if category == "Cs":
            raise InvalidMessage(f"{field} contains a lone surrogate at position {position}", field=field)
    return stripped
