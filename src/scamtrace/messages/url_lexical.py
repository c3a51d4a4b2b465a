"""Lexical features of a URL string, for a model that never fetches the page.

Three parts feed a linear model: hashed character n-grams of the lower-cased URL (the
same hashing as the text model), hashed word tokens and token pairs (``secure``,
``login``, ``paypal com``: the alphanumeric runs), and a few dense measurements that
phishing URLs are known to skew (length, digits, hyphens, subdomain depth, an IP host,
``@``, risky TLDs, login words; Hannousse & Yahiouche 2021, table 2). Dense values are
scaled to about [0, 1] so one regularisation strength suits all parts.

:func:`shape_features` adds raw counts (characters of each kind, lengths of host, path,
query and longest label) for the gradient-boosted trees that combine them with the
linear model's score (:mod:`scamtrace.messages.training`).
"""

from __future__ import annotations

import itertools
import math
import re
import zlib
from collections.abc import Sequence
from urllib.parse import urlsplit

import numpy as np
from scipy import sparse

from scamtrace.messages.features import feature_matrix, hashed_ngrams

RISKY_TLDS = frozenset(
    ["xyz", "top", "icu", "buzz", "cyou", "sbs", "tk", "ml", "ga", "cf", "gq", "pw", "click", "link", "shop", "online", "site", "vip", "club", "live", "rest", "monster", "cam", "bond", "cfd", "win", "bet", "casino", "loan", "work", "fun", "lol", "today", "support", "help", "asia", "info", "biz", "ru", "su", "cn"]
)
_LOGIN_WORDS = re.compile(
    r"login|log-in|signin|sign-in|verify|verif|secure|account|update|confirm|webscr|banking|"
    r"password|wallet|unlock|suspend|billing|invoice|payment|auth|recover|otp|kyc",
    re.IGNORECASE,
)
_IPV4_HOST = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
DENSE_NAMES: tuple[str, ...] = (
    "log_length", "host_length", "host_dots", "host_hyphens", "host_digits", "ip_host",
    "https", "path_depth", "at_sign", "double_slash_in_path", "query_length", "punycode",
    "risky_tld", "login_words", "common_tld", "port", "entropy", "path_has_tld",
)
_COMMON_TLDS = frozenset({"com", "org", "net", "edu", "gov", "th", "uk", "de", "jp"})


def _entropy(text: str) -> float:
    if not text:
        return 0.0
    counts: dict[str, int] = {}
    for char in text:
        counts[char] = counts.get(char, 0) + 1
    total = len(text)
    return -sum(c / total * math.log2(c / total) for c in counts.values())


def dense_features(url: str) -> list[float]:
    """The dense lexical measurements of one URL, in :data:`DENSE_NAMES` order.

    Args:
        url: a URL as written (a missing scheme is read as http).

    Returns:
        Floats scaled to about [0, 1].
    """
    text = url.strip().lower()
    try:
        parts = urlsplit(text if "://" in text[:12] else "http://" + text)
        host, path, query, port = parts.hostname or "", parts.path, parts.query, parts.port
    except ValueError:
        host, path, query, port = "", text, "", None
    tld = host.rsplit(".", 1)[-1] if "." in host else ""
    return [
        math.log1p(len(text)) / 6.0,
        min(len(host), 80) / 80.0,
        min(host.count("."), 8) / 8.0,
        min(host.count("-"), 6) / 6.0,
        min(sum(ch.isdigit() for ch in host), 10) / 10.0,
        float(bool(_IPV4_HOST.match(host))),
        float(text.startswith("https://")),
        min(path.count("/"), 10) / 10.0,
        float("@" in text),
        float("//" in path),
        min(len(query), 200) / 200.0,
        float("xn--" in host),
        float(tld in RISKY_TLDS),
        min(len(_LOGIN_WORDS.findall(text)), 4) / 4.0,
        float(tld in _COMMON_TLDS),
        float(port is not None and port not in (80, 443)),
        _entropy(text) / 6.0,
        float(bool(re.search(r"\.(com|net|org|php|html?)\b", path))),
    ]


_TOKEN = re.compile(r"[a-z0-9]+")
TOKEN_SCALE = 0.7  # the token view's share beside the n-grams (both are unit-length rows)
SHAPE_NAMES: tuple[str, ...] = (
    "length", "host_chars", "path_chars", "query_chars", "dots", "hyphens", "underscores",
    "slashes", "equals", "ampersands", "percents", "tildes", "digits", "host_digits",
    "uppercase", "longest_host_label", "first_label", "tld_length", "last_segment",
    "www", "script_extension", "trailing_slash", "tokens", "longest_token",
)


def token_entries(urls: Sequence[str], bits: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hashed alphanumeric tokens and adjacent token pairs of lower-cased URLs.

    Values are ``1 + log count``, each URL's row scaled to unit length and then by
    :data:`TOKEN_SCALE`. CRC-32 hashes the tokens, so columns never depend on the run.

    Args:
        urls: URL strings.
        bits: log2 of the token table size.

    Returns:
        (row, column, value) arrays, one entry per distinct (URL, column).
    """
    rows, columns = [], []
    mask = (1 << bits) - 1
    for row, url in enumerate(urls):
        tokens = _TOKEN.findall(url.strip().lower())
        grams = tokens + [f"{a} {b}" for a, b in itertools.pairwise(tokens)]
        rows.extend([row] * len(grams))
        columns.extend(zlib.crc32(gram.encode()) & mask for gram in grams)
    keys, counts = np.unique((np.array(rows, dtype=np.int64) << bits)
                             | np.array(columns, dtype=np.int64), return_counts=True)
    pair_rows, pair_columns = keys >> bits, keys & mask
    values = 1.0 + np.log(counts)
    norms = np.sqrt(np.bincount(pair_rows, weights=values * values, minlength=len(urls)))
    values = values / np.maximum(norms, 1e-12)[pair_rows] * TOKEN_SCALE
    return pair_rows, pair_columns, values


def shape_features(url: str) -> list[float]:
    """Raw counts of one URL's make-up, in :data:`SHAPE_NAMES` order (for the trees)."""
    text = url.strip()
    lowered = text.lower()
    try:
        parts = urlsplit(lowered if "://" in lowered[:12] else "http://" + lowered)
        host, path, query = parts.hostname or "", parts.path, parts.query
    except ValueError:
        host, path, query = "", lowered, ""
    labels = host.split(".")
    tokens = _TOKEN.findall(lowered)
    return [
        len(text), len(host), len(path), len(query), text.count("."), text.count("-"),
        text.count("_"), text.count("/"), text.count("="), text.count("&"), text.count("%"),
        text.count("~"), sum(ch.isdigit() for ch in text), sum(ch.isdigit() for ch in host),
        sum(ch.isupper() for ch in text), max(len(label) for label in labels), len(labels[0]),
        len(labels[-1]), len(path.rsplit("/", 1)[-1]), float(host.startswith("www.")),
        float(bool(re.search(r"\.(?:php|html?|aspx?|jsp|cgi)$", path))),
        float(path.endswith("/")), len(tokens), max((len(t) for t in tokens), default=0),
    ]


def tree_features(urls: Sequence[str], linear: np.ndarray) -> np.ndarray:
    """The trees' input: the linear model's score, dense measurements, shape counts."""
    lowered = [url.strip().lower() for url in urls]
    dense = np.array([dense_features(u) for u in lowered], dtype=np.float64)
    shape = np.array([shape_features(u) for u in urls], dtype=np.float64)
    return np.column_stack([np.asarray(linear, dtype=np.float64),
                            dense.reshape(len(urls), len(DENSE_NAMES)),
                            shape.reshape(len(urls), len(SHAPE_NAMES))])


def url_feature_matrix(urls: Sequence[str], bits: int,
                       token_bits: int | None = None) -> sparse.csr_matrix:
    """Hashed n-grams (2**bits columns), hashed tokens, then the dense measurements.

    Args:
        urls: URL strings.
        bits: log2 of the n-gram table size.
        token_bits: log2 of the token table size (None: no token view).

    Returns:
        CSR matrix of shape (len(urls), 2**bits [+ 2**token_bits] + len(DENSE_NAMES)).
    """
    lowered = [url.strip().lower() for url in urls]
    parts = [feature_matrix(lowered, bits)]
    if token_bits is not None:
        rows, columns, values = token_entries(lowered, token_bits)
        parts.append(sparse.csr_matrix((values.astype(np.float32), (rows, columns)),
                                       shape=(len(urls), 2**token_bits), dtype=np.float32))
    parts.append(sparse.csr_matrix(np.array([dense_features(u) for u in lowered],
                                            dtype=np.float32).reshape(len(urls), len(DENSE_NAMES))))
    return sparse.hstack(parts, format="csr")


def url_scores(urls: Sequence[str], gram_weights: np.ndarray, dense_weights: np.ndarray,
               bias: float, token_weights: np.ndarray | None = None) -> np.ndarray:
    """Decision values of the linear lexical model without building the sparse matrix.

    Args:
        urls: URL strings.
        gram_weights: (2**bits,) weights of the hashed n-grams.
        dense_weights: (len(DENSE_NAMES),) weights of the dense measurements.
        bias: the intercept.
        token_weights: (2**token_bits,) weights of the hashed tokens, when the model has them.

    Returns:
        One float per URL; above 0 leans phishing.
    """
    lowered = [url.strip().lower() for url in urls]
    bits = int(gram_weights.shape[0]).bit_length() - 1
    docs, columns = hashed_ngrams(lowered, bits)
    lengths = np.maximum(np.bincount(docs, minlength=len(urls)), 1)
    grams = np.bincount(docs, weights=gram_weights[columns].astype(np.float64),
                        minlength=len(urls)) / np.sqrt(lengths)
    if token_weights is not None and len(urls):
        token_bits = int(token_weights.shape[0]).bit_length() - 1
        rows, columns, values = token_entries(lowered, token_bits)
        grams = grams + np.bincount(rows, weights=token_weights[columns] * values,
                                    minlength=len(urls))
    dense = np.array([dense_features(u) for u in lowered], dtype=np.float64)
    return grams + dense.reshape(len(urls), -1) @ dense_weights.astype(np.float64) + bias
