"""Host names: IDNA (punycode both ways), IP literals, shorteners, registered domain.

The canonical host is ASCII: ``xn--...`` punycode for internationalised names, so a
lookalike typed as ``กสิกร.com`` and pasted as ``xn--12c1bik6bbd8ab6hd.com`` is one
indicator; the Unicode form goes to the facts for analysts to read. IDNA 2008 with
UTS #46 mapping (the ``idna`` package) is tried first, as browsers do; IDNA 2003
(the stdlib codec) is the fallback so that older emoji domains still canonicalise.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import idna

from scamtrace.errors import InvalidIdentifier
from scamtrace.identifiers import psl

_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_IPV4 = re.compile(
    r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}"
)
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})


@dataclass(frozen=True, slots=True)
class Host:
    """A canonical host and what is known about it."""

    ascii: str
    unicode: str
    is_ip: bool
    registered_domain: str | None
    public_suffix: str | None
    suffix_section: str | None

    @property
    def is_idn(self) -> bool:
        """True when the host has internationalised (non-ASCII) labels."""
        return self.ascii != self.unicode


@lru_cache(maxsize=1)
def shortener_hosts() -> frozenset[str]:
    """The bundled URL-shortener hosts (``data/shorteners.txt``)."""
    text = resources.files("scamtrace.identifiers").joinpath("data/shorteners.txt").read_text()
    lines = (line.split("#", 1)[0].strip().lower() for line in text.splitlines())
    return frozenset(line for line in lines if line)


def label_scripts(name: str) -> list[set[str]]:
    """The scripts (first word of each Unicode character name) of every label of a host.

    Args:
        name: a Unicode host, e.g. ``"pаypal.com"`` with a Cyrillic ``а``.

    Returns:
        One set per label, e.g. ``[{"LATIN", "CYRILLIC"}, {"LATIN"}]``; digits and
        hyphens belong to no script.
    """
    return [
        {unicodedata.name(char, "UNKNOWN").split()[0] for char in label if char.isalpha()}
        for label in name.split(".")
    ]


def is_mixed_script(host: Host) -> bool:
    """True when one label of an internationalised host mixes scripts (a homograph sign)."""
    return host.is_idn and any(len(scripts) > 1 for scripts in label_scripts(host.unicode))


def is_shortener(host: Host) -> bool:
    """True when the host, or its registered domain, is a known URL shortener."""
    hosts = shortener_hosts()
    return host.ascii in hosts or (host.registered_domain or "") in hosts


def _to_ascii(kind: str, raw: str, name: str) -> str:
    try:
        return idna.encode(name, uts46=True, transitional=False).decode("ascii")
    except idna.IDNAError:
        pass
    try:
        return name.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidIdentifier(
            kind, raw, f"{name!r} is not a valid internationalised host"
        ) from None


def _to_unicode(name: str) -> str:
    if "xn--" not in name:
        return name
    try:
        return idna.decode(name)
    except idna.IDNAError:
        try:
            return name.encode("ascii").decode("idna")
        except UnicodeError:
            return name


def canonical_host(kind: str, raw: str, name: str, *, require_domain: bool = True) -> Host:
    """Canonicalise a host name or IP literal.

    Args:
        kind: the identifier kind being parsed (for error messages).
        raw: the whole raw value (for error messages).
        name: the host as written: ``"WWW.Example.COM."``, ``"กสิกร.com"``, ``"[::1]"``.
        require_domain: refuse hosts that are a public suffix or a single label.

    Returns:
        :class:`Host` with ASCII and Unicode forms and the registered domain.

    Raises:
        InvalidIdentifier: empty, invalid label, invalid IDN, or a bare public suffix.
    """
    name = name.strip().translate(_DOTS).rstrip(".").lower()
    if name.startswith("[") and name.endswith("]"):
        try:
            address = ipaddress.IPv6Address(name[1:-1])
        except ValueError:
            raise InvalidIdentifier(kind, raw, f"{name} is not an IPv6 address") from None
        literal = f"[{address.compressed}]"
        return Host(literal, literal, True, None, None, None)
    if _IPV4.fullmatch(name):
        return Host(name, name, True, None, None, None)
    if not name:
        raise InvalidIdentifier(kind, raw, "the host is empty")
    ascii_name = name if name.isascii() else _to_ascii(kind, raw, name)
    labels = ascii_name.split(".")
    if len(ascii_name) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise InvalidIdentifier(kind, raw, f"{name!r} is not a valid host name")
    unicode_name = _to_unicode(ascii_name)
    if ascii_name.startswith("xn--") or ".xn--" in ascii_name:
        _to_ascii(kind, raw, unicode_name)  # validates punycode typed directly
    if labels[-1].isdigit():
        raise InvalidIdentifier(kind, raw, f"{name!r} ends in a numeric label")
    suffix, section = psl.public_suffix(ascii_name)
    registered = psl.registered_domain(ascii_name)
    if require_domain and (registered is None or len(labels) < 2):
        raise InvalidIdentifier(kind, raw, f"{name!r} is a public suffix, not a registrable domain")
    return Host(ascii_name, unicode_name, False, registered, suffix, section)
