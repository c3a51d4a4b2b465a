"""URLs, domains (bundled public suffix list) and e-mail addresses."""

from __future__ import annotations

import pytest

from scamtrace.errors import InvalidIdentifier
from scamtrace.identifiers import parse
from scamtrace.identifiers.hosts import shortener_hosts
from scamtrace.identifiers.psl import parse_suffix_list, registered_domain

# The official vectors of the Public Suffix List project (tests/test_psl.txt, CC0),
# minus the null-input and leading-dot cases that have no host to test.
PSL_VECTORS = [
    ("COM", None),
    ("example.COM", "example.com"),
    ("WwW.example.COM", "example.com"),
    ("example", None),
    ("example.example", "example.example"),
    ("b.example.example", "example.example"),
    ("a.b.example.example", "example.example"),
    ("biz", None),
    ("domain.biz", "domain.biz"),
    ("b.domain.biz", "domain.biz"),
    ("a.b.domain.biz", "domain.biz"),
    ("com", None),
    ("example.com", "example.com"),
    ("b.example.com", "example.com"),
    ("a.b.example.com", "example.com"),
    ("uk.com", None),
    ("example.uk.com", "example.uk.com"),
    ("b.example.uk.com", "example.uk.com"),
    ("a.b.example.uk.com", "example.uk.com"),
    ("test.ac", "test.ac"),
    ("mm", None),
    ("c.mm", None),
    ("b.c.mm", "b.c.mm"),
    ("a.b.c.mm", "b.c.mm"),
    ("jp", None),
    ("test.jp", "test.jp"),
    ("www.test.jp", "test.jp"),
    ("ac.jp", None),
    ("test.ac.jp", "test.ac.jp"),
    ("www.test.ac.jp", "test.ac.jp"),
    ("kyoto.jp", None),
    ("test.kyoto.jp", "test.kyoto.jp"),
    ("ide.kyoto.jp", None),
    ("b.ide.kyoto.jp", "b.ide.kyoto.jp"),
    ("a.b.ide.kyoto.jp", "b.ide.kyoto.jp"),
    ("c.kobe.jp", None),
    ("b.c.kobe.jp", "b.c.kobe.jp"),
    ("a.b.c.kobe.jp", "b.c.kobe.jp"),
    ("city.kobe.jp", "city.kobe.jp"),
    ("www.city.kobe.jp", "city.kobe.jp"),
    ("ck", None),
    ("test.ck", None),
    ("b.test.ck", "b.test.ck"),
    ("a.b.test.ck", "b.test.ck"),
    ("www.ck", "www.ck"),
    ("www.www.ck", "www.ck"),
    ("us", None),
    ("test.us", "test.us"),
    ("www.test.us", "test.us"),
    ("ak.us", None),
    ("test.ak.us", "test.ak.us"),
    ("www.test.ak.us", "test.ak.us"),
    ("k12.ak.us", None),
    ("test.k12.ak.us", "test.k12.ak.us"),
    ("www.test.k12.ak.us", "test.k12.ak.us"),
    ("食狮.com.cn", "食狮.com.cn"),
    ("食狮.公司.cn", "食狮.公司.cn"),
    ("www.食狮.公司.cn", "食狮.公司.cn"),
    ("shishi.公司.cn", "shishi.公司.cn"),
    ("公司.cn", None),
    ("食狮.中国", "食狮.中国"),
    ("www.食狮.中国", "食狮.中国"),
    ("shishi.中国", "shishi.中国"),
    ("中国", None),
    ("xn--85x722f.com.cn", "xn--85x722f.com.cn"),
    ("xn--85x722f.xn--55qx5d.cn", "xn--85x722f.xn--55qx5d.cn"),
    ("www.xn--85x722f.xn--55qx5d.cn", "xn--85x722f.xn--55qx5d.cn"),
    ("shishi.xn--55qx5d.cn", "shishi.xn--55qx5d.cn"),
    ("xn--55qx5d.cn", None),
    ("xn--85x722f.xn--fiqs8s", "xn--85x722f.xn--fiqs8s"),
    ("www.xn--85x722f.xn--fiqs8s", "xn--85x722f.xn--fiqs8s"),
    ("shishi.xn--fiqs8s", "shishi.xn--fiqs8s"),
    ("xn--fiqs8s", None),
]


@pytest.mark.parametrize(("host", "expected"), PSL_VECTORS)
def test_official_public_suffix_vectors(host, expected):
    if expected is None:
        with pytest.raises(InvalidIdentifier):
            parse("domain", host)
    else:
        ident = parse("domain", host)
        assert ident.value == expected.encode("idna").decode("ascii")
        if not expected.isascii():
            assert ident.facts["unicode"] == expected


def test_wildcard_and_exception_rules_on_a_small_list():
    rules = parse_suffix_list("// ===BEGIN ICANN DOMAINS===\nth\nco.th\n*.ck\n!www.ck\n")
    assert registered_domain("a.b.co.th", rules) == "b.co.th"
    assert registered_domain("a.b.ck", rules) == "a.b.ck"
    assert registered_domain("x.www.ck", rules) == "www.ck"
    assert registered_domain("co.th", rules) is None
    assert registered_domain("example.unlisted", rules) == "example.unlisted"


@pytest.mark.parametrize(
    ("raw", "value", "section"),
    [
        ("login.kbank-secure.co.th", "kbank-secure.co.th", "icann"),
        ("WWW.Example.IN.TH.", "example.in.th", "icann"),
        ("scam-page.github.io", "scam-page.github.io", "private"),
        ("https://www.example.com/path?x=1", "example.com", "icann"),
        ("someone@mail.example.go.th", "example.go.th", "icann"),
        ("hxxps://kbank-secure[.]com/login", "kbank-secure.com", "icann"),
    ],
)
def test_domains_reduce_to_the_registered_domain(raw, value, section):
    ident = parse("domain", raw)
    assert ident.value == value
    assert ident.facts["suffix_section"] == section


def test_idn_domain_is_punycode_with_unicode_in_facts():
    typed = parse("domain", "www.กสิกร.com")
    pasted = parse("domain", "xn--12ca6h0a4c.com")
    assert typed.value == pasted.value == "xn--12ca6h0a4c.com"
    assert typed.facts["unicode"] == pasted.facts["unicode"] == "กสิกร.com"
    assert typed.facts["idn"] is True


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("co.th", "public suffix"),
        ("1.2.3.4", "IP address"),
        ("exa mple.com", "not a valid host"),
        ("", "empty"),
    ],
)
def test_bad_domains_are_rejected(raw, reason):
    with pytest.raises(InvalidIdentifier) as caught:
        parse("domain", raw)
    assert reason in caught.value.reason


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("HTTPS://Bit.LY:443/AbC?utm_source=sms&utm_campaign=x#top", "https://bit.ly/AbC"),
        ("bit.ly/abc", "http://bit.ly/abc"),
        ("//bit.ly/abc", "http://bit.ly/abc"),
        ("http://Example.com:80", "http://example.com/"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com/a?b=1&fbclid=XYZ&c=2&gclid=1", "https://example.com/a?b=1&c=2"),
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("https://example.com/%7euser/%e0%b8%81", "https://example.com/~user/%E0%B8%81"),
        ("https://example.com/ก", "https://example.com/%E0%B8%81"),
        ("hxxps://kbank-secure[.]com/login", "https://kbank-secure.com/login"),
        ("https://kbank.com@evil.example.com/", "https://evil.example.com/"),
        ("https://evil.example.com\\@kbank.com/", "https://evil.example.com/@kbank.com/"),
        ("http://192.168.1.10:8080/x", "http://192.168.1.10:8080/x"),
        ("https://[2001:DB8::1]/", "https://[2001:db8::1]/"),
        ("https://example.com./", "https://example.com/"),
    ],
)
def test_urls_are_normalised(raw, value):
    assert parse("url", raw).value == value


def test_url_facts_mark_shortener_and_dropped_tracking():
    ident = parse("url", "https://bit.ly/AbC?utm_source=sms&fbclid=1")
    assert ident.facts["shortener"] is True
    assert ident.facts["registered_domain"] == "bit.ly"
    assert ident.facts["dropped_params"] == ["utm_source", "fbclid"]


def test_url_with_idn_host_both_ways():
    typed = parse("url", "https://กสิกร.com/login")
    pasted = parse("url", "https://xn--12ca6h0a4c.com/login")
    assert typed.value == pasted.value == "https://xn--12ca6h0a4c.com/login"
    assert typed.facts["host_unicode"] == "กสิกร.com"


def test_url_user_info_is_kept_as_evidence_only():
    ident = parse("url", "https://kbank.com@evil.example.com/")
    assert ident.facts["userinfo"] == "kbank.com"
    assert ident.facts["host"] == "evil.example.com"


@pytest.mark.parametrize(
    "host",
    [
        "bit.ly",
        "tinyurl.com",
        "cutt.ly",
        "s.id",
        "t.ly",
        "is.gd",
        "rebrand.ly",
        "shorturl.at",
        "t.co",
        "goo.gl",
        "ow.ly",
        "rb.gy",
    ],
)
def test_required_shorteners_are_marked(host):
    assert host in shortener_hosts()
    assert parse("url", f"https://{host}/x1").facts["shortener"] is True
    assert parse("url", f"https://www.{host}/x1").facts["shortener"] is True


def test_ordinary_host_is_not_a_shortener():
    assert parse("url", "https://www.kasikornbank.com/").facts["shortener"] is False


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("ftp://example.com/x", "not http or https"),
        ("javascript:alert(1)", "not http or https"),
        ("https://exa mple.com/", "no spaces"),
        ("https://example.com:99999/", "Port out of range"),
        ("http://localhost/", "not a public host name"),
        ("https:///path", "the host is empty"),
        ("", "empty"),
    ],
)
def test_bad_urls_are_rejected(raw, reason):
    with pytest.raises(InvalidIdentifier) as caught:
        parse("url", raw)
    assert reason in caught.value.reason


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("Somchai.K@Gmail.COM", "somchai.k@gmail.com"),
        ("mailto:support@example.co.th?subject=hi", "support@example.co.th"),
        (" refund+th@mail.example.com ", "refund+th@mail.example.com"),
        ("support@กสิกร.com", "support@xn--12ca6h0a4c.com"),
    ],
)
def test_email_addresses_are_lower_case_with_punycode_domain(raw, value):
    assert parse("email", raw).value == value


def test_email_facts_give_the_registered_domain():
    ident = parse("email", "a@mail.example.co.th")
    assert ident.facts == {"domain": "mail.example.co.th", "registered_domain": "example.co.th"}


@pytest.mark.parametrize(
    "raw",
    [
        "no-at-sign.com",
        "@example.com",
        "a@",
        "a..b@example.com",
        "a b@example.com",
        "a@co.th",
        "a@1.2.3.4",
    ],
)
def test_bad_email_addresses_are_rejected(raw):
    with pytest.raises(InvalidIdentifier):
        parse("email", raw)


def test_homograph_host_mixing_latin_and_cyrillic_is_flagged():
    lookalike = parse("url", "https://k\u0430sikornbank.com/login")  # Cyrillic а
    assert lookalike.facts["host"] == "xn--ksikornbank-yij.com"
    assert lookalike.facts["mixed_script"] is True
    assert parse("domain", "www.k\u0430sikornbank.com").facts["mixed_script"] is True
    assert parse("domain", "กสิกร.com").facts["mixed_script"] is False
    assert "mixed_script" not in parse("url", "https://kasikornbank.com/").facts


def test_bundled_suffix_list_is_the_one_provenance_names():
    import hashlib
    from importlib import resources

    data = resources.files("scamtrace.identifiers").joinpath("data")
    digest = hashlib.sha256(data.joinpath("public_suffix_list.dat").read_bytes()).hexdigest()
    provenance = data.joinpath("PROVENANCE.md").read_text("utf-8")
    assert digest in provenance
    assert "MPL-2.0" in provenance


def test_suffix_list_loads_without_any_network(monkeypatch):
    import socket

    from scamtrace.identifiers import psl

    def refuse(*_args, **_kwargs):
        raise AssertionError("identifiers tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    psl.bundled_rules.cache_clear()
    assert parse("domain", "www.example.co.th").value == "example.co.th"
