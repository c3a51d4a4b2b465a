"""Lexical features of a URL string, for a model that never fetches the page.

Two parts: hashed character n-grams of the lower-cased URL (the same hashing as the
text model), and a few dense measurements that phishing URLs are known to skew
(length, digits, hyphens, subdomain depth, an IP host, ``@``, risky TLDs, login words;
Hannousse & Yahiouche 2021, table 2). Dense values are scaled to about [0, 1] so one
regularisation strength suits both parts.
"""

from __future__ import annotations

import math
import re
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


def url_feature_matrix(urls: Sequence[str], bits: int) -> sparse.csr_matrix:
    """Hashed n-grams (2**bits columns) followed by the dense measurements.

    Args:
        urls: URL strings.
        bits: log2 of the n-gram table size.

    Returns:
        CSR matrix of shape (len(urls), 2**bits + len(DENSE_NAMES)).
    """
    lowered = [url.strip().lower() for url in urls]
    grams = feature_matrix(lowered, bits)
    dense = sparse.csr_matrix(np.array([dense_features(u) for u in lowered], dtype=np.float32)
                              .reshape(len(urls), len(DENSE_NAMES)))
    return sparse.hstack([grams, dense], format="csr")


def url_scores(urls: Sequence[str], gram_weights: np.ndarray, dense_weights: np.ndarray,
               bias: float) -> np.ndarray:
    """Decision values of the lexical model without building the sparse matrix.

    Args:
        urls: URL strings.
        gram_weights: (2**bits,) weights of the hashed n-grams.
        dense_weights: (len(DENSE_NAMES),) weights of the dense measurements.
        bias: the intercept.

    Returns:
        One float per URL; above 0 leans phishing.
    """
    lowered = [url.strip().lower() for url in urls]
    bits = int(gram_weights.shape[0]).bit_length() - 1
    docs, columns = hashed_ngrams(lowered, bits)
    lengths = np.maximum(np.bincount(docs, minlength=len(urls)), 1)
    grams = np.bincount(docs, weights=gram_weights[columns].astype(np.float64),
                        minlength=len(urls)) / np.sqrt(lengths)
    dense = np.array([dense_features(u) for u in lowered], dtype=np.float64)
    return grams + dense.reshape(len(urls), -1) @ dense_weights.astype(np.float64) + bias
