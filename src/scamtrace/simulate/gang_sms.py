"""One day of a gang's SMS campaigns: rendered variants blasted from SIMs or spoofed ids.

A campaign renders a dozen variants of one or two template families (slots filled,
evasion tricks applied) and each message picks one; that is how bulk senders look, and it
keeps rendering cost per campaign rather than per message. Some campaigns go out under a
spoofed brand sender id instead of a mule SIM.
"""

from __future__ import annotations

import numpy as np

from scamtrace.simulate.config import SimulationConfig
from scamtrace.simulate.gang_calls import burst_times
from scamtrace.simulate.gangs import Gang
from scamtrace.simulate.ids import event_ids
from scamtrace.simulate.obfuscation import obfuscate
from scamtrace.simulate.texts_scam import FAMILIES
from scamtrace.simulate.world import World

NS_GANG_SMS = 4
_COURIERS = ("Thailand Post", "Kerry Express", "Flash Express", "J&T", "KEX")
_BANKS = ("KBank", "SCB", "Krungthai", "Bangkok Bank", "Krungsri", "ttb", "GSB")
_NAMES = ("David", "Michael", "Anna", "สมชาย", "วิภา", "Kevin", "Sophia")


def _thai_number(national: int) -> str:
    s = f"0{national:09d}"
    return f"{s[:3]}-{s[3:6]}-{s[6:]}"


def render_variants(
    rng, gang: Gang, scam_type: str, count: int, ctx: dict
) -> list[tuple[str, str, str]]:
    """Render ``count`` variants: (text, family name, canonical url or '')."""
    families = FAMILIES[scam_type]
    chosen = rng.choice(len(families), size=min(2, len(families)), replace=False)
    out = []
    for _ in range(count):
        name, template = families[int(rng.choice(chosen))]
        written, url, _ = gang.links[scam_type][int(rng.integers(0, len(gang.links[scam_type])))]
        slots = {
            "courier": str(rng.choice(_COURIERS)),
            "bank": str(rng.choice(_BANKS)),
            "tracking": f"TH{int(rng.integers(10**9, 10**10))}",
            "fee": f"{int(rng.integers(2, 60)) * 10 + 9}",
            "amount": f"{int(rng.integers(3, 300)) * 100:,}",
            "date": f"{int(rng.integers(1, 29))}/{int(rng.integers(1, 13))}",
            "points": f"{int(rng.integers(10, 900)) * 10:,}",
            "pct": str(int(rng.integers(3, 30))),
            "station": str(rng.choice(("ลุมพินี", "ทองหล่อ", "บางรัก", "ดินแดง"))),
            "name": str(rng.choice(_NAMES)),
            "phone": str(rng.choice(ctx["phones"])),
            "line": str(rng.choice(gang.line_ids)),
            "acct": str(rng.choice(ctx["accounts"])),
            "brand": str(rng.choice(("Shopee", "Lazada", "AIS", "TRUE"))),
            "url": written,
        }
        text, _ = obfuscate(template.format(**slots), rng)
        out.append((text, f"{scam_type}.{name}", url if "{url}" in template else ""))
    return out


def gang_sms_for_day(
    world: World, cfg: SimulationConfig, gangs: list[Gang], day: int, rng, names
) -> dict:
    """Every gang's scam SMS on ``day``.

    Args:
        world: the world.
        cfg: the configuration.
        gangs: all gangs.
        day: 0-based day.
        rng: the day's generator for gang SMS.
        names: the world's identifier strings (for call-back numbers and accounts in texts).

    Returns:
        Columns ``sms_id, ts, sender_sim, sender_id, recipient, text, scam_type, family,
        url, gang, person`` (one row per message).
    """
    rows = {
        k: [] for k in ("ts", "sender_sim", "sender_id", "recipient", "variant", "gang", "person")
    }
    variants: list[tuple[str, str, str]] = []
    n_persons = world.n_persons
    for g, gang in enumerate(gangs):
        live = (gang.sms_days[:, 0] <= day) & (gang.sms_days[:, 1] >= day)
        spoof = rng.random() < cfg.spoofed_sender_share
        if not gang.active_days[day] or not (live.any() or spoof):
            continue
        scam_type = str(rng.choice(gang.types))
        ctx = {
            "phones": [_thai_number(int(world.sim_number[s])) for s in gang.caller_sims[:3]],
            "accounts": [names.account_text(int(a)) for a in gang.layers[0][:3]],
        }
        first = len(variants)
        variants += render_variants(rng, gang, scam_type, 12, ctx)
        senders = gang.sms_sims[live] if live.any() and not spoof else np.array([-1])
        per_sender = rng.integers(*cfg.sms_per_sms_sim_day, size=senders.size)
        sender = np.repeat(senders, per_sender)
        m = sender.size
        person = rng.integers(0, n_persons, size=m)
        rows["ts"].append(burst_times(rng, m, day, 2, (30, 120)))
        rows["sender_sim"].append(sender)
        sender_id = gang.spoof_senders[gang.types.index(scam_type)] if spoof else ""
        rows["sender_id"].append(np.full(m, sender_id, dtype=object))
        rows["recipient"].append(world.person_sim[person])
        rows["variant"].append(first + rng.integers(0, 12, size=m))
        rows["gang"].append(np.full(m, g))
        rows["person"].append(person)
    out = {k: np.concatenate(v) if v else np.zeros(0, np.int64) for k, v in rows.items()}
    n = out["ts"].size
    variant = out.pop("variant").astype(np.int64)
    out["text"] = (
        np.array([v[0] for v in variants], dtype=object)[variant] if n else np.zeros(0, object)
    )
    out["family"] = (
        np.array([v[1] for v in variants], dtype=object)[variant] if n else np.zeros(0, object)
    )
    out["url"] = (
        np.array([v[2] for v in variants], dtype=object)[variant] if n else np.zeros(0, object)
    )
    out["scam_type"] = (
        np.array([v[1].split(".")[0] for v in variants], dtype=object)[variant]
        if n
        else np.zeros(0, object)
    )
    out["sms_id"] = event_ids(NS_GANG_SMS, day << 32, n)
    return out
