"""Thai bank accounts, PromptPay ids and citizen ids (kept only as keyed hashes)."""

from __future__ import annotations

import pytest

from scamtrace.errors import InvalidIdentifier
from scamtrace.identifiers import parse
from scamtrace.identifiers.banking import BANKS, BANKS_BY_CODE, find_bank, thai_citizen_id_valid
from scamtrace.keyed_hash import keyed_hash

VALID_CITIZEN_IDS = ["1101700230708", "3100600123450", "1101500000008", "5700100012340"]


@pytest.mark.parametrize(
    "raw",
    [
        "004:1234567890",
        "kbank:1234567890",
        "KBANK 123-4-56789-0",
        "KBank: 123-4-56789-0",
        "K-Bank 1234567890",
        "Kasikornbank 123 4 56789 0",
        "กสิกรไทย 123-4-56789-0",
        "ธนาคารกสิกรไทย ๑๒๓-๔-๕๖๗๘๙-๐",
        "ธ.กสิกรไทย 1234567890",
        "004-1-23456-789-0",
        "004 1234567890",
        "4:1234567890",
    ],
)
def test_every_written_form_of_a_kbank_account_gives_one_value(raw):
    ident = parse("bank_account", raw)
    assert ident.value == "004:1234567890"
    assert ident.facts == {
        "bank_code": "004",
        "bank": "KBANK",
        "bank_name_en": "Kasikornbank",
        "bank_name_th": "ธนาคารกสิกรไทย",
    }


@pytest.mark.parametrize(
    ("hint", "code"), [("SCB", "014"), ("014", "014"), ("ไทยพาณิชย์", "014"), ("krungsri", "025")]
)
def test_bank_hint_names_the_bank_of_bare_digits(hint, code):
    assert parse("bank_account", "123-4-56789-0", bank=hint).value == f"{code}:1234567890"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("GSB 0200-1234-5678", "030:020012345678"),
        ("ธ.ก.ส. 1234-5678-9012", "034:123456789012"),
        ("ธกส 123456789012", "034:123456789012"),
        ("ออมสิน 020012345678", "030:020012345678"),
        ("ghb:123456789012", "033:123456789012"),
    ],
)
def test_state_banks_use_twelve_digits(raw, value):
    assert parse("bank_account", raw).value == value


def test_table_covers_the_fifteen_largest_banks_with_lengths():
    required = {
        "002",
        "004",
        "006",
        "011",
        "014",
        "022",
        "024",
        "025",
        "030",
        "033",
        "034",
        "066",
        "067",
        "069",
        "071",
        "073",
    }
    assert required <= set(BANKS_BY_CODE)
    assert len(BANKS) >= 15
    for bank in BANKS:
        assert len(bank["code"]) == 3
        assert bank["name_th"].startswith("ธนาคาร")
        assert all(length in (10, 12) for length in bank["lengths"])
        assert find_bank(bank["short"]) is bank
        assert find_bank(bank["name_th"]) is bank


@pytest.mark.parametrize(
    ("raw", "hint", "reason"),
    [
        ("kbank 123-4-5678", None, "KBANK account numbers have 10 digits, got 8"),
        ("gsb 1234567890", None, "GSB account numbers have 12 digits, got 10"),
        ("nobank 1234567890", None, "unknown bank 'nobank'"),
        ("1234567890", None, "no bank given"),
        ("1234567890", "nobank", "unknown bank 'nobank'"),
        ("kbank", None, "expected a bank and an account number"),
    ],
)
def test_bad_accounts_say_what_is_wrong(raw, hint, reason):
    with pytest.raises(InvalidIdentifier) as caught:
        parse("bank_account", raw, bank=hint)
    assert reason in caught.value.reason


@pytest.mark.parametrize("digits", VALID_CITIZEN_IDS)
def test_citizen_id_checksum_accepts_valid_ids(digits):
    assert thai_citizen_id_valid(digits)


@pytest.mark.parametrize(
    "digits", ["1101700230707", "3100600123451", "110170023070", "abcdefghijklm"]
)
def test_citizen_id_checksum_rejects_others(digits):
    assert not thai_citizen_id_valid(digits)


@pytest.mark.parametrize(
    "raw", ["1-1017-00230-70-8", "1101700230708", "๑๑๐๑๗๐๐๒๓๐๗๐๘", "1 1017 00230 70 8"]
)
def test_national_id_is_only_ever_a_keyed_hash(raw):
    ident = parse("national_id", raw)
    assert ident.value == keyed_hash("national_id", "1101700230708")
    assert "1101700230708" not in str(ident)
    assert ident.facts == {"last4": "0708", "hashed": True}


def test_wrong_national_id_error_masks_the_number():
    with pytest.raises(InvalidIdentifier) as caught:
        parse("national_id", "1101700230707")
    assert "check digit" in caught.value.reason
    assert "110170023" not in caught.value.detail
    assert "0707" in caught.value.detail


@pytest.mark.parametrize("raw", ["081-234-5678", "+66812345678", "0066812345678", "๐๘๑๒๓๔๕๖๗๘"])
def test_promptpay_phone_is_e164(raw):
    ident = parse("promptpay", raw)
    assert ident.value == "+66812345678"
    assert ident.facts["id_type"] == "phone"


def test_promptpay_citizen_id_correlates_with_national_id():
    ident = parse("promptpay", "1-1017-00230-70-8")
    assert ident.value == parse("national_id", "1101700230708").value
    assert ident.facts == {"id_type": "citizen_id", "last4": "0708", "hashed": True}


def test_promptpay_ewallet_is_fifteen_digits():
    ident = parse("promptpay", "140-000-123456789")
    assert ident.value == "140000123456789"
    assert ident.facts == {"id_type": "ewallet", "provider_code": "140"}


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("02-123-4567", "a 10-digit mobile"),
        ("0212345678", "Thai mobile numbers"),
        ("1101700230707", "check digit"),
        ("12345", "a 10-digit mobile"),
        ("abc", "only digits"),
    ],
)
def test_bad_promptpay_ids_are_rejected(raw, reason):
    with pytest.raises(InvalidIdentifier) as caught:
        parse("promptpay", raw)
    assert reason in caught.value.reason
