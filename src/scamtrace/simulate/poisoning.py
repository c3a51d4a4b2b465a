"""The report-poisoning campaign: a crowd of new SIMs floods reports against a business.

A rival (or a gang punishing a business that warned its customers) activates a batch of
SIMs on a few identities and, within one evening burst, reports a legitimate company's
hotline through every channel. None of the reporters ever received a call or SMS from
the target, which is how triage can tell. The campaign is recorded in
truth/poisoning.parquet.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scamtrace.simulate import provinces as pv
from scamtrace.simulate.config import SimulationConfig
from scamtrace.simulate.ids import component_rng
from scamtrace.simulate.reports import _rows
from scamtrace.simulate.timeflow import THAI_UTC_OFFSET_HOURS
from scamtrace.simulate.world import DAY, SIM_POISONER, World, full

_ACCUSATIONS = (
    "เบอร์นี้หลอกลวง โกงเงิน ระวัง!!",
    "SCAM number!! do not answer",
    "บริษัทนี้เป็นมิจฉาชีพ โทรมาหลอกให้โอนเงิน",
    "แก๊งคอลเซ็นเตอร์ แจ้งจับด่วน",
    "Fraud company, they stole my money",
)


@dataclass
class Poisoning:
    """The campaign: its target SIM, reporter SIMs and burst start (relative seconds)."""

    campaign_id: str
    target_sim: int
    reporter_sims: np.ndarray
    start: int
    minutes: int


def build_poisoning(world: World, cfg: SimulationConfig) -> Poisoning:
    """Choose the target (a telemarketing firm's hotline) and add the reporters' new SIMs."""
    rng = component_rng(cfg.seed, "poisoning")
    count = cfg.poisoning_reporters or max(30, min(400, cfg.persons // 500))
    day = cfg.days // 2
    # the burst starts at 20:00 Bangkok time on the middle day
    start = day * DAY + (20 - THAI_UTC_OFFSET_HOURS) * 3600
    identities = rng.choice(world.n_persons, size=3, replace=False)
    activated = world.start_ts + start - rng.integers(3600, 3 * DAY, size=count)
    sims = world.add_sims(
        number=np.zeros(count, np.int64),
        owner=rng.choice(identities, size=count),
        operator=full(count, int(rng.choice(3, p=pv.OPERATOR_WEIGHTS))),
        activated=activated,
        nominee=np.zeros(count, bool),
        role=full(count, SIM_POISONER),
        device=world.add_devices(np.zeros(count, np.int64)),
        cell=rng.choice(world.cell_province.size, size=count),
    )
    target = int(rng.choice(world.hubs["hotline_sims"]))
    return Poisoning("poison-01", target, sims, start, cfg.poisoning_burst_minutes)


def poisoning_reports(world: World, campaign: Poisoning, seed: int) -> dict:
    """Every report of the campaign (one or two per reporter, across channels)."""
    rng = component_rng(seed, "poisoning-reports")
    reporter = np.repeat(
        campaign.reporter_sims, rng.integers(1, 3, size=campaign.reporter_sims.size)
    )
    n = reporter.size
    ts = campaign.start + rng.integers(0, campaign.minutes * 60, size=n)
    channel = rng.choice(
        np.array(["web", "ussd_1185", "sms_1185"], dtype=object), size=n, p=[0.5, 0.3, 0.2]
    )
    local = f"0{int(world.sim_number[campaign.target_sim]):09d}"
    e164 = f"+66{local[1:]}"
    accusation = rng.choice(np.array(_ACCUSATIONS, dtype=object), size=n)
    text = np.where(
        channel == "ussd_1185",
        f"*1185*{local}#",
        np.where(channel == "sms_1185", accusation + f" {local}", accusation),
    )
    return _rows(ts, channel, reporter, "phone", e164, text, -1, "poisoning", -1)
