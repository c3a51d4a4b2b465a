"""Devices, LINE ids, sender ids, the parse() entry point and guess()."""

from __future__ import annotations

import pytest

from scamtrace.errors import InvalidIdentifier
from scamtrace.identifiers import KINDS, Identifier, guess, parse
from scamtrace.identifiers.devices import luhn_check_digit


def test_kinds_are_those_of_the_design():
    assert set(KINDS) == {
        "phone",
        "short_code",
        "ussd",
        "sender_id",
        "url",
        "domain",
        "email",
        "bank_account",
        "promptpay",
        "national_id",
        "line_id",
        "wallet",
        "imei",
        "imsi",
    }


def test_identifier_is_frozen_and_compares_on_kind_and_value():
    one = Identifier("phone", "+66812345678", {"line_type": "mobile"})
    other = Identifier("phone", "+66812345678", {})
    assert one == other
    assert len({one, other}) == 1
    assert one.key == "phone:+66812345678"
    with pytest.raises(AttributeError):
        one.value = "x"  # type: ignore[misc]


def test_parse_refuses_unknown_kinds_hints_and_non_text():
    with pytest.raises(InvalidIdentifier, match="unknown kind"):
        parse("fax", "123")
    with pytest.raises(InvalidIdentifier, match="unsupported hint bank"):
        parse("phone", "0812345678", bank="kbank")
    with pytest.raises(InvalidIdentifier, match="expected text"):
        parse("phone", 812345678)  # type: ignore[arg-type]
    with pytest.raises(InvalidIdentifier, match="longer than"):
        parse("url", "https://example.com/" + "a" * 3000)


@pytest.mark.parametrize(
    ("raw", "value", "extra"),
    [
        ("49-015420-323751-8", "490154203237518", {}),
        ("๔๙๐๑๕๔๒๐๓๒๓๗๕๑๘", "490154203237518", {}),
        ("49015420323751", "490154203237518", {"check_digit_computed": True}),
        (
            "4901542032375101",
            "490154203237518",
            {"check_digit_computed": True, "software_version": "01"},
        ),
        ("490154203237510", "490154203237518", {"spare_digit_replaced": True}),
    ],
)
def test_imei_forms(raw, value, extra):
    ident = parse("imei", raw)
    assert ident.value == value
    assert ident.facts == {"tac": "49015420", **extra}


def test_luhn_check_digit_of_a_known_imei():
    assert luhn_check_digit("35209900176148") == "1"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [("490154203237517", "should be 8"), ("1234", "15 digits"), ("49015x", "only digits")],
)
def test_bad_imei(raw, reason):
    with pytest.raises(InvalidIdentifier) as caught:
        parse("imei", raw)
    assert reason in caught.value.reason


def test_thai_imsi_is_marked():
    ident = parse("imsi", "520 01 1234567890")
    assert ident.value == "520011234567890"
    assert ident.facts == {"mcc": "520", "country": "TH", "mnc": "01"}


def test_foreign_imsi_has_mcc_only():
    assert parse("imsi", "456061234567890").facts == {"mcc": "456"}


def test_short_imsi_is_rejected():
    with pytest.raises(InvalidIdentifier, match="15 digits"):
        parse("imsi", "52001123")


@pytest.mark.parametrize(
    ("raw", "value", "official"),
    [
        ("Somchai_99", "somchai_99", False),
        ("scam.refund", "scam.refund", False),
        ("@KBankLive", "@kbanklive", True),
        ("https://line.me/ti/p/~scam.refund", "scam.refund", False),
        ("line.me/R/ti/p/@abc1234", "@abc1234", True),
        ("https://line.me/R/ti/p/%40abc1234", "@abc1234", True),
    ],
)
def test_line_ids(raw, value, official):
    ident = parse("line_id", raw)
    assert ident.value == value
    assert ident.facts == {"official": official}


@pytest.mark.parametrize("raw", ["abc", "has space", "ไลน์ไอดี", "@a", "x" * 21, "bad!char"])
def test_bad_line_ids(raw):
    with pytest.raises(InvalidIdentifier):
        parse("line_id", raw)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("KBank", "kbank"),
        ("K-Bank", "kbank"),
        ("Thai Post", "thaipost"),
        ("ＴＨＡＩＰＯＳＴ", "thaipost"),
        ("AIS", "ais"),
        ("NT", "nt"),
        ("TrueMove H", "truemoveh"),
    ],
)
def test_sender_ids_are_case_folded_alphanumerics(raw, value):
    assert parse("sender_id", raw).value == value


@pytest.mark.parametrize(
    ("raw", "reason"),
    [("a", "2-11"), ("ThisIsTooLongSender", "2-11"), ("กสิกร", "ASCII"), ("1185", "all digits")],
)
def test_bad_sender_ids(raw, reason):
    with pytest.raises(InvalidIdentifier) as caught:
        parse("sender_id", raw)
    assert reason in caught.value.reason


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("๐๘๑-๒๓๔-๕๖๗๘", "phone:+66812345678"),
        ("+697123456789", "phone:+697123456789"),
        ("1185", "short_code:1185"),
        ("*1185*0812345678#", "ussd:*1185*0812345678#"),
        ("bit.ly/abc", "url:http://bit.ly/abc"),
        ("https://kbank-secure.com/login", "url:https://kbank-secure.com/login"),
        ("kbank-secure.co.th", "domain:kbank-secure.co.th"),
        ("Support@Example.com", "email:support@example.com"),
        ("kbank 123-4-56789-0", "bank_account:004:1234567890"),
        ("004-1-23456-789-0", "bank_account:004:1234567890"),
        ("0066812345678", "phone:+66812345678"),
        ("@kbanklive", "line_id:@kbanklive"),
        ("scam.refund", "line_id:scam.refund"),
        ("KBank", "sender_id:kbank"),
        (
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "wallet:eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
        ),
        ("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "wallet:tron:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"),
        (
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            "wallet:btc:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        ),
        ("490154203237518", "imei:490154203237518"),
        ("520011234567890", "imsi:520011234567890"),
        ("140000123456789", "promptpay:140000123456789"),
    ],
)
def test_guess_picks_the_likely_kind(raw, key):
    assert guess(raw).key == key


def test_guess_of_a_citizen_id_gives_only_the_hash():
    ident = guess("1-1017-00230-70-8")
    assert ident.kind == "national_id"
    assert ident.facts["last4"] == "0708"


@pytest.mark.parametrize("raw", ["", "   ", "!!", "hello world how are you", "ftp://example.com"])
def test_guess_rejects_what_no_kind_accepts(raw):
    with pytest.raises(InvalidIdentifier) as caught:
        guess(raw)
    assert caught.value.kind == "unknown"


def test_guess_error_on_a_bad_citizen_id_masks_it():
    with pytest.raises(InvalidIdentifier) as caught:
        guess("1101700230707")
    assert "11017002" not in caught.value.detail


def test_every_kind_is_documented_for_analysts():
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "docs" / "identifiers.md").read_text("utf-8")
    headings = [line for line in page.splitlines() if line.startswith("### ")]
    for kind in KINDS:
        assert f"| `{kind}` |" in page, f"{kind} missing from the table of docs/identifiers.md"
        assert any(kind in line.split() for line in headings), f"{kind} has no section"
