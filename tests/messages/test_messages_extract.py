import pytest

from scamtrace.messages.extract import extract_indicators


def _values(text):
    return [(i.kind, i.value) for i in extract_indicators(text)]


@pytest.mark.parametrize(
    "text",
    [
        "โทร ๐๘๑-๒๓๔-๕๖๗๘ ด่วน",
        "call 0 8 1 2 3 4 5 6 7 8 now",
        "ติดต่อ 08.1234.5678",
        "โทร 081\u200b234\u200b5678",
        "โทร ０８１２３４５６７８",
        "call +66 81 234 5678",
    ],
)
def test_evasive_phone_numbers_are_one_canonical_phone(text):
    assert ("phone", "+66812345678") in _values(text)


def test_spelled_out_links_become_canonical_urls_and_domains():
    assert _values("เข้าระบบที่ kbank-secure-th dot com/login") == [
        ("url", "http://kbank-secure-th.com/login"), ("domain", "kbank-secure-th.com")]
    assert ("domain", "scb-th.com") in _values("ลิงก์ scb-th จุด com")
    assert ("domain", "kbank-th.com") in _values("ｋｂａｎｋ－ｔｈ．ｃｏｍ")


def test_homoglyph_host_keeps_its_real_punycode_identity():
    values = _values("verify at kbаnk.com/verify")  # Cyrillic a
    assert ("url", "http://xn--kbnk-63d.com/verify") in values


def test_bank_account_takes_the_bank_named_in_the_text():
    assert _values("โอนเข้าบัญชี กสิกรไทย 123-4-56789-0 ด่วน") == [
        ("bank_account", "004:1234567890")]


def test_a_phone_after_an_account_stays_a_phone():
    assert _values("โอนเข้าบัญชี กสิกรไทย 123-4-56789-0 ด่วน โทร ๐๘๑-๒๓๔-๕๖๗๘") == [
        ("bank_account", "004:1234567890"), ("phone", "+66812345678")]


def test_promptpay_line_email_ussd_wallet_short_code():
    assert _values("pay promptpay 0812345678") == [("promptpay", "+66812345678")]
    assert _values("แอดไลน์ @abc.shop ด่วน") == [("line_id", "@abc.shop")]
    assert _values("email: A.B@Gmail.com") == [("email", "a.b@gmail.com")]
    assert _values("กด *184# สมัคร") == [("ussd", "*184#")]
    assert _values("send to 0x52908400098527886E0F7030069857D2E4169EE7") == [
        ("wallet", "eth:0x52908400098527886e0f7030069857d2e4169ee7")]
    assert _values("ติดต่อสายด่วน 1185") == [("short_code", "1185")]


def test_digits_inside_a_link_are_not_read_as_a_phone():
    values = _values("https://example.com/0812345678")
    assert [kind for kind, _ in values] == ["url", "domain"]


def test_plain_chat_has_no_indicators():
    assert _values("Ok lar... Joking wif u oni...") == []
