"""Edges found in texts: links, numbers and LINE ids that SMS and reports carry.

Texts are de-obfuscated first (zero-width characters, Thai digits, ``dot com``,
homoglyphs: :func:`scamtrace.messages.normalise.deobfuscate`), and every indicator is
put in its canonical form with :mod:`scamtrace.identifiers`, so that the same link
written three ways is one node.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

import pandas as pd

from scamtrace.analytics.networks.evidence_sql import EDGE_COLUMNS
from scamtrace.errors import InvalidIdentifier
from scamtrace.identifiers import parse
from scamtrace.messages.normalise import deobfuscate

# Lenient candidates; scamtrace.identifiers decides what is really a URL or a phone.
URL_PATTERN = re.compile(
    r"(?<![\w@.\-])(?:https?://)?(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,12}"
    r"(?::\d{2,5})?(?:/[^\s<>\"']*)?",
    re.IGNORECASE,
)
PHONE_PATTERN = re.compile(r"(?<![\d*])(?:\+66|0066|0)[\s.\-]?(?:\d[\s.\-]?){7,8}\d(?![\d#])")

_LINE_ID = re.compile(
    r"(?:\bline\s*id|ไลน์(?:\s*ไอดี)?|\bline)\s*[:：]?\s*(?!line\b|id\b)(@?[a-z0-9._\-]{3,30})",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}'\"》」"


def text_indicators(text: str) -> list[tuple[str, str]]:
    """Canonical (kind, value) pairs named in a text: url and its domain (none for link
    shorteners), phone, line_id.

    Args:
        text: a message as received.

    Returns:
        Distinct pairs in order of appearance.

    Examples:
        >>> text_indicators("คลิก kbank-secure-th dot com/login หรือโทร 081-234-5678")
        [('url', 'http://kbank-secure-th.com/login'), ('domain', 'kbank-secure-th.com'), ('phone', '+66812345678')]
    """
    clean = deobfuscate(text or "")
    found: dict[tuple[str, str], None] = {}
    for match in URL_PATTERN.finditer(clean):
        raw = match.group(0).rstrip(_TRAILING)
        try:
            url = parse("url", raw)
        except InvalidIdentifier:
            continue
        found[("url", url.value)] = None
        domain = url.facts.get("registered_domain")
        # A shortener's domain is shared infrastructure, like a bank: it ties nothing.
        if domain and not url.facts.get("shortener"):
            found[("domain", str(domain))] = None
    for match in PHONE_PATTERN.finditer(clean):
        try:
            found[("phone", parse("phone", match.group(0)).value)] = None
        except InvalidIdentifier:
            continue
    for match in _LINE_ID.finditer(clean):
        found[("line_id", match.group(1).lower())] = None
    return list(found)


def sms_text_edges(rows: Iterable[tuple[str, str, str, int]]) -> pd.DataFrame:
    """Edges from SMS sent by suspect SIMs: SIM -> url/phone/line_id, url -> domain.

    Args:
        rows: (sender, text, sms_id, epoch seconds) of distinct texts per sender.

    Returns:
        Edge rows with the columns of :data:`EDGE_COLUMNS`.
    """
    acc: dict[tuple[str, str, str, str, str], list] = defaultdict(lambda: [0, None, None, None])
    for sender, text, sms_id, at in rows:
        indicators = text_indicators(text)
        urls = [v for k, v in indicators if k == "url"]
        for kind, value in indicators:
            if kind == "domain":
                for url in urls:
                    _add(acc, ("url", url, "domain", value, "hosted_on"), sms_id, at)
                continue
            _add(acc, ("sim", sender, _node_kind(kind), value, "sms_carried"), sms_id, at)
    return _frame(acc)


def report_text_edges(rows: Iterable[tuple[str, str, str, str, int]]) -> pd.DataFrame:
    """Edges from reports: the reported entity -> each indicator its text names.

    Args:
        rows: (reported_kind, reported_value, text, report_id, epoch seconds).

    Returns:
        Edge rows with the columns of :data:`EDGE_COLUMNS`.
    """
    acc: dict[tuple[str, str, str, str, str], list] = defaultdict(lambda: [0, None, None, None])
    for reported_kind, reported_value, text, report_id, at in rows:
        subject = _subject(reported_kind, reported_value)
        indicators = text_indicators(text)
        urls = [v for k, v in indicators if k == "url"]
        for kind, value in indicators:
            if kind == "domain":
                for url in urls:
                    _add(acc, ("url", url, "domain", value, "hosted_on"), report_id, at)
                continue
            if subject is not None and (subject[0], subject[1]) != (_node_kind(kind), value):
                _add(acc, (*subject, _node_kind(kind), value, "report_names"), report_id, at)
    return _frame(acc)


def _subject(kind: str | None, value: str | None) -> tuple[str, str] | None:
    if not kind or not value:
        return None
    mapping = {"phone": "sim", "url": "url", "domain": "domain", "line_id": "line_id",
               "bank_account": "account", "account": "account"}
    return (mapping[kind], value) if kind in mapping else None


def _node_kind(indicator_kind: str) -> str:
    # A phone number in a text is a SIM of the world when it is one; the graph uses one
    # kind so that "call back 08x" and the calling SIM meet.
    return "sim" if indicator_kind == "phone" else indicator_kind


def _add(acc: dict, key: tuple, ref: str, at: int) -> None:
    entry = acc[key]
    entry[0] += 1
    entry[1] = at if entry[1] is None else min(entry[1], at)
    entry[2] = at if entry[2] is None else max(entry[2], at)
    entry[3] = ref if entry[3] is None else min(entry[3], ref)


def _frame(acc: dict) -> pd.DataFrame:
    rows = [(*key[:4], key[4], v[0], v[1], v[2], v[3]) for key, v in acc.items()]
    frame = pd.DataFrame(rows, columns=list(EDGE_COLUMNS))
    return frame.astype({"n": "int64", "first_ts": "Int64", "last_ts": "Int64", "ref": "string"})
