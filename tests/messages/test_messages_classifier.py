import pytest

from scamtrace.messages.classifier import classify_texts, detect_language


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("รหัส OTP ของคุณคือ 482913 (Ref: KXTA) ห้ามบอกรหัสนี้แก่ผู้อื่น ใช้ได้ภายใน 5 นาที", "legit"),
        ("Your Grab code is 5531. Don't share it with anyone.", "legit"),
        ("Ok lar... Joking wif u oni...", "legit"),
        ("ฟรีเครดิต 200 บาท สล็อตเว็บตรง ฝากถอนไม่มีขั้นต่ำ สมัครเลย https://bit.ly/3xYz", "scam"),
        (("[Kerry] พัสดุของคุณจัดส่งไม่สำเร็จ เนื่องจากที่อยู่ไม่ครบถ้วน กรุณาอัปเดตภายใน 24 ชม. "
         "https://kerry-th-delivery.top/update"), "scam"),
        (("WINNER!! You have been selected to receive a £900 prize reward! To claim call "
         "09061701461. Claim code KL341."), "scam"),
    ],
)
def test_clear_examples_get_the_right_label(text, label):
    assert classify_texts([text])[0].label == label


def test_a_bank_notice_with_its_official_link_stays_legit():
    notice = ("บัญชี x1234 เงินเข้า 5,000.00 บาท คงเหลือ 12,345.00 บาท 12/05 "
              "ดูรายละเอียดที่ https://www.kasikornbank.com/th")
    result = classify_texts([notice])[0]
    assert result.label == "legit"
    assert {"kind": "domain", "value": "kasikornbank.com"} in result.to_dict()["indicators"]


_LEGIT = ["ถึงบ้านแล้วนะ", "Meeting notes are here, see you at 3",
          "พรุ่งนี้ประชุมกี่โมงคะ ส่งเอกสารให้แล้วนะ", "Ok lar... Joking wif u oni...",
          "รหัส OTP ของคุณคือ 482913 ห้ามบอกรหัสนี้แก่ผู้อื่น"]


@pytest.mark.parametrize("link", [
    "https://www.kasikornbank.com/th/personal", "https://www.scb.co.th/th/personal.html",
    "https://photos.example.com/abc", "https://en.wikipedia.org/wiki/Bangkok",
    "https://www.bbc.co.uk/news", "bit.ly/3abc", "https://lin.ee/ab12cd"])
def test_a_benign_link_does_not_make_a_legit_message_non_legit(link):
    # The model reads what a link says, never merely that there is one.
    after = classify_texts([f"{text} {link}" for text in _LEGIT])
    assert [result.label for result in after] == ["legit"] * len(_LEGIT)


def test_a_shortener_says_nothing_and_a_lookalike_may_raise_the_scam_score():
    before = classify_texts(_LEGIT)
    for link in ("bit.ly/3abc", "https://cutt.ly/x9"):
        after = classify_texts([f"{text} {link}" for text in _LEGIT])
        assert [a.scores for a in after] == [b.scores for b in before]
    # What a link says is evidence: names seen in scam links raise the scam score.
    text = "ด่วน บัญชีของท่านถูกระงับ กรุณายืนยันตัวตน"
    for link in ("https://scb-0nline.com/update", "http://kerry-th-delivery.top/track"):
        plain, linked = classify_texts([text, f"{text} {link}"])
        assert linked.scores["scam"] > plain.scores["scam"]


def test_scores_are_probabilities_and_scams_have_a_type():
    results = classify_texts(["ฟรีเครดิต 200 บาท สล็อตเว็บตรง ฝากถอนไม่มีขั้นต่ำ สมัครเลย",
                              "ถึงบ้านแล้วนะ"])
    for result in results:
        assert abs(sum(result.scores.values()) - 1.0) < 1e-6
        assert result.score == max(result.scores.values())
    assert results[0].scam_type == "gambling"
    assert results[1].scam_type is None


def test_language_detection():
    assert detect_language("ถึงบ้านแล้วนะ") == "th"
    assert detect_language("see you at noon") == "en"
    assert detect_language("Shopee โปรกลางเดือน โค้ดลด ส่งฟรี sale") == "mixed"
    assert detect_language("⟦url⟧ 000") == "unknown"
