"""One day of a gang's calls: bursts of short calls to strangers from SIM boxes.

Each SIM active that day places more than NBTC's 100-calls-a-day line, in two or three
bursts during office hours (callers pose as officials). About half are picked up; most
callees hang up within a minute; the engaged ones (several minutes) may become victims.
A few callees call the number back, which is almost all the inbound a mule SIM gets.
"""

from __future__ import annotations

import numpy as np

from scamtrace.simulate.config import SimulationConfig
from scamtrace.simulate.gangs import Gang, device_for
from scamtrace.simulate.ids import event_ids
from scamtrace.simulate.timeflow import THAI_UTC_OFFSET_HOURS
from scamtrace.simulate.world import DAY, World

NS_GANG_CALLS = 2


def burst_times(rng, n: int, day: int, bursts: int, minutes: tuple[int, int]) -> np.ndarray:
    """``n`` relative seconds inside ``bursts`` campaign windows of one local working day."""
    local_midnight = day * DAY - THAI_UTC_OFFSET_HOURS * 3600
    starts = local_midnight + rng.integers(9 * 3600, 17 * 3600, size=bursts)
    lengths = rng.integers(minutes[0] * 60, minutes[1] * 60, size=bursts)
    which = rng.integers(0, bursts, size=n)
    ts = starts[which] + (rng.random(n) * lengths[which]).astype(np.int64)
    return np.maximum(ts, day * DAY)


def gang_calls_for_day(
    world: World, cfg: SimulationConfig, gangs: list[Gang], day: int, rng
) -> dict:
    """Every gang's calls on ``day``, with their engaged callees.

    Args:
        world: the world.
        cfg: the configuration.
        gangs: all gangs.
        day: 0-based day.
        rng: the day's generator for gang calls.

    Returns:
        Calls (``call_id, ts, caller, callee, duration, cell, device``) and ``contacts``:
        engaged callees as (call_id, ts_end, person, gang index, scam type).
    """
    cols = {k: [] for k in ("ts", "caller", "callee", "duration", "cell", "device")}
    contacts = {k: [] for k in ("row", "person", "gang", "scam_type")}
    n_persons = world.n_persons
    for g, gang in enumerate(gangs):
        live = (gang.caller_days[:, 0] <= day) & (gang.caller_days[:, 1] >= day)
        if not gang.active_days[day] or not live.any():
            continue
        positions = np.flatnonzero(live)
        per_sim = rng.integers(*cfg.calls_per_caller_sim_day, size=positions.size)
        sim_pos = np.repeat(positions, per_sim)
        m = sim_pos.size
        ts = burst_times(rng, m, day, int(rng.integers(2, 4)), (60, 150))
        callee_person = rng.integers(0, n_persons, size=m)
        answered = rng.random(m) < cfg.answered_share_scam
        engaged = answered & (rng.random(m) < cfg.engaged_share_scam)
        duration = (
            np.where(
                engaged,
                rng.lognormal(np.log(420), 0.6, size=m),
                rng.lognormal(np.log(18), 0.7, size=m),
            )
            * answered
        )
        cell = (
            rng.choice(gang.base_cells, size=m)
            if gang.voip
            else gang.base_cells[sim_pos % gang.base_cells.size]
        )
        sims = gang.caller_sims[sim_pos]
        callee = world.person_sim[callee_person]
        device = device_for(gang, sim_pos, day)
        start = sum(len(c) for c in cols["ts"])
        base_rows = start + np.arange(m)
        scam_type = rng.choice(gang.call_types, size=m)
        _append(cols, ts, sims, callee, duration, cell, device)
        contacts["row"].append(base_rows[engaged])
        contacts["person"].append(callee_person[engaged])
        contacts["gang"].append(np.full(int(engaged.sum()), g))
        contacts["scam_type"].append(scam_type[engaged])
        # call-backs: the only inbound of a mule SIM, short and rare
        back = answered & (rng.random(m) < cfg.callback_share)
        k = int(back.sum())
        _append(
            cols,
            ts[back] + rng.integers(300, 7200, size=k),
            callee[back],
            sims[back],
            rng.integers(5, 90, size=k),
            world.person_home_cell[callee_person[back]],
            world.sim_device[callee[back]],
        )
        _boss_calls(world, gang, rng, day, cols)
    calls = {k: np.concatenate(v) if v else np.zeros(0, np.int64) for k, v in cols.items()}
    calls["duration"] = np.round(calls["duration"]).astype(np.int64)
    calls["call_id"] = event_ids(NS_GANG_CALLS, day << 32, calls["ts"].size)
    rows = np.concatenate(contacts["row"]) if contacts["row"] else np.zeros(0, np.int64)
    found = {
        "contact_id": calls["call_id"][rows],
        "sim": calls["caller"][rows],
        "ts": calls["ts"][rows] + calls["duration"][rows],
        "person": np.concatenate(contacts["person"]) if rows.size else rows,
        "gang": np.concatenate(contacts["gang"]) if rows.size else rows,
        "scam_type": np.concatenate(contacts["scam_type"]) if rows.size else np.zeros(0, str),
    }
    return {"calls": calls, "contacts": found}


def _append(cols, ts, caller, callee, duration, cell, device) -> None:
    for key, value in zip(cols, (ts, caller, callee, duration, cell, device)):
        cols[key].append(np.asarray(value))


def _boss_calls(world: World, gang: Gang, rng, day: int, cols) -> None:
    # the boss phones the people who lend identities and accounts: the human link
    if rng.random() < 0.5:
        return
    renters = world.acct_owner[gang.layers[0]]
    people = np.concatenate([gang.nominees, renters[renters >= 0]])
    k = int(rng.integers(1, 3))
    callee = world.person_sim[rng.choice(people, size=k)]
    boss_sim = world.person_sim[gang.boss]
    ts = day * DAY + rng.integers(2 * 3600, 14 * 3600, size=k)
    _append(
        cols,
        ts,
        np.full(k, boss_sim),
        callee,
        rng.integers(30, 400, size=k),
        np.full(k, world.person_home_cell[gang.boss]),
        np.full(k, world.sim_device[boss_sim]),
    )
