"""Scam SMS template families (Thai and English) and the gangs' look-alike links.

Each scam type has several families; a family is one script, written in Thai or English,
with slots (amounts, tracking numbers, LINE ids, links) that vary per message. Families are
named ``<type>.<script>_<lang>`` in truth_messages so that a classifier can be evaluated
with whole families held out.
"""

from __future__ import annotations

import numpy as np

SCAM_TYPES: tuple[str, ...] = (
    "parcel",
    "bank_impersonation",
    "government_impersonation",
    "investment",
    "loan",
    "job_task",
    "romance",
    "gambling",
    "prize",
    "phishing_other",
)
#: Types a gang can run by calling (call-centre scripts) rather than by SMS only.
CALL_TYPES = frozenset(
    {"parcel", "bank_impersonation", "government_impersonation", "investment", "loan", "job_task"}
)

FAMILIES: dict[str, tuple[tuple[str, str], ...]] = {
    "parcel": (
        (
            "failed_delivery_th",
            "[{courier}] พัสดุของคุณจัดส่งไม่สำเร็จ เนื่องจากที่อยู่ไม่ครบถ้วน กรุณาอัปเดตภายใน 24 ชม. {url}",
        ),
        (
            "failed_delivery_en",
            "{courier}: Your parcel {tracking} could not be delivered due to an incomplete address. Update here: {url}",
        ),
        (
            "unpaid_fee_th",
            "พัสดุของท่านค้างชำระค่าธรรมเนียม {fee} บาท กรุณาชำระก่อน {date} มิฉะนั้นจะถูกตีกลับ {url}",
        ),
        (
            "customs_fee_en",
            "Thailand Post: customs fee of {fee} THB is unpaid for parcel {tracking}. Pay now {url}",
        ),
        ("illegal_goods_th", "ด่านศุลกากรตรวจพบสิ่งผิดกฎหมายในพัสดุชื่อคุณ ติดต่อเจ้าหน้าที่ด่วน {phone}"),
    ),
    "bank_impersonation": (
        ("account_suspended_th", "{bank}: บัญชีของท่านถูกระงับชั่วคราว กรุณายืนยันตัวตนที่ {url} ภายในวันนี้"),
        (
            "account_suspended_en",
            "{bank} ALERT: your account is suspended. Verify your identity at {url} to avoid closure.",
        ),
        ("points_expire_th", "คะแนนสะสม {points} คะแนนของท่านจะหมดอายุ {date} แลกรับเงินคืนได้ที่ {url}"),
        (
            "new_login_en",
            "{bank}: New login from an unknown device. If this wasn't you, cancel at {url}",
        ),
    ),
    "government_impersonation": (
        ("tax_refund_th", "กรมสรรพากร: ท่านได้รับเงินคืนภาษี {amount} บาท กรุณายืนยันบัญชีรับเงินที่ {url}"),
        (
            "tax_refund_en",
            "Revenue Department: you are eligible for a tax refund of {amount} THB. Claim at {url}",
        ),
        (
            "police_summons_th",
            "สน.{station} แจ้ง: ท่านมีหมายเรียกคดีฟอกเงิน กรุณาติดต่อกลับด่วน {phone} มิฉะนั้นจะออกหมายจับ",
        ),
        (
            "dsi_case_en",
            "DSI notice: your bank account is linked to a money laundering case. Call officer {name} at {phone} today.",
        ),
        ("welfare_th", "กระทรวงการคลัง: สิทธิ์รับเงินช่วยเหลือ {amount} บาทของท่านพร้อมแล้ว ลงทะเบียน {url}"),
    ),
    "phishing_other": (
        (
            "electricity_cutoff_th",
            "การไฟฟ้าส่วนภูมิภาค: ท่านมียอดค้างชำระค่าไฟ {fee} บาท จะถูกตัดไฟภายใน 24 ชม. ชำระที่ {url}",
        ),
        ("electricity_refund_th", "PEA คืนเงินประกันการใช้ไฟฟ้า {amount} บาท กรอกข้อมูลรับเงิน {url}"),
        (
            "electricity_cutoff_en",
            "MEA: your electricity will be disconnected today due to an unpaid bill of {fee} THB. Pay: {url}",
        ),
    ),
    "investment": (
        ("stock_coach_th", "ลงทุนหุ้นกับโค้ชดัง กำไรวันละ {pct}% การันตี ไม่มีขาดทุน แอดไลน์ {line}"),
        (
            "ai_crypto_en",
            "Earn {pct}% daily with our AI crypto trading bot. Guaranteed returns. Join: {url}",
        ),
        ("gold_th", "ลงทุนทองคำออนไลน์ เริ่ม {fee} บาท ได้ผลตอบแทน {pct}% ต่อสัปดาห์ สมัคร {url}"),
    ),
    "loan": (
        ("no_bureau_th", "สินเชื่อด่วน อนุมัติใน 5 นาที ไม่เช็คบูโร วงเงิน {amount} บาท ทักไลน์ {line}"),
        (
            "quick_loan_en",
            "Quick loan up to {amount} THB, no credit check, approved in 5 minutes. Apply {url}",
        ),
        (
            "upfront_fee_th",
            "ยินดีด้วย ท่านได้รับอนุมัติสินเชื่อ {amount} บาท โอนค่าดำเนินการ {fee} บาท เข้าบัญชี {acct} เพื่อรับเงิน",
        ),
    ),
    "job_task": (
        (
            "like_review_th",
            "รับสมัครงานออนไลน์ ทำที่บ้าน รายได้วันละ {amount} บาท กดไลค์ รีวิวสินค้า ทักไลน์ {line}",
        ),
        (
            "like_videos_en",
            "Part-time job: like videos and earn {amount} THB per day. Contact HR on LINE {line}",
        ),
        ("shop_admin_th", "งานแอดมินร้านค้าออนไลน์ สั่งซื้อสินค้ารับค่าคอม {pct}% สนใจติดต่อ {line}"),
    ),
    "romance": (
        (
            "engineer_abroad_en",
            "Hi dear, I am {name}, an engineer working abroad. I saw your profile, can we talk on LINE {line}?",
        ),
        ("want_to_know_th", "สวัสดีค่ะ ชื่อ{name} เห็นโปรไฟล์แล้วอยากรู้จัก คุยกันทางไลน์ {line} นะคะ"),
        (
            "gift_customs_en",
            "My love, the parcel with my gift is held at customs. Please pay the fee {fee} THB to {acct}",
        ),
    ),
    "gambling": (
        ("deposit_bonus_th", "เว็บตรง ไม่ผ่านเอเย่นต์ ฝากครั้งแรกรับโบนัส 100% สมัครรับเครดิตฟรี {fee} {url}"),
        (
            "free_credit_en",
            "Free credit {fee} THB! Register and deposit now at {url}, withdraw unlimited",
        ),
        ("baccarat_th", "บาคาร่าออนไลน์ ฝาก {fee} รับ {amount} ถอนได้จริง ทักไลน์ {line}"),
    ),
    "prize": (
        ("lucky_draw_th", "ยินดีด้วย! เบอร์ของคุณได้รับรางวัล {amount} บาท จาก {brand} ยืนยันรับรางวัล {url}"),
        (
            "lucky_draw_en",
            "Congratulations! Your number won {amount} THB in the {brand} lucky draw. Claim: {url}",
        ),
        ("shipping_fee_th", "ท่านถูกรางวัลโทรศัพท์มือถือ กรุณาชำระค่าจัดส่ง {fee} บาท ที่ {url}"),
    ),
}

#: Brands impersonated per scam type (look-alike domains and spoofed sender ids).
BRANDS: dict[str, tuple[str, ...]] = {
    "parcel": ("thaipost", "kerry", "flash", "jtexpress", "kex"),
    "bank_impersonation": ("kbank", "scb", "krungthai", "bbl", "krungsri", "ttb", "gsb"),
    "government_impersonation": ("rd-go", "revenue", "dsi", "police", "paotang"),
    "phishing_other": ("pea", "mea", "pwa"),
    "investment": ("set", "goldtrade", "ptt-invest"),
    "loan": ("easyloan", "kredit"),
    "job_task": ("shopee", "lazada", "tiktok"),
    "romance": ("lovematch",),
    "gambling": ("ufa", "pgslot", "bet"),
    "prize": ("shopee", "lazada", "ais", "true"),
}
_WORDS = (
    "secure",
    "verify",
    "update",
    "refund",
    "service",
    "online",
    "support",
    "login",
    "th",
    "app",
)
_TLDS = ("com", "top", "xyz", "cc", "online", "vip", "shop", "net", "info", "icu")
_PATHS = ("login", "verify", "th", "track", "refund", "update", "claim", "pay", "register")
SHORTENERS = ("bit.ly", "cutt.ly", "tinyurl.com", "shorturl.at", "s.id")
_ALNUM = list("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")


def lookalike_domain(rng: np.random.Generator, brand: str) -> tuple[str, str]:
    """A look-alike registered domain for ``brand``: (as written in texts, canonical ASCII).

    About one in ten is an IDN homograph (Cyrillic ``а`` for ``a``), whose canonical
    form is its punycode, as ``scamtrace.identifiers`` normalises hosts.
    """
    word, tld = str(rng.choice(_WORDS)), str(rng.choice(_TLDS))
    pattern = int(rng.integers(0, 4))
    host = (
        f"{brand}-{word}-th.{tld}",
        f"{brand}-{word}.{tld}",
        f"{word}{brand}.{tld}",
        f"{brand}th-{word}.{tld}",
    )[pattern]
    if "a" in brand and rng.random() < 0.1:
        written = f"{brand.replace('a', 'а', 1)}.{tld}"
        return written, written.encode("idna").decode("ascii")
    return host, host


def gang_links(rng: np.random.Generator, brand: str, count: int) -> list[tuple[str, str, str]]:
    """Links a gang uses for one brand: (as written, canonical url, canonical domain or '').

    Shortened links get an empty domain: the shortener belongs to nobody's gang.
    """
    written, domain = lookalike_domain(rng, brand)
    links = []
    for _ in range(count):
        path = str(rng.choice(_PATHS))
        if rng.random() < 0.25:
            token = "".join(rng.choice(_ALNUM, size=7))
            short = f"https://{rng.choice(SHORTENERS)}/{token}"
            links.append((short, short, ""))
        else:
            links.append((f"https://{written}/{path}", f"https://{domain}/{path}", domain))
    return links
