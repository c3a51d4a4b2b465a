"""Victims: who converts after a scam call or SMS, and the transfers they make.

Conversion rises with age band and falls with digital skill (the pattern the Thailand
Cyber Wellness Index surveys report). A converted victim pays a layer-1 mule of the gang
minutes to hours after the contact, sometimes several times (investment, romance and
job scams draw repeated "fees"). Amounts are log-normal around a median per scam type.
"""

from __future__ import annotations

import numpy as np

from scamtrace.simulate.config import SimulationConfig
from scamtrace.simulate.gangs import Gang
from scamtrace.simulate.world import World

AGE_FACTOR = np.array([0.7, 0.8, 0.9, 1.1, 1.4, 1.7])
#: median loss per transfer in baht, per scam type
MEDIAN_LOSS = {
    "parcel": 2_500,
    "bank_impersonation": 25_000,
    "government_impersonation": 60_000,
    "investment": 35_000,
    "loan": 3_000,
    "job_task": 6_000,
    "romance": 25_000,
    "gambling": 4_000,
    "prize": 3_500,
    "phishing_other": 5_000,
}
_REPEATERS = {"investment", "romance", "job_task"}


def convert_contacts(
    world: World, cfg: SimulationConfig, contacts: dict, base_rate: float, rng
) -> np.ndarray:
    """Boolean mask of the contacts that become victims.

    Args:
        world: the world.
        cfg: the configuration.
        contacts: columns ``person`` (and others) of the day's contacts.
        base_rate: conversion for an average person (call or SMS rate from the config).
        rng: the generator.

    Returns:
        A boolean array aligned with the contacts.
    """
    person = contacts["person"]
    factor = AGE_FACTOR[world.person_age_band[person]] * (1.6 - 1.2 * world.person_skill[person])
    return rng.random(person.size) < np.clip(base_rate * factor, 0, 1)


def victim_transfers(
    world: World, cfg: SimulationConfig, gangs: list[Gang], victims: dict, rng
) -> dict:
    """The transfers converted victims make to the gangs' layer-1 mules.

    Args:
        world: the world.
        cfg: the configuration.
        gangs: all gangs.
        victims: columns ``contact_id, ts, person, gang, scam_type, contact_kind``.
        rng: the generator.

    Returns:
        Columns ``ts, src, dst, amount, person, gang, scam_type, contact_id, contact_kind``.
    """
    scam_type = victims["scam_type"]
    repeat_mean = cfg.extra_transfer_mean * np.where(np.isin(scam_type, list(_REPEATERS)), 2.5, 1.0)
    k = 1 + rng.poisson(repeat_mean)
    idx = np.repeat(np.arange(k.size), k)
    nth = np.arange(idx.size) - np.repeat(np.cumsum(k) - k, k)
    first_delay = np.clip(rng.lognormal(np.log(20 * 60), 1.0, size=idx.size), 180, 8 * 3600)
    later = np.clip(rng.lognormal(np.log(6 * 3600), 1.0, size=idx.size), 1800, 4 * 86_400)
    delay = np.where(nth == 0, first_delay, first_delay + later * nth)
    median = np.array([MEDIAN_LOSS[t] for t in scam_type], dtype=float)[idx]
    amount = np.clip(rng.lognormal(np.log(median), 0.8), 100, 2_000_000)
    amount = np.where(amount > 20_000, np.round(amount, -3), np.round(amount, -1))
    gang = victims["gang"][idx]
    l1_sizes = np.array([gg.layers[0].size for gg in gangs])
    choice = (rng.random(idx.size) * l1_sizes[gang]).astype(np.int64)
    # a victim usually pays the same mule each time, the account named on the first call
    choice = np.where(nth == 0, choice, np.repeat(choice[np.cumsum(k) - k], k))
    dst = np.array([gangs[g].layers[0][c] for g, c in zip(gang, choice)], dtype=np.int64)
    person = victims["person"][idx]
    return {
        "ts": victims["ts"][idx] + delay.astype(np.int64),
        "src": world.person_account[person],
        "dst": dst,
        "amount": amount,
        "person": person,
        "gang": gang,
        "scam_type": scam_type[idx],
        "contact_id": victims["contact_id"][idx],
        "contact_kind": victims["contact_kind"][idx],
        "contact_value": victims["contact_value"][idx],
        "contact_kind_value": victims["contact_kind_value"][idx],
        "first": nth == 0,
    }
