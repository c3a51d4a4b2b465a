"""Wallet addresses and the hand-written Keccak-256, against published vectors."""

from __future__ import annotations

import hashlib

import pytest

from scamtrace.errors import InvalidIdentifier
from scamtrace.identifiers import parse
from scamtrace.identifiers.crypto import base58check_decode, base58check_encode, eip55_checksum
from scamtrace.identifiers.keccak import keccak_256


@pytest.mark.parametrize(
    ("message", "digest"),
    [
        (b"", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
        (b"abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"),
    ],
)
def test_keccak_256_known_vectors(message, digest):
    assert keccak_256(message).hex() == digest


@pytest.mark.parametrize("size", [0, 1, 135, 136, 137, 272, 1000])
def test_keccak_with_fips_padding_equals_hashlib_sha3_at_block_edges(size):
    message = bytes(range(256)) * 4
    assert keccak_256(message[:size], padding=0x06) == hashlib.sha3_256(message[:size]).digest()


# The four test addresses of EIP-55 itself.
EIP55_VECTORS = [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]


@pytest.mark.parametrize("address", EIP55_VECTORS)
def test_eip55_vectors_verify_and_canonicalise_to_lower_case(address):
    ident = parse("wallet", address)
    assert ident.value == "eth:" + address.lower()
    assert ident.facts["checksummed"] == address
    assert eip55_checksum(address[2:].lower()) == address[2:]


def test_eip55_wrong_mixed_case_is_rejected():
    with pytest.raises(InvalidIdentifier) as caught:
        parse("wallet", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")
    assert "EIP-55" in caught.value.reason


@pytest.mark.parametrize(
    "address",
    ["0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "0X5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED"],
)
def test_single_case_eth_addresses_need_no_checksum(address):
    assert parse("wallet", address).value == "eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"


@pytest.mark.parametrize(
    ("raw", "value", "address_type"),
    [
        ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "p2pkh"),
        ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "btc:3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "p2sh"),
        (
            "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
            "btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
            "p2wpkh",
        ),
        (
            "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
            "btc:bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
            "p2wsh",
        ),
        (
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
            "btc:bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
            "p2tr",
        ),
        (
            "bitcoin:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq?amount=0.5",
            "btc:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            "p2wpkh",
        ),
    ],
)
def test_bitcoin_addresses(raw, value, address_type):
    ident = parse("wallet", raw)
    assert ident.value == value
    assert ident.facts == {"chain": "btc", "address_type": address_type}


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", "checksum"),
        ("1A1zP1eP5QGefi2DMPTfTL5SLmv7Divf0a", "base58"),
        ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "bech32"),
        ("bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "bech32"),
        ("tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "not a BTC, ETH or TRON"),
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA", "not a BTC, ETH or TRON"),
    ],
)
def test_bad_addresses_are_rejected(raw, reason):
    with pytest.raises(InvalidIdentifier) as caught:
        parse("wallet", raw)
    assert reason in caught.value.reason


def test_segwit_v1_with_the_old_bech32_checksum_is_rejected():
    from scamtrace.identifiers.crypto import bech32_decode, bech32_encode

    good = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"
    hrp, data, _constant = bech32_decode(good)
    with_bech32 = bech32_encode(hrp, data, 1)
    with pytest.raises(InvalidIdentifier) as caught:
        parse("wallet", with_bech32)
    assert "bech32m" in caught.value.reason


def test_tron_usdt_contract_address():
    ident = parse("wallet", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")
    assert ident.value == "tron:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
    assert ident.facts["chain"] == "tron"
    assert ident.facts["hex"].startswith("41")


def test_tron_with_chain_prefix_and_wrong_chain_hint():
    assert parse("wallet", "usdt-trc20:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t").facts["chain"] == "tron"
    with pytest.raises(InvalidIdentifier) as caught:
        parse("wallet", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", chain="btc")
    assert "a tron address, not btc" in caught.value.reason


def test_tron_checksum_is_verified():
    with pytest.raises(InvalidIdentifier):
        parse("wallet", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u")


def test_base58check_round_trip_keeps_leading_zero_bytes():
    payload = b"\x00\x00" + bytes(range(19))
    encoded = base58check_encode(payload)
    assert encoded.startswith("11")
    assert base58check_decode(encoded) == payload
