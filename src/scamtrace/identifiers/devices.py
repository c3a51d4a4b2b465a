"""Handset and SIM identities: IMEI (with its Luhn check digit) and IMSI.

Mule-SIM hunting links SIMs through the handsets they were used in (SIM boxes hold
dozens of SIMs behind a few IMEIs), so both appear in call records. Networks often
report an IMEI as 14 digits (TAC + serial) or as a 16-digit IMEISV; both are
turned into the 15-digit IMEI with its computed check digit (3GPP TS 23.003).
"""

from __future__ import annotations

from scamtrace.errors import InvalidIdentifier
from scamtrace.identifiers.model import Identifier, fold_number

#: Mobile country code of Thailand (ITU-T E.212).
THAI_MCC = "520"


def luhn_check_digit(body: str) -> str:
    """Return the Luhn check digit that completes ``body`` (ASCII digits).

    Args:
        body: the digits before the check digit, e.g. the 14 digits of an IMEI.

    Returns:
        One digit as a string.

    Examples:
        >>> luhn_check_digit("49015420323751")
        '8'
    """
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = ord(char) - 48
        if position % 2 == 0:  # doubled: every second digit from the right of the full number
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def _digits(kind: str, raw: str) -> str:
    text = fold_number(raw)
    if not (text.isascii() and text.isdigit()):
        raise InvalidIdentifier(kind, raw, "only digits and separators are allowed")
    return text


def parse_imei(raw: str) -> Identifier:
    """Canonicalise an IMEI to 15 digits with a valid Luhn check digit.

    Args:
        raw: ``"49-015420-323751-8"`` (15 digits), ``"49015420323751"`` (14, check digit
            computed), ``"4901542032375101"`` (16-digit IMEISV, software version dropped),
            ``"490154203237510"`` (network form, spare 0 in place of the check digit).

    Returns:
        ``Identifier("imei", "490154203237518", {"tac": "49015420", ...})``.

    Raises:
        InvalidIdentifier: another length, or 15 digits whose last digit is neither the
            Luhn check digit nor the network's spare 0.
    """
    text = _digits("imei", raw)
    facts: dict[str, object] = {}
    if len(text) == 16:
        facts["software_version"] = text[14:]
        text = text[:14]
    if len(text) == 14:
        facts["check_digit_computed"] = True
        text += luhn_check_digit(text)
    elif len(text) != 15:
        raise InvalidIdentifier(
            "imei", raw, f"an IMEI has 15 digits (14 or 16 accepted), got {len(text)}"
        )
    elif luhn_check_digit(text[:14]) != text[14]:
        if text[14] != "0":
            raise InvalidIdentifier(
                "imei", raw, f"Luhn check digit should be {luhn_check_digit(text[:14])}"
            )
        # Networks send the IMEI with a spare 0 in place of the check digit (3GPP TS 23.003
        # section 6.2.1), so call records carry that form; it is the same handset.
        facts["spare_digit_replaced"] = True
        text = text[:14] + luhn_check_digit(text[:14])
    facts["tac"] = text[:8]
    return Identifier("imei", text, facts)


def parse_imsi(raw: str) -> Identifier:
    """Canonicalise an IMSI (MCC + MNC + MSIN, up to 15 digits).

    Args:
        raw: ``"520 01 1234567890"``.

    Returns:
        ``Identifier("imsi", "520011234567890", {"mcc": "520", "country": "TH", "mnc": "01"})``;
        the MNC is given for Thailand only, where it always has two digits.

    Raises:
        InvalidIdentifier: not 14 or 15 digits.
    """
    text = _digits("imsi", raw)
    if len(text) not in (14, 15):
        raise InvalidIdentifier(
            "imsi", raw, f"an IMSI has 15 digits (14 accepted), got {len(text)}"
        )
    facts: dict[str, object] = {"mcc": text[:3]}
    if text[:3] == THAI_MCC:
        facts["country"] = "TH"
        facts["mnc"] = text[3:5]
    return Identifier("imsi", text, facts)
