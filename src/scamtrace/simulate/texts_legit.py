"""Legitimate and spam SMS: person-to-person chat, OTPs, bank and courier notices, adverts.

Labels follow the project's label map (../shared/data/README.md): OTPs, real notices and
chat are ``legit``; operator promotions with ``*xxx#`` codes and shop adverts are ``spam``
(unsolicited, but they ask for no money or credentials). Real notices carry the brands'
real domains, so "has a link" never means "scam" in this corpus.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

P2P_TH = (
    "ถึงบ้านแล้วนะ",
    "กินข้าวยัง",
    "เดี๋ยวโทรกลับนะ",
    "พรุ่งนี้เจอกัน {time} นะ",
    "ฝากซื้อ{item}ด้วย",
    "โอนให้แล้วนะ {amount} บาท",
    "แม่ให้โทรหาด้วย",
    "รถติดมาก จะถึงช้าหน่อย",
    "ประชุมอยู่ เดี๋ยวโทรกลับ",
    "สุขสันต์วันเกิดนะ {name}",
    "ขอบคุณมากครับ",
    "ได้รับของแล้วค่ะ",
    "อย่าลืมเอาร่มไปด้วย",
    "ถึง{place}แล้ว รออยู่หน้าร้าน",
    "เย็นนี้กินอะไรดี",
    "ค่าน้ำค่าไฟเดือนนี้ {amount} บาทนะ",
    "ลูกไปโรงเรียนแล้ว",
)
P2P_EN = (
    "On my way",
    "Call me when you're free",
    "Running late, traffic is bad",
    "Sent you {amount} baht for dinner",
    "See you at {time}",
    "Happy birthday {name}!",
    "Did you get the parcel?",
    "Meeting at {place} tomorrow",
    "Ok noted, thanks",
    "Can you pick up the kids at {time}?",
    "Where are you?",
    "Thanks for today",
)
OTP = (
    ("kbank", "รหัส OTP ของคุณคือ {otp} (Ref: {ref}) ห้ามบอกรหัสนี้แก่ผู้อื่น ใช้ได้ภายใน 5 นาที"),
    ("scb", "SCB: OTP {otp} (Ref.{ref}) for your transaction. Never share this code."),
    ("ktb", "Krungthai NEXT รหัส OTP {otp} อ้างอิง {ref} ห้ามเปิดเผยรหัสแก่ผู้ใด"),
    ("shopee", "<#> {otp} is your Shopee verification code. Do not share it."),
    ("lazada", "[Lazada] Your verification code is {otp}. Valid for 5 minutes."),
    ("truemoney", "TrueMoney: รหัส OTP คือ {otp} (Ref:{ref})"),
    ("line", "รหัสยืนยัน LINE ของคุณ: {otp}"),
    ("grab", "Your Grab code is {otp}. Don't share it with anyone."),
)
BANK_NOTICE = (
    ("kbank", "บัญชี x{last4} เงินเข้า {amount} บาท คงเหลือ {balance} บาท {date}"),
    (
        "kbank",
        "K PLUS: ธนาคารไม่มีนโยบายส่ง SMS แนบลิงก์ให้กรอกข้อมูล ระวังมิจฉาชีพ https://www.kasikornbank.com",
    ),
    (
        "scb",
        "SCB: Acct x{last4} debit {amount} THB on {date}. Balance {balance} THB. https://www.scb.co.th",
    ),
    ("ktb", "กรุงไทย: รายการถอน {amount} บาท บัญชี x{last4} วันที่ {date}"),
    ("bbl", "Bangkok Bank: Payment of {amount} THB from x{last4} completed. www.bangkokbank.com"),
    (
        "krungsri",
        "กรุงศรี: บัตรเครดิต x{last4} ยอดใช้จ่าย {amount} บาท ดูรายละเอียด https://www.krungsri.com",
    ),
    ("gsb", "ออมสิน: เงินฝากเข้าบัญชี x{last4} จำนวน {amount} บาท https://www.gsb.or.th"),
    ("ttb", "ttb: ยอดเงินโอนออก {amount} บาท จากบัญชี x{last4} หากไม่ได้ทำรายการโทร 1428"),
)
COURIER = (
    (
        "thailandpost",
        "พัสดุ {tracking} อยู่ระหว่างนำจ่าย ติดตามที่ https://track.thailandpost.co.th/?trackNumber={tracking}",
    ),
    (
        "kex",
        "KEX: Your parcel {tracking} has been delivered. https://th.kex-express.com/th/track/?track={tracking}",
    ),
    ("flash", "Flash Express: พัสดุ {tracking} จะจัดส่งวันนี้ พนักงานจะโทรหาก่อนส่ง"),
    ("jtexpress", "J&T Express: พัสดุ {tracking} ถึงศูนย์กระจายสินค้าแล้ว https://www.jtexpress.co.th"),
)
OPERATOR_PROMO = (
    ("ais", "AIS: สมัครเน็ตไม่อั้น 15Mbps 7 วัน 99 บาท กด *777*{code}# โทรออก"),
    ("ais", "AIS: Get 10GB for 49B/7days. Dial *777*{code}# now"),
    ("true", "TRUE: เติมเงิน 100 รับโบนัส 20 บาท กด *900*{code}# โทรออก"),
    ("true", "ทรู: ดูดวงรายวัน ส่งตรงทุกเช้า 3 บาท/ข้อความ สมัคร *4{code}# ยกเลิก *4{code}0#"),
    ("nt", "NT: โปรโทรฟรีในเครือข่าย 30 วัน 59 บาท กด *871*{code}#"),
)
SHOP_ADVERT = (
    ("bigc", "Big C ลดสูงสุด 70% วันนี้ - {date} ทุกสาขา https://www.bigc.co.th"),
    ("watsons", "Watsons: ซื้อ 1 แถม 1 สินค้าสุขภาพและความงาม ถึง {date} เท่านั้น"),
    ("homepro", "HomePro flash sale! Up to 50% off this weekend. www.homepro.co.th"),
    ("pizzahut", "Pizza Hut: ถาดที่ 2 ลด 50% สั่งเลย 1150 หรือ www.1112.com"),
    ("centralonline", "Central: สมาชิกรับส่วนลดเพิ่ม {pct}% ใช้โค้ด SALE{code} ที่ central.co.th"),
    ("muaythaigym", "โปรสมัครสมาชิกฟิตเนสเดือนละ {amount} บาท ทดลองเล่นฟรี 7 วัน"),
)
_NAMES = ("นิด", "แอน", "Tom", "ปุ้ย", "May", "บอย", "Joy", "เก่ง")
_PLACES = ("Central", "Big C", "MBK", "ตลาด", "Siam", "Lotus's")
_ITEMS = ("นม", "ไข่", "ข้าวสาร", "น้ำปลา", "ขนมปัง")
_TIMES = ("7 โมง", "18:30", "บ่ายสอง", "9 am", "noon")


@dataclass
class TextPool:
    """Rendered texts with their sender id and truth (label, scam type, template family)."""

    text: list[str] = field(default_factory=list)
    sender: list[str] = field(default_factory=list)
    label: list[str] = field(default_factory=list)
    scam_type: list[str | None] = field(default_factory=list)
    family: list[str] = field(default_factory=list)

    def add(self, text: str, sender: str, label: str, scam_type: str | None, family: str) -> None:
        self.text.append(text)
        self.sender.append(sender)
        self.label.append(label)
        self.scam_type.append(scam_type)
        self.family.append(family)

    def indices(self, family_prefix: str) -> np.ndarray:
        """Positions of the entries whose family starts with ``family_prefix``."""
        return np.array([i for i, f in enumerate(self.family) if f.startswith(family_prefix)])


class _SlotDraws:
    """Slot values for ``n`` texts drawn in a few vectorised calls, then read per text."""

    def __init__(self, rng: np.random.Generator, n: int) -> None:
        letters = np.array(list("ABCDEFGHJKLMNPQRSTUVWXYZ"))
        self.choice = {
            key: rng.integers(0, len(values), size=n)
            for key, values in (
                ("time", _TIMES),
                ("item", _ITEMS),
                ("name", _NAMES),
                ("place", _PLACES),
            )
        }
        self.ints = {
            key: rng.integers(low, high, size=n)
            for key, (low, high) in {
                "amount": (2, 300),
                "otp": (0, 10**6),
                "last4": (0, 10**4),
                "balance": (100, 900_000),
                "cents": (0, 100),
                "day": (1, 29),
                "month": (1, 13),
                "tracking": (10**8, 10**9),
                "code": (1, 99),
                "pct": (5, 40),
            }.items()
        }
        self.refs = ["".join(r) for r in letters[rng.integers(0, letters.size, size=(n, 4))]]

    def slots(self, i: int) -> dict[str, str]:
        c, v = self.choice, {k: int(a[i]) for k, a in self.ints.items()}
        return {
            "time": _TIMES[c["time"][i]],
            "item": _ITEMS[c["item"][i]],
            "name": _NAMES[c["name"][i]],
            "place": _PLACES[c["place"][i]],
            "amount": f"{v['amount'] * 10:,}",
            "otp": f"{v['otp']:06d}",
            "ref": self.refs[i],
            "last4": f"{v['last4']:04d}",
            "balance": f"{v['balance']:,}.{v['cents']:02d}",
            "date": f"{v['day']:02d}/{v['month']:02d}",
            "tracking": f"E{v['tracking']}TH",
            "code": str(v["code"]),
            "pct": str(v["pct"]),
        }


def build_legit_pool(rng: np.random.Generator) -> TextPool:
    """Render the pool of legitimate and spam texts that chunks sample from.

    Args:
        rng: the generator of this component.

    Returns:
        The pool; families are ``p2p_th``, ``p2p_en``, ``otp``, ``bank_notice``,
        ``courier_notice`` (legit) and ``operator_promo``, ``shop_advert`` (spam).
    """
    pool = TextPool()
    groups = (
        (OTP, "otp", "legit", 600),
        (BANK_NOTICE, "bank_notice", "legit", 500),
        (COURIER, "courier_notice", "legit", 300),
        (OPERATOR_PROMO, "operator_promo", "spam", 150),
        (SHOP_ADVERT, "shop_advert", "spam", 150),
    )
    draws = _SlotDraws(rng, 550 + sum(g[3] for g in groups))
    chat = (
        rng.integers(0, len(P2P_TH), size=400).tolist()
        + rng.integers(0, len(P2P_EN), size=150).tolist()
    )
    for i, pick in enumerate(chat):
        family = "p2p_th" if i < 400 else "p2p_en"
        template = P2P_TH[pick] if i < 400 else P2P_EN[pick]
        pool.add(template.format(**draws.slots(i)), "", "legit", None, family)
    i = len(chat)
    for templates, family, label, count in groups:
        for pick in rng.integers(0, len(templates), size=count).tolist():
            sender, template = templates[pick]
            pool.add(template.format(**draws.slots(i)), sender, label, None, family)
            i += 1
    return pool
