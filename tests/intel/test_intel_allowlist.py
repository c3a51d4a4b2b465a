"""The shipped allowlist and admin overrides."""

from __future__ import annotations

from scamtrace.intel.allowlist import Allowlist, AllowlistEntry


def test_shipped_allowlist_covers_hotlines_banks_and_government():
    allow = Allowlist.shipped()
    for code in ("1185", "1441", "191", "1599", "1212", "1333", "1572", "1428"):
        assert allow.match("short_code", code) is not None, code
    assert "KBank" in allow.match("phone", "+6628888888").owner
    assert "SCB" in allow.match("phone", "+6627777777").owner
    assert allow.match("phone", "+661185") is not None
    assert allow.match("domain", "anything.go.th") is not None
    assert allow.match("url", "https://www.kasikornbank.com/th/login").owner == "KBank"
    assert allow.match("domain", "kasikornbank-secure.com") is None
    assert allow.match("phone", "+66812345678") is None


def test_admin_overrides_add_and_disable():
    allow = Allowlist.shipped().with_overrides(
        [
            AllowlistEntry("phone", "+6620000000", "Test bank"),
            AllowlistEntry("short_code", "1185", "disabled", enabled=False),
        ]
    )
    assert allow.match("phone", "+6620000000").owner == "Test bank"
    assert allow.match("short_code", "1185") is None
