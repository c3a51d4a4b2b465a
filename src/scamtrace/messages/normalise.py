"""Undo the tricks scam texts use to slip past filters, and mask what a model must not memorise.

Two layers:

* :func:`fold_text` is lossless in meaning: NFKC (full-width ``ｗｗｗ`` and ``０８１``),
  zero-width and soft-hyphen characters dropped, Thai digits to ASCII, Cyrillic and
  Greek lookalike letters to Latin when they sit inside a Latin word.
* :func:`deobfuscate` additionally rewrites spelled-out separators (``dot com``,
  ``จุด com``, ``[.]``, ``(at)``) so that links and e-mails written to evade become
  extractable.
* :func:`mask_for_model` replaces links, e-mails, phone numbers, USSD codes and digits by
  fixed tokens. A classifier trained on masked text cannot learn "has a link" or one
  campaign's short URL as "scam"; it has to learn the wording.
"""

from __future__ import annotations

import re
import unicodedata

# U+200B..U+200F zero-width and direction marks, U+2060..U+2064 word joiners,
# U+FEFF BOM, U+00AD soft hyphen, U+180E Mongolian vowel separator.
_INVISIBLE = dict.fromkeys(
    [0x00AD, 0x180E, 0xFEFF, *range(0x200B, 0x2010), *range(0x2060, 0x2065), 0x202A,
     0x202B, 0x202C, 0x202D, 0x202E]
)
_INVISIBLE_RE = re.compile("[" + "".join(map(chr, _INVISIBLE)) + "]")
_THAI_DIGITS = {0x0E50 + i: ord("0") + i for i in range(10)}
_THAI_DIGIT_RE = re.compile("[\u0e50-\u0e59]")
# Lookalikes seen in phishing hosts and sender names (Unicode confusables, Latin targets).
_CONFUSABLES = {
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j", "ԁ": "d",
    "ɡ": "g", "ո": "n", "ԛ": "q", "ѡ": "w", "ү": "y", "ӏ": "l", "Ꭵ": "i",
    "α": "a", "ο": "o", "ν": "v", "ρ": "p", "τ": "t", "ι": "i", "κ": "k", "χ": "x",
    "ε": "e", "υ": "u", "ω": "w", "Α": "a", "Β": "b", "Ε": "e", "Κ": "k", "Μ": "m",
    "Ν": "n", "Ο": "o", "Ρ": "p", "Τ": "t", "Χ": "x", "А": "a", "В": "b", "Е": "e",
    "К": "k", "М": "m", "Н": "h", "О": "o", "Р": "p", "С": "c", "Т": "t", "Х": "x",
}
_CONFUSABLE_TABLE = {ord(k): v for k, v in _CONFUSABLES.items()}
_HAS_CONFUSABLE = re.compile("[" + "".join(_CONFUSABLES) + "]")
_MIXED_WORD = re.compile(r"[\w.\-]*[" + "".join(_CONFUSABLES) + r"][\w.\-]*")
_LATIN = re.compile(r"[a-zA-Z0-9]")

_DOT_WORDS = re.compile(
    r"\s*(?:\[\s*(?:\.|dot)\s*\]|\(\s*(?:\.|dot)\s*\)|\{\s*(?:\.|dot)\s*\}"
    r"|(?<=[a-z0-9])\s+dot\s+(?=[a-z0-9])|\s*จุด\s*(?=[a-z0-9])|\s*ดอท\s*(?=[a-z0-9]))\s*",
    re.IGNORECASE,
)
# A bare " at " is ordinary English ("I am at home"), so only bracketed forms count.
_AT_WORDS = re.compile(r"\s*(?:\[\s*at\s*\]|\(\s*at\s*\)|\{\s*at\s*\}|\s@\s)\s*", re.IGNORECASE)
_SLASH_WORDS = re.compile(r"\s*(?:\[\s*/\s*\]|\s+slash\s+)\s*", re.IGNORECASE)
_OBFUSCATION_HINT = re.compile(r"dot|จุด|ดอท|[\[({]|\s@\s|slash|hxxp", re.IGNORECASE)
_HXXP = re.compile(r"\bhxxp(s?)\b", re.IGNORECASE)


def fold_text(text: str, *, homoglyphs: bool = True) -> str:
    """Fold width, invisible characters, Thai digits and homoglyphs; keep the meaning.

    Args:
        text: a message as received.
        homoglyphs: also fold lookalike letters; extraction turns this off so that a
            spoofed host keeps its real (punycode) identity.

    Returns:
        The folded text; Thai letters and vowels are untouched.

    Examples:
        >>> fold_text("โทร ๐๘๑\u200b๒๓๔ ５６７８")
        'โทร 081234 5678'
    """
    # Each step first asks a cheap C-level question, so clean text costs almost nothing.
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    if _INVISIBLE_RE.search(text):
        text = text.translate(_INVISIBLE)
    if _THAI_DIGIT_RE.search(text):
        text = text.translate(_THAI_DIGITS)
    if homoglyphs and _HAS_CONFUSABLE.search(text):
        text = _MIXED_WORD.sub(_fold_confusable_word, text)
    return text


def _fold_confusable_word(match: re.Match[str]) -> str:
    word = match.group(0)
    # Only a word that already mixes scripts with Latin is a spoof ("kbаnk"); a whole
    # Russian or Greek word is left alone.
    if _LATIN.search(word):
        return word.translate(_CONFUSABLE_TABLE)
    return word


def deobfuscate(text: str, *, homoglyphs: bool = True) -> str:
    """Fold the text and turn spelled-out separators back into ``.``, ``@`` and ``/``.

    Args:
        text: a message as received.
        homoglyphs: passed to :func:`fold_text`.

    Returns:
        Text in which ``kbank-th dot com``, ``kbank-th จุด com``, ``kbank[.]com``,
        ``name (at) mail.com`` and ``hxxp://`` read as ordinary links and e-mails.
    """
    folded = fold_text(text, homoglyphs=homoglyphs)
    if not _OBFUSCATION_HINT.search(folded):
        return folded
    folded = _HXXP.sub(r"http\1", folded)
    folded = _DOT_WORDS.sub(".", folded)
    folded = _AT_WORDS.sub("@", folded)
    return _SLASH_WORDS.sub("/", folded)


URL_TOKEN = " ⟦url⟧ "
EMAIL_TOKEN = " ⟦email⟧ "
PHONE_TOKEN = " ⟦phone⟧ "
USSD_TOKEN = " ⟦ussd⟧ "

# A bare host (no scheme, no www) counts as a link when its TLD is one that scam texts use
# and that rarely follows a full stop in prose; other TLDs need a path ("fun.site/x").
_STRONG_TLDS = (
    "com|net|org|info|biz|xyz|top|site|online|shop|store|club|vip|app|link|io|ly|ee|gl|gd|"
    "cc|th|asia|cn|hk|sg|ph|vn|ru|uk|tk|ml|ga|cf|gq|pw|cloud|click|bet|casino|icu|buzz|"
    "cyou|sbs|tv|ws|ai|me|in|co|la|kh|mobi|cam|dev|gov|edu|tw|jp|kr|au|de|fr|su|ir"
)
_WEAK_TLDS = (
    "win|work|fun|one|today|world|news|life|live|best|lol|help|run|page|space|pro|bio|so|"
    "do|us|my|id|mm|ink|kim|host|services|support|website|tech|rest|monster|to|plus|"
    "games|money|loan|finance|bank|cash|digital|email|global|group|company|net"
)
_STRONG_TLD_SET = frozenset(_STRONG_TLDS.split("|"))
_WEAK_TLD_SET = frozenset(_WEAK_TLDS.split("|"))
# Latin (with accents), Greek and Cyrillic letters: the scripts of lookalike hosts. Thai
# letters are left out so a Thai word glued to a link does not become part of its host.
_HOST_CHARS = "a-z0-9\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"
# Candidates are cheap to find; whether a bare host is a link is decided in Python.
URL_CANDIDATE = re.compile(
    r"(?:https?|ftp)://[^\s<>\"'，。]+|www\.[^\s<>\"'，。]+"
    r"|[" + _HOST_CHARS + r"][" + _HOST_CHARS + r"\-]*(?:\.[" + _HOST_CHARS + r"\-]+)+"
    r"(?::\d{2,5})?(?:/[^\s<>\"'，。]*)?",
    re.IGNORECASE,
)
_BARE_HOST = re.compile(r"([" + _HOST_CHARS + r"\-.]+?)(?::\d+)?(/.*)?$", re.IGNORECASE | re.DOTALL)


def is_link(candidate: str, preceding: str = "") -> bool:
    """Tell whether a URL_CANDIDATE match is a link rather than prose ("work.today").

    Args:
        candidate: the matched text.
        preceding: the character before the match ("" at the start of the text).

    Returns:
        True for scheme and www links, and for bare hosts whose TLD scam texts use.
    """
    lowered = candidate.lower()
    if lowered.startswith(("http://", "https://", "ftp://", "www.")):
        return True
    if preceding in ("@", ".", "-", "_") or preceding.isalnum() and preceding.isascii():
        return False
    match = _BARE_HOST.match(lowered)
    host, path = match.group(1).rstrip(".-"), match.group(2)
    labels = host.split(".")
    if len(labels) < 2 or labels[-1].isdigit() and len(labels) != 4:
        return False
    tld = labels[-1]
    if len(labels) == 4 and all(label.isdigit() for label in labels):
        return True
    return tld in _STRONG_TLD_SET or (tld in _WEAK_TLD_SET and bool(path) and len(path) > 1)


def _replace_links(text: str, token: str, found: list[str] | None = None) -> str:
    def replace(match: re.Match[str]) -> str:
        start = match.start()
        preceding = text[start - 1] if start else ""
        if not is_link(match.group(0), preceding):
            return match.group(0)
        if found is not None:
            found.append(match.group(0))
        return token

    return URL_CANDIDATE.sub(replace, text)


EMAIL_PATTERN = re.compile(r"[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,24}", re.IGNORECASE)
USSD_PATTERN = re.compile(r"\*\d{2,4}(?:\*\d{1,15})*#")
# Thai phone numbers as written: 0xx-xxx-xxxx, +66 xx xxx xxxx, with any single separator.
PHONE_PATTERN = re.compile(
    r"(?<![\d*])(?:\+\s?66[\s.\-]?|0066[\s.\-]?|0[\s.\-]?)(?:\d[\s.\-]?){7,8}\d(?![\d#])"
)
_DIGITS = re.compile(r"\d")
_SPACES = re.compile(r"\s+")


def mask_for_model(text: str, link_token: str = URL_TOKEN, links: list[str] | None = None,
                   *, deobfuscated: str | None = None) -> str:
    """Fold, then replace links, e-mails, USSD codes, phone numbers and digits by tokens.

    Args:
        text: a message as received.
        link_token: what replaces each link.
        links: when given, each link replaced is appended to it (as written, folded).
        deobfuscated: ``deobfuscate(text)`` when the caller has it already
            (:func:`deobfuscated_pair`).

    Returns:
        Lower-cased text in which only the wording is left for a model to learn from.
    """
    folded = deobfuscate(text) if deobfuscated is None else deobfuscated
    # Substring tests skip the costly patterns for the many texts that cannot match them.
    if "@" in folded:
        folded = EMAIL_PATTERN.sub(EMAIL_TOKEN, folded)
    if "." in folded:
        folded = _replace_links(folded, link_token, links)
    if _DIGITS.search(folded):
        if "#" in folded:
            folded = USSD_PATTERN.sub(USSD_TOKEN, folded)
        folded = PHONE_PATTERN.sub(PHONE_TOKEN, folded)
        folded = _DIGITS.sub("0", folded)
    return _SPACES.sub(" ", folded).strip().lower()


def model_text(text: str) -> str:
    """The text the label model reads: :func:`mask_for_model` with every link removed.

    A link token, however coarse (one token for all links, or one per kind: official,
    shortener, risky TLD), became evidence in itself once texts are length-normalised:
    appending a link to a held-out legit text turned 5 to 12 % of them non-legit in
    cross-validation (docs/messages.md). Without links the model must read the wording;
    links are judged on their own by :mod:`scamtrace.messages.urls`.
    """
    return mask_for_model(text, link_token=" ")


def model_text_and_links(text: str, *, deobfuscated: str | None = None
                         ) -> tuple[str, list[str]]:
    """:func:`model_text` and the links it removed, in one pass.

    The label model reads what the links say from the second part, in a feature block
    of its own (:mod:`scamtrace.messages.link_features`). ``deobfuscated`` is
    ``deobfuscate(text)`` when the caller has it already.
    """
    links: list[str] = []
    return mask_for_model(text, link_token=" ", links=links, deobfuscated=deobfuscated), links


def deobfuscated_pair(text: str) -> tuple[str, str]:
    """``(deobfuscate(text), deobfuscate(text, homoglyphs=False))`` at the cost of one
    when the text has no lookalike letters (nearly always): the classifier reads the
    first, extraction the second."""
    plain = deobfuscate(text, homoglyphs=False)
    if not _HAS_CONFUSABLE.search(plain):
        return plain, plain
    return deobfuscate(text), plain


def mask_urls_only(text: str) -> str:
    """Replace links (only) by a fixed token; the "URLs masked" variant of the benchmarks."""
    return _replace_links(deobfuscate(text), " link ")
