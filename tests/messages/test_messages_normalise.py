from hypothesis import given, settings
from hypothesis import strategies as st

from scamtrace.messages.normalise import deobfuscate, fold_text, mask_for_model


def test_fold_text_undoes_width_invisibles_and_thai_digits():
    assert fold_text("โทร ๐๘๑\u200b๒๓๔ ５６７８") == "โทร 081234 5678"
    assert fold_text("ｗｗｗ．ｓｃｂ．ｃｏ．ｔｈ") == "www.scb.co.th"


def test_fold_text_reads_homoglyphs_only_inside_latin_words():
    assert fold_text("kbаnk") == "kbank"  # Cyrillic a
    assert fold_text("привет") == "привет"
    assert fold_text("kbаnk", homoglyphs=False) != "kbank"


def test_deobfuscate_spelled_out_separators():
    assert deobfuscate("kbank-th dot com/login") == "kbank-th.com/login"
    assert deobfuscate("kbank-th จุด com") == "kbank-th.com"
    assert deobfuscate("scb[.]co[.]th") == "scb.co.th"
    assert deobfuscate("abc (at) gmail dot com") == "abc@gmail.com"
    assert deobfuscate("I am at work today") == "I am at work today"


def test_mask_for_model_hides_links_numbers_and_codes():
    masked = mask_for_model("กด *184# หรือโทร 081-234-5678 คลิก bit.ly/3abc ได้ 500 บาท")
    assert "⟦ussd⟧" in masked and "⟦phone⟧" in masked and "⟦url⟧" in masked
    assert "000 บาท" in masked
    assert "bit.ly" not in masked


def test_mask_keeps_prose_with_full_stops():
    assert mask_for_model("Hi.it is me at work.today") == "hi.it is me at work.today"


@settings(max_examples=60, deadline=None)  # the shared machine is slow; no timing here
@given(st.text(max_size=80))
def test_fold_text_is_idempotent(text):
    once = fold_text(text)
    assert fold_text(once) == once


@settings(max_examples=60, deadline=None)  # the shared machine is slow; no timing here
@given(st.text(max_size=80))
def test_mask_for_model_leaves_no_digits(text):
    masked = mask_for_model(text)
    assert not any(ch in "123456789" for ch in masked)
