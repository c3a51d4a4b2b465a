"""Businesses and hubs: the legitimate look-alikes of gangs and the accounts everyone touches.

Telemarketing firms run many agent SIMs registered on one owner's identity, calling
hundreds of strangers a day from one office; delivery riders and phone sales staff also
call many strangers. These make "many calls, few inbound" alone a poor mule-SIM rule.
Hubs (banks' cash accounts, exchanges, big merchants, utilities, employers) receive from
a large share of all accounts and would glue every network together if not removed.
"""

from __future__ import annotations

import numpy as np

from scamtrace.simulate import provinces as pv
from scamtrace.simulate.config import SimulationConfig
from scamtrace.simulate.ids import component_rng
from scamtrace.simulate.world import (
    ACC_BANK_CASH,
    ACC_CORPORATE,
    ACC_EXCHANGE,
    ACC_MERCHANT,
    DAY,
    SIM_AGENT,
    SIM_HOTLINE,
    SIM_RIDER,
    SIM_SALES,
    World,
    full,
)

_YEAR = 365 * DAY


def build_businesses(world: World, cfg: SimulationConfig) -> None:
    """Add telemarketing firms, riders, sales staff, merchants and hub accounts in place.

    Args:
        world: the population to extend.
        cfg: the simulation configuration.
    """
    rng = component_rng(cfg.seed, "businesses")
    _add_hubs(world, rng, cfg)
    _add_call_centres(world, rng, cfg)
    n = world.n_persons
    riders = np.flatnonzero(rng.random(n) < cfg.rider_share)
    sales = np.setdiff1d(np.flatnonzero(rng.random(n) < cfg.sales_share), riders)
    world.sim_role[world.person_sim[riders]] = SIM_RIDER
    world.sim_role[world.person_sim[sales]] = SIM_SALES
    world.hubs["rider_sims"] = world.person_sim[riders]
    world.hubs["sales_sims"] = world.person_sim[sales]
    merchants = np.flatnonzero(rng.random(n) < cfg.merchant_share)
    world.hubs["merchant_accounts"] = _accounts_for(world, rng, merchants, ACC_MERCHANT)
    world.hubs["merchant_province"] = world.person_province[merchants]
    world.hubs["crypto_users"] = np.flatnonzero(rng.random(n) < cfg.crypto_user_share)
    employed = rng.random(n) < 0.55
    n_employers = max(5, n // 400)
    world.hubs["person_employer"] = np.where(employed, rng.integers(0, n_employers, size=n), -1)


def _accounts_for(world: World, rng, owners: np.ndarray, kind: int) -> np.ndarray:
    m = owners.size
    return world.add_accounts(
        bank=rng.choice(len(pv.BANKS), size=m, p=pv.BANK_WEIGHTS),
        number=np.zeros(m, np.int64),
        owner=owners,
        opened=world.start_ts - rng.integers(180 * DAY, 12 * _YEAR, size=m),
        kind=full(m, kind),
    )


def _corporate(
    world: World, rng, count: int, kind: int, bank: np.ndarray | None = None
) -> np.ndarray:
    if bank is None:
        bank = rng.choice(len(pv.BANKS), size=count, p=pv.BANK_WEIGHTS)
    return world.add_accounts(
        bank=bank,
        number=np.zeros(count, np.int64),
        owner=full(count, -1),
        opened=world.start_ts - rng.integers(3 * _YEAR, 30 * _YEAR, size=count),
        kind=full(count, kind),
    )


def _add_hubs(world: World, rng, cfg: SimulationConfig) -> None:
    n_banks = len(pv.BANKS)
    # one cash-withdrawal account per bank: ATM debits land here and never move again
    world.hubs["bank_cash"] = _corporate(world, rng, n_banks, ACC_BANK_CASH, np.arange(n_banks))
    world.hubs["exchange_deposit"] = _corporate(world, rng, 3, ACC_EXCHANGE, np.array([0, 1, 2]))
    world.hubs["exchange_payout"] = _corporate(world, rng, 3, ACC_EXCHANGE, np.array([0, 1, 2]))
    world.hubs["big_merchants"] = _corporate(world, rng, 8, ACC_CORPORATE)
    world.hubs["utilities"] = _corporate(world, rng, 6, ACC_CORPORATE)
    n_employers = max(5, cfg.persons // 400)
    world.hubs["employers"] = _corporate(world, rng, n_employers, ACC_CORPORATE)


def _add_call_centres(world: World, rng, cfg: SimulationConfig) -> None:
    n_centres = cfg.call_centres or cfg.persons // 25_000 + 2
    owners = rng.choice(world.n_persons, size=n_centres, replace=False)
    office = world.person_work_cell[owners]
    metro_cells = np.flatnonzero(np.isin(world.cell_province, pv.METRO))
    office = np.where(rng.random(n_centres) < 0.8, rng.choice(metro_cells, size=n_centres), office)
    agents = cfg.agents_per_call_centre
    centre_of_agent = np.repeat(np.arange(n_centres), agents)
    m = centre_of_agent.size
    # agent SIMs are old, named on the firm owner's id card, one handset each
    sims = world.add_sims(
        number=np.zeros(m, np.int64),
        owner=owners[centre_of_agent],
        operator=rng.choice(3, size=m, p=pv.OPERATOR_WEIGHTS),
        activated=world.start_ts - rng.integers(120 * DAY, 6 * _YEAR, size=m),
        nominee=np.zeros(m, bool),
        role=full(m, SIM_AGENT),
        device=world.add_devices(np.zeros(m, np.int64)),
        cell=office[centre_of_agent],
    )
    hotlines = world.add_sims(
        number=np.zeros(n_centres, np.int64),
        owner=owners,
        operator=rng.choice(3, size=n_centres, p=pv.OPERATOR_WEIGHTS),
        activated=world.start_ts - rng.integers(2 * _YEAR, 10 * _YEAR, size=n_centres),
        nominee=np.zeros(n_centres, bool),
        role=full(n_centres, SIM_HOTLINE),
        device=world.add_devices(np.zeros(n_centres, np.int64)),
        cell=office,
    )
    world.hubs["agent_sims"] = sims
    world.hubs["agent_centre"] = centre_of_agent
    world.hubs["hotline_sims"] = hotlines
    world.hubs["centre_accounts"] = _accounts_for(world, rng, owners, ACC_CORPORATE)
