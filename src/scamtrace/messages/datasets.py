"""Labelled message sets for training and evaluation, mapped to the project's label map.

The label map (../shared/data/README.md): ``legit`` covers real notices and OTPs;
``spam`` is unsolicited promotion, including premium SMS subscriptions and gambling
adverts that ask for nothing; ``scam`` is fraud (asks for money, credentials, an install,
a call back, or impersonates a bank, agency, courier or the police).

Every loader deduplicates exact texts and drops texts whose copies carry conflicting
labels; :func:`near_duplicate_groups` clusters template variants (same wording, other
link or number) so cross-validation keeps each cluster on one side of a split.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scamtrace.errors import InvalidDataFile
from scamtrace.messages.normalise import mask_for_model

LABELS: tuple[str, ...] = ("legit", "spam", "scam")
THAI_LABEL_MAP = {"OK": "legit", "OTP": "legit", "spam": "spam", "scam": "scam"}
UCI_LABEL_MAP = {"ham": "legit", "spam": "spam"}

# The Thai set labels some premium-SMS subscriptions ("*184# ... 3บ/ขค") scam and
# identical templates spam; the project's map makes all of them spam.
_PREMIUM_USSD = re.compile(r"\*\d{3}(?:\*\d+)*#")
_PREMIUM_FEE = re.compile(r"\d\s*บ\.?\s*/\s*(?:ขค|sms|วัน|ข้อความ)|บ\./ด\.|สมัคร", re.IGNORECASE)


# UCI "spam" mixes promotions with prize and call-back fraud ("You have won ... call
# 09061..."); under the label map the fraud is scam.
_UCI_FRAUD = re.compile(
    r"\b(?:won|winner|prize|claim|selected|award(?:ed)?|guaranteed|urgent|unclaimed|"
    r"cash|bonus|reward|voucher)\b.*\b(?:call|claim|text|reply|txt|collect)\b"
    r"|\b(?:call|claim)\b.*\b(?:won|winner|prize|award(?:ed)?|unclaimed|reward)\b",
    re.IGNORECASE | re.DOTALL,
)


def map_uci_label(label: str, text: str) -> str:
    """Map a UCI label (ham/spam) onto legit/spam/scam.

    Args:
        label: ``ham`` or ``spam``.
        text: the message; prize and call-back spam is fraud, hence ``scam``.

    Returns:
        ``legit``, ``spam`` or ``scam``.
    """
    mapped = UCI_LABEL_MAP[label]
    if mapped == "spam" and _UCI_FRAUD.search(text):
        return "scam"
    return mapped


@dataclass(frozen=True)
class LabelledMessages:
    """Deduplicated texts with one label each, and where they came from.

    Attributes:
        texts: the message texts, unique.
        labels: one of :data:`LABELS` per text.
        source: the dataset folder name.
        original_labels: the publisher's label per text, before the label map.
    """

    texts: list[str]
    labels: list[str]
    source: str
    original_labels: list[str]


def map_thai_label(label: str, text: str) -> str:
    """Map a ssivakorn label (OK/OTP/scam/spam) onto legit/spam/scam.

    Args:
        label: the publisher's label.
        text: the message, needed because premium-SMS subscriptions labelled ``scam``
            are ``spam`` under the project's label map.

    Returns:
        ``legit``, ``spam`` or ``scam``.
    """
    mapped = THAI_LABEL_MAP[label]
    if mapped == "scam" and _PREMIUM_USSD.search(text) and _PREMIUM_FEE.search(text):
        return "spam"
    return mapped


def _deduplicate(pairs: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    seen: dict[str, set[str]] = {}
    order: list[str] = []
    for text, label in pairs:
        if text not in seen:
            seen[text] = set()
            order.append(text)
        seen[text].add(label)
    # Texts whose copies disagree are dropped rather than resolved by a guess.
    kept = [text for text in order if len(seen[text]) == 1]
    return kept, [next(iter(seen[text])) for text in kept]


def load_thai_ssivakorn(data_dir: Path) -> LabelledMessages:
    """Load ../shared/data/thai-sms-ssivakorn (LABEL|text lines across 17 files).

    Args:
        data_dir: the shared data folder.

    Returns:
        Unique, consistently labelled texts with mapped labels.
    """
    folder = data_dir / "thai-sms-ssivakorn" / "raw_data"
    if not folder.is_dir():
        raise InvalidDataFile(f"{folder} not found")
    pairs: list[tuple[str, str]] = []
    for path in sorted(folder.glob("*.txt")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            label, sep, text = line.partition("|")
            label, text = label.strip(), text.strip()
            if sep and label in THAI_LABEL_MAP and text:
                pairs.append((text, label))
    texts, originals = _deduplicate(pairs)
    labels = [map_thai_label(label, text) for text, label in zip(texts, originals)]
    return LabelledMessages(texts, labels, "thai-sms-ssivakorn", originals)


def load_uci_sms(data_dir: Path) -> LabelledMessages:
    """Load ../shared/data/uci-sms-spam (label<TAB>text, ham/spam).

    Args:
        data_dir: the shared data folder.

    Returns:
        Unique, consistently labelled texts; ham is ``legit``, spam is ``spam`` (the
        collection does not separate fraud from promotion).
    """
    path = data_dir / "uci-sms-spam" / "SMSSpamCollection"
    if not path.is_file():
        raise InvalidDataFile(f"{path} not found")
    pairs = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        label, sep, text = line.partition("\t")
        if sep and label in UCI_LABEL_MAP and text.strip():
            pairs.append((text.strip(), label))
    texts, originals = _deduplicate(pairs)
    return LabelledMessages(texts, [UCI_LABEL_MAP[o] for o in originals], "uci-sms-spam",
                            originals)


def load_hannousse_urls(data_dir: Path) -> tuple[list[str], np.ndarray]:
    """Load ../shared/data/url-hannousse-11430: URL strings and 1 for phishing.

    Args:
        data_dir: the shared data folder.

    Returns:
        (urls, is_phishing) with exact duplicate URLs removed (first label kept only
        when all copies agree).
    """
    path = data_dir / "url-hannousse-11430" / "dataset_phishing.csv"
    if not path.is_file():
        raise InvalidDataFile(f"{path} not found")
    with path.open(encoding="utf-8", newline="") as handle:
        pairs = [(row["url"].strip(), row["status"]) for row in csv.DictReader(handle)]
    urls, labels = _deduplicate([p for p in pairs if p[0]])
    return urls, np.array([label == "phishing" for label in labels], dtype=np.int8)


def load_benign_hosts(data_dir: Path) -> list[str]:
    """Hosts of the legitimate URLs of ../shared/data/url-hannousse-11430 (``www.`` dropped).

    Training appends links to them to copies of the texts
    (:func:`scamtrace.messages.link_features.augmented_rows`).

    Args:
        data_dir: the shared data folder.

    Returns:
        Sorted unique hosts.
    """
    urls, phishing = load_hannousse_urls(data_dir)
    hosts = set()
    for url, bad in zip(urls, phishing):
        if not bad:
            host = re.sub(r"^[a-z]+://", "", url.lower()).split("/", 1)[0].split(":", 1)[0]
            hosts.add(host.removeprefix("www."))
    return sorted(h for h in hosts if "." in h)


def _shingles(text: str, size: int = 5) -> set[int]:
    masked = mask_for_model(text).replace(" ", "")
    if len(masked) <= size:
        masked = masked.ljust(size + 1, "_")
    return {
        int.from_bytes(hashlib.blake2b(masked[i:i + size].encode(), digest_size=8).digest(),
                       "little")
        for i in range(len(masked) - size + 1)
    }


def near_duplicate_groups(texts: list[str], threshold: float = 0.5) -> np.ndarray:
    """Cluster texts whose masked 5-character shingles overlap (Jaccard >= threshold).

    MinHash with 16 bands of 4 rows proposes candidate pairs; the exact Jaccard of each
    candidate decides; union-find joins pairs into clusters.

    Args:
        texts: the messages.
        threshold: the Jaccard similarity from which two texts are one template.

    Returns:
        One integer cluster id per text.
    """
    shingle_sets = [_shingles(text) for text in texts]
    rng = np.random.default_rng(20260101)
    prime = (1 << 31) - 1  # products of two values below 2**31 stay inside uint64
    a = rng.integers(1, prime, size=64, dtype=np.uint64)
    b = rng.integers(0, prime, size=64, dtype=np.uint64)
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    buckets: dict[tuple[int, bytes], list[int]] = {}
    for index, shingles in enumerate(shingle_sets):
        values = np.fromiter(shingles, dtype=np.uint64) % np.uint64(prime)
        signature = ((np.outer(values, a) + b) % np.uint64(prime)).min(axis=0)
        for band in range(16):
            key = (band, signature[band * 4:band * 4 + 4].tobytes())
            buckets.setdefault(key, []).append(index)
    for members in buckets.values():
        # All pairs in small buckets; a huge bucket is one template already, so a star
        # around its first member is enough.
        pairs = ([(x, y) for i, x in enumerate(members) for y in members[i + 1:]]
                 if len(members) <= 40 else [(members[0], y) for y in members[1:]])
        for first, other in pairs:
            root_a, root_b = find(first), find(other)
            if root_a == root_b:
                continue
            left, right = shingle_sets[first], shingle_sets[other]
            if len(left & right) / len(left | right) >= threshold:
                parent[root_b] = root_a
    roots = [find(i) for i in range(len(texts))]
    _, group_ids = np.unique(roots, return_inverse=True)
    return group_ids
