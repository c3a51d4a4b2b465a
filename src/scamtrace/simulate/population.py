"""Legitimate population: persons, cells, their SIMs, phones, bank accounts and contacts.

Provinces are drawn by registered population; age bands follow the adult age pyramid;
digital skill falls with age and is higher in Greater Bangkok. Contacts are mostly a
person's neighbourhood in a province-ordered line (communities), then the province, then
anyone, which gives the social call graph its clustering.
"""

from __future__ import annotations

import numpy as np

from scamtrace.simulate import provinces as pv
from scamtrace.simulate.config import SimulationConfig
from scamtrace.simulate.ids import component_rng, thai_national_ids
from scamtrace.simulate.world import (
    ACC_PERSONAL,
    DAY,
    SIM_PERSONAL,
    SIM_SECOND,
    World,
    full,
)

_YEAR = 365 * DAY
# mean digital skill by age band (Thailand Cyber Wellness surveys rank older users lowest)
_SKILL_BY_AGE = np.array([0.72, 0.70, 0.62, 0.52, 0.40, 0.28])


def build_population(cfg: SimulationConfig, start_ts: int) -> World:
    """Create persons, cells, personal SIMs, devices and personal accounts.

    Args:
        cfg: the simulation configuration.
        start_ts: epoch second of the first simulated midnight (UTC).

    Returns:
        A :class:`World` holding the legitimate population.
    """
    rng = component_rng(cfg.seed, "population")
    n = cfg.persons
    province = rng.choice(len(pv.PROVINCES), size=n, p=pv.POPULATION_WEIGHTS)
    age = rng.choice(len(pv.AGE_BANDS), size=n, p=pv.AGE_WEIGHTS)
    urban = np.isin(province, pv.METRO) * 0.08
    skill = np.clip(rng.beta(4, 3, size=n) * 0.5 + _SKILL_BY_AGE[age] * 0.5 + urban, 0, 1)
    cell_province, cell_lat, cell_lon, cell_border = _build_cells(rng, n)
    home = _cells_in_province(rng, province, cell_province)
    work = np.where(rng.random(n) < 0.6, _cells_in_province(rng, province, cell_province), home)
    world = World(
        start_ts=start_ts,
        days=cfg.days,
        person_province=province,
        person_age_band=age,
        person_skill=skill.round(3),
        person_activity=rng.lognormal(0.0, 0.8, size=n),
        person_home_cell=home,
        person_work_cell=work,
        person_national_id=thai_national_ids(rng, n),
        contacts=_build_contacts(rng, province, cfg.contacts_per_person),
        cell_province=cell_province,
        cell_lat=cell_lat,
        cell_lon=cell_lon,
        cell_border=cell_border,
    )
    _add_personal_sims(world, rng, cfg)
    _add_personal_accounts(world, rng)
    return world


def _build_cells(rng: np.random.Generator, n_persons: int):
    total = max(150, n_persons // 250)
    per_province = np.maximum(1, np.round(pv.POPULATION_WEIGHTS * total)).astype(np.int64)
    province = np.repeat(np.arange(len(pv.PROVINCES)), per_province)
    lat = pv.LATITUDES[province] + rng.normal(0, 0.15, size=province.size)
    lon = pv.LONGITUDES[province] + rng.normal(0, 0.15, size=province.size)
    # about a third of a border province's cells cover the border strip
    border = pv.BORDER[province] & (rng.random(province.size) < 0.33)
    return province, lat.round(5), lon.round(5), border


def _cells_in_province(rng, person_province: np.ndarray, cell_province: np.ndarray) -> np.ndarray:
    order = np.argsort(cell_province, kind="stable")
    counts = np.bincount(cell_province, minlength=len(pv.PROVINCES))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    offset = (rng.random(person_province.size) * counts[person_province]).astype(np.int64)
    return order[starts[person_province] + offset]


def _build_contacts(rng, province: np.ndarray, k: int) -> np.ndarray:
    n = province.size
    line = np.lexsort((rng.random(n), province))
    position = np.empty(n, dtype=np.int64)
    position[line] = np.arange(n)
    counts = np.bincount(province, minlength=len(pv.PROVINCES))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    p_start = starts[province][:, None]
    p_count = counts[province][:, None]
    kind = rng.random((n, k))
    near = position[:, None] + rng.integers(-30, 31, size=(n, k))
    near = p_start + np.mod(near - p_start, p_count)
    in_province = p_start + (rng.random((n, k)) * p_count).astype(np.int64)
    anywhere = rng.integers(0, n, size=(n, k))
    chosen = np.where(kind < 0.7, near, np.where(kind < 0.9, in_province, anywhere))
    contacts = line[chosen]
    self_loop = contacts == np.arange(n)[:, None]
    # int32 halves the largest array of a 5-million-person world
    return np.where(self_loop, line[(position[:, None] + 1) % n], contacts).astype(np.int32)


def _add_personal_sims(world: World, rng, cfg: SimulationConfig) -> None:
    n = world.n_persons
    devices = world.add_devices(np.zeros(n, dtype=np.int64))
    primary = world.add_sims(
        number=np.zeros(n, np.int64),
        owner=np.arange(n),
        operator=rng.choice(3, size=n, p=pv.OPERATOR_WEIGHTS),
        # about 2 % of people got their number in the last month: new SIMs are not only mules'
        activated=world.start_ts
        - np.where(
            rng.random(n) < 0.02,
            rng.integers(1 * DAY, 30 * DAY, size=n),
            rng.integers(60 * DAY, 12 * _YEAR, size=n),
        ),
        nominee=np.zeros(n, bool),
        role=full(n, SIM_PERSONAL),
        device=devices,
        cell=world.person_home_cell,
    )
    world.person_sim = primary
    owners = np.flatnonzero(rng.random(n) < cfg.second_sim_share)
    m = owners.size
    # half of second SIMs sit in the same dual-SIM phone, the rest in an old handset
    own_device = world.add_devices(np.zeros(m, dtype=np.int64))
    device = np.where(rng.random(m) < 0.5, devices[owners], own_device)
    world.add_sims(
        number=np.zeros(m, np.int64),
        owner=owners,
        operator=rng.choice(3, size=m, p=pv.OPERATOR_WEIGHTS),
        activated=world.start_ts - rng.integers(20 * DAY, 6 * _YEAR, size=m),
        nominee=np.zeros(m, bool),
        role=full(m, SIM_SECOND),
        device=device,
        cell=world.person_home_cell[owners],
    )


def _add_personal_accounts(world: World, rng) -> None:
    n = world.n_persons
    bank = rng.choice(len(pv.BANKS), size=n, p=pv.BANK_WEIGHTS)
    world.person_account = world.add_accounts(
        bank=bank,
        number=np.zeros(n, np.int64),
        owner=np.arange(n),
        # 1.5 % of people opened their main account in the last two months (first job,
        # switched bank), so a young, busy account is not by itself a mule
        opened=world.start_ts
        - np.where(
            rng.random(n) < 0.015,
            rng.integers(1 * DAY, 60 * DAY, size=n),
            rng.integers(90 * DAY, 15 * _YEAR, size=n),
        ),
        kind=full(n, ACC_PERSONAL),
    )
    owners = np.flatnonzero(rng.random(n) < 0.35)
    m = owners.size
    world.add_accounts(
        bank=rng.choice(len(pv.BANKS), size=m, p=pv.BANK_WEIGHTS),
        number=np.zeros(m, np.int64),
        owner=owners,
        opened=world.start_ts - rng.integers(30 * DAY, 10 * _YEAR, size=m),
        kind=full(m, ACC_PERSONAL),
    )
