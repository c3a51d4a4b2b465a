"""Scam types and the Thai and English cue words that reveal them.

The cue lexicons do two jobs: at training time they give a weak scam type to public
messages that carry no type (only the simulator's corpus is typed), and at inference a
clear cue decides the type directly while the type model handles texts without one.
Cues were written from the Thai police's (CCIB / AOC 1441) published scam categories
and common English smishing wording; they are matched on folded, lower-cased text.
"""

from __future__ import annotations

import re

SCAM_TYPES: tuple[str, ...] = (
    "parcel", "bank_impersonation", "government_impersonation", "investment", "loan",
    "job_task", "romance", "gambling", "prize", "phishing_other",
)

_CUES: dict[str, tuple[str, ...]] = {
    "parcel": (
        "พัสดุ", "ไปรษณีย์", "จัดส่ง", "ค่าส่ง", "ศุลกากร", "ตีกลับ", "kerry", "flash express",
        "j&t", "thailand post", "thaipost", "parcel", "package", "delivery", "courier",
        "customs", "shipment", "tracking",
    ),
    "bank_impersonation": (
        "บัญชีของท่านถูกระงับ", "บัญชีถูกระงับ", "ยืนยันตัวตน", "ธนาคาร", "บัตรเครดิต", "คะแนนสะสม",
        "account is suspended", "account suspended", "account has been", "verify your identity",
        "unusual activity", "new login", "bank", "card has been", "kbank", "scb", "krungthai",
        "krungsri", "ttb", "กสิกร", "ไทยพาณิชย์", "กรุงไทย", "กรุงศรี", "ออมสิน",
    ),
    "government_impersonation": (
        "ตำรวจ", "หมายจับ", "ดีเอสไอ", "dsi", "กรมสรรพากร", "ภาษี", "คืนเงินภาษี", "การไฟฟ้า",
        "ค่าไฟ", "กรมการขนส่ง", "ประกันสังคม", "เงินเยียวยา", "ฟอกเงิน", "สถานีตำรวจ", "police",
        "arrest", "warrant", "money laundering", "tax refund", "revenue department",
        "electricity", "social security", "government",
    ),
    "investment": (
        "ลงทุน", "ผลตอบแทน", "กำไร", "หุ้น", "คริปโต", "เทรด", "ปันผล", "invest", "return of",
        "profit", "crypto", "bitcoin", "trading", "forex", "dividend", "usdt",
    ),
    "loan": (
        "สินเชื่อ", "เงินกู้", "กู้เงิน", "อนุมัติ", "วงเงิน", "ไม่เช็คบูโร", "ดอกเบี้ยต่ำ", "ยืมเงิน",
        "loan", "credit approved", "approved for", "low interest", "cash advance",
    ),
    "job_task": (
        "งานออนไลน์", "รายได้เสริม", "ทำงานที่บ้าน", "กดไลค์", "รับสมัคร", "ภารกิจ", "ค่าคอม",
        "รายได้วันละ", "part time", "part-time", "work from home", "daily income", "earn",
        "job", "task", "commission", "salary", "hiring",
    ),
    "romance": (
        "คิดถึง", "ที่รัก", "แฟน", "หาคู่", "เหงา", "โสด", "dear", "darling", "my love",
        "lonely", "dating", "miss you", "sweetheart",
    ),
    "gambling": (
        "เครดิตฟรี", "ฟรีเครดิต", "สล็อต", "คาสิโน", "บาคาร่า", "แทงบอล", "ฝากถอน", "ฝาก-ถอน",
        "เว็บตรง", "ค่ายเกม", "หวย", "ถอนไว", "slot", "casino", "baccarat", "betting", "jackpot",
    ),
    "prize": (
        "ได้รับรางวัล", "รางวัล", "ผู้โชคดี", "ลุ้นรับ", "ถูกรางวัล", "ยินดีด้วย", "ของรางวัล",
        "winner", "won", "prize", "claim", "congratulations", "selected to receive", "reward",
        "award", "free gift", "voucher",
    ),
}
_PATTERNS = {
    scam_type: re.compile(
        "|".join(
            # ASCII cues are whole words ("earn" must not fire inside "learn").
            (r"\b" + re.escape(cue) + r"\b") if cue.isascii() else re.escape(cue)
            for cue in sorted(cues, key=len, reverse=True)
        ),
        re.IGNORECASE,
    )
    for scam_type, cues in _CUES.items()
}


def cue_counts(text: str) -> dict[str, int]:
    """How many cue words of each scam type the (folded) text contains.

    Args:
        text: a folded or masked message.

    Returns:
        ``{scam_type: count}`` for the types with at least one cue.
    """
    counts = {}
    for scam_type, pattern in _PATTERNS.items():
        hits = len(pattern.findall(text))
        if hits:
            counts[scam_type] = hits
    return counts


def cue_type(text: str) -> str | None:
    """The scam type whose cues dominate the text, or None when no type stands out.

    Args:
        text: a folded or masked message.

    Returns:
        The type with strictly the most cue hits, else None.
    """
    counts = cue_counts(text)
    if not counts:
        return None
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]
