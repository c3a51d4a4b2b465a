"""Keccak-256, the hash of Ethereum addresses (EIP-55 checksums), in pure Python.

hashlib's ``sha3_256`` is the FIPS 202 variant, which pads with ``0x06``; Ethereum
uses the original Keccak submission, which pads with ``0x01``. Everything else
(Keccak-f[1600], rate 136 bytes) is the same, so the tests check this module against
hashlib with the FIPS padding as well as against published Keccak-256 vectors.
Only 40-character addresses are hashed here, so speed is secondary to clarity.
"""

from __future__ import annotations

_MASK = (1 << 64) - 1

_ROUND_CONSTANTS = (
    0x0000000000000001,
    0x0000000000008082,
    0x800000000000808A,
    0x8000000080008000,
    0x000000000000808B,
    0x0000000080000001,
    0x8000000080008081,
    0x8000000000008009,
    0x000000000000008A,
    0x0000000000000088,
    0x0000000080008009,
    0x000000008000000A,
    0x000000008000808B,
    0x800000000000008B,
    0x8000000000008089,
    0x8000000000008003,
    0x8000000000008002,
    0x8000000000000080,
    0x000000000000800A,
    0x800000008000000A,
    0x8000000080008081,
    0x8000000000008080,
    0x0000000080000001,
    0x8000000080008008,
)

# Rotation offsets r[x][y] of the rho step (Keccak reference, section 2.3.4).
_ROTATIONS = (
    (0, 36, 3, 41, 18),
    (1, 44, 10, 45, 2),
    (62, 6, 43, 15, 61),
    (28, 55, 25, 21, 56),
    (27, 20, 39, 8, 14),
)


def _rotl(value: int, shift: int) -> int:
    return ((value << shift) | (value >> (64 - shift))) & _MASK if shift else value


def _keccak_f(state: list[list[int]]) -> None:
    for constant in _ROUND_CONSTANTS:
        parity = [
            state[x][0] ^ state[x][1] ^ state[x][2] ^ state[x][3] ^ state[x][4] for x in range(5)
        ]
        for x in range(5):
            d = parity[(x - 1) % 5] ^ _rotl(parity[(x + 1) % 5], 1)
            for y in range(5):
                state[x][y] ^= d
        moved = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                moved[y][(2 * x + 3 * y) % 5] = _rotl(state[x][y], _ROTATIONS[x][y])
        for x in range(5):
            for y in range(5):
                state[x][y] = moved[x][y] ^ ((~moved[(x + 1) % 5][y]) & moved[(x + 2) % 5][y])
        state[0][0] ^= constant


def keccak_256(data: bytes, *, padding: int = 0x01) -> bytes:
    """Return the 32-byte Keccak-256 digest of ``data``.

    Args:
        data: the message.
        padding: the domain byte; 0x01 is Keccak (Ethereum), 0x06 gives FIPS 202 SHA3-256.

    Returns:
        32 bytes.

    Examples:
        >>> keccak_256(b"").hex()[:16]
        'c5d2460186f7233c'
    """
    rate = 136
    padded = bytearray(data)
    padded.append(padding)
    padded.extend(b"\x00" * (-len(padded) % rate))
    padded[-1] |= 0x80
    state = [[0] * 5 for _ in range(5)]
    for start in range(0, len(padded), rate):
        block = padded[start : start + rate]
        for i in range(rate // 8):
            lane = int.from_bytes(block[8 * i : 8 * i + 8], "little")
            state[i % 5][i // 5] ^= lane
        _keccak_f(state)
    out = b"".join(state[i % 5][i // 5].to_bytes(8, "little") for i in range(4))
    return out
