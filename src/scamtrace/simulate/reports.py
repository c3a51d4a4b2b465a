"""Citizen and bank reports: genuine ones, noise, and a report-poisoning campaign.

Genuine: scam SMS forwarded to 1185; ``*1185#`` dialled within five minutes of hanging
up on a scam call (plain ``*1185#`` names nobody: the network resolves the last caller;
``*1185*<number>#`` names one); web reports by victims; bank complaints naming the
transfer. Noise: people reporting legitimate telemarketers and riders, adverts forwarded
to 1185, and duplicates. Rows are built per batch as plain columns.
"""

from __future__ import annotations

import numpy as np

from scamtrace.simulate.config import SimulationConfig
from scamtrace.simulate.world import SIM_AGENT, SIM_RIDER, SIM_SALES, World

_WEB_TH = (
    "มีคนโทรมาอ้างเป็นเจ้าหน้าที่ ให้โอนเงิน {amount} บาท",
    "ได้รับ SMS แล้วกดลิงก์ เงินหายจากบัญชี {amount} บาท",
    "หลอกให้ลงทุน โอนไปแล้ว {amount} บาท ถอนไม่ได้",
    "โดนหลอกโอนค่าธรรมเนียม {amount} บาท",
)
_WEB_EN = (
    "Caller claimed to be an officer and asked me to transfer {amount} baht",
    "Got an SMS with a link, {amount} baht disappeared from my account",
    "Investment group took {amount} baht and I cannot withdraw",
)
_MISTAKEN = (
    "เบอร์นี้โทรมาบ่อยมาก น่าจะเป็นมิจฉาชีพ",
    "This number keeps calling me, probably a scam",
    "โทรมาขายของทุกวัน รำคาญ",
)
_BANK = (
    "โอนเงินให้มิจฉาชีพ {amount} บาท ขออายัดบัญชีปลายทาง",
    "Transferred {amount} THB to a scammer, please freeze",
)


def empty_reports() -> dict:
    """Report columns with no rows."""
    return {
        "ts": np.zeros(0, np.int64),
        "channel": np.zeros(0, object),
        "reporter": np.zeros(0, np.int64),
        "kind": np.zeros(0, object),
        "value": np.zeros(0, object),
        "text": np.zeros(0, object),
        "tx_id": np.zeros(0, np.int64),
        "label": np.zeros(0, object),
        "gang": np.zeros(0, np.int64),
    }


def _rows(ts, channel, reporter, kind, value, text, tx_id, label, gang) -> dict:
    n = np.asarray(ts).size
    full = lambda v, dt=object: np.asarray(v, dtype=dt) if np.ndim(v) else np.full(n, v, dtype=dt)
    return {
        "ts": np.asarray(ts, np.int64),
        "channel": full(channel),
        "reporter": np.asarray(reporter, np.int64),
        "kind": full(kind),
        "value": full(value),
        "text": full(text),
        "tx_id": full(tx_id, np.int64),
        "label": full(label),
        "gang": full(gang, np.int64),
    }


def concat_reports(parts: list[dict]) -> dict:
    """Concatenate report batches column by column."""
    parts = [p for p in parts if p["ts"].size] or [empty_reports()]
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _ussd(
    rng, ts_end, reporter, caller_number: np.ndarray, cfg: SimulationConfig, label, gang
) -> dict:
    explicit = rng.random(ts_end.size) < cfg.ussd_explicit_share
    local = np.array([f"0{int(v):09d}" for v in caller_number], dtype=object)
    text = np.where(explicit, "*1185*" + local + "#", "*1185#")
    value = np.where(explicit, "+66" + np.array([s[1:] for s in local], dtype=object), None)
    # dialled after hanging up, always inside the five minutes the network looks back
    ts = ts_end + rng.integers(10, 290, size=ts_end.size)
    return _rows(ts, "ussd_1185", reporter, "phone", value, text, -1, label, gang)


def reports_for_scam_calls(
    world: World, cfg: SimulationConfig, calls: dict, caller_gang: np.ndarray, rng
) -> dict:
    """*1185# reports by people who answered a gang's call (``caller_gang`` >= 0 marks them)."""
    pick = (
        (caller_gang >= 0)
        & (calls["duration"] > 0)
        & (rng.random(caller_gang.size) < cfg.ussd_report_rate)
    )
    return _ussd(
        rng,
        calls["ts"][pick] + calls["duration"][pick],
        calls["callee"][pick],
        world.sim_number[calls["caller"][pick]],
        cfg,
        "genuine",
        caller_gang[pick],
    )


def mistaken_reports(world: World, cfg: SimulationConfig, calls: dict, rng) -> dict:
    """*1185# reports by people annoyed by legitimate telemarketers, riders and sales staff."""
    role = world.sim_role[calls["caller"]]
    heavy = np.isin(role, (SIM_AGENT, SIM_RIDER, SIM_SALES)) & (calls["duration"] > 0)
    pick = heavy & (rng.random(role.size) < cfg.mistaken_report_rate)
    return _ussd(
        rng,
        calls["ts"][pick] + calls["duration"][pick],
        calls["callee"][pick],
        world.sim_number[calls["caller"][pick]],
        cfg,
        "mistaken",
        -1,
    )


def forwards(rng, sms: dict, rate: np.ndarray, sender_value: np.ndarray, label, gang) -> dict:
    """Messages forwarded to 1185 by their recipients (``rate`` per message)."""
    pick = rng.random(rate.size) < rate
    value = np.where(rng.random(rate.size) < 0.1, None, sender_value)[pick]
    kind = np.where(sms["sender_sim"][pick] >= 0, "phone", "sender_id")
    ts = sms["ts"][pick] + rng.integers(60, 7200, size=int(pick.sum()))
    gang_col = gang[pick] if np.ndim(gang) else gang
    return _rows(
        ts, "sms_1185", sms["recipient"][pick], kind, value, sms["text"][pick], -1, label, gang_col
    )


def victim_reports(world: World, cfg: SimulationConfig, vt: dict, names, rng) -> dict:
    """Web reports and bank complaints by victims, about their first transfer to a gang."""
    first = vt["first"]
    reporter = world.person_sim[vt["person"]]
    amount = np.array([f"{a:,.0f}" for a in vt["amount"]], dtype=object)
    web = first & (rng.random(first.size) < cfg.victim_web_rate)
    thai = rng.random(first.size) < 0.75
    text = np.array(
        [
            (str(rng.choice(_WEB_TH)) if t else str(rng.choice(_WEB_EN))).format(amount=a)
            for t, a in zip(thai[web], amount[web])
        ],
        dtype=object,
    )
    account = np.array([names.account_id[int(d)].as_py() for d in vt["dst"][web]], dtype=object)
    contact = vt["contact_value"][web]
    kind = np.where(rng.random(int(web.sum())) < 0.5, "bank_account", vt["contact_kind_value"][web])
    value = np.where(kind == "bank_account", account, contact)
    named_tx = np.where(rng.random(int(web.sum())) < 0.3, vt["tx_id"][web], -1)
    web_rows = _rows(
        vt["ts"][web] + rng.integers(3600, 48 * 3600, size=int(web.sum())),
        "web",
        reporter[web],
        kind,
        value,
        text,
        named_tx,
        "genuine",
        vt["gang"][web],
    )
    bank = vt["first"] & (rng.random(first.size) < cfg.victim_bank_rate)
    text = np.array([str(rng.choice(_BANK)).format(amount=a) for a in amount[bank]], dtype=object)
    account = np.array([names.account_id[int(d)].as_py() for d in vt["dst"][bank]], dtype=object)
    bank_rows = _rows(
        vt["ts"][bank] + rng.integers(600, 24 * 3600, size=int(bank.sum())),
        "bank",
        reporter[bank],
        "bank_account",
        account,
        text,
        vt["tx_id"][bank],
        "genuine",
        vt["gang"][bank],
    )
    return concat_reports([web_rows, bank_rows])


def with_duplicates(rng, reports: dict, rate: float) -> dict:
    """Add re-sent copies of some reports, a minute to three hours later."""
    pick = rng.random(reports["ts"].size) < rate
    copy = {k: v[pick].copy() for k, v in reports.items()}
    copy["ts"] = copy["ts"] + rng.integers(60, 3 * 3600, size=int(pick.sum()))
    copy["label"] = np.full(int(pick.sum()), "duplicate", dtype=object)
    return concat_reports([reports, copy])


def mistaken_label_text(rng, n: int) -> np.ndarray:
    """Free texts of mistaken web reports."""
    return np.array([str(rng.choice(_MISTAKEN)) for _ in range(n)], dtype=object)
