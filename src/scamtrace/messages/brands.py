"""The protected-brand list and the host tests that find who a link pretends to be.

The list (``data/brands.json``) names Thai banks, agencies, the police, couriers,
telcos, e-commerce sites and e-wallets with the registered domains each really uses.
A host imitates a brand when, without being one of its official domains, it

* shows the brand once homoglyphs, punycode and digit swaps are undone (``kbаnk``,
  ``xn--...``, ``scb-0nline``),
* is one or two edits away from an official name (typosquat: ``kasikornbamk.com``;
  two edits only for names of 10 letters or more, and names under 8 letters must keep
  their first letter, so ``cisco.com`` is not a typosquat of ``tisco.co.th``),
* carries a brand keyword inside its own name (combosquat: ``scb-secure-login.xyz``), or
* carries the brand in a subdomain of someone else's domain (``kbank.com.verify.top``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from scamtrace.identifiers.psl import registered_domain
from scamtrace.messages.normalise import fold_text


@dataclass(frozen=True)
class Brand:
    """One protected brand.

    Attributes:
        name: the display name (``KBank``).
        sector: bank, government, police, courier, telco, ecommerce, ewallet or platform.
        keywords: lower-case words that name it in hosts.
        token_only: keywords that are ordinary words and count only as a whole token.
        official: registered domains the brand really uses.
        official_tlds: top-level domains the brand owns outright (a dotBrand TLD such
            as SCB's ``.scb``): every host under them is the brand's.
    """

    name: str
    sector: str
    keywords: tuple[str, ...]
    token_only: frozenset[str]
    official: frozenset[str]
    official_tlds: frozenset[str] = frozenset()


@dataclass(frozen=True)
class BrandMatch:
    """A brand that a host imitates, how, and the evidence."""

    brand: Brand
    technique: str
    detail: str


@lru_cache(maxsize=1)
def protected_brands() -> tuple[Brand, ...]:
    """The bundled protected-brand list.

    Returns:
        Every brand of ``data/brands.json``.
    """
    text = resources.files("scamtrace.messages").joinpath("data/brands.json").read_text("utf-8")
    return tuple(
        Brand(entry["name"], entry["sector"], tuple(k.lower() for k in entry["keywords"]),
              frozenset(entry.get("token_only", ())), frozenset(entry["official"]),
              frozenset(entry.get("official_tlds", ())))
        for entry in json.loads(text)["brands"]
    )


@lru_cache(maxsize=1)
def _official_index() -> dict[str, Brand]:
    return {domain: brand for brand in protected_brands() for domain in brand.official}


@lru_cache(maxsize=1)
def _official_tld_index() -> dict[str, Brand]:
    return {tld: brand for brand in protected_brands() for tld in brand.official_tlds}


def official_brand(registered_domain: str | None, host: str) -> Brand | None:
    """The brand whose official domain (or own top-level domain) this host belongs to.

    Args:
        registered_domain: the host's registered domain (public-suffix aware), or None.
        host: the canonical ASCII host.

    Returns:
        The brand, or None.

    Examples:
        >>> official_brand("kbank.co.th", "www.kbank.co.th").name
        'KBank'
        >>> official_brand("link.scb", "link.scb").name
        'SCB'
        >>> official_brand("kbank-verify.top", "kbank-verify.top") is None
        True
    """
    index = _official_index()
    if host in index:
        return index[host]
    found = index.get(registered_domain or "")
    if found is None and "." in host:
        found = _official_tld_index().get(host.rsplit(".", 1)[1])
    return found


# Digit and letter swaps that typosquats use to look like the real name.
_LEET = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b"})
_SEPARATORS = re.compile(r"[.\-_]+")


def skeleton(label: str) -> str:
    """Reduce a (Unicode) host label to the ASCII shape a reader sees.

    Args:
        label: ``kbаnk`` with a Cyrillic a, ``kbănk``, ``scb-0nline``.

    Returns:
        ``kbank``, ``kbank``, ``scb-online``: accents stripped, confusables folded,
        digits read as letters, ``rn`` read as ``m`` and ``vv`` as ``w``.
    """
    folded = fold_text(label).lower()
    stripped = "".join(ch for ch in unicodedata.normalize("NFKD", folded)
                       if not unicodedata.combining(ch))
    return stripped.translate(_LEET).replace("rn", "m").replace("vv", "w")


def edit_distance(left: str, right: str, limit: int = 3) -> int:
    """Optimal-string-alignment distance (a swap of neighbours counts once), capped.

    Args:
        left: a string.
        right: another string.
        limit: distances above this are reported as ``limit + 1``.

    Returns:
        The number of insertions, deletions, substitutions and swaps.
    """
    if abs(len(left) - len(right)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(right) + 1))
    for i, char_left in enumerate(left, 1):
        current = [i] + [0] * len(right)
        for j, char_right in enumerate(right, 1):
            cost = char_left != char_right
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if (i > 1 and j > 1 and char_left == right[j - 2] and left[i - 2] == char_right):
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _allowed_edits(official_name: str) -> int:
    """Edits that still read as the name: one up to 9 letters, two from 10.

    Short names sit one or two edits from many real names (``tisco``/``cisco``,
    ``kbank``/``ubank``, ``jtexpress``/``express``), so a short name's typosquat must
    also keep its first letter (checked by the caller); a reader anchors on it.
    """
    return 1 if len(official_name) < 10 else 2


@cache
def _official_name(domain: str, brand: Brand) -> str:
    """The name a reader sees in an official domain: the registrant's label when the
    domain is a host under another official domain of the brand (``s.lazada.co.th`` reads
    as ``lazada``), else the first label (``dtac.onelink.me`` reads as ``dtac``: the
    registered domain there is a link platform's, not the brand's)."""
    registered = registered_domain(domain)
    if registered and registered != domain and registered in brand.official:
        return skeleton(registered.split(".")[0])
    return skeleton(domain.split(".")[0])


def _keyword_in(keyword: str, brand: Brand, text: str, tokens: set[str]) -> bool:
    if keyword in tokens:
        return True
    return len(keyword) >= 5 and keyword not in brand.token_only and keyword in text


def find_imitation(host: str, registered_domain: str | None, public_suffix: str | None,
                   unicode_host: str | None = None) -> BrandMatch | None:
    """Tell which protected brand a non-official host imitates, if any.

    Args:
        host: the canonical ASCII host.
        registered_domain: its registered domain (public-suffix aware), or None.
        public_suffix: its public suffix (``com``, ``co.th``), or None.
        unicode_host: the Unicode form when the host is internationalised.

    Returns:
        The strongest :class:`BrandMatch`, or None.
    """
    registered = registered_domain or host
    # The registrant's own name: the registered domain minus its public suffix, read in
    # the form a person sees (Unicode for punycode hosts).
    suffix_labels = public_suffix.count(".") + 1 if public_suffix else 1
    shown_labels = (unicode_host or host).split(".")
    own_labels = shown_labels[-(registered.count(".") + 1):-suffix_labels] or shown_labels[:1]
    own_skeleton = skeleton(".".join(own_labels))
    subdomain = host[: -len(registered) - 1] if host.endswith("." + registered) else ""
    for brand in protected_brands():
        for domain in brand.official:
            official_name = _official_name(domain, brand)
            if own_skeleton == official_name and registered != domain:
                technique = "homoglyph" if unicode_host else "typosquat"
                return BrandMatch(brand, technique, f"{unicode_host or registered} reads as {domain}")
            distance = edit_distance(own_skeleton, official_name, 2)
            if len(official_name) >= 5 and 0 < distance <= _allowed_edits(official_name) and (
                    len(official_name) >= 8 or own_skeleton[:1] == official_name[:1]):
                return BrandMatch(brand, "typosquat",
                                  f"{registered} is {distance} edit(s) from {domain}")
            if subdomain and (subdomain == domain or subdomain.endswith("." + domain)
                              or subdomain.startswith(domain + ".")):
                return BrandMatch(brand, "subdomain", f"{domain} placed in front of {registered}")
    own_tokens = set(_SEPARATORS.split(own_skeleton))
    sub_skeleton = skeleton(subdomain)
    sub_tokens = set(_SEPARATORS.split(sub_skeleton))
    for brand in protected_brands():
        for keyword in brand.keywords:
            if not keyword.isascii():
                continue
            if _keyword_in(keyword, brand, own_skeleton, own_tokens):
                technique = "homoglyph" if unicode_host else "combosquat"
                return BrandMatch(brand, technique, f"'{keyword}' inside {registered}")
            if subdomain and _keyword_in(keyword, brand, sub_skeleton, sub_tokens):
                return BrandMatch(brand, "subdomain", f"'{keyword}' in a subdomain of {registered}")
    return None
