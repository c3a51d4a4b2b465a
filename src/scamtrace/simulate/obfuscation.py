"""Evasion tricks that scam SMS use against keyword filters.

Zero-width characters inside words, Thai/Latin and Latin/Cyrillic homoglyphs, Thai
digits, letters spaced or dotted apart, dropped Thai tone marks and English typos. Links
are kept intact (a broken link earns the gang nothing), so indicator extraction remains
possible: only the words around them are disguised.
"""

from __future__ import annotations

import re

import numpy as np

ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\ufeff")
# Latin -> Cyrillic look-alikes, and Latin -> Thai shapes used in Thai "spam writing"
LATIN_TO_CYRILLIC = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і"}
THAI_TO_LATIN = {"ก": "n", "บ": "U", "ร": "S", "ม": "u", "พ": "W", "ง": "J", "อ": "O"}
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
_TONE_MARKS = re.compile("[\u0e48\u0e49\u0e4a\u0e4b]")
_LINK = re.compile(
    r"(https?://\S+|\b[\w.-]+\.(?:com|net|top|xyz|cc|online|vip|shop|info|icu|th)\S*)"
)


def _split_links(text: str) -> list[tuple[bool, str]]:
    parts, last = [], 0
    for match in _LINK.finditer(text):
        parts.append((False, text[last : match.start()]))
        parts.append((True, match.group(0)))
        last = match.end()
    parts.append((False, text[last:]))
    return parts


def _zero_width(s: str, rng) -> str:
    chars = list(s)
    for pos in sorted(
        rng.choice(len(chars) + 1, size=min(4, len(chars)), replace=False), reverse=True
    ):
        chars.insert(int(pos), ZERO_WIDTH[int(rng.integers(0, len(ZERO_WIDTH)))])
    return "".join(chars)


def _homoglyph(s: str, rng) -> str:
    table = LATIN_TO_CYRILLIC if rng.random() < 0.5 else THAI_TO_LATIN
    return "".join(table[c] if c in table and rng.random() < 0.5 else c for c in s)


def _spaced(s: str, rng) -> str:
    words = s.split(" ")
    if not words:
        return s
    i = int(rng.integers(0, len(words)))
    joiner = " " if rng.random() < 0.6 else "."
    words[i] = joiner.join(words[i])
    return " ".join(words)


def _misspell(s: str, rng) -> str:
    if _TONE_MARKS.search(s) and rng.random() < 0.6:
        return _TONE_MARKS.sub("", s, count=2)
    letters = [i for i, c in enumerate(s) if c.isalpha()]
    if len(letters) < 3:
        return s
    i = letters[int(rng.integers(0, len(letters) - 1))]
    return s[:i] + s[i + 1] + s[i] + s[i + 2 :]


_TRICKS = (
    ("zero_width", _zero_width, 0.3),
    ("homoglyph", _homoglyph, 0.25),
    ("spaced", _spaced, 0.2),
    ("misspelled", _misspell, 0.3),
    ("thai_digits", lambda s, rng: s.translate(THAI_DIGITS), 0.1),
)


def obfuscate(text: str, rng: np.random.Generator) -> tuple[str, list[str]]:
    """Apply a random subset of tricks to the words (never the links) of ``text``.

    Args:
        text: a rendered SMS.
        rng: the generator.

    Returns:
        The disguised text and the names of the tricks applied.
    """
    applied = [name for name, _, p in _TRICKS if rng.random() < p]
    if not applied:
        return text, []
    out = []
    for is_link, chunk in _split_links(text):
        if not is_link and chunk.strip():
            for name, trick, _ in _TRICKS:
                if name in applied:
                    chunk = trick(chunk, rng)
        out.append(chunk)
    return "".join(out), applied
