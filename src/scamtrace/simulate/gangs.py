"""Gangs: their mule SIMs, SIM-box devices, nominee identities, mule accounts and links.

A gang buys SIMs in batches registered on a few nominee identities, activates them days
before use and burns each after a few days; they sit in SIM boxes (rotating over a few
IMEIs) in border cells, or in VoIP gateways moving around Greater Bangkok. Its money runs
through rented layer-1 accounts (old accounts of real people, normal history) and then
newly opened nominee accounts, ending in cash-out accounts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from scamtrace.simulate import provinces as pv
from scamtrace.simulate.config import SimulationConfig
from scamtrace.simulate.ids import component_rng
from scamtrace.simulate.texts_scam import BRANDS, CALL_TYPES, SCAM_TYPES, gang_links
from scamtrace.simulate.world import ACC_PERSONAL, DAY, SIM_CALLER, SIM_SMS, World, full

_TYPE_WEIGHTS = np.array([0.16, 0.14, 0.14, 0.12, 0.09, 0.1, 0.05, 0.06, 0.06, 0.08])


@dataclass
class Gang:
    """One gang's structure; indices point into the world's columns."""

    gang_id: str
    types: list[str]
    voip: bool
    crypto_cashout: bool
    base_cells: np.ndarray
    boss: int
    nominees: np.ndarray
    caller_sims: np.ndarray
    caller_days: np.ndarray  # (n, 2) first and last active day
    sms_sims: np.ndarray
    sms_days: np.ndarray
    devices: np.ndarray
    layers: list[np.ndarray]
    active_days: np.ndarray
    links: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    line_ids: list[str] = field(default_factory=list)
    spoof_senders: list[str] = field(default_factory=list)

    @property
    def call_types(self) -> list[str]:
        return [t for t in self.types if t in CALL_TYPES] or ["government_impersonation"]


def build_gangs(world: World, cfg: SimulationConfig) -> list[Gang]:
    """Create every gang and append its SIMs, devices and new accounts to ``world``.

    Args:
        world: the world, after population and businesses.
        cfg: the configuration.

    Returns:
        The gangs, ``gang-01`` first.
    """
    rng = component_rng(cfg.seed, "gangs")
    gangs = [_build_gang(world, cfg, rng, g) for g in range(cfg.gangs)]
    _share_mules(gangs, rng, cfg.shared_mule_share)
    return gangs


def _schedule(rng, slots: int, days: int, lifetime: tuple[int, int]) -> np.ndarray:
    spans = []
    for _ in range(slots):
        day = -int(rng.integers(0, lifetime[1]))  # the first SIM may predate the world
        while day < days:
            life = int(rng.integers(lifetime[0], lifetime[1] + 1))
            spans.append((max(day, 0), min(day + life, days) - 1))
            day += life
    return np.array([s for s in spans if s[1] >= s[0]], dtype=np.int64).reshape(-1, 2)


def _add_mule_sims(world, rng, days: np.ndarray, nominees, role: int, base_cells) -> np.ndarray:
    m = days.shape[0]
    # a batch is activated together one to ten days before its first use
    activated = world.start_ts + days[:, 0] * DAY - rng.integers(1 * DAY, 10 * DAY, size=m)
    return world.add_sims(
        number=np.zeros(m, np.int64),
        owner=rng.choice(nominees, size=m),
        operator=full(m, int(rng.choice(3, p=pv.OPERATOR_WEIGHTS))),
        activated=activated,
        nominee=np.ones(m, bool),
        role=full(m, role),
        device=full(m, -1),
        cell=rng.choice(base_cells, size=m),
    )


def _build_gang(world: World, cfg: SimulationConfig, rng, g: int) -> Gang:
    n_types = int(rng.integers(1, 4))
    types = list(rng.choice(SCAM_TYPES, size=n_types, replace=False, p=_TYPE_WEIGHTS))
    voip = bool(rng.random() < cfg.voip_gang_share)
    metro_cells = np.flatnonzero(np.isin(world.cell_province, pv.METRO))
    border_cells = np.flatnonzero(world.cell_border)
    if voip or border_cells.size == 0:
        base = rng.choice(metro_cells, size=min(12, metro_cells.size), replace=False)
    else:
        province = world.cell_province[rng.choice(border_cells)]
        candidates = border_cells[world.cell_province[border_cells] == province]
        base = rng.choice(candidates, size=min(2, candidates.size), replace=False)
    n = world.n_persons
    # nominees: poorer, older, less digital people, recruited for their id cards
    weight = (1.2 - world.person_skill) * pv.BORDER[world.person_province].astype(float) + 0.05
    nominees = rng.choice(n, size=cfg.nominees_per_gang, replace=False, p=weight / weight.sum())
    caller_days = _schedule(rng, cfg.caller_sims_per_gang, cfg.days, cfg.sim_lifetime_days)
    sms_days = _schedule(rng, cfg.sms_sims_per_gang, cfg.days, cfg.sim_lifetime_days)
    caller_sims = _add_mule_sims(world, rng, caller_days, nominees, SIM_CALLER, base)
    sms_sims = _add_mule_sims(world, rng, sms_days, nominees, SIM_SMS, base)
    devices = world.add_devices(np.zeros(cfg.simbox_devices_per_gang, np.int64))
    layers = _mule_layers(world, cfg, rng, nominees)
    gang = Gang(
        gang_id=f"gang-{g + 1:02d}",
        types=types,
        voip=voip,
        crypto_cashout=bool(rng.random() < cfg.crypto_cashout_gang_share),
        base_cells=base,
        boss=int(rng.integers(0, n)),
        nominees=nominees,
        caller_sims=caller_sims,
        caller_days=caller_days,
        sms_sims=sms_sims,
        sms_days=sms_days,
        devices=devices,
        layers=layers,
        active_days=rng.random(cfg.days) < cfg.active_day_share,
    )
    for scam_type in types:
        brand = str(rng.choice(BRANDS[scam_type]))
        gang.links[scam_type] = gang_links(rng, brand, 4)
        gang.spoof_senders.append(brand.replace("-", ""))
    gang.line_ids = [
        f"@{rng.choice(['vip', 'th', 'coach', 'hr', 'care'])}{int(rng.integers(100, 9999))}"
        for _ in range(3)
    ]
    return gang


def _mule_layers(world: World, cfg: SimulationConfig, rng, sim_nominees) -> list[np.ndarray]:
    n = world.n_persons
    # layer 1: accounts rented from ordinary people, years old, with a normal history
    seasoned = np.flatnonzero(world.start_ts - world.acct_opened[world.person_account] > 365 * DAY)
    renters = rng.choice(seasoned, size=cfg.mule_l1_per_gang, replace=False)
    layers = [world.person_account[renters]]
    depth = int(rng.integers(cfg.layers[0], cfg.layers[1] + 1))
    extra_nominees = rng.choice(n, size=3, replace=False)
    for _ in range(depth - 1):
        m = int(
            rng.integers(cfg.accounts_per_deeper_layer[0], cfg.accounts_per_deeper_layer[1] + 1)
        )
        # deeper layers: new accounts on nominees; some nominees also hold the gang's SIMs
        owner = np.where(
            rng.random(m) < cfg.owner_also_sim_share,
            rng.choice(sim_nominees, size=m),
            rng.choice(extra_nominees, size=m),
        )
        layers.append(
            world.add_accounts(
                bank=rng.choice(len(pv.BANKS), size=m, p=pv.BANK_WEIGHTS),
                number=np.zeros(m, np.int64),
                owner=owner,
                opened=world.start_ts - rng.integers(3 * DAY, 90 * DAY, size=m),
                kind=full(m, ACC_PERSONAL),
            )
        )
    return layers


def _share_mules(gangs: list[Gang], rng, share: float) -> None:
    if len(gangs) < 2:
        return
    for i, gang in enumerate(gangs):
        other = gangs[(i + 1) % len(gangs)]
        borrowed = other.layers[0][rng.random(other.layers[0].size) < share]
        gang.layers[0] = np.concatenate([gang.layers[0], borrowed])


def device_for(gang: Gang, sim_position: np.ndarray, day: int) -> np.ndarray:
    """The SIM-box device (IMEI index) a gang SIM sits in on ``day``: slots rotate daily."""
    return gang.devices[(sim_position + day) % gang.devices.size]
