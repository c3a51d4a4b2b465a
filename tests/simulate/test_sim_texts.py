import numpy as np

from scamtrace.simulate.gang_sms import render_variants
from scamtrace.simulate.gangs import Gang
from scamtrace.simulate.obfuscation import obfuscate
from scamtrace.simulate.texts_legit import build_legit_pool
from scamtrace.simulate.texts_scam import FAMILIES, SCAM_TYPES, gang_links


def _gang(rng) -> Gang:
    empty = np.zeros(0, np.int64)
    gang = Gang(
        "gang-01",
        list(SCAM_TYPES),
        False,
        False,
        empty,
        0,
        empty,
        empty,
        empty.reshape(0, 2),
        empty,
        empty.reshape(0, 2),
        empty,
        [empty],
        np.ones(1, bool),
        line_ids=["@vip123"],
    )
    for scam_type in SCAM_TYPES:
        gang.links[scam_type] = gang_links(rng, "kbank", 4)
    return gang


def test_every_family_renders_with_its_slots_filled():
    rng = np.random.default_rng(0)
    gang = _gang(rng)
    ctx = {"phones": ["081-234-5678"], "accounts": ["กสิกรไทย 123-4-56789-0"]}
    seen = set()
    for scam_type in SCAM_TYPES:
        for _ in range(20):
            for text, family, url in render_variants(rng, gang, scam_type, 3, ctx):
                assert "{" not in text and text.strip()
                assert family.startswith(f"{scam_type}.")
                seen.add(family)
                assert url == "" or url.startswith("https://")
    assert seen == {f"{t}.{name}" for t, fams in FAMILIES.items() for name, _ in fams}


def test_obfuscation_keeps_links_intact_and_uses_tricks():
    rng = np.random.default_rng(1)
    text = "บัญชีของท่านถูกระงับ verify your account now https://kbank-secure-th.com/login ด่วน"
    applied_any = set()
    for _ in range(200):
        out, applied = obfuscate(text, rng)
        applied_any.update(applied)
        assert "https://kbank-secure-th.com/login" in out
    assert applied_any == {"zero_width", "homoglyph", "spaced", "misspelled", "thai_digits"}


def test_legit_pool_labels_follow_the_label_map():
    pool = build_legit_pool(np.random.default_rng(2))
    by_family = {}
    for label, family in zip(pool.label, pool.family):
        by_family.setdefault(family, set()).add(label)
    assert by_family["otp"] == {"legit"} and by_family["bank_notice"] == {"legit"}
    assert by_family["operator_promo"] == {"spam"} and by_family["shop_advert"] == {"spam"}
    assert any("*777*" in t for t in pool.text)
    assert any("https://www.kasikornbank.com" in t for t in pool.text)
