import pytest

from scamtrace.messages.brands import edit_distance, skeleton
from scamtrace.messages.urls import judge_url, judge_urls


@pytest.mark.parametrize(
    ("url", "brand"),
    [
        ("kbank-secure-th.com", "KBank"),
        ("https://scb-secure-login.xyz/verify", "SCB"),
        ("http://kasikornbamk.com/login", "KBank"),
        ("http://xn--kbnk-63d.com/verify", "KBank"),  # kbаnk.com with a Cyrillic a
        ("https://kbank.com.verify-account.top/", "KBank"),
        ("thailandpost-th.com/track", "Thailand Post"),
    ],
)
def test_lookalikes_are_phishing_with_the_imitated_brand(url, brand):
    verdict = judge_url(url)
    assert verdict.verdict == "phishing"
    assert verdict.brand == brand
    assert verdict.reasons


@pytest.mark.parametrize(
    "url",
    ["https://www.kasikornbank.com/th/personal", "https://www.scb.co.th/th/personal-banking.html",
     "https://track.thailandpost.co.th/", "https://shopee.co.th/", "https://www.rd.go.th/"],
)
def test_official_domains_are_benign(url):
    verdict = judge_url(url)
    assert verdict.verdict == "benign"
    assert verdict.score < 0.5


@pytest.mark.parametrize(
    "url", ["https://www.cisco.com/c/en/us/support", "https://www.ubank.com.au/banking",
            "http://www.sbank.in", "https://www.express.co.uk/news",
            # s.lazada.co.th is official, but its name is lazada: s.id is no Lazada typosquat
            "https://s.id/abc12"])
def test_other_real_names_near_a_short_brand_name_are_not_typosquats(url):
    from scamtrace.messages.urls import _rules

    _, score, brand, reasons, _ = _rules(url)
    assert brand is None and score < 0.8, reasons


def test_an_official_host_under_a_brand_domain_still_protects_its_name():
    verdict = judge_url("https://s.lazada.co.th/s.xyz")
    assert verdict.verdict == "benign" and verdict.brand == "Lazada"
    assert judge_url("http://lazada.xyz/").brand == "Lazada"
    assert judge_url("https://shope.ee/9abc").verdict == "benign"  # Shopee's own shortener


def test_short_domains_and_a_dotbrand_tld_of_a_bank_are_its_own():
    # kbank.co and link.scb carry KBank's and SCB's real notices in the Thai SMS set
    # (with the banks' call-centre numbers); .scb is SCB's own top-level domain
    for url, brand in [("https://kbank.co/2Vgkw2a", "KBank"), ("http://link.scb/3pL4qeK", "SCB"),
                       ("https://www.scb/th", "SCB")]:
        verdict = judge_url(url)
        assert (verdict.verdict, verdict.brand) == ("benign", brand), verdict.reasons
    # the brand's TLD does not make its second-level name a brand name elsewhere
    assert judge_url("https://link.com/x").brand is None
    assert judge_url("http://scb.link/x").verdict == "phishing"
    assert judge_url("https://kbank.co.verify-th.top/").brand == "KBank"


def test_a_short_brand_name_with_one_wrong_letter_is_still_a_typosquat():
    verdict = judge_url("http://kbamk.com/login")
    assert verdict.brand == "KBank" and verdict.verdict == "phishing"


def test_ip_hosts_and_shorteners_raise_suspicion():
    verdicts = judge_urls(["http://203.0.113.9/kbank/login.php", "https://bit.ly/3abcd"])
    assert verdicts[0].verdict in ("suspicious", "phishing")
    assert any("IP address" in r for r in verdicts[0].reasons)
    assert any("shortener" in r for r in verdicts[1].reasons)


def test_skeleton_and_edit_distance():
    assert skeleton("kbаnk") == "kbank"
    assert skeleton("scb-0nline") == "scb-online"
    assert edit_distance("kasikornbank", "kasikornbamk") == 1
    assert edit_distance("abcd", "abdc") == 1
    assert edit_distance("short", "muchlongerstring", limit=3) == 4
