import pytest
from hypothesis import given
from hypothesis import strategies as st

from scamtrace.errors import InvalidMessage
from scamtrace.reports.acknowledgements import (
    SMS_ACK_LIMIT,
    acknowledgement_texts,
    new_reference_id,
    rate_limit_texts,
)
from scamtrace.reports.validation import MAX_TEXT_CHARS, decode_report_bytes, validate_report_text


def test_text_is_stripped_and_evasion_characters_kept():
    text = " คุณได้รับ\u200bเงินคืน ๑,๐๐๐ บาท \n"
    assert validate_report_text(text) == "คุณได้รับ\u200bเงินคืน ๑,๐๐๐ บาท"


@pytest.mark.parametrize("text", [None, "", "   \n\t"])
def test_empty_text_is_refused_when_required(text):
    with pytest.raises(InvalidMessage, match="empty"):
        validate_report_text(text)
    assert validate_report_text(text, required=False) is None


def test_long_text_is_refused_with_its_length():
    with pytest.raises(InvalidMessage, match="2001 characters; the limit is 2000"):
        validate_report_text("ก" * (MAX_TEXT_CHARS + 1))
    assert len(validate_report_text("ก" * MAX_TEXT_CHARS)) == MAX_TEXT_CHARS


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
def test_control_characters_are_refused_and_named(char):
    with pytest.raises(InvalidMessage, match=f"U\\+{ord(char):04X}"):
        validate_report_text(f"hello{char}world")


def test_invalid_utf8_is_refused_with_position():
    with pytest.raises(InvalidMessage, match="not valid UTF-8.*position 2"):
        decode_report_bytes(b"ab\xff\xfe")
    assert decode_report_bytes("พัสดุ".encode()) == "พัสดุ"


@given(st.text(min_size=1, max_size=300))
def test_validation_either_accepts_or_raises_invalid_message(text):
    try:
        result = validate_report_text(text)
    except InvalidMessage:
        return
    assert result == text.strip() and result


def test_reference_ids_are_distinct_and_readable():
    refs = {new_reference_id() for _ in range(2000)}
    assert len(refs) == 2000
    for ref in list(refs)[:50]:
        assert ref.startswith("SR-") and len(ref) == 12
        assert not set(ref[3:].replace("-", "")) & set("ILOU")


def test_acknowledgements_fit_in_two_sms_segments_and_carry_the_reference():
    texts = acknowledgement_texts("SR-ABCD-EFGH")
    assert set(texts) == {"th", "en"}
    for text in texts.values():
        assert "SR-ABCD-EFGH" in text and len(text) <= SMS_ACK_LIMIT
    assert all(len(t) <= SMS_ACK_LIMIT for t in rate_limit_texts().values())
