"""URLs, domains and e-mail addresses.

A URL's canonical form is what two reports of the same link have in common: scheme and
host lower-cased, host in punycode, default port, fragment, user info and tracking
parameters removed, percent-escapes normalised (RFC 3986 section 6.2.2). Scheme-less
links (``bit.ly/abc``, as written in SMS) get ``http://``, and defanged forms from
threat reports (``hxxps://evil[.]com``) are refanged.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote_plus, urlsplit

from scamtrace.errors import InvalidIdentifier
from scamtrace.identifiers.hosts import Host, canonical_host, is_mixed_script, is_shortener
from scamtrace.identifiers.model import Identifier

#: Query parameters that only track the click; dropping them merges copies of one link.
TRACKING_PARAMS = frozenset(
    [
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "gclsrc",
        "msclkid",
        "yclid",
        "ysclid",
        "twclid",
        "ttclid",
        "igshid",
        "igsh",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "li_fat_id",
        "oly_anon_id",
        "oly_enc_id",
        "rb_clickid",
        "s_cid",
        "vero_id",
        "wickedid",
        "epik",
        "srsltid",
    ]
)
_TRACKING_PREFIXES = ("utm_",)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://")
_OPAQUE_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+-]*):(?![0-9])")
_ESCAPE = re.compile(r"%([0-9a-fA-F]{2})")
_UNRESERVED = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
_PATH_SAFE = "/%!$&'()*+,;=:@-._~"
_QUERY_SAFE = "/?%!$'()*+,;=:@-._~"
_DEFANG = (("hxxp", "http"), ("[.]", "."), ("(.)", "."), ("{.}", "."), ("[dot]", "."), ("[:]", ":"))
_EMAIL_LOCAL = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


def _normalise_escapes(text: str, safe: str) -> str:
    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    text = re.sub(r"%(?![0-9a-fA-F]{2})", "%25", text)
    return _ESCAPE.sub(fix, quote(text, safe=safe))


def _remove_dot_segments(path: str) -> str:
    if "/." not in path:
        return path
    output: list[str] = []
    segments = path.split("/")
    for segment in segments[1:]:
        if segment == "..":
            if output:
                output.pop()
        elif segment != ".":
            output.append(segment)
    trailing = "/" if segments[-1] in (".", "..") else ""
    return "/" + "/".join(output) + trailing


def _refang(text: str) -> str:
    for old, new in _DEFANG:
        if old in text:
            text = text.replace(old, new)
    return text


def _host_facts(host: Host) -> dict[str, object]:
    facts: dict[str, object] = {
        "host": host.ascii,
        "registered_domain": host.registered_domain,
        "shortener": is_shortener(host),
    }
    if host.is_ip:
        facts["ip"] = True
    if host.is_idn:
        facts["idn"] = True
        facts["host_unicode"] = host.unicode
        facts["mixed_script"] = is_mixed_script(host)
    return facts


def parse_url(raw: str) -> Identifier:
    """Canonicalise an http(s) URL.

    Args:
        raw: ``"HTTPS://Bit.LY:443/AbC?utm_source=sms#top"``, ``"bit.ly/abc"``,
            ``"hxxps://kbank-secure[.]com/login"``, ``"https://กสิกร.com/"``.

    Returns:
        ``Identifier("url", "https://bit.ly/AbC", {"host", "registered_domain",
        "shortener", "scheme", ...})``.

    Raises:
        InvalidIdentifier: another scheme, spaces or control characters, a bad port,
            or an invalid host.
    """
    text = _refang(raw.strip()).replace("\\", "/")  # browsers read "\" as "/" (WHATWG URL)
    if not text:
        raise InvalidIdentifier("url", raw, "empty")
    if any(char.isspace() or ord(char) < 32 for char in text):
        raise InvalidIdentifier("url", raw, "a URL has no spaces or control characters")
    if not _SCHEME.match(text):
        opaque = _OPAQUE_SCHEME.match(text)  # "javascript:...", "tel:..." (no "//")
        if opaque is not None:
            raise InvalidIdentifier(
                "url", raw, f"scheme {opaque.group(1).lower()!r} is not http or https"
            )
        text = "http://" + text.lstrip("/")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InvalidIdentifier("url", raw, str(exc)) from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise InvalidIdentifier("url", raw, f"scheme {scheme!r} is not http or https")
    host_text = parts.netloc.rpartition("@")[2]
    if host_text.startswith("["):
        host_text = host_text[: host_text.index("]") + 1]
    else:
        host_text = host_text.split(":", 1)[0]
    host = canonical_host("url", raw, host_text, require_domain=False)
    if not host.is_ip and "." not in host.ascii:
        raise InvalidIdentifier("url", raw, f"{host.ascii!r} is not a public host name")
    port_text = "" if port in (None, _DEFAULT_PORTS[scheme]) else f":{port}"
    path = _normalise_escapes(_remove_dot_segments(parts.path or "/"), _PATH_SAFE)
    kept: list[str] = []
    dropped: list[str] = []
    for piece in parts.query.split("&"):
        if not piece:
            continue
        name = unquote_plus(piece.split("=", 1)[0]).lower()
        if name in TRACKING_PARAMS or name.startswith(_TRACKING_PREFIXES):
            dropped.append(name)
        else:
            kept.append(_normalise_escapes(piece, _QUERY_SAFE))
    query = "?" + "&".join(kept) if kept else ""
    value = f"{scheme}://{host.ascii}{port_text}{path}{query}"
    facts = _host_facts(host)
    facts["scheme"] = scheme
    if port_text:
        facts["port"] = port
    if parts.username:
        facts["userinfo"] = unquote_plus(parts.username)  # "https://kbank.com@evil.com" trick
    if dropped:
        facts["dropped_params"] = dropped
    return Identifier("url", value, facts)


def parse_domain(raw: str) -> Identifier:
    """Reduce a host, URL or e-mail address to its registered domain.

    Args:
        raw: ``"login.kbank-secure.co.th"``, ``"https://www.example.com/x"``,
            ``"xn--12c1bik6bbd8ab6hd.com"``, ``"someone@mail.example.com"``.

    Returns:
        ``Identifier("domain", "kbank-secure.co.th", {"public_suffix": "co.th", ...})``.

    Raises:
        InvalidIdentifier: an IP address, a bare public suffix, or an invalid host.
    """
    text = _refang(raw.strip())
    if "/" in text or ":" in text:
        try:
            host_text = str(parse_url(text).facts["host"])
        except InvalidIdentifier as exc:
            raise InvalidIdentifier("domain", raw, exc.reason) from None
    elif "@" in text:
        host_text = text.rpartition("@")[2]
    else:
        host_text = text
    host = canonical_host("domain", raw, host_text)
    if host.is_ip:
        raise InvalidIdentifier("domain", raw, "an IP address has no registered domain; use url")
    registered = host.registered_domain
    assert registered is not None  # canonical_host refuses suffix-only hosts
    facts: dict[str, object] = {
        "public_suffix": host.public_suffix,
        "suffix_section": host.suffix_section,
        "shortener": is_shortener(host),
    }
    if host.ascii != registered:
        facts["host"] = host.ascii
    if "xn--" in registered:
        registered_host = canonical_host("domain", raw, registered)
        facts["idn"] = True
        facts["unicode"] = registered_host.unicode
        facts["mixed_script"] = is_mixed_script(registered_host)
    return Identifier("domain", registered, facts)


def parse_email(raw: str) -> Identifier:
    """Canonicalise an e-mail address: lower case, punycode domain.

    Args:
        raw: ``"Somchai.K@Gmail.COM"``, ``"mailto:support@กสิกร.com"``.

    Returns:
        ``Identifier("email", "somchai.k@gmail.com", {"domain", "registered_domain"})``.

    Raises:
        InvalidIdentifier: no single ``@``, an invalid local part (RFC 5322 dot-atom),
            or an invalid domain.
    """
    text = raw.strip()
    if text[:7].lower() == "mailto:":
        text = text[7:].split("?", 1)[0]
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise InvalidIdentifier("email", raw, "an e-mail address is local-part@domain")
    local = local.lower()
    if len(local) > 64 or not _EMAIL_LOCAL.fullmatch(local):
        raise InvalidIdentifier("email", raw, "the part before @ has characters e-mail forbids")
    host = canonical_host("email", raw, domain)
    if host.is_ip:
        raise InvalidIdentifier("email", raw, "an IP address is not an e-mail domain")
    facts: dict[str, object] = {"domain": host.ascii, "registered_domain": host.registered_domain}
    if host.is_idn:
        facts["domain_unicode"] = host.unicode
    return Identifier("email", f"{local}@{host.ascii}", facts)
