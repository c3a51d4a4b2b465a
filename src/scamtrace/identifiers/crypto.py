"""Crypto wallet addresses: Bitcoin, Ethereum (and EVM chains), TRON.

Cash-out after a scam goes to USDT on TRON and to BTC/ETH, so wallets are indicators.
Every check is done here, without a crypto library: base58check (double SHA-256),
bech32 / bech32m (BIP 173, BIP 350), and EIP-55 mixed-case checksums over Keccak-256.
Canonical values carry the chain: ``btc:<addr>``, ``eth:<0x lower-case>``, ``tron:<T...>``.
"""

from __future__ import annotations

import hashlib
import re

from scamtrace.errors import InvalidIdentifier
from scamtrace.identifiers.keccak import keccak_256
from scamtrace.identifiers.model import Identifier

_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {char: i for i, char in enumerate(_B58_ALPHABET)}
_BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_INDEX = {char: i for i, char in enumerate(_BECH32_CHARSET)}
_BECH32_CONST, _BECH32M_CONST = 1, 0x2BC830A3
_ETH = re.compile(r"0[xX]([0-9a-fA-F]{40})")
_BTC_VERSIONS = {0x00: "p2pkh", 0x05: "p2sh"}
_CHAIN_PREFIXES = {
    "btc": "btc",
    "bitcoin": "btc",
    "eth": "eth",
    "ethereum": "eth",
    "evm": "eth",
    "bsc": "eth",
    "tron": "tron",
    "trx": "tron",
    "usdt-trc20": "tron",
}


def base58check_decode(text: str) -> bytes | None:
    """Decode base58check text; None when a character or the 4-byte checksum is wrong.

    Args:
        text: e.g. ``"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"``.

    Returns:
        The payload (version byte included) without the checksum, or None.
    """
    number = 0
    for char in text:
        digit = _B58_INDEX.get(char)
        if digit is None:
            return None
        number = number * 58 + digit
    pad = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    raw = b"\x00" * pad + body
    if len(raw) < 5:
        return None
    payload, checksum = raw[:-4], raw[-4:]
    if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != checksum:
        return None
    return payload


def base58check_encode(payload: bytes) -> str:
    """Encode ``payload`` with its double-SHA-256 checksum in base58."""
    raw = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    number = int.from_bytes(raw, "big")
    chars = []
    while number:
        number, digit = divmod(number, 58)
        chars.append(_B58_ALPHABET[digit])
    pad = len(raw) - len(raw.lstrip(b"\x00"))
    return "1" * pad + "".join(reversed(chars))


def _bech32_polymod(values: list[int]) -> int:
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            check ^= generator[i] if (top >> i) & 1 else 0
    return check


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def bech32_decode(text: str) -> tuple[str, list[int], int] | None:
    """Decode a bech32 or bech32m string.

    Args:
        text: e.g. ``"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"`` (one case only).

    Returns:
        ``(hrp, data without checksum, constant)`` where the constant tells bech32 (1)
        from bech32m (0x2BC830A3), or None when invalid.
    """
    if text.lower() != text and text.upper() != text:
        return None
    text = text.lower()
    sep = text.rfind("1")
    if sep < 1 or sep + 7 > len(text) or len(text) > 90:
        return None
    hrp, rest = text[:sep], text[sep + 1 :]
    if any(ord(c) < 33 or ord(c) > 126 for c in hrp):
        return None
    data = [_BECH32_INDEX.get(c, -1) for c in rest]
    if -1 in data:
        return None
    constant = _bech32_polymod(_hrp_expand(hrp) + data)
    if constant not in (_BECH32_CONST, _BECH32M_CONST):
        return None
    return hrp, data[:-6], constant


def bech32_encode(hrp: str, data: list[int], constant: int) -> str:
    """Encode 5-bit ``data`` under ``hrp`` with a bech32 (1) or bech32m constant."""
    polymod = _bech32_polymod(_hrp_expand(hrp) + data + [0] * 6) ^ constant
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_BECH32_CHARSET[d] for d in data + checksum)


def convert_bits(data: list[int], from_bits: int, to_bits: int, pad: bool) -> list[int] | None:
    """Regroup ``data`` from ``from_bits``-bit to ``to_bits``-bit integers (BIP 173)."""
    acc, bits, out = 0, 0, []
    maxv = (1 << to_bits) - 1
    for value in data:
        acc = (acc << from_bits) | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            out.append((acc >> bits) & maxv)
    if pad and bits:
        out.append((acc << (to_bits - bits)) & maxv)
    elif not pad and (bits >= from_bits or (acc << (to_bits - bits)) & maxv):
        return None
    return out


def _segwit(raw: str, text: str) -> Identifier:
    decoded = bech32_decode(text)
    if decoded is None or decoded[0] != "bc" or not decoded[1]:
        raise InvalidIdentifier("wallet", raw, "bad bech32 checksum or characters")
    _hrp, data, constant = decoded
    version, program = data[0], convert_bits(data[1:], 5, 8, False)
    if program is None or version > 16 or not 2 <= len(program) <= 40:
        raise InvalidIdentifier("wallet", raw, "bad segwit program")
    if version == 0 and (constant != _BECH32_CONST or len(program) not in (20, 32)):
        raise InvalidIdentifier(
            "wallet", raw, "segwit v0 needs bech32 and a 20- or 32-byte program"
        )
    if version > 0 and constant != _BECH32M_CONST:
        raise InvalidIdentifier("wallet", raw, "segwit v1+ needs the bech32m checksum (BIP 350)")
    if version == 0:
        address_type = "p2wpkh" if len(program) == 20 else "p2wsh"
    else:
        address_type = "p2tr" if version == 1 and len(program) == 32 else f"witness_v{version}"
    return Identifier(
        "wallet", "btc:" + text.lower(), {"chain": "btc", "address_type": address_type}
    )


def eip55_checksum(hex40: str) -> str:
    """Return the EIP-55 mixed-case form of 40 hex digits (without ``0x``)."""
    lower = hex40.lower()
    digest = keccak_256(lower.encode("ascii")).hex()
    return "".join(
        c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c for i, c in enumerate(lower)
    )


def _eth(raw: str, hex40: str) -> Identifier:
    if hex40 != hex40.lower() and hex40 != hex40.upper() and eip55_checksum(hex40) != hex40:
        raise InvalidIdentifier("wallet", raw, "mixed case but the EIP-55 checksum is wrong")
    facts = {"chain": "eth", "evm": True, "checksummed": "0x" + eip55_checksum(hex40)}
    return Identifier("wallet", "eth:0x" + hex40.lower(), facts)


def _base58_wallet(raw: str, text: str) -> Identifier:
    payload = base58check_decode(text)
    if payload is None:
        raise InvalidIdentifier("wallet", raw, "bad base58 characters or checksum")
    if len(payload) == 21 and payload[0] == 0x41:
        return Identifier("wallet", "tron:" + text, {"chain": "tron", "hex": payload.hex()})
    if len(payload) == 21 and payload[0] in _BTC_VERSIONS:
        return Identifier(
            "wallet", "btc:" + text, {"chain": "btc", "address_type": _BTC_VERSIONS[payload[0]]}
        )
    raise InvalidIdentifier("wallet", raw, f"unknown address version byte 0x{payload[0]:02x}")


def parse_wallet(raw: str, chain: str | None = None) -> Identifier:
    """Canonicalise a BTC, ETH/EVM or TRON address.

    Args:
        raw: ``"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"``, ``"bc1q..."``, ``"0x5aAe..."``,
            ``"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"``, or with a chain prefix or URI
            (``"tron:T..."``, ``"bitcoin:bc1q...?amount=1"``).
        chain: optional ``btc``/``eth``/``tron`` the address must belong to.

    Returns:
        ``Identifier("wallet", "btc:...", {"chain": "btc", "address_type": "p2wpkh"})`` etc.

    Raises:
        InvalidIdentifier: a checksum fails, the version byte is unknown, or the chain
            differs from the one given.
    """
    text = raw.strip()
    head, colon, tail = text.partition(":")
    if colon and head.lower() in _CHAIN_PREFIXES:
        chain = chain or _CHAIN_PREFIXES[head.lower()]
        text = tail.split("?", 1)[0].strip().lstrip("/")
    eth = _ETH.fullmatch(text)
    if eth is not None:
        found = _eth(raw, eth.group(1))
    elif text[:3].lower() == "bc1":
        found = _segwit(raw, text)
    elif text[:1] in ("1", "3", "T") and 25 <= len(text) <= 35:
        found = _base58_wallet(raw, text)
    else:
        raise InvalidIdentifier("wallet", raw, "not a BTC, ETH or TRON address")
    if chain is not None and found.facts["chain"] != _CHAIN_PREFIXES.get(
        chain.lower(), chain.lower()
    ):
        raise InvalidIdentifier("wallet", raw, f"a {found.facts['chain']} address, not {chain}")
    return found
