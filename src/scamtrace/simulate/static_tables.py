"""The static tables: persons, cells, SIMs, SIM-in-device history and bank accounts.

Each is sorted by its random-looking identifier before writing, so that gang members,
businesses and reporters are scattered among everyone else.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from scamtrace.simulate import provinces as pv
from scamtrace.simulate.gangs import Gang
from scamtrace.simulate.ids import component_rng, hex_ids
from scamtrace.simulate.names import Names, national_id_hashes
from scamtrace.simulate.tables import SCHEMAS, timestamps
from scamtrace.simulate.world import ACCOUNT_KINDS, DAY, SIM_PERSONAL, SIM_SECOND, World


def _sorted(name: str, columns: dict, key: list[str]) -> pa.Table:
    table = pa.Table.from_pydict(columns, schema=SCHEMAS[name])
    return table.take(pc.sort_indices(table, [(k, "ascending") for k in key]))


def cell_ids(world: World) -> pa.Array:
    """Random-looking cell ids ``c`` + 8 hex digits."""
    return hex_ids(np.arange(world.cell_province.size) + 7_000_000, b"c", 8)


def registrations(world: World, seed: int, share: float) -> tuple[np.ndarray, np.ndarray]:
    """Registered holder and nominee flag of every SIM.

    Telcos see many legitimate SIMs registered on someone else's id card (a parent, a
    spouse, the shop that sold it): ``share`` of personal SIMs are registered as nominees on
    a contact's identity, so "nominee" alone is not a mule-SIM label.
    """
    rng = component_rng(seed, "registrations")
    holder, nominee = world.sim_owner.copy(), world.sim_nominee.copy()
    personal = np.flatnonzero(np.isin(world.sim_role, (SIM_PERSONAL, SIM_SECOND)))
    lent = personal[rng.random(personal.size) < share]
    family = world.contacts[
        world.sim_owner[lent], rng.integers(0, world.contacts.shape[1], size=lent.size)
    ]
    holder[lent] = family
    nominee[lent] = True
    return holder, nominee


def _labels(values: tuple[str, ...], codes: np.ndarray) -> pa.Array:
    return pa.array(values, pa.string()).take(pa.array(np.asarray(codes, np.int64)))


def static_tables(
    world: World, names: Names, gangs: list[Gang], seed: int, nominee_share: float
) -> Iterator[tuple[str, pa.Table]]:
    """Build the five static tables, one at a time (a 5-million-person world is large).

    Args:
        world: the complete world.
        names: its identifier strings.
        gangs: the gangs (their SIMs' daily device rotation).
        seed: the root seed.
        nominee_share: share of personal SIMs registered on a relative's identity.

    Yields:
        (name, table) pairs, each table sorted by its id.
    """
    yield (
        "persons",
        _sorted(
            "persons",
            {
                "person_id": names.person_id,
                "national_id_hash": national_id_hashes(world),
                "province": _labels(pv.PROVINCE_NAMES, world.person_province),
                "age_band": _labels(pv.AGE_BANDS, world.person_age_band),
                "digital_skill": world.person_skill.astype(np.float32),
            },
            ["person_id"],
        ),
    )
    yield (
        "cells",
        _sorted(
            "cells",
            {
                "cell_id": cell_ids(world),
                "province": _labels(pv.PROVINCE_NAMES, world.cell_province),
                "lat": world.cell_lat,
                "lon": world.cell_lon,
                "border_zone": world.cell_border,
            },
            ["cell_id"],
        ),
    )
    owner, nominee = registrations(world, seed, nominee_share)
    yield (
        "sims",
        _sorted(
            "sims",
            {
                "msisdn": names.msisdn,
                "person_id": names.person_id.take(pa.array(owner)),
                "operator": _labels(pv.OPERATORS, world.sim_operator),
                "activated_at": timestamps(world.sim_activated - world.start_ts, world.start_ts),
                "registration": _labels(("named", "nominee"), nominee.astype(np.int64)),
            },
            ["msisdn"],
        ),
    )
    acct_owner = world.acct_owner
    person = names.person_id.take(pa.array(np.maximum(acct_owner, 0)))
    person = pc.if_else(pa.array(acct_owner >= 0), person, pa.scalar(None, pa.string()))
    yield (
        "accounts",
        _sorted(
            "accounts",
            {
                "account_id": names.account_id,
                "bank_code": _labels(pv.BANK_CODES, world.acct_bank),
                "account_number": pc.utf8_slice_codeunits(names.account_id, 4),
                "person_id": person,
                "opened_at": timestamps(world.acct_opened - world.start_ts, world.start_ts),
                "kind": _labels(ACCOUNT_KINDS, world.acct_kind),
            },
            ["account_id"],
        ),
    )
    yield "sim_devices", _sim_devices(world, names, gangs)


def _sim_devices(world: World, names: Names, gangs: list[Gang]) -> pa.Table:
    fixed = np.flatnonzero(world.sim_device >= 0)
    sims, devices = [fixed], [world.sim_device[fixed]]
    starts, ends = [world.sim_activated[fixed] - world.start_ts], [np.full(fixed.size, -1)]
    for gang in gangs:
        for group, days in ((gang.caller_sims, gang.caller_days), (gang.sms_sims, gang.sms_days)):
            for position, (first, last) in enumerate(days):
                day = np.arange(first, last + 1)
                sims.append(np.full(day.size, group[position]))
                # the same rotation gang_calls uses: slot position + day over the gang's boxes
                devices.append(gang.devices[(position + day) % gang.devices.size])
                starts.append(day * DAY)
                ends.append(day * DAY + DAY - 1)
    sim, device = np.concatenate(sims), np.concatenate(devices).astype(np.int64)
    start, end = np.concatenate(starts), np.concatenate(ends)
    to_ts = timestamps(np.maximum(end, 0), world.start_ts)
    to_ts = pc.if_else(
        pa.array(end >= 0), to_ts, pa.scalar(None, SCHEMAS["sim_devices"].field("to_ts").type)
    )
    return _sorted(
        "sim_devices",
        {
            "msisdn": names.msisdn.take(pa.array(sim)),
            "imei": names.imei.take(pa.array(device)),
            "from_ts": timestamps(start, world.start_ts),
            "to_ts": to_ts,
        },
        ["msisdn", "from_ts"],
    )
