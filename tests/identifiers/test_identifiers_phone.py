"""Phone numbers, short codes and USSD strings: every written form to one value."""

from __future__ import annotations

import pytest

from scamtrace.errors import InvalidIdentifier
from scamtrace.identifiers import parse

MOBILE_FORMS = [
    "0812345678",
    "081-234-5678",
    "081 234 5678",
    "081.234.5678",
    "(081) 234-5678",
    "+66812345678",
    "+66 81 234 5678",
    "+66-81-234-5678",
    "+66 (0) 81 234 5678",
    "0066812345678",
    "00 66 81 234 5678",
    "66812345678",
    "812345678",
    "๐๘๑๒๓๔๕๖๗๘",
    "๐๘๑-๒๓๔-๕๖๗๘",
    "０８１２３４５６７８",
    "＋６６　８１　２３４　５６７８",
    "081\u2013234\u20135678",
    " 0812345678\n",
    "tel:+66-81-234-5678",
]


@pytest.mark.parametrize("raw", MOBILE_FORMS)
def test_every_written_form_of_a_mobile_gives_one_value(raw):
    ident = parse("phone", raw)
    assert ident.kind == "phone"
    assert ident.value == "+66812345678"
    assert ident.facts == {"country": "TH", "line_type": "mobile", "national": "0812345678"}


@pytest.mark.parametrize(
    ("raw", "value", "area"),
    [
        ("02-123-4567", "+6621234567", "02"),
        ("(02) 123 4567", "+6621234567", "02"),
        ("+66 2 123 4567", "+6621234567", "02"),
        ("053-123456", "+6653123456", "053"),
        ("๐๗๔-๑๒๓๔๕๖", "+6674123456", "074"),
        ("6638123456", "+6638123456", "038"),
    ],
)
def test_landlines_carry_their_area_code(raw, value, area):
    ident = parse("phone", raw)
    assert ident.value == value
    assert ident.facts["line_type"] == "landline"
    assert ident.facts["area_code"] == area


@pytest.mark.parametrize("raw", ["061-234-5678", "0912345678", "+66 96 123 4567"])
def test_06_and_09_numbers_are_mobile(raw):
    assert parse("phone", raw).facts["line_type"] == "mobile"


def test_nbtc_voip_prefix_697_is_voip_from_abroad():
    ident = parse("phone", "+697 123 456 789")
    assert ident.value == "+697123456789"
    assert ident.facts == {"line_type": "voip", "origin": "overseas", "display_prefix": "+697"}


def test_nbtc_roaming_prefix_698_is_a_roaming_mobile():
    ident = parse("phone", "+698812345678")
    assert ident.value == "+698812345678"
    assert ident.facts["roaming"] is True
    assert ident.facts["origin"] == "overseas"


@pytest.mark.parametrize(
    ("raw", "value", "country"),
    [
        ("+855 12 345 678", "+85512345678", "KH"),
        ("00856 20 5555 1234", "+8562055551234", "LA"),
        ("+95 9 123 456 789", "+959123456789", "MM"),
        ("+86 138 0013 8000", "+8613800138000", "CN"),
        ("+1 (415) 555-2671", "+14155552671", "US"),
    ],
)
def test_foreign_numbers_keep_their_country_code(raw, value, country):
    ident = parse("phone", raw)
    assert ident.value == value
    assert ident.facts["country"] == country


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("081234567", "Thai mobile numbers have 10 digits"),
        ("08123456789", "Thai mobile numbers have 10 digits"),
        ("0312345678", "Thai landline numbers have 9 digits"),
        ("031123456", "031 is not a Thai area code"),
        ("0112345678", "no Thai number starts with 01"),
        ("1185", "a Thai short code; parse it as kind short_code"),
        ("*1185#", "a USSD string"),
        ("+999 1234567", "not an assigned country code"),
        ("+66 81 234 567a", "only digits may follow +"),
        ("call me", "only digits and separators"),
        ("", "only digits and separators"),
        ("+697 123", "+697 must be followed by 6 to 12 digits"),
    ],
)
def test_bad_phone_numbers_say_what_is_wrong(raw, reason):
    with pytest.raises(InvalidIdentifier) as caught:
        parse("phone", raw)
    assert reason in caught.value.reason
    assert caught.value.kind == "phone"


@pytest.mark.parametrize(
    ("raw", "value", "service"),
    [
        ("1185", "1185", "Spam Report Center"),
        ("๑๔๔๑", "1441", "Anti Online Scam Operation Center"),
        ("191", "191", "Royal Thai Police"),
        ("1599", "1599", "Central Investigation Bureau"),
        ("1 2 1 2", "1212", "Digital Economy"),
    ],
)
def test_short_codes_name_the_known_services(raw, value, service):
    ident = parse("short_code", raw)
    assert ident.value == value
    assert ident.facts["line_type"] == "short_code"
    assert service in ident.facts["service"]


def test_unknown_short_codes_of_three_to_six_digits_are_accepted():
    assert parse("short_code", "456789").facts == {"country": "TH", "line_type": "short_code"}


@pytest.mark.parametrize("raw", ["11", "1234567", "0185", "11a5"])
def test_short_code_shapes_are_checked(raw):
    with pytest.raises(InvalidIdentifier):
        parse("short_code", raw)


def test_ussd_report_code_alone():
    ident = parse("ussd", "*1185#")
    assert ident.value == "*1185#"
    assert ident.facts["service_code"] == "1185"
    assert ident.facts["params"] == []
    assert "phone" not in ident.facts


@pytest.mark.parametrize(
    "raw",
    ["*1185*0812345678#", "*1185*081-234-5678#", "＊๑๑๘๕＊๐๘๑๒๓๔๕๖๗๘＃", "*1185*+66812345678#"],
)
def test_ussd_report_exposes_the_reported_phone(raw):
    ident = parse("ussd", raw)
    assert ident.value.startswith("*1185*")
    assert ident.facts["phone"] == "+66812345678"


def test_ussd_call_forwarding_is_flagged():
    ident = parse("ussd", "**21*0812345678#")
    assert ident.value == "**21*0812345678#"
    assert ident.facts["call_forwarding"] is True
    assert ident.facts["phone"] == "+66812345678"


@pytest.mark.parametrize("raw", ["1185#", "*1185", "*abc#", "*1185*08x#", ""])
def test_malformed_ussd_is_rejected(raw):
    with pytest.raises(InvalidIdentifier):
        parse("ussd", raw)
