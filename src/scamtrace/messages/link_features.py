"""What a link says, as features of the label model, without "has a link" becoming evidence.

The label model reads the wording of a text with its links removed
(:func:`scamtrace.messages.normalise.model_text`). This module gives it a second,
separate block of features for the links' content: for every link, its public suffix
(``T:co.uk``), its registered name (``N:urawinner``), the letter runs of that name
(``W:urawinner``), their character 3-5-grams (``G:<ur``, ``G:winn``: the words inside a
name written without separators) and the letter runs of its subdomains (``S:support``).
Paths are left out (in the grouped cross-validation they cost Thai macro-F1 0.003) and a
shortener's link has no content at all: ``bit.ly/3abc`` says only that a link exists.

An official domain of a protected brand is one token (``O:official``): its name must not
teach that ``kbank`` in a host is benign, since lookalikes carry it too.

The block is a sublinear TF-IDF vector L2-normalised on its own, so a link never
dilutes the wording's features, and a text without a link has an empty block. Tokens
common to every link (``T:com``) could still act as "has a link", so
:func:`augmented_rows` adds training copies of every text with a benign link appended
(official domains of the protected brands, common sites, and when training has them
the legitimate hosts of the URL set) and of every text with links without them:
presence then carries no weight, the content of the links does.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from scamtrace.identifiers.hosts import shortener_hosts
from scamtrace.identifiers.psl import public_suffix
from scamtrace.messages.brands import official_brand

LINK_BITS = 17
_SCHEME = re.compile(r"^(?:https?|ftp)://", re.IGNORECASE)
_LETTERS = re.compile(r"[a-z]+")
_SPREAD = np.uint64(0x9E3779B97F4A7C15)

# Sites whose links ordinary messages carry; with the brands' official domains they are
# what training appends to copies of the texts.
COMMON_HOSTS: tuple[str, ...] = (
    "google.com", "docs.google.com", "forms.gle", "facebook.com", "youtube.com", "line.me",
    "instagram.com", "twitter.com", "x.com", "tiktok.com", "wikipedia.org", "apple.com",
    "microsoft.com", "amazon.com", "grab.com", "zoom.us", "pantip.com", "sanook.com",
    "thairath.co.th", "bbc.co.uk", "gov.uk", "nhs.uk", "github.com", "linkedin.com",
    "netflix.com", "spotify.com", "booking.com", "agoda.com", "wongnai.com", "mthai.com",
)


@lru_cache(maxsize=65536)
def link_tokens(link: str) -> tuple[str, ...]:
    """The content tokens of one link (see the module docstring); () for a shortener.

    Args:
        link: a link as found in a text (scheme, ``www.`` and path optional).

    Returns:
        Tokens such as ``("T:com", "N:urawinner", "W:urawinner", "G:<ur", ...)``.

    Examples:
        >>> link_tokens("http://www.e-tlp.co.uk/reward")[:3]
        ('T:co.uk', 'N:e-tlp', 'W:e')
        >>> link_tokens("https://bit.ly/3abc")
        ()
    """
    host = _SCHEME.sub("", link.lower()).split("/", 1)[0]
    host = host.rsplit("@", 1)[-1].split(":", 1)[0].strip(".-")
    labels = [label for label in host.split(".") if label]
    if labels and labels[0] == "www":
        labels = labels[1:]
    if not labels:
        return ()
    host = ".".join(labels)
    shorteners = shortener_hosts()
    if host in shorteners or ".".join(labels[-2:]) in shorteners:
        return ()
    suffix = public_suffix(host)[0] if len(labels) > 1 else ""
    rest = labels[:len(labels) - suffix.count(".") - 1] if suffix else labels
    if not rest:
        return ("T:" + suffix,)
    name, subdomains = rest[-1], rest[:-1]
    if official_brand(f"{name}.{suffix}", host) is not None:
        # A brand's own site: its name must not teach that "kbank" in a host is benign
        # (lookalikes carry it too), so an official domain is one token.
        return ("T:" + suffix, "O:official")
    tokens = ["T:" + suffix, "N:" + name]
    for piece in _LETTERS.findall(name):
        tokens.append("W:" + piece)
        padded = f"<{piece}>"
        for size in (3, 4, 5):
            tokens.extend("G:" + padded[i:i + size] for i in range(len(padded) - size + 1))
    for subdomain in subdomains:
        tokens.extend("S:" + piece for piece in _LETTERS.findall(subdomain))
    return tuple(tokens)


@lru_cache(maxsize=262144)
def _token_hash(token: str) -> int:
    return zlib.crc32(token.encode("utf-8"))


def link_columns(links: Sequence[Sequence[str]], bits: int = LINK_BITS
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Hashed content tokens of each text's links, as (text index, column) pairs.

    Args:
        links: the links of every text (from
            :func:`scamtrace.messages.normalise.model_text_and_links`).
        bits: log2 of the table size.

    Returns:
        (doc, column): equal-length int64 arrays, one entry per token occurrence.
    """
    docs: list[int] = []
    hashes: list[int] = []
    for index, text_links in enumerate(links):
        for link in text_links:
            tokens = link_tokens(link)
            docs.extend([index] * len(tokens))
            hashes.extend(_token_hash(token) for token in tokens)
    if not docs:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    with np.errstate(over="ignore"):
        columns = (np.array(hashes, dtype=np.uint64) * _SPREAD) >> np.uint64(64 - bits)
    return np.array(docs, dtype=np.int64), columns.astype(np.int64)


def benign_host_groups(extra: Sequence[str] = ()) -> list[list[str]]:
    """The hosts whose links training appends to copies of the texts, in groups.

    Args:
        extra: more benign hosts (training passes the URL set's legitimate hosts,
            :func:`scamtrace.messages.datasets.load_benign_hosts`).

    Returns:
        [the protected brands' official domains, :data:`COMMON_HOSTS`, ``extra``] (an
        empty ``extra`` left out); each appended link picks a group, then a host in it,
        so the brands' few domains weigh as much as thousands of other hosts.
    """
    from scamtrace.messages.brands import protected_brands

    official = sorted({domain for brand in protected_brands() for domain in brand.official})
    groups = [official, sorted(COMMON_HOSTS), sorted({h.lower() for h in extra if h})]
    return [group for group in groups if group]


def split_hosts(groups: Sequence[Sequence[str]]) -> tuple[list[list[str]], list[list[str]]]:
    """Split every group of hosts in two fixed halves (by a hash of the host):
    cross-validation trains with the first and probes with links to the second, hosts
    it never appended."""
    first = [[h for h in group if zlib.crc32(h.encode("utf-8")) % 2 == 0] for group in groups]
    second = [[h for h in group if zlib.crc32(h.encode("utf-8")) % 2 == 1] for group in groups]
    return first, second


_CODE = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def benign_link(rng: np.random.Generator, hosts: Sequence[str]) -> str:
    """One link to a random host of ``hosts``, written as messages write links."""
    host = hosts[int(rng.integers(len(hosts)))]
    code = "".join(_CODE[i] for i in rng.integers(len(_CODE), size=int(rng.integers(4, 9))))
    form = rng.random()
    if form < 0.3:
        return host
    if form < 0.6 or host.startswith("www."):
        return f"https://{host}/{code}"
    return f"https://www.{host}/{code}"


AUGMENT_WEIGHT = 0.3


def augmented_rows(links: Sequence[Sequence[str]],
                   host_groups: Sequence[Sequence[str]], seed: int = 0
                   ) -> tuple[np.ndarray, list[list[str]]]:
    """Training copies that make a link's presence worthless as evidence.

    Every text gets a copy with a benign link (from ``host_groups``) appended to its own
    links, and every text that has links a copy without them, whatever its class: a
    benign link is then no evidence for any class (and a scam cannot pass for legit by
    carrying one), an absent link none either. A copy weighs :data:`AUGMENT_WEIGHT`
    against its text's 1, and a text and its copies share the text's weight
    (grouped cross-validation, docs/messages.md: 0.3 gave Thai macro-F1 0.9195 and
    English spam F1 0.9615, 1.0 gave 0.9192 and 0.9607).

    Args:
        links: the links of every text.
        host_groups: benign hosts (:func:`benign_host_groups`).
        seed: seeds the choice of links.

    Returns:
        (original row of each copy, links of each copy).
    """
    rng = np.random.default_rng(seed)
    host_groups = [group for group in host_groups if group]
    rows: list[int] = []
    copies: list[list[str]] = []
    for index, text_links in enumerate(links):
        rows.append(index)
        group = host_groups[int(rng.integers(len(host_groups)))]
        copies.append([*text_links, benign_link(rng, group)])
        if text_links:
            rows.append(index)
            copies.append([])
    return np.array(rows, dtype=np.int64), copies
