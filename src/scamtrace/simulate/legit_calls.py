"""Legitimate calls in a time window: social calls plus the heavy legitimate callers.

Social calls go mostly to the caller's contacts, last about a minute (log-normal) and are
placed from home or work cells by hour. Telemarketing agents call strangers from one
office in office hours with many short or unanswered calls; riders call customers in their
province while moving between cells and get called back; sales staff make longer calls.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scamtrace.simulate import timeflow as tf
from scamtrace.simulate.config import SimulationConfig
from scamtrace.simulate.world import SIM_SECOND, World


@dataclass
class LegitContext:
    """Per-world lookups reused by every chunk (cumulative weights, province orderings)."""

    activity: tf.GroupedSampler
    second_sim: np.ndarray
    by_province: np.ndarray
    province_start: np.ndarray
    province_count: np.ndarray
    cells_by_province: np.ndarray
    cell_start: np.ndarray
    cell_count: np.ndarray
    agent_rate: np.ndarray
    rider_rate: np.ndarray
    sales_rate: np.ndarray
    start_weekday: int


def prepare_context(
    world: World, cfg: SimulationConfig, rng: np.random.Generator, start_weekday: int
) -> LegitContext:
    """Build the lookups of :class:`LegitContext` once per world."""
    n = world.n_persons
    second = np.full(n, -1, dtype=np.int64)
    seconds = np.flatnonzero(world.sim_role == SIM_SECOND)
    second[world.sim_owner[seconds]] = seconds
    by_province = np.argsort(world.person_province, kind="stable")
    p_count = np.bincount(world.person_province, minlength=77)
    cells = np.argsort(world.cell_province, kind="stable")
    c_count = np.bincount(world.cell_province, minlength=77)
    return LegitContext(
        activity=tf.GroupedSampler.of(world.person_activity),
        second_sim=second,
        by_province=by_province,
        province_start=np.concatenate([[0], np.cumsum(p_count)[:-1]]),
        province_count=p_count,
        cells_by_province=cells,
        cell_start=np.concatenate([[0], np.cumsum(c_count)[:-1]]),
        cell_count=c_count,
        agent_rate=rng.uniform(60, 150, size=world.hubs["agent_sims"].size),
        rider_rate=rng.uniform(20, 60, size=world.hubs["rider_sims"].size),
        sales_rate=rng.uniform(15, 45, size=world.hubs["sales_sims"].size),
        start_weekday=start_weekday,
    )


def person_in_province(ctx: LegitContext, rng, province: np.ndarray) -> np.ndarray:
    """A uniformly random person living in each given province."""
    offset = (rng.random(province.size) * ctx.province_count[province]).astype(np.int64)
    return ctx.by_province[ctx.province_start[province] + offset]


def cell_in_province(ctx: LegitContext, rng, province: np.ndarray) -> np.ndarray:
    """A uniformly random cell of each given province."""
    offset = (rng.random(province.size) * ctx.cell_count[province]).astype(np.int64)
    return ctx.cells_by_province[ctx.cell_start[province] + offset]


def legit_calls(
    world: World, cfg: SimulationConfig, ctx: LegitContext, rng, a: int, b: int
) -> dict:
    """Legitimate calls starting in [a, b) (seconds since the first midnight).

    Args:
        world: the world.
        cfg: the configuration.
        ctx: lookups from :func:`prepare_context`.
        rng: this chunk's generator.
        a: window start, relative seconds.
        b: window end, relative seconds.

    Returns:
        Columns ``ts, caller, callee, duration, cell`` (numpy; SIM and cell indices).
    """
    n_persons = world.n_persons
    n = tf.poisson_count(rng, cfg.calls_per_person_day * n_persons, a, b, tf.CALLS)
    ts = tf.sample_times(rng, n, a, b, tf.CALLS)
    person = ctx.activity.pick(rng, n)
    use_second = (ctx.second_sim[person] >= 0) & (rng.random(n) < 0.25)
    caller = np.where(use_second, ctx.second_sim[person], world.person_sim[person])
    to_contact = rng.random(n) < cfg.contact_share_of_calls
    contact = world.contacts[person, rng.integers(0, world.contacts.shape[1], size=n)]
    stranger = ctx.activity.pick(rng, n)
    callee = world.person_sim[np.where(to_contact, contact, stranger)]
    duration = np.where(rng.random(n) < 0.14, 0, rng.lognormal(np.log(70), 1.0, size=n))
    hour = tf.local_hour(ts)
    at_work = (hour >= 9) & (hour < 17)
    cell = np.where(at_work, world.person_work_cell[person], world.person_home_cell[person])
    parts = [(ts, caller, callee, duration, cell)]
    parts += _heavy_callers(world, ctx, rng, a, b)
    ts, caller, callee, duration, cell = (np.concatenate(c) for c in zip(*parts))
    return {
        "ts": ts,
        "caller": caller,
        "callee": callee,
        "duration": np.clip(np.round(duration), 0, 7200).astype(np.int64),
        "cell": cell,
    }


def _repeat_by_rate(rng, sims, rates, a, b, profile, weekday_ok):
    mass = tf.window_mass(a, b, profile)
    counts = rng.poisson(rates * mass) if weekday_ok else np.zeros(sims.size, dtype=np.int64)
    who = np.repeat(np.arange(sims.size), counts)
    return who, tf.sample_times(rng, who.size, a, b, profile)


def _heavy_callers(world: World, ctx: LegitContext, rng, a: int, b: int) -> list[tuple]:
    out = []
    weekday = int(tf.local_weekday(np.array([a]), ctx.start_weekday)[0])
    n_persons = world.n_persons
    # telemarketing agents: strangers, office hours Monday to Saturday, one office cell
    agents = world.hubs["agent_sims"]
    who, ts = _repeat_by_rate(rng, agents, ctx.agent_rate, a, b, tf.OFFICE, weekday < 6)
    m = who.size
    callee = world.person_sim[rng.integers(0, n_persons, size=m)]
    dur = np.where(rng.random(m) < 0.35, 0, rng.lognormal(np.log(45), 0.8, size=m))
    out.append((ts, agents[who], callee, dur, world.sim_cell[agents[who]]))
    # riders: customers in their own province, moving cells, customers call back
    riders = world.hubs["rider_sims"]
    who, ts = _repeat_by_rate(rng, riders, ctx.rider_rate, a, b, tf.COURIER, True)
    m = who.size
    province = world.person_province[world.sim_owner[riders[who]]]
    customer = world.person_sim[person_in_province(ctx, rng, province)]
    dur = np.where(rng.random(m) < 0.08, 0, rng.lognormal(np.log(25), 0.6, size=m))
    moving = cell_in_province(ctx, rng, province)
    back = rng.random(m) < 0.3
    out.append((ts, riders[who], customer, dur, moving))
    out.append(
        (
            ts[back] + rng.integers(60, 1800, size=back.sum()),
            customer[back],
            riders[who][back],
            dur[back] * 0.7,
            world.person_home_cell[world.sim_owner[customer[back]]],
        )
    )
    # phone sales staff: strangers anywhere, longer pitches, work cell
    sales = world.hubs["sales_sims"]
    who, ts = _repeat_by_rate(rng, sales, ctx.sales_rate, a, b, tf.OFFICE, weekday < 5)
    m = who.size
    callee = world.person_sim[rng.integers(0, n_persons, size=m)]
    dur = np.where(rng.random(m) < 0.25, 0, rng.lognormal(np.log(150), 0.8, size=m))
    out.append((ts, sales[who], callee, dur, world.person_work_cell[world.sim_owner[sales[who]]]))
    return [tuple(np.asarray(c) for c in part) for part in out]
