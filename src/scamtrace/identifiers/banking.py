"""Thai bank accounts, PromptPay ids and citizen ids.

Thailand has no IBAN: an account is identified by the three-digit bank code of the
interbank clearing (ITMX / Bank of Thailand) and the account number, whose length is
fixed per bank (10 digits for most, 12 for GSB, GHB and BAAC). The canonical form
``<code>:<digits>`` keeps both, because the same ten digits at two banks are two
different accounts.

Citizen ids are personal data (PDPA): after the checksum they are only ever kept as
``keyed_hash("national_id", digits)``, and error messages mask them.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

from scamtrace.errors import InvalidIdentifier
from scamtrace.identifiers.model import (
    DIGIT_FOLD,
    SEPARATORS,
    Identifier,
    fold_number,
    new_identifier,
)
from scamtrace.identifiers.phone import parse_phone
from scamtrace.keyed_hash import keyed_hash

#: The bank table (``data/thai_banks.json``): code, short name, English and Thai names,
#: account-number lengths and the names people write.
BANKS: tuple[dict[str, Any], ...] = tuple(
    json.loads(
        resources.files("scamtrace.identifiers").joinpath("data/thai_banks.json").read_text("utf-8")
    )
)
BANKS_BY_CODE: dict[str, dict[str, Any]] = {bank["code"]: bank for bank in BANKS}

# Facts of each bank, copied (one C-level dict copy) into each account identifier.
_BANK_FACTS = {
    bank["code"]: {
        "bank_code": bank["code"],
        "bank": bank["short"],
        "bank_name_en": bank["name_en"],
        "bank_name_th": bank["name_th"],
    }
    for bank in BANKS
}

_ALIAS_FOLD = str.maketrans({" ": None, ".": None, "-": None, "_": None, "(": None, ")": None})
_CANONICAL_ACCOUNT = re.compile(r"([0-9]{3}):([0-9]{6,15})")
_WRITTEN_ACCOUNT = re.compile(
    r"(?P<bank>.*?)[\s:#]*(?P<number>[0-9][0-9" + re.escape(SEPARATORS) + r"]*)", re.DOTALL
)


def _alias_key(name: str) -> str:
    key = name.strip().lower()
    for prefix in ("ธนาคาร", "ธ."):  # "ธนาคารกสิกรไทย", "ธ.กสิกรไทย" -> "กสิกรไทย"
        if key.startswith(prefix) and len(key) > len(prefix) + 2:
            key = key[len(prefix) :]
            break
    return key.translate(_ALIAS_FOLD)


def _build_aliases() -> dict[str, dict[str, Any]]:
    aliases: dict[str, dict[str, Any]] = {}
    for bank in BANKS:
        for name in (bank["short"], bank["name_en"], bank["name_th"], *bank["aliases"]):
            aliases[_alias_key(name)] = bank
        aliases[bank["code"]] = bank
        aliases[str(int(bank["code"]))] = bank  # "4" for 004, as some exports write it
    return aliases


_BANK_ALIASES = _build_aliases()


def find_bank(name: str) -> dict[str, Any] | None:
    """Look a bank up by code (``"004"``, ``"4"``), short name, or English or Thai name.

    Args:
        name: ``"KBANK"``, ``"Kasikornbank"``, ``"กสิกรไทย"``, ``"ธ.ก.ส."``, ``"014"``.

    Returns:
        The bank's row of :data:`BANKS`, or None.
    """
    return _BANK_ALIASES.get(_alias_key(name.translate(DIGIT_FOLD).strip()))


def _account(raw: str, bank: dict[str, Any], digits: str) -> Identifier:
    lengths = bank["lengths"]
    if len(digits) not in lengths and len(digits) - 3 in lengths and digits[:3] == bank["code"]:
        digits = digits[3:]  # "004-1-23456-789-0": the bank code written in front
    if len(digits) not in lengths:
        expected = " or ".join(str(n) for n in lengths)
        raise InvalidIdentifier(
            "bank_account",
            raw,
            f"{bank['short']} account numbers have {expected} digits, got {len(digits)}",
        )
    return new_identifier(
        "bank_account", bank["code"] + ":" + digits, dict(_BANK_FACTS[bank["code"]])
    )


def parse_bank_account(raw: str, bank: str | None = None) -> Identifier:
    """Canonicalise a Thai bank account to ``<bank code>:<digits>``.

    Args:
        raw: ``"004:1234567890"``, ``"kbank:1234567890"``, ``"KBANK 123-4-56789-0"``,
            ``"กสิกรไทย 123-4-56789-0"``, ``"004-1-23456-789-0"`` (code in front).
        bank: the bank when ``raw`` is digits only (code or any name of :func:`find_bank`).

    Returns:
        ``Identifier("bank_account", "004:1234567890", {"bank": "KBANK", ...})``.

    Raises:
        InvalidIdentifier: unknown bank, no bank given, or a length the bank does not use.
    """
    match = _CANONICAL_ACCOUNT.fullmatch(raw)
    if match is not None and match.group(1) in BANKS_BY_CODE and bank is None:
        return _account(raw, BANKS_BY_CODE[match.group(1)], match.group(2))
    written = _WRITTEN_ACCOUNT.fullmatch(raw.translate(DIGIT_FOLD).strip())
    if written is None:
        raise InvalidIdentifier("bank_account", raw, "expected a bank and an account number")
    digits = fold_number(written.group("number"))
    bank_name = written.group("bank").strip() or bank
    if bank_name:
        row = find_bank(bank_name)
        if row is None:
            raise InvalidIdentifier("bank_account", raw, f"unknown bank {bank_name!r}")
        return _account(raw, row, digits)
    row = BANKS_BY_CODE.get(digits[:3])
    if row is not None and len(digits) - 3 in row["lengths"]:
        return _account(raw, row, digits[3:])
    raise InvalidIdentifier(
        "bank_account", raw, "no bank given: write it in front (kbank:1234567890) or pass bank="
    )


def _mask(digits: str) -> str:
    return "*" * max(len(digits) - 4, 0) + digits[-4:]


def thai_citizen_id_valid(digits: str) -> bool:
    """True when 13 digits carry a valid Thai citizen-id check digit.

    The check digit is ``(11 - sum(d[i] * (13 - i) for i < 12) mod 11) mod 10``
    (Department of Provincial Administration).

    Args:
        digits: exactly 13 ASCII digits.

    Returns:
        Whether the last digit matches.
    """
    if len(digits) != 13 or not (digits.isascii() and digits.isdigit()):
        return False
    total = sum(int(digits[i]) * (13 - i) for i in range(12))
    return (11 - total % 11) % 10 == int(digits[12])


def _citizen_id(kind: str, raw: str, digits: str) -> tuple[str, dict[str, object]]:
    if len(digits) != 13 or not (digits.isascii() and digits.isdigit()):
        raise InvalidIdentifier(kind, _mask(digits), "a Thai citizen id has 13 digits")
    if not thai_citizen_id_valid(digits):
        raise InvalidIdentifier(kind, _mask(digits), "the check digit of the citizen id is wrong")
    return keyed_hash("national_id", digits), {"last4": digits[-4:], "hashed": True}


def parse_national_id(raw: str) -> Identifier:
    """Validate a Thai citizen id and return only its keyed hash (PDPA).

    Args:
        raw: ``"1-1015-00000-00-1"``, ``"๑๑๐๑๕๐๐๐๐๐๐๐๑"`` (any separators, Thai digits).

    Returns:
        ``Identifier("national_id", keyed_hash("national_id", digits), {"last4", "hashed"})``.

    Raises:
        InvalidIdentifier: not 13 digits or a wrong check digit (the message shows only
            the last four digits).
    """
    value, facts = _citizen_id("national_id", raw, fold_number(raw))
    return Identifier("national_id", value, facts)


def parse_promptpay(raw: str) -> Identifier:
    """Canonicalise a PromptPay proxy: a mobile number, a citizen id or an e-wallet id.

    Args:
        raw: ``"081-234-5678"`` or ``"0066812345678"`` (phone, as in PromptPay QR codes),
            ``"1-1015-00000-00-1"`` (citizen id), ``"140000123456789"`` (15-digit e-wallet).

    Returns:
        ``Identifier("promptpay", value, {"id_type": ...})`` where value is the E.164
        phone, the keyed hash of the citizen id (the same value as kind national_id,
        so both correlate), or the 15 e-wallet digits.

    Raises:
        InvalidIdentifier: none of the three forms, a landline, or a bad citizen-id check digit.
    """
    text = fold_number(raw)
    digits = text[1:] if text[:1] == "+" else text
    if not (digits.isascii() and digits.isdigit()):
        raise InvalidIdentifier("promptpay", raw, "a PromptPay id has only digits")
    if (
        text[:1] == "+"
        or (len(text) == 10 and text[0] == "0")
        or (len(text) == 13 and text.startswith("0066"))
    ):
        try:
            phone = parse_phone(text)
        except InvalidIdentifier as exc:
            raise InvalidIdentifier(
                "promptpay", raw, f"PromptPay phone ids are Thai mobile numbers: {exc.reason}"
            ) from None
        if phone.facts.get("line_type") != "mobile" or phone.facts.get("country") != "TH":
            raise InvalidIdentifier("promptpay", raw, "PromptPay phone ids are Thai mobile numbers")
        return Identifier("promptpay", phone.value, {"id_type": "phone", "line_type": "mobile"})
    if len(text) == 13:
        value, facts = _citizen_id("promptpay", raw, text)
        return Identifier("promptpay", value, {"id_type": "citizen_id", **facts})
    if len(text) == 15:
        return Identifier("promptpay", text, {"id_type": "ewallet", "provider_code": text[:3]})
    raise InvalidIdentifier(
        "promptpay",
        raw,
        "a PromptPay id is a 10-digit mobile, a 13-digit citizen id or a 15-digit e-wallet id",
    )
