"""Best-effort detection of an identifier's kind from its written form.

Used where the kind is not given: a citizen pastes "something suspicious" into the
check page, or an extractor meets a token in free text. The order of the candidates
decides ambiguous cases and is documented in docs/identifiers.md: a 15-digit string
starting 520 is an IMSI before an IMEI, a 13-digit string with a valid citizen-id
check digit is a national id, letters-only tokens are sender ids before LINE ids.
"""

from __future__ import annotations

import re

from scamtrace.errors import InvalidIdentifier
from scamtrace.identifiers.model import DIGIT_FOLD, Identifier, fold_number
from scamtrace.identifiers.parsing import parse

_WALLET_HINT = re.compile(
    r"(?:(?:btc|bitcoin|eth|ethereum|tron|trx):)?(?:0x[0-9a-fA-F]{40}|bc1\w{6,}|BC1\w{6,}|T\w{33}|[13]\w{24,33})"
)
_EMAIL_HINT = re.compile(r"(?:mailto:)?[^@\s/]+@[^@\s/]+\.[^@\s/]+")
_URLISH = re.compile(r"(?:[a-zA-Z][a-zA-Z0-9+.-]*://|www\.)|[^\s/@]+\.[^\s/@]+/", re.IGNORECASE)
_HOSTISH = re.compile(r"[^\s/@:]+\.[^\s/@:.\d][^\s/@:]*\.?")
_BANK_HINT = re.compile(r"[^\d\s:]+[\s:]*\d[\d\s.()/\-]*|\d{3}:\d+")
_LINE_HINT = re.compile(r"@[\w.-]+|(?:https?://)?(?:line\.me|lin\.ee)/.*", re.IGNORECASE)


def _candidates(raw: str) -> list[str]:
    text = raw.strip()
    folded = fold_number(text)
    if folded[:1] in ("*", "#") and folded.endswith("#"):
        return ["ussd"]
    if _WALLET_HINT.fullmatch(text):
        return ["wallet"]
    if _LINE_HINT.fullmatch(text):
        return ["line_id"]
    if _EMAIL_HINT.fullmatch(text):
        return ["email"]
    if _URLISH.match(text):
        return ["url"]
    digits = folded[1:] if folded[:1] == "+" else folded
    if digits.isascii() and digits.isdigit():
        if folded[:1] == "+" or folded[:4] == "0066":
            return ["phone"]
        if folded[:2] == "00":  # "004-1-23456-789-0" is KBANK's code before an account
            return ["bank_account", "phone"] if len(digits) in (13, 15) else ["phone"]
        if len(digits) == 13:
            return ["national_id", "bank_account", "promptpay"]
        if len(digits) == 15:
            return (
                ["imsi", "imei", "bank_account", "promptpay"]
                if digits.startswith("520")
                else ["imei", "bank_account", "promptpay"]
            )
        if len(digits) in (14, 16):
            return ["imei", "imsi"]
        if digits[0] == "1" and len(digits) <= 6:
            return ["short_code"]
        return ["phone", "short_code"]
    if _HOSTISH.fullmatch(text):
        return ["domain", "line_id"]
    if _BANK_HINT.fullmatch(text.translate(DIGIT_FOLD)):
        return ["bank_account", "sender_id", "line_id"]
    return ["sender_id", "line_id"]


def guess(raw: str) -> Identifier:
    """Parse ``raw`` as the most likely kind.

    Args:
        raw: any identifier as written, e.g. ``"๐๘๑-๒๓๔-๕๖๗๘"``, ``"bit.ly/abc"``,
            ``"kbank 123-4-56789-0"``, ``"*1185#"``.

    Returns:
        The :class:`Identifier` of the first kind that accepts it.

    Raises:
        InvalidIdentifier: no kind accepts it (kind ``"unknown"``), with the reason
            given by the most likely kind.
    """
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidIdentifier("unknown", raw, "empty")
    first_error: InvalidIdentifier | None = None
    for kind in _candidates(raw):
        try:
            found = parse(kind, raw)
        except InvalidIdentifier as exc:
            first_error = first_error or exc
            continue
        if kind == "domain" and found.facts["suffix_section"] == "default":
            continue  # "scam.refund" ends in no real TLD: more likely a LINE id
        return found
    if first_error is None:
        raise InvalidIdentifier("unknown", raw, "not recognised (no kind fits)")
    # first_error.raw is masked for citizen ids (PDPA), so it is shown instead of raw
    reason = f"not recognised ({first_error.kind}: {first_error.reason})"
    raise InvalidIdentifier("unknown", first_error.raw, reason)
