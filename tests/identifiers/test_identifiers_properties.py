"""Property-based tests: any formatting of a valid value gives the same canonical value,
canonical values parse to themselves, and junk fails only with InvalidIdentifier."""

from __future__ import annotations

import hashlib

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.provisional import domains, urls

from scamtrace.errors import InvalidIdentifier
from scamtrace.identifiers import KINDS, guess, parse
from scamtrace.identifiers.banking import BANKS
from scamtrace.identifiers.crypto import (
    base58check_encode,
    bech32_encode,
    convert_bits,
    eip55_checksum,
)
from scamtrace.identifiers.devices import luhn_check_digit
from scamtrace.identifiers.keccak import keccak_256
from scamtrace.identifiers.phone import THAI_AREA_CODES

DIGIT_SCRIPTS = ("0123456789", "๐๑๒๓๔๕๖๗๘๙", "０１２３４５６７８９")
SEPARATORS = ("", "", " ", "-", ".", "\u2013", "\u00a0")
# Hashed kinds have values that are not themselves inputs of the kind.
REPARSEABLE_KINDS = [kind for kind in KINDS if kind != "national_id"]
# Per-example deadlines fail at random on a loaded shared machine; correctness is the point.
NO_DEADLINE = settings(deadline=None)


@st.composite
def written_digits(draw, digits: str) -> str:
    """Render ASCII digits as a person might: mixed scripts, random separators."""
    out = []
    for char in digits:
        script = draw(st.sampled_from(DIGIT_SCRIPTS))
        out.append(script[int(char)])
        out.append(draw(st.sampled_from(SEPARATORS)))
    return "".join(out).strip(" \u00a0-.\u2013")


thai_mobiles = st.tuples(st.sampled_from("689"), st.text("0123456789", min_size=8, max_size=8)).map(
    "".join
)
thai_landlines = st.one_of(
    st.text("0123456789", min_size=7, max_size=7).map(lambda rest: "2" + rest),
    st.tuples(
        st.sampled_from(sorted(THAI_AREA_CODES)), st.text("0123456789", min_size=6, max_size=6)
    ).map("".join),
)


@settings(max_examples=60, deadline=None)
@given(
    nsn=st.one_of(thai_mobiles, thai_landlines),
    prefix=st.sampled_from(["0", "+66", "+66 ", "0066", "66", "+66-"]),
    data=st.data(),
)
def test_any_formatting_of_a_thai_number_gives_one_e164_value(nsn, prefix, data):
    written = prefix + data.draw(written_digits(nsn))
    ident = parse("phone", written)
    assert ident.value == "+66" + nsn
    assert parse("phone", ident.value) == ident


@settings(max_examples=50, deadline=None)
@given(bank=st.sampled_from(BANKS), data=st.data())
def test_any_formatting_of_an_account_gives_one_value(bank, data):
    digits = data.draw(
        st.text("0123456789", min_size=bank["lengths"][0], max_size=bank["lengths"][0])
    )
    name = data.draw(
        st.sampled_from([bank["short"], bank["short"].lower(), bank["name_th"], bank["code"] + ":"])
    )
    written = name + " " + data.draw(written_digits(digits))
    ident = parse("bank_account", written)
    assert ident.value == f"{bank['code']}:{digits}"
    assert parse("bank_account", ident.value) == ident
    assert parse("bank_account", data.draw(written_digits(digits)), bank=bank["code"]) == ident


@settings(max_examples=40, deadline=None)
@given(body=st.text("0123456789", min_size=12, max_size=12), data=st.data())
def test_citizen_ids_with_their_check_digit_hash_alike_in_any_form(body, data):
    check = (11 - sum(int(body[i]) * (13 - i) for i in range(12)) % 11) % 10
    digits = body + str(check)
    assert parse("national_id", data.draw(written_digits(digits))) == parse("national_id", digits)
    wrong = body + str((check + 1) % 10)
    try:
        parse("national_id", wrong)
        raise AssertionError("a wrong check digit was accepted")
    except InvalidIdentifier as exc:
        assert body[:8] not in exc.detail


@settings(max_examples=40, deadline=None)
@given(body=st.text("0123456789", min_size=14, max_size=14), data=st.data())
def test_imei_round_trip_and_wrong_check_digit(body, data):
    digits = body + luhn_check_digit(body)
    ident = parse("imei", data.draw(written_digits(digits)))
    assert ident.value == digits
    wrong = str(data.draw(st.sampled_from([d for d in "123456789" if d != digits[-1]])))
    try:
        parse("imei", body + wrong)
        raise AssertionError("a wrong Luhn digit was accepted")
    except InvalidIdentifier:
        pass


@NO_DEADLINE
@given(payload=st.binary(min_size=20, max_size=20), version=st.sampled_from([0x00, 0x05, 0x41]))
def test_base58check_addresses_round_trip(payload, version):
    address = base58check_encode(bytes([version]) + payload)
    ident = parse("wallet", address)
    assert ident.value.split(":", 1)[1] == address
    assert ident.facts["chain"] == ("tron" if version == 0x41 else "btc")
    assert parse("wallet", ident.value) == ident


@NO_DEADLINE
@given(
    program=st.one_of(st.binary(min_size=20, max_size=20), st.binary(min_size=32, max_size=32)),
    upper=st.booleans(),
)
def test_segwit_v0_addresses_round_trip(program, upper):
    address = bech32_encode("bc", [0] + convert_bits(list(program), 8, 5, True), 1)
    ident = parse("wallet", address.upper() if upper else address)
    assert ident.value == "btc:" + address


@settings(max_examples=40, deadline=None)
@given(payload=st.binary(min_size=20, max_size=20), data=st.data())
def test_eth_checksum_round_trip_and_single_flip_rejected(payload, data):
    checksummed = eip55_checksum(payload.hex())
    ident = parse("wallet", "0x" + checksummed)
    assert ident.value == "eth:0x" + payload.hex()
    letters = [i for i, c in enumerate(checksummed) if c.isalpha()]
    assume(
        len(letters) >= 2
        and checksummed.lower() != checksummed
        and checksummed.upper() != checksummed
    )
    i = data.draw(st.sampled_from(letters))
    flipped = checksummed[:i] + checksummed[i].swapcase() + checksummed[i + 1 :]
    assume(flipped.lower() != flipped and flipped.upper() != flipped)
    try:
        parse("wallet", "0x" + flipped)
        raise AssertionError("a wrong EIP-55 case was accepted")
    except InvalidIdentifier:
        pass


@NO_DEADLINE
@given(message=st.binary(max_size=400))
def test_keccak_matches_hashlib_sha3_with_fips_padding(message):
    assert keccak_256(message, padding=0x06) == hashlib.sha3_256(message).digest()


@settings(max_examples=60, deadline=None)
@given(url=urls())
def test_url_canonical_form_is_a_fixed_point(url):
    try:
        ident = parse("url", url)
    except InvalidIdentifier:
        return
    assert parse("url", ident.value).value == ident.value


@settings(max_examples=80, deadline=None)
@given(domain=domains())
def test_domain_canonical_form_is_a_fixed_point(domain):
    try:
        ident = parse("domain", domain)
    except InvalidIdentifier:
        return
    assert parse("domain", ident.value) == ident
    assert parse("domain", "https://www." + ident.value + "/x") == ident


junk = st.one_of(
    st.text(max_size=60),
    st.text("0123456789+*#-() .๐๑๒๓๔๕๖๗๘๙", max_size=25),
    st.text("abcxyz019:/.@-_%[]?#=&+", max_size=40),
    st.binary(max_size=40).map(lambda b: b.decode("latin-1")),
)


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(KINDS), raw=junk)
def test_junk_fails_only_with_invalid_identifier_and_accepted_values_are_fixed_points(kind, raw):
    try:
        ident = parse(kind, raw)
    except InvalidIdentifier as exc:
        assert exc.kind == kind
        assert exc.reason
        return
    assert ident.kind == kind
    if kind in REPARSEABLE_KINDS and not (
        kind == "promptpay" and ident.facts.get("id_type") == "citizen_id"
    ):
        assert parse(kind, ident.value).value == ident.value


@settings(max_examples=200, deadline=None)
@given(raw=junk)
def test_guess_never_fails_with_anything_but_invalid_identifier(raw):
    try:
        ident = guess(raw)
    except InvalidIdentifier:
        return
    assert ident.kind in KINDS
