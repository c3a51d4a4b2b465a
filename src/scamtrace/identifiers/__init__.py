"""Canonical identifiers: the one written form of every phone, URL, account and wallet.

Correlation rests on this package: a number written ``081-234-5678``,
``+66 81 234 5678``, ``0066812345678`` or ``๐๘๑๒๓๔๕๖๗๘`` must be one indicator.

    >>> parse("phone", "081-234-5678").value
    '+66812345678'
    >>> guess("kbank:123-4-56789-0").key
    'bank_account:004:1234567890'

Every parser raises :class:`scamtrace.errors.InvalidIdentifier` saying what is wrong,
and nothing else, whatever the input. See docs/identifiers.md for each kind.
"""

from __future__ import annotations

from scamtrace.errors import InvalidIdentifier
from scamtrace.identifiers.guessing import guess
from scamtrace.identifiers.model import Identifier
from scamtrace.identifiers.parsing import KINDS, parse

__all__ = ["KINDS", "Identifier", "InvalidIdentifier", "guess", "parse"]
