"""Vectorised identifiers in the canonical forms of ``scamtrace.identifiers``.

Event ids are a bijective mix of a (namespace, sequence) counter, so they are unique,
reproducible and random-looking: no id reveals the order or the kind of row it came from.
Strings are built as fixed-width byte matrices in numpy, never one Python call per row.
"""

from __future__ import annotations

import zlib

import numpy as np
import pyarrow as pa

_MASK63 = np.uint64((1 << 63) - 1)
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def component_rng(seed: int, component: str, *parts: int) -> np.random.Generator:
    """A Generator for one component (and e.g. one day), independent of every other one.

    Args:
        seed: the world's root seed.
        component: a stable name; crc32 turns it into entropy (never Python's hash()).
        parts: further integers (day, chunk) that select a sub-stream.

    Returns:
        A PCG64 generator.
    """
    return np.random.default_rng([seed, zlib.crc32(component.encode()), *parts])


def mix63(values: np.ndarray) -> np.ndarray:
    """A bijection of [0, 2^63): odd multiplications and xor-shifts, all modulo 2^63.

    Args:
        values: non-negative integers below 2^63.

    Returns:
        int64 array of the same shape, distinct for distinct inputs.
    """
    x = values.astype(np.uint64) & _MASK63
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(31))) & _MASK63
        x = (x * np.uint64(0x5BD1E9955BD1E995)) & _MASK63
        x = (x ^ (x >> np.uint64(29))) & _MASK63
        x = (x * np.uint64(0x1B873593A5F1D3C5)) & _MASK63
        x = (x ^ (x >> np.uint64(32))) & _MASK63
    return x.astype(np.int64)


def event_ids(namespace: int, start: int, count: int) -> np.ndarray:
    """Random-looking int64 ids for ``count`` events of one namespace.

    Args:
        namespace: 0..127, one per id family and producer (legit chunk, gang, report).
        start: first sequence number within the namespace.
        count: number of ids.

    Returns:
        int64 ids, unique across namespaces and sequences.
    """
    seq = np.arange(start, start + count, dtype=np.uint64)
    return mix63((np.uint64(namespace) << np.uint64(55)) | seq)


def digits_matrix(values: np.ndarray, width: int) -> np.ndarray:
    """The decimal digits of non-negative integers as a (n, width) uint8 ASCII matrix."""
    v = values.astype(np.uint64)
    powers = np.uint64(10) ** np.arange(width - 1, -1, -1, dtype=np.uint64)
    return ((v[:, None] // powers[None, :]) % np.uint64(10)).astype(np.uint8) + 48


def to_strings(matrix: np.ndarray, prefix: bytes = b"") -> pa.Array:
    """Rows of an ASCII byte matrix (with an optional constant prefix) as an Arrow string array."""
    n = matrix.shape[0]
    if prefix:
        head = np.broadcast_to(np.frombuffer(prefix, dtype=np.uint8), (n, len(prefix)))
        matrix = np.concatenate([head, matrix], axis=1)
    width = matrix.shape[1]
    fixed = np.ascontiguousarray(matrix).view(f"S{width}").ravel()
    return pa.array(fixed, type=pa.binary(width)).cast(pa.string())


def hex_ids(values: np.ndarray, prefix: bytes, width: int = 12) -> pa.Array:
    """Random-looking lower-case hex ids (``prefix`` + ``width`` hex digits) of indices."""
    mixed = mix63(values.astype(np.uint64) + np.uint64(0x9E3779B9)).astype(np.uint64)
    shifts = np.arange(width - 1, -1, -1, dtype=np.uint64) * np.uint64(4)
    nibbles = (mixed[:, None] >> shifts[None, :]) & np.uint64(15)
    return to_strings(_HEX[nibbles.astype(np.intp)], prefix)


def unique_random_numbers(rng: np.random.Generator, count: int, low: int, high: int) -> np.ndarray:
    """``count`` distinct integers in [low, high), in random order."""
    return rng.choice(high - low, size=count, replace=False).astype(np.int64) + low


def msisdn_numbers(rng: np.random.Generator, count: int) -> np.ndarray:
    """Distinct 9-digit Thai mobile national numbers (first digit 6, 8 or 9)."""
    raw = unique_random_numbers(rng, count, 0, 300_000_000)
    lead = np.array([6, 8, 9], dtype=np.int64)[raw // 100_000_000]
    return lead * 100_000_000 + raw % 100_000_000


def msisdn_strings(numbers: np.ndarray) -> pa.Array:
    """E.164 strings ``+66xxxxxxxxx`` of 9-digit national numbers."""
    return to_strings(digits_matrix(numbers, 9), b"+66")


def luhn_complete(body: np.ndarray, width: int) -> np.ndarray:
    """Append a Luhn check digit to ``width``-digit bodies (IMEIs are 14 + 1)."""
    digits = digits_matrix(body, width).astype(np.int64) - 48
    from_right = digits[:, ::-1].copy()
    doubled = from_right[:, 0::2] * 2
    from_right[:, 0::2] = doubled - 9 * (doubled > 9)
    check = (10 - from_right.sum(axis=1) % 10) % 10
    return body.astype(np.int64) * 10 + check


def thai_national_ids(rng: np.random.Generator, count: int) -> np.ndarray:
    """Distinct 13-digit Thai citizen ids with a valid mod-11 check digit."""
    body = unique_random_numbers(rng, count, 100_000_000_000, 900_000_000_000)
    digits = digits_matrix(body, 12).astype(np.int64) - 48
    weights = np.arange(13, 1, -1, dtype=np.int64)
    check = (11 - (digits * weights).sum(axis=1) % 11) % 10
    return body * 10 + check
