"""The :class:`Identifier` value and the folding of written forms shared by every kind.

Reports arrive typed on Thai keyboards, pasted from chat apps and exported from
spreadsheets, so the same digits come as Thai numerals, full-width forms or with
typographic dashes. :func:`fold_number` maps all of them to ASCII in one C-level pass
(``bytes.translate`` for ASCII input, a precomputed ``str.translate`` table otherwise),
because phone and account parsing sit on the 200k lookups/s batch path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Unicode blocks whose ten decimal digits are folded to ASCII 0-9: Thai first, then the
#: neighbours' scripts (Lao, Myanmar, Khmer) that appear in cross-border scam traffic.
_DIGIT_BLOCK_STARTS = (
    0x0E50,  # Thai ๐-๙
    0x0ED0,  # Lao
    0x1040,  # Myanmar
    0x17E0,  # Khmer
    0x0660,  # Arabic-Indic
    0x06F0,  # Extended Arabic-Indic
    0x0966,  # Devanagari
    0xFF10,  # full-width ０-９
)

#: Characters people put between digit groups; all are dropped from numbers.
SEPARATORS = (
    " \t\n\r\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u200b\u200c\u200d\u202f\u205f\u2060\u3000\ufeff"
    ".\u00b7\u3002\uff0e"
    "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d_"
    "()\uff08\uff09[]/"
)


def _build_fold_table(drop: str) -> dict[int, Any]:
    table: dict[int, Any] = {}
    for start in _DIGIT_BLOCK_STARTS:
        for offset in range(10):
            table[start + offset] = str(offset)
    table[0xFF0B] = "+"  # full-width plus
    table[0xFF0A] = "*"  # full-width asterisk
    table[0xFF03] = "#"  # full-width number sign
    for char in drop:
        table[ord(char)] = None
    return table


#: Folds digits to ASCII and drops separators: "๐๘๑-๒๓๔ ๕๖๗๘" -> "0812345678".
NUMBER_FOLD = _build_fold_table(SEPARATORS)
#: Folds digits only, keeping every other character (for mixed text such as URLs).
DIGIT_FOLD = _build_fold_table("")


#: The ASCII separators, for the fast path of :func:`fold_number`.
_ASCII_SEPARATORS = "".join(char for char in SEPARATORS if char.isascii()).encode("ascii")


def fold_number(raw: str) -> str:
    """Return ``raw`` with digits folded to ASCII and separators removed.

    ASCII input (the common case) takes ``bytes.translate`` with a delete set, about
    three times faster than ``str.translate`` with a mapping (see docs/identifiers.md).

    Args:
        raw: a written number such as ``"(๐๘๑) ๒๓๔-๕๖๗๘"``.

    Returns:
        The folded string, e.g. ``"0812345678"``.
    """
    if raw.isascii():
        return raw.encode("ascii").translate(None, _ASCII_SEPARATORS).decode("ascii")
    return raw.translate(NUMBER_FOLD)


@dataclass(frozen=True, slots=True)
class Identifier:
    """One identifier in canonical form.

    Two identifiers are equal when ``kind`` and ``value`` are equal; ``facts`` describe
    the value (line type, bank name, shortener...) and take no part in equality, so an
    identifier can be a dict key or a set member.

    Attributes:
        kind: one of :data:`scamtrace.identifiers.KINDS`.
        value: the canonical string stored and matched everywhere.
        facts: what parsing learned about the value; JSON-serialisable.
    """

    kind: str
    value: str
    facts: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> str:
        """``"<kind>:<value>"``, a single string naming this identifier."""
        return f"{self.kind}:{self.value}"

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"kind", "value", "facts"}`` for JSON output."""
        return {"kind": self.kind, "value": self.value, "facts": dict(self.facts)}


_new_object = object.__new__
_set_kind = Identifier.kind.__set__  # type: ignore[attr-defined]
_set_value = Identifier.value.__set__  # type: ignore[attr-defined]
_set_facts = Identifier.facts.__set__  # type: ignore[attr-defined]


def new_identifier(kind: str, value: str, facts: dict[str, Any]) -> Identifier:
    """Build an :class:`Identifier` through its slots, for the hot parsers.

    A frozen dataclass's ``__init__`` goes through ``object.__setattr__`` per field,
    which costs about twice as much; the result is the same immutable object.

    Args:
        kind: the identifier kind.
        value: the canonical value.
        facts: the facts dict (owned by the new identifier).

    Returns:
        The identifier.
    """
    identifier = _new_object(Identifier)
    _set_kind(identifier, kind)
    _set_value(identifier, value)
    _set_facts(identifier, facts)
    return identifier
