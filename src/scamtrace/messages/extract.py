"""Pull every identifier out of a message, in the canonical form of scamtrace.identifiers.

The text is first de-obfuscated (:func:`scamtrace.messages.normalise.deobfuscate`), so
Thai digits, full-width forms, zero-width characters, homoglyphs, ``dot com`` and
``จุด com`` no longer hide anything. Spans are taken in a fixed order (links and
e-mails, then wallets, USSD codes, bank accounts, PromptPay ids, LINE ids, phones,
short codes) and each span is blanked once used, so the digits of a link are never
read again as a phone number. Candidates the identifier parsers reject are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scamtrace.errors import InvalidIdentifier
from scamtrace.identifiers import parse
from scamtrace.identifiers.banking import BANKS
from scamtrace.messages.normalise import (
    EMAIL_PATTERN,
    PHONE_PATTERN,
    URL_CANDIDATE,
    USSD_PATTERN,
    deobfuscate,
    is_link,
)


@dataclass(frozen=True)
class Indicator:
    """One identifier found in a message.

    Attributes:
        kind: an identifier kind of scamtrace.identifiers (``phone``, ``url``...).
        value: its canonical value.
    """

    kind: str
    value: str

    def to_dict(self) -> dict[str, str]:
        """The ``{kind, value}`` mapping used in command output and the API."""
        return {"kind": self.kind, "value": self.value}


def _bank_alias_pattern() -> re.Pattern[str]:
    names = {alias for bank in BANKS
             for alias in (bank["short"], bank["name_en"], bank["name_th"], *bank["aliases"])}
    # Longest first so "ธนาคารกสิกรไทย" wins over "กสิกร".
    ordered = sorted((n for n in names if len(n) >= 3), key=len, reverse=True)
    return re.compile(r"(?<![a-z])(?:" + "|".join(map(re.escape, ordered)) + r")(?![a-z])",
                      re.IGNORECASE)


_BANK_NAME = _bank_alias_pattern()
_ACCOUNT_WORD = r"(?:เลขที่บัญชี|เลขบัญชี|บัญชี|บช\.?|a/c|acct\.?|account(?:\s*no\.?)?)"
_ACCOUNT_NUMBER = re.compile(
    r"(?<![\d+])(\d(?:[\s\-]?\d){9,11})(?![\d])"
)
_ACCOUNT_CONTEXT = re.compile(_ACCOUNT_WORD + "|" + _BANK_NAME.pattern, re.IGNORECASE)
_PROMPTPAY = re.compile(
    r"(?:พร้อมเพย์|promptpay|prompt\s*pay)\D{0,15}?((?:\+?66|0)?\d(?:[\s\-]?\d){8,14})",
    re.IGNORECASE,
)
_LINE_ID = re.compile(
    r"(?:line\s*id|id\s*line|ไอดีไลน์|แอดไลน์|ไลน์ไอดี|ไลน์|add\s*line|line)\s*[:：=]?\s*"
    r"(@?[a-z0-9][a-z0-9._\-]{2,29})",
    re.IGNORECASE,
)
_WALLET = re.compile(
    r"\b(0x[0-9a-fA-F]{40}|bc1[02-9ac-hj-np-z]{11,71}|[13][1-9A-HJ-NP-Za-km-z]{25,34}"
    r"|T[1-9A-HJ-NP-Za-km-z]{33})\b"
)
_SHORT_CODE = re.compile(
    r"(?:โทร\.?|call|tel\.?|ส่ง(?:มา)?(?:ที่)?|sms\s*to|text\s*to|send\s*to|สายด่วน|hotline)"
    r"\s*:?\s*(1\d{2,4})(?![\d#*])",
    re.IGNORECASE,
)
_HAS_DIGIT = re.compile(r"\d")
_PHONE_WORD = re.compile(r"โทร|tel|call|ติดต่อ|เบอร์|phone|สายด่วน", re.IGNORECASE)
_LONG_TOKEN = re.compile(r"[0-9A-Za-z]{25}")
_SHORT_CODE_DIGITS = re.compile(r"(?<!\d)1\d{2,4}(?!\d)")


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _try(kind: str, raw: str, found: list[Indicator], **hints: str) -> bool:
    try:
        ident = parse(kind, raw, **hints)
    except InvalidIdentifier:
        return False
    found.append(Indicator(kind, ident.value))
    if kind == "url" and ident.facts.get("registered_domain"):
        found.append(Indicator("domain", str(ident.facts["registered_domain"])))
    return True


def _nearest_bank(text: str, position: int) -> str | None:
    best, best_distance = None, 10**9
    for match in _BANK_NAME.finditer(text):
        distance = position - match.end() if match.end() <= position else 3 * (match.start() - position)
        if 0 <= distance < best_distance:
            best, best_distance = match.group(0), distance
    return best


def extract_indicators(text: str, *, deobfuscated: str | None = None) -> list[Indicator]:
    """Find the phones, links, domains, accounts, PromptPay ids, LINE ids, e-mails, wallets.

    Args:
        text: a message as received, evasions included.
        deobfuscated: ``deobfuscate(text, homoglyphs=False)`` when the caller has it.

    Returns:
        Distinct indicators in canonical form, in order of kind then appearance.

    Examples:
        >>> [i.value for i in extract_indicators("โทร ๐๘๑-๒๓๔-๕๖๗๘ ด่วน")]
        ['+66812345678']
    """
    work = deobfuscate(text, homoglyphs=False) if deobfuscated is None else deobfuscated
    found: list[Indicator] = []
    lowered = work.lower()
    # Cheap substring tests first: most messages carry no e-mail, wallet or LINE id.
    if "@" in work:
        for match in EMAIL_PATTERN.finditer(work):
            if _try("email", match.group(0), found):
                work = _blank(work, match.start(), match.end())
    for match in URL_CANDIDATE.finditer(work):
        preceding = work[match.start() - 1] if match.start() else ""
        candidate = match.group(0).rstrip(".,;:!?)]}>")
        if is_link(candidate, preceding) and _try("url", candidate, found):
            work = _blank(work, match.start(), match.end())
    if _LONG_TOKEN.search(work):
        for match in _WALLET.finditer(work):
            if _try("wallet", match.group(1), found):
                work = _blank(work, match.start(), match.end())
    if _HAS_DIGIT.search(work):
        work = _extract_numbers(work, found)
    if "line" in lowered or "ไลน์" in work:
        for match in _LINE_ID.finditer(work):
            _try("line_id", match.group(1).rstrip("._-"), found)
    return list(dict.fromkeys(found))


def _extract_numbers(work: str, found: list[Indicator]) -> str:
    if "#" in work:
        for match in USSD_PATTERN.finditer(work):
            if _try("ussd", match.group(0), found):
                work = _blank(work, match.start(), match.end())
    lowered = work.lower()
    if "พร้อมเพย์" in work or "prompt" in lowered:
        for match in _PROMPTPAY.finditer(work):
            if _try("promptpay", re.sub(r"[\s\-]", "", match.group(1)), found):
                work = _blank(work, match.start(1), match.end(1))
    if _ACCOUNT_NUMBER.search(work) and _ACCOUNT_CONTEXT.search(work):
        for match in _ACCOUNT_NUMBER.finditer(work):
            context = work[max(0, match.start() - 40):match.start()]
            bank = _nearest_bank(work, match.start())
            digits = re.sub(r"\D", "", match.group(1))
            mobile_like = len(digits) == 10 and digits.startswith(("06", "08", "09"))
            # "โทร 081..." after an account in the same text is the gang's phone.
            if mobile_like and _PHONE_WORD.search(work[max(0, match.start() - 12):match.start()]):
                continue
            looks_like_account = re.search(_ACCOUNT_WORD, context, re.IGNORECASE) or (
                bank and not mobile_like)
            if bank and looks_like_account and _try("bank_account", match.group(1), found,
                                                    bank=bank):
                work = _blank(work, match.start(), match.end())
    for match in PHONE_PATTERN.finditer(work):
        if _try("phone", match.group(0), found):
            work = _blank(work, match.start(), match.end())
    if _SHORT_CODE_DIGITS.search(work):
        for match in _SHORT_CODE.finditer(work):
            _try("short_code", match.group(1), found)
    return work
