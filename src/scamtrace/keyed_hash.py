"""Keyed hashes for personal data (PDPA): reporter numbers and national ids.

A keyed hash (HMAC-SHA256 under ``SCAMTRACE_SECRET_KEY``) lets the alliance match the
same person across reports without storing who they are; without the key the hash
cannot be reversed by enumerating the 10^8 Thai mobile numbers, as a plain hash could.
"""

from __future__ import annotations

import hashlib
import hmac

from scamtrace.config import get_settings


def keyed_hash(purpose: str, value: str, *, secret: str | None = None) -> str:
    """Return the hex HMAC-SHA256 of ``value`` for one ``purpose``.

    Args:
        purpose: a domain separator (``"reporter"``, ``"national_id"``) so that the same
            value hashed for two purposes gives unrelated digests.
        value: the canonical value (canonicalise first: ``+66812345678``, not ``0812345678``).
        secret: the key; defaults to the configured ``secret_key``.

    Returns:
        64 lowercase hex characters.

    Examples:
        >>> len(keyed_hash("reporter", "+66812345678", secret="k"))
        64
    """
    key = (secret if secret is not None else get_settings().secret_key).encode()
    message = f"{purpose}\x1f{value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
