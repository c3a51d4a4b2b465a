"""Registered domains from the bundled Public Suffix List (never fetched at run time).

The list (``data/public_suffix_list.dat``, MPL-2.0, see ``data/PROVENANCE.md``) says
where registrations happen: ``co.th`` and ``github.io`` are suffixes, so the
registered domain of ``login.kbank-secure.co.th`` is ``kbank-secure.co.th`` and of
``scam.github.io`` is ``scam.github.io``. Private-section rules are applied too:
each ``*.github.io`` or ``*.web.app`` site has its own owner, which is what matters
when an indicator is shared.

Matching follows https://publicsuffix.org/list/ : the longest matching rule wins, an
exception rule (``!www.ck``) beats the wildcard (``*.ck``) it carves out of, and an
unlisted TLD is a one-label suffix (the implicit ``*`` rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

_PSL_RESOURCE = "data/public_suffix_list.dat"


@dataclass(frozen=True, slots=True)
class SuffixRules:
    """The three rule sets of the list, in ASCII (punycode) form, with their section."""

    rules: dict[str, str]
    wildcards: dict[str, str]
    exceptions: dict[str, str]


def _to_ascii(rule: str) -> str:
    if rule.isascii():
        return rule.lower()
    # Rules are IDNA-valid by the list's own policy; the stdlib codec is exact for them.
    return ".".join(label.encode("idna").decode("ascii") for label in rule.split("."))


def parse_suffix_list(text: str) -> SuffixRules:
    """Parse the text of a public suffix list.

    Args:
        text: the file content (``// comments``, ``===BEGIN PRIVATE DOMAINS===`` markers).

    Returns:
        :class:`SuffixRules` mapping each rule (without ``*.`` / ``!``) to
        ``"icann"`` or ``"private"``.
    """
    rules: dict[str, str] = {}
    wildcards: dict[str, str] = {}
    exceptions: dict[str, str] = {}
    section = "icann"
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("//"):
            if "===BEGIN PRIVATE DOMAINS===" in line:
                section = "private"
            continue
        rule = line.split()[0]
        if rule.startswith("!"):
            exceptions[_to_ascii(rule[1:])] = section
        elif rule.startswith("*."):
            wildcards[_to_ascii(rule[2:])] = section
        else:
            rules[_to_ascii(rule)] = section
    return SuffixRules(rules, wildcards, exceptions)


@lru_cache(maxsize=1)
def bundled_rules() -> SuffixRules:
    """The rules of the bundled list, parsed once per process (about 50 ms, on first use)."""
    text = resources.files("scamtrace.identifiers").joinpath(_PSL_RESOURCE).read_text("utf-8")
    return parse_suffix_list(text)


def public_suffix(host: str, rules: SuffixRules | None = None) -> tuple[str, str]:
    """Return the public suffix of an ASCII host and the list section that decided it.

    Args:
        host: lower-case ASCII (punycode) host without a trailing dot.
        rules: a parsed list; the bundled one by default.

    Returns:
        ``(suffix, section)`` with section ``"icann"``, ``"private"`` or ``"default"``
        (no rule matched, so the last label is the suffix).
    """
    table = rules or bundled_rules()
    labels = host.split(".")
    for i in range(len(labels)):
        candidate = ".".join(labels[i:])
        if candidate in table.exceptions:
            return ".".join(labels[i + 1 :]), table.exceptions[candidate]
        if candidate in table.rules:
            return candidate, table.rules[candidate]
        parent = ".".join(labels[i + 1 :])
        if i + 1 < len(labels) and parent in table.wildcards:
            return candidate, table.wildcards[parent]
    return labels[-1], "default"


def registered_domain(host: str, rules: SuffixRules | None = None) -> str | None:
    """Return the registered domain of an ASCII host, or None if the host is a suffix.

    Args:
        host: lower-case ASCII (punycode) host, e.g. ``"www.kbank-secure.co.th"``.
        rules: a parsed list; the bundled one by default.

    Returns:
        ``"kbank-secure.co.th"``; None for ``"co.th"`` or ``"com"``.

    Examples:
        >>> registered_domain("a.b.example.co.th")
        'example.co.th'
    """
    suffix, _section = public_suffix(host, rules)
    if host == suffix:
        return None
    head = host[: -len(suffix) - 1]
    return head.rsplit(".", 1)[-1] + "." + suffix
