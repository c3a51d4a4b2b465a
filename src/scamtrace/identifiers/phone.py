"""Phone numbers in E.164, with the Thai numbering plan and the NBTC display prefixes.

Thai plan (NBTC, ITU-T E.164 communication for +66): mobile numbers are ``0`` plus
nine digits starting 6, 8 or 9; fixed lines are ``0`` plus eight digits in area 02
(Bangkok and vicinity) or a two-digit provincial area code (03x, 04x, 05x, 07x).
Calls from abroad carry a display prefix that NBTC ordered operators to add in 2022:
``+697`` for voice over IP from overseas, ``+698`` for Thai numbers roaming abroad.
Neither is an ITU country code (69x beyond 692 is spare), so they are recognised here
rather than looked up.

This is a hot path (batch correlation runs 200k lookups a second), hence one translate
pass (:func:`fold_number`), no regexes and frozensets for every membership test.
"""

from __future__ import annotations

import json
from importlib import resources

from scamtrace.errors import InvalidIdentifier
from scamtrace.identifiers.model import Identifier, fold_number, new_identifier

#: Provincial two-digit area codes after the trunk 0 (02 is Bangkok and takes 7 digits).
THAI_AREA_CODES = frozenset(
    ["32", "34", "35", "36", "37", "38", "39", "42", "43", "44", "45"]
    + ["53", "54", "55", "56", "73", "74", "75", "76", "77"]
)
_MOBILE_LEADS = frozenset("689")

#: NBTC display prefixes of calls from abroad, with the facts they imply.
DISPLAY_PREFIXES = {
    "697": {"line_type": "voip", "origin": "overseas", "display_prefix": "+697"},
    "698": {"line_type": "mobile", "origin": "overseas", "display_prefix": "+698", "roaming": True},
}

#: ITU country calling code -> primary ISO 3166 region ("001" for non-geographic codes).
CALLING_CODES: dict[str, str] = json.loads(
    resources.files("scamtrace.identifiers").joinpath("data/calling_codes.json").read_text()
)
_SATELLITE_CODES = frozenset({"870", "881"})


def _is_digits(text: str) -> bool:
    return bool(text) and text.isascii() and text.isdigit()


def thai_number_facts(nsn: str) -> dict[str, object] | None:
    """Facts of a Thai national significant number (the digits after +66), or None.

    Args:
        nsn: digits after the country code, without the trunk 0 (``"812345678"``).

    Returns:
        ``{"country", "line_type", "national", ...}`` or None when the plan has no such number.
    """
    if len(nsn) == 9 and nsn[0] in _MOBILE_LEADS:
        return {"country": "TH", "line_type": "mobile", "national": "0" + nsn}
    if len(nsn) == 8:
        if nsn[0] == "2":
            return {
                "country": "TH",
                "line_type": "landline",
                "national": "0" + nsn,
                "area_code": "02",
            }
        if nsn[:2] in THAI_AREA_CODES:
            area = "0" + nsn[:2]
            return {
                "country": "TH",
                "line_type": "landline",
                "national": "0" + nsn,
                "area_code": area,
            }
    return None


def _thai_reason(nsn: str) -> str:
    if nsn and nsn[0] in _MOBILE_LEADS:
        return f"Thai mobile numbers have 10 digits (0 + 9), got 0 + {len(nsn)}"
    if nsn and nsn[0] in "23457":
        if len(nsn) == 8:
            return f"0{nsn[:2]} is not a Thai area code"
        return f"Thai landline numbers have 9 digits (0 + 8), got 0 + {len(nsn)}"
    return "no Thai number starts with 0" + nsn[:1]


def _thai(raw: str, nsn: str) -> Identifier:
    facts = thai_number_facts(nsn)
    if facts is None:
        raise InvalidIdentifier("phone", raw, _thai_reason(nsn))
    return new_identifier("phone", "+66" + nsn, facts)


def _international(raw: str, digits: str) -> Identifier:
    if digits.startswith("66"):
        # "+66 081..." keeps the trunk 0 by mistake; E.164 has none
        return _thai(raw, digits[2:].removeprefix("0"))
    prefix = digits[:3]
    if prefix in DISPLAY_PREFIXES:
        rest = digits[3:]
        if not 6 <= len(rest) <= 12:
            raise InvalidIdentifier("phone", raw, f"+{prefix} must be followed by 6 to 12 digits")
        return Identifier("phone", "+" + digits, dict(DISPLAY_PREFIXES[prefix]))
    for size in (1, 2, 3):
        region = CALLING_CODES.get(digits[:size])
        if region is not None:
            code = digits[:size]
            break
    else:
        raise InvalidIdentifier("phone", raw, f"+{digits[:3]} is not an assigned country code")
    if not 7 <= len(digits) <= 15 or len(digits) - len(code) < 4:
        raise InvalidIdentifier("phone", raw, "international numbers have 7 to 15 digits in all")
    facts: dict[str, object] = {"country": region, "calling_code": code, "line_type": "unknown"}
    if code in _SATELLITE_CODES:
        facts["line_type"] = "satellite"
    return Identifier("phone", "+" + digits, facts)


def parse_phone(raw: str) -> Identifier:
    """Canonicalise a phone number to E.164.

    Args:
        raw: the number as written: ``081-234-5678``, ``+66 81 234 5678``,
            ``0066812345678``, ``66812345678``, ``๐๘๑๒๓๔๕๖๗๘``, ``+855 12 345 678``.
            A nine-digit mobile or eight-digit landline number whose trunk 0 a
            spreadsheet dropped (``812345678``) is read as Thai.

    Returns:
        ``Identifier("phone", "+66812345678", {"country": "TH", "line_type": "mobile", ...})``.

    Raises:
        InvalidIdentifier: not a number of the Thai plan nor an E.164 number; short codes
            and USSD strings are their own kinds and are refused here with that hint.
    """
    text = fold_number(raw)
    if text[:1] == "+":
        digits = text[1:]
        if not _is_digits(digits):
            raise InvalidIdentifier("phone", raw, "only digits may follow +")
        return _international(raw, digits)
    if not (text.isdigit() and text.isascii()):
        if text[:4].lower() == "tel:":  # RFC 3966 links in web pages and QR codes
            return parse_phone(text[4:])
        if "*" in text or "#" in text:
            raise InvalidIdentifier("phone", raw, "a USSD string; parse it as kind ussd")
        raise InvalidIdentifier("phone", raw, "a phone number has only digits and separators")
    if text[0] == "0":
        if text[1:2] == "0":  # 00 is the international access prefix (0066...)
            return _international(raw, text[2:])
        return _thai(raw, text[1:])
    if text[:2] == "66" and len(text) in (10, 11):
        return _thai(raw, text[2:])
    if (len(text) == 9 and text[0] in _MOBILE_LEADS) or (len(text) == 8 and text[0] in "23457"):
        return _thai(raw, text)
    if text[0] == "1" and 3 <= len(text) <= 6:
        raise InvalidIdentifier("phone", raw, "a Thai short code; parse it as kind short_code")
    raise InvalidIdentifier(
        "phone", raw, "neither a Thai number (leading 0 or 66) nor international (+ or 00)"
    )
