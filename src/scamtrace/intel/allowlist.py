"""The allowlist (MISP: warninglist) of official identifiers that are never blocked.

The shipped baseline lives in ``intel/data/allowlist.yaml``; admins add entries or
disable shipped ones through the API, and those edits are stored rows that
:meth:`Allowlist.with_overrides` lays over the baseline. Matching is exact on the
canonical value, except for domains (the domain and its subdomains) and URLs (by host).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from urllib.parse import urlsplit

import yaml

from scamtrace.errors import InvalidDataFile


@dataclass(frozen=True)
class AllowlistEntry:
    """One official identifier.

    Attributes:
        kind: identifier kind (``phone``, ``short_code``, ``domain``...).
        value: canonical value; for a suffix entry, the public suffix (``go.th``).
        owner: who it belongs to, shown to analysts and in lookups.
        suffix: matches every domain under ``value`` rather than ``value`` itself.
        enabled: ``False`` when an admin disabled a shipped entry.
    """

    kind: str
    value: str
    owner: str
    suffix: bool = False
    enabled: bool = True

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.value)


def _parse_entries(document: object) -> list[AllowlistEntry]:
    if not isinstance(document, dict):
        raise InvalidDataFile("allowlist: expected a mapping of kind -> list of entries")
    entries = []
    for kind, items in document.items():
        for item in items or []:
            if not isinstance(item, dict) or not ("value" in item or "suffix" in item):
                raise InvalidDataFile(f"allowlist: entry under {kind!r} needs value or suffix")
            value = str(item.get("value") or item["suffix"]).lower()
            entries.append(
                AllowlistEntry(kind, value, str(item.get("owner", "")), "suffix" in item)
            )
    return entries


@lru_cache(maxsize=1)
def shipped_entries() -> tuple[AllowlistEntry, ...]:
    """Return the baseline entries shipped with the package."""
    text = resources.files("scamtrace.intel").joinpath("data/allowlist.yaml").read_text("utf-8")
    return tuple(_parse_entries(yaml.safe_load(text)))


class Allowlist:
    """A set of allowlist entries with fast matching.

    Args:
        entries: the entries; disabled ones are ignored.
    """

    def __init__(self, entries: Iterable[AllowlistEntry]) -> None:
        self.entries = [e for e in entries if e.enabled]
        self._exact = {e.key: e for e in self.entries if not e.suffix}
        self._suffixes = [e for e in self.entries if e.suffix]

    @classmethod
    def shipped(cls) -> Allowlist:
        """Return the baseline allowlist."""
        return cls(shipped_entries())

    def with_overrides(self, overrides: Iterable[AllowlistEntry]) -> Allowlist:
        """Return this allowlist with admin edits applied (same key replaces, disabled drops).

        Args:
            overrides: stored admin edits.

        Returns:
            A new :class:`Allowlist`.
        """
        merged = {(e.key, e.suffix): e for e in self.entries}
        for edit in overrides:
            merged[(edit.key, edit.suffix)] = edit
        return Allowlist(merged.values())

    def _match_domain(self, domain: str) -> AllowlistEntry | None:
        labels = domain.lower().rstrip(".").split(".")
        for start in range(len(labels)):
            candidate = ".".join(labels[start:])
            entry = self._exact.get(("domain", candidate))
            if entry is not None:
                return entry
        for entry in self._suffixes:
            if domain == entry.value or domain.endswith("." + entry.value):
                return entry
        return None

    def match(self, kind: str, value: str) -> AllowlistEntry | None:
        """Return the entry covering a canonical identifier, or ``None``.

        Args:
            kind: identifier kind.
            value: canonical value.

        Returns:
            The matching entry (domains match by suffix, URLs by host).

        Examples:
            >>> Allowlist.shipped().match("domain", "www.police.go.th").owner
            'Royal Thai Police'
        """
        entry = self._exact.get((kind, value))
        if entry is not None:
            return entry
        if kind == "domain":
            return self._match_domain(value)
        if kind == "url":
            host = urlsplit(value).hostname
            return self._match_domain(host) if host else None
        if kind == "phone" and value.startswith("+66") and len(value) <= 8:
            # Short codes dialled with a country prefix are still the short code.
            return self._exact.get(("short_code", value[3:]))
        return None
