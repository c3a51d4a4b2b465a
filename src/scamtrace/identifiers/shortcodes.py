"""Thai short codes (``1185``, ``1441``, ``191``) and USSD strings (``*1185*0812345678#``).

Short codes are a kind of their own, not phone numbers: they cannot be dialled from
abroad, scammers spoof them in caller ids and SMS senders, and the alliance's own
channels live on them (1185 spam report, *1185# report-the-last-caller, AOC 1441).
USSD strings are kept as written with digits folded, because the string is the
evidence; a phone number inside (the reported caller, or the target of a call
forwarding code a victim was talked into dialling) is exposed in the facts.
"""

from __future__ import annotations

import re

from scamtrace.errors import InvalidIdentifier
from scamtrace.identifiers.model import Identifier, fold_number
from scamtrace.identifiers.phone import parse_phone

#: Well-known Thai short codes; scammers impersonate exactly these.
KNOWN_SHORT_CODES = {
    "191": "Royal Thai Police emergency",
    "199": "fire and rescue",
    "1111": "Government Contact Center",
    "1155": "Tourist Police",
    "1166": "Office of the Consumer Protection Board",
    "1185": "Spam Report Center (SMS to 1185, scam caller report by *1185#)",
    "1200": "NBTC complaints",
    "1202": "Department of Special Investigation",
    "1212": "Ministry of Digital Economy and Society online complaints (OCC)",
    "1213": "Bank of Thailand contact center",
    "1300": "Prachabodi social assistance center",
    "1441": "Anti Online Scam Operation Center (AOC)",
    "1599": "Central Investigation Bureau hotline",
    "1669": "emergency medical services",
}

#: GSM MMI service codes (3GPP TS 22.030) that divert calls: scammers talk victims into
#: dialling ``*21*<number>#`` so that bank one-time-password calls reach the gang.
CALL_FORWARDING_CODES = frozenset({"21", "61", "62", "67", "002", "004"})

_SHORT_CODE = re.compile(r"[1-9][0-9]{2,5}")
_USSD = re.compile(r"(\*\*|\*#|\*|##|#)([0-9]{1,6})((?:\*[0-9+]*)*)#")


def parse_short_code(raw: str) -> Identifier:
    """Canonicalise a Thai short code: 3 to 6 digits, digits folded.

    Args:
        raw: ``"1185"``, ``"๑๔๔๑"``, ``"1 4 4 1"``.

    Returns:
        ``Identifier("short_code", "1185", {"country": "TH", "line_type": "short_code",
        "service": ...})``; ``service`` only for well-known codes.

    Raises:
        InvalidIdentifier: not 3 to 6 digits, or starting with 0.
    """
    text = fold_number(raw)
    if not _SHORT_CODE.fullmatch(text):
        raise InvalidIdentifier(
            "short_code", raw, "a short code is 3 to 6 digits, not starting with 0"
        )
    facts: dict[str, object] = {"country": "TH", "line_type": "short_code"}
    service = KNOWN_SHORT_CODES.get(text)
    if service is not None:
        facts["service"] = service
    return Identifier("short_code", text, facts)


def parse_ussd(raw: str) -> Identifier:
    """Canonicalise a USSD / MMI string, exposing any phone number it carries.

    Args:
        raw: ``"*1185#"``, ``"*1185*081-234-5678#"``, ``"＊๑๑๘๕＃"``, ``"**21*0812345678#"``.

    Returns:
        ``Identifier("ussd", "*1185*0812345678#", {"service_code": "1185",
        "params": ["0812345678"], "phone": "+66812345678", ...})``.

    Raises:
        InvalidIdentifier: not of the form ``*code*param...#``.
    """
    text = fold_number(raw)
    match = _USSD.fullmatch(text)
    if match is None:
        raise InvalidIdentifier("ussd", raw, "a USSD string looks like *1185# or *1185*0812345678#")
    code = match.group(2)
    params = [p for p in match.group(3).split("*")[1:] if p]
    facts: dict[str, object] = {"service_code": code, "params": params}
    if code in KNOWN_SHORT_CODES:
        facts["service"] = KNOWN_SHORT_CODES[code]
    if code in CALL_FORWARDING_CODES and match.group(1) in ("*", "**"):
        facts["call_forwarding"] = True
    for param in params:
        try:
            facts["phone"] = parse_phone(param).value
            break
        except InvalidIdentifier:
            continue
    return Identifier("ussd", text, facts)
