"""Identifier strings of every entity, assigned once the world's entities all exist.

Numbers are drawn at random only after gangs and businesses are added, so a mule SIM's
number or a mule account's number is indistinguishable from anybody else's. National
ids are never written: only their keyed hash under the simulator's fixed secret.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from scamtrace.keyed_hash import keyed_hash
from scamtrace.simulate import provinces as pv
from scamtrace.simulate.config import SIMULATOR_SECRET
from scamtrace.simulate.ids import (
    component_rng,
    digits_matrix,
    hex_ids,
    luhn_complete,
    msisdn_numbers,
    to_strings,
    unique_random_numbers,
)
from scamtrace.simulate.world import World

_BANK_THAI = (
    "กสิกรไทย",
    "ไทยพาณิชย์",
    "กรุงเทพ",
    "กรุงไทย",
    "กรุงศรี",
    "ทีทีบี",
    "ออมสิน",
    "ธ.ก.ส.",
    "ธอส.",
    "เกียรตินาคิน",
    "ทิสโก้",
    "ซีไอเอ็มบี",
    "ยูโอบี",
    "แลนด์แอนด์เฮ้าส์",
    "ไทยเครดิต",
    "อิสลาม",
)


@dataclass
class Names:
    """Arrow string arrays indexed like the world's columns."""

    msisdn: pa.Array
    account_id: pa.Array
    imei: pa.Array
    person_id: pa.Array
    world: World

    def account_text(self, account: int) -> str:
        """An account as a scammer writes it in a text: bank name and dashed digits."""
        bank = int(self.world.acct_bank[account])
        digits = self.account_id[account].as_py().split(":")[1]
        dashed = f"{digits[:3]}-{digits[3]}-{digits[4:9]}-{digits[9:]}"
        return f"{_BANK_THAI[bank]} {dashed}"


def assign_numbers(world: World, seed: int) -> Names:
    """Draw SIM, account and IMEI numbers for every entity and build their strings.

    Args:
        world: the complete world (population, businesses, gangs, reporters).
        seed: the root seed.

    Returns:
        The :class:`Names` of the world.
    """
    rng = component_rng(seed, "numbers")
    world.sim_number = msisdn_numbers(rng, world.sim_number.size)
    n_acc = world.acct_bank.size
    world.acct_number = unique_random_numbers(rng, n_acc, 0, 9_000_000_000)
    body = unique_random_numbers(
        rng, world.device_imei.size, 35_000_000_000_000, 87_000_000_000_000
    )
    world.device_imei = luhn_complete(body, 14)
    return Names(
        msisdn=to_strings(digits_matrix(world.sim_number, 9), b"+66"),
        account_id=_account_strings(world),
        imei=to_strings(digits_matrix(world.device_imei, 15)),
        person_id=hex_ids(np.arange(world.n_persons), b"p", 12),
        world=world,
    )


def _account_strings(world: World) -> pa.Array:
    codes = np.frombuffer("".join(pv.BANK_CODES).encode(), dtype=np.uint8).reshape(-1, 3)
    long_form = pv.BANK_DIGITS[world.acct_bank] == 12
    parts, positions = [], []
    for is_long, width, base in ((False, 10, 1_000_000_000), (True, 12, 20_000_000_000)):
        rows = np.flatnonzero(long_form == is_long)
        head = np.concatenate(
            [codes[world.acct_bank[rows]], np.full((rows.size, 1), ord(":"), np.uint8)], axis=1
        )
        digits = digits_matrix(world.acct_number[rows] + base, width)
        parts.append(to_strings(np.concatenate([head, digits], axis=1)))
        positions.append(rows)
    order = np.argsort(np.concatenate(positions), kind="stable")
    return pa.concat_arrays(parts).take(pa.array(order))


def national_id_hashes(world: World) -> pa.Array:
    """keyed_hash("national_id", id) of every person under :data:`SIMULATOR_SECRET`.

    The HMAC key schedule is done once and copied per value (tests check equality with
    :func:`scamtrace.keyed_hash.keyed_hash`), which makes 5 million persons affordable.
    """
    # HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)), with both pads hashed once
    key = SIMULATOR_SECRET.encode().ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    values = []
    for v in world.person_national_id.tolist():
        i = inner.copy()
        i.update(b"national_id\x1f%d" % v)
        o = outer.copy()
        o.update(i.digest())
        values.append(o.hexdigest())
    probe = str(int(world.person_national_id[0]))
    if values[0] != keyed_hash("national_id", probe, secret=SIMULATOR_SECRET):
        raise RuntimeError("national id hashing diverged from scamtrace.keyed_hash")
    return pa.array(values, type=pa.string())
