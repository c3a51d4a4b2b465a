"""Reference ids and the acknowledgement a reporter receives, in Thai and English.

The acknowledgement goes back as an SMS reply to 1185 or a USSD screen, so each language
version stays within two UCS-2 SMS segments (134 characters) and carries the reference id.
"""

from __future__ import annotations

import secrets

# Crockford's base32 without I, L, O, U: read aloud or typed from an SMS without confusion.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

_ACK_TH = "ได้รับแจ้งเบาะแสแล้ว เลขอ้างอิง {ref} ตรวจสอบสถานะได้ที่ 1185 ห้ามโอนเงินหรือให้รหัส OTP แก่ผู้ใด"
_ACK_EN = "Report received. Ref {ref}. Check status via 1185. Never transfer money or share an OTP."
_LIMIT_TH = "ท่านแจ้งเบาะแสเกินจำนวนที่กำหนดต่อชั่วโมง กรุณาลองใหม่ภายหลัง"
_LIMIT_EN = "You have sent too many reports this hour. Please try again later."

#: The longest a single acknowledgement may be: two UCS-2 SMS segments of 67 characters.
SMS_ACK_LIMIT = 134


def new_reference_id() -> str:
    """Return a fresh reference id such as ``SR-7K3M-Q9XD`` (40 random bits).

    Random, not derived from the report, so that a reference cannot be guessed from a
    phone number and time; uniqueness is enforced by the store.
    """
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"SR-{chars[:4]}-{chars[4:]}"


def acknowledgement_texts(reference_id: str) -> dict[str, str]:
    """Return the SMS-ready acknowledgement in Thai (``th``) and English (``en``)."""
    return {"th": _ACK_TH.format(ref=reference_id), "en": _ACK_EN.format(ref=reference_id)}


def rate_limit_texts() -> dict[str, str]:
    """Return the Thai and English message for a reporter who hit the hourly limit."""
    return {"th": _LIMIT_TH, "en": _LIMIT_EN}
