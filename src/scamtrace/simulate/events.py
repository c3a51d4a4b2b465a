"""Turn a day of gang activity and a chunk of legitimate life into event frames.

Ids come from per-producer namespaces (legit chunk, gang day, reports) mixed into random-
looking int64s, so ids never reveal who produced a row. Truth is collected on the side:
SMS and report labels stream with their chunk; victim transfers and flows are kept until
the end, when those falling after the world's end are dropped with their rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from scamtrace.simulate.config import SimulationConfig
from scamtrace.simulate.gang_calls import gang_calls_for_day
from scamtrace.simulate.gang_sms import gang_sms_for_day
from scamtrace.simulate.gangs import Gang
from scamtrace.simulate.ids import component_rng, event_ids
from scamtrace.simulate.legit_calls import LegitContext, legit_calls
from scamtrace.simulate.legit_traffic import CHANNELS, PROMPTPAY, legit_money, legit_sms
from scamtrace.simulate.mule_flows import launder
from scamtrace.simulate.names import Names
from scamtrace.simulate.reports import (
    concat_reports,
    forwards,
    mistaken_reports,
    reports_for_scam_calls,
    victim_reports,
    with_duplicates,
)
from scamtrace.simulate.static_tables import cell_ids
from scamtrace.simulate.tables import frame
from scamtrace.simulate.texts_legit import TextPool
from scamtrace.simulate.victims import convert_contacts, victim_transfers
from scamtrace.simulate.world import World

NS_LEGIT_CALLS, NS_LEGIT_SMS, NS_TX, NS_LEGIT_TX, NS_REPORTS_LEGIT, NS_REPORTS_GANG = (
    1,
    3,
    6,
    5,
    7,
    8,
)


@dataclass
class EventTruth:
    """Truth gathered while events are generated (filtered to written rows at the end)."""

    victim_parts: list[dict] = field(default_factory=list)
    flow_parts: list[dict] = field(default_factory=list)
    used_urls: dict[str, set] = field(default_factory=dict)
    poisoning_frame: pa.Table | None = None


class DayEvents:
    """Everything event generation needs, bundled once per simulation."""

    def __init__(
        self,
        world: World,
        cfg: SimulationConfig,
        gangs: list[Gang],
        names: Names,
        pool: TextPool,
        ctx: LegitContext,
        writer,
        truth: EventTruth,
    ) -> None:
        self.world, self.cfg, self.gangs, self.names = world, cfg, gangs, names
        self.ctx, self.writer, self.truth = ctx, writer, truth
        self.pool = pool
        self.pool_text = pa.array(pool.text, pa.string())
        self.pool_sender = pa.array(pool.sender, pa.string())
        self.pool_label = np.array(pool.label, dtype=object)
        self.pool_family = pa.array(pool.family, pa.string())
        self.pool_groups = {
            "p2p": pool.indices("p2p"),
            "notice": np.concatenate(
                [pool.indices(f) for f in ("otp", "bank_notice", "courier_notice")]
            ),
            "spam": np.concatenate([pool.indices("operator_promo"), pool.indices("shop_advert")]),
        }
        self.cells = cell_ids(world)
        self.sim_gang = np.full(world.sim_number.size, -1, dtype=np.int64)
        for g, gang in enumerate(gangs):
            self.sim_gang[gang.caller_sims] = g

    def msisdn(self, sims: np.ndarray) -> pa.Array:
        return self.names.msisdn.take(pa.array(np.asarray(sims, np.int64)))

    def account(self, accounts: np.ndarray) -> pa.Array:
        return self.names.account_id.take(pa.array(np.asarray(accounts, np.int64)))

    def calls_frame(self, calls: dict, ids: np.ndarray, device: np.ndarray) -> pa.Table:
        return frame(
            "calls",
            {
                "call_id": ids,
                "caller": self.msisdn(calls["caller"]),
                "callee": self.msisdn(calls["callee"]),
                "duration_s": calls["duration"].astype(np.int32),
                "cell_id": self.cells.take(pa.array(calls["cell"])),
                "imei": self.names.imei.take(pa.array(device.astype(np.int64))),
            },
            calls["ts"],
            self.world.start_ts,
        )

    def queue_reports(self, reports: dict, seed_namespace: int, seq_start: int = 0) -> np.ndarray:
        """Give reports ids, queue them, and return the ids."""
        n = reports["ts"].size
        ids = event_ids(seed_namespace, seq_start, n)
        gang_ids = np.array([g.gang_id for g in self.gangs] + [None], dtype=object)
        value = reports["value"]
        table = frame(
            "reports",
            {
                "report_id": ids,
                "channel": reports["channel"],
                "reporter_msisdn": self.msisdn(reports["reporter"]),
                "reported_kind": reports["kind"],
                "reported_value": pa.array(list(value), pa.string()),
                "text": reports["text"],
                "tx_id": pa.array(reports["tx_id"], pa.int64(), mask=reports["tx_id"] < 0),
                "truth_label": reports["label"],
                "truth_gang": pa.array(list(gang_ids[reports["gang"]]), pa.string()),
            },
            reports["ts"],
            self.world.start_ts,
        )
        if seed_namespace == 9:
            self.truth.poisoning_frame = table
        self.writer.add_events("reports", table)
        return ids


def gang_day(ev: DayEvents, day: int) -> None:
    """Generate and queue one day of every gang's calls, SMS, victims, money and reports."""
    world, cfg, seed = ev.world, ev.cfg, ev.cfg.seed
    gc = gang_calls_for_day(world, cfg, ev.gangs, day, component_rng(seed, "gang-calls", day))
    calls = gc["calls"]
    device = np.where(calls["device"] >= 0, calls["device"], world.sim_device[calls["caller"]])
    ev.writer.add_events("calls", ev.calls_frame(calls, calls["call_id"], device))
    gs = gang_sms_for_day(world, cfg, ev.gangs, day, component_rng(seed, "gang-sms", day), ev.names)
    sender_msisdn = np.array(ev.msisdn(np.maximum(gs["sender_sim"], 0)).to_pylist(), dtype=object)
    sender = np.where(gs["sender_sim"] >= 0, sender_msisdn, gs["sender_id"])
    ev.writer.add_events(
        "sms",
        frame(
            "sms",
            {
                "sms_id": gs["sms_id"],
                "sender": sender,
                "recipient": ev.msisdn(gs["recipient"]),
                "text": gs["text"],
                "truth_label": np.full(gs["ts"].size, "scam", dtype=object),
                "truth_scam_type": gs["scam_type"],
                "truth_family": gs["family"],
            },
            gs["ts"],
            world.start_ts,
        ),
    )
    for g, url in set(zip(gs["gang"].tolist(), gs["url"].tolist())):
        if url:
            ev.truth.used_urls.setdefault(ev.gangs[g].gang_id, set()).add(url)
    rng = component_rng(seed, "victims", day)
    contacts = gc["contacts"]
    call_hit = convert_contacts(world, cfg, contacts, cfg.conversion_call, rng)
    sms_hit = convert_contacts(world, cfg, gs, cfg.conversion_sms, rng)
    caller_msisdn = np.array(ev.msisdn(contacts["sim"][call_hit]).to_pylist(), dtype=object)
    sms_kind = np.where(
        gs["url"] != "", "url", np.where(gs["sender_sim"] >= 0, "phone", "sender_id")
    )
    sms_value = np.where(gs["url"] != "", gs["url"], sender)
    victims = {
        "contact_id": np.concatenate([contacts["contact_id"][call_hit], gs["sms_id"][sms_hit]]),
        "ts": np.concatenate([contacts["ts"][call_hit], gs["ts"][sms_hit]]),
        "person": np.concatenate([contacts["person"][call_hit], gs["person"][sms_hit]]).astype(
            np.int64
        ),
        "gang": np.concatenate([contacts["gang"][call_hit], gs["gang"][sms_hit]]).astype(np.int64),
        "scam_type": np.concatenate(
            [contacts["scam_type"][call_hit].astype(object), gs["scam_type"][sms_hit]]
        ),
        "contact_kind": np.array(
            ["call"] * int(call_hit.sum()) + ["sms"] * int(sms_hit.sum()), dtype=object
        ),
        "contact_value": np.concatenate([caller_msisdn, sms_value[sms_hit]]),
        "contact_kind_value": np.concatenate(
            [np.full(int(call_hit.sum()), "phone", dtype=object), sms_kind[sms_hit].astype(object)]
        ),
    }
    vt = victim_transfers(world, cfg, ev.gangs, victims, rng)
    mtx, flows = launder(world, cfg, ev.gangs, vt, component_rng(seed, "laundering", day))
    nv, nm = vt["ts"].size, mtx["ts"].size
    vt["tx_id"] = event_ids(NS_TX, day << 32, nv)
    mule_ids = event_ids(NS_TX, (day << 32) + nv, nm)
    victim_channel = np.where(rng.random(nv) < 0.5, PROMPTPAY, 0)
    channels = np.array(CHANNELS, dtype=object)
    ev.writer.add_events(
        "transactions",
        frame(
            "transactions",
            {
                "tx_id": np.concatenate([vt["tx_id"], mule_ids]),
                "src_account": ev.account(np.concatenate([vt["src"], mtx["src"]])),
                "dst_account": ev.account(np.concatenate([vt["dst"], mtx["dst"]])),
                "amount": np.concatenate([vt["amount"], mtx["amount"]]).astype(float),
                "channel": channels[
                    np.concatenate([victim_channel, mtx["channel"].astype(np.int64)])
                ],
            },
            np.concatenate([vt["ts"], mtx["ts"]]).astype(np.int64),
            world.start_ts,
        ),
    )
    ev.truth.victim_parts.append(vt)
    tx = flows["tx"].astype(np.int64)
    victim = flows["victim"].astype(np.int64)
    ev.truth.flow_parts.append(
        {
            "victim_tx_id": np.concatenate([vt["tx_id"], vt["tx_id"][victim]]),
            "hop": np.concatenate([np.zeros(nv, np.int64), flows["hop"].astype(np.int64)]),
            "tx_id": np.concatenate([vt["tx_id"], mule_ids[tx]]),
            "src": np.concatenate([vt["src"], mtx["src"][tx].astype(np.int64)]),
            "dst": np.concatenate([vt["dst"], mtx["dst"][tx].astype(np.int64)]),
            "amount": np.concatenate([vt["amount"], flows["amount"]]),
            "_ts": np.concatenate([vt["ts"], mtx["ts"][tx].astype(np.int64)]),
            "victim_ts": np.concatenate([vt["ts"], vt["ts"][victim]]),
        }
    )
    rr = component_rng(seed, "gang-reports", day)
    reports = concat_reports(
        [
            reports_for_scam_calls(world, cfg, calls, ev.sim_gang[calls["caller"]], rr),
            forwards(
                rr, gs, np.full(gs["ts"].size, cfg.sms_forward_rate), sender, "genuine", gs["gang"]
            ),
            victim_reports(world, cfg, vt, ev.names, rr),
        ]
    )
    ev.queue_reports(
        with_duplicates(rr, reports, cfg.duplicate_report_rate), NS_REPORTS_GANG, day << 32
    )


def legit_chunk(ev: DayEvents, chunk: int, a: int, b: int) -> None:
    """Generate legitimate traffic in [a, b) and write every queued event of the chunk."""
    world, cfg, seed = ev.world, ev.cfg, ev.cfg.seed
    calls = legit_calls(world, cfg, ev.ctx, component_rng(seed, "legit-calls", chunk), a, b)
    ids = event_ids(NS_LEGIT_CALLS, chunk << 32, calls["ts"].size)
    ev.writer.add_events("calls", ev.calls_frame(calls, ids, world.sim_device[calls["caller"]]))
    sms = legit_sms(
        world, cfg, ev.ctx, ev.pool, ev.pool_groups, component_rng(seed, "legit-sms", chunk), a, b
    )
    entry = pa.array(sms["entry"])
    p2p = sms["sender_sim"] >= 0
    sender = pa.compute.if_else(
        pa.array(p2p), ev.msisdn(np.maximum(sms["sender_sim"], 0)), ev.pool_sender.take(entry)
    )
    label = ev.pool_label[sms["entry"]]
    ev.writer.add_events(
        "sms",
        frame(
            "sms",
            {
                "sms_id": event_ids(NS_LEGIT_SMS, chunk << 32, sms["ts"].size),
                "sender": sender,
                "recipient": ev.msisdn(sms["recipient"]),
                "text": ev.pool_text.take(entry),
                "truth_label": label,
                "truth_scam_type": pa.nulls(sms["ts"].size, pa.string()),
                "truth_family": ev.pool_family.take(entry),
            },
            sms["ts"],
            world.start_ts,
        ),
    )
    money = legit_money(
        world, cfg, ev.ctx, component_rng(seed, "legit-money", chunk), a, b, cfg.start_date
    )
    channels = np.array(CHANNELS, dtype=object)
    ev.writer.add_events(
        "transactions",
        frame(
            "transactions",
            {
                "tx_id": event_ids(NS_LEGIT_TX, chunk << 32, money["ts"].size),
                "src_account": ev.account(money["src"]),
                "dst_account": ev.account(money["dst"]),
                "amount": money["amount"].astype(float),
                "channel": channels[money["channel"]],
            },
            money["ts"],
            world.start_ts,
        ),
    )
    rr = component_rng(seed, "legit-reports", chunk)
    # adverts forwarded to 1185: drawn first so that only the few forwarded rows become objects
    sel = np.flatnonzero((label == "spam") & (rr.random(label.size) < cfg.spam_forward_rate))
    spam_rows = {
        "ts": sms["ts"][sel],
        "sender_sim": sms["sender_sim"][sel],
        "recipient": sms["recipient"][sel],
        "text": np.array(ev.pool_text.take(pa.array(sms["entry"][sel])).to_pylist(), dtype=object),
    }
    sender_value = np.array(sender.take(pa.array(sel)).to_pylist(), dtype=object)
    rate = np.ones(sel.size)
    noise = concat_reports(
        [
            mistaken_reports(world, cfg, calls, rr),
            forwards(rr, spam_rows, rate, sender_value, "spam", -1),
        ]
    )
    ev.queue_reports(
        with_duplicates(rr, noise, cfg.duplicate_report_rate), NS_REPORTS_LEGIT, chunk << 32
    )
    for name in ("calls", "sms", "transactions", "reports"):
        written = ev.writer.flush_events(name, b)
        if name == "sms" and written.num_rows:
            ev.writer.append(
                "truth/truth_messages",
                written.rename_columns(["sms_id", "label", "scam_type", "template_family", "_ts"]),
            )
        if name == "reports" and written.num_rows:
            ev.writer.append(
                "truth/truth_reports",
                written.rename_columns(["report_id", "label", "gang_id", "_ts"]),
            )
