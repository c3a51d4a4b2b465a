"""The in-memory world: persons, SIMs, devices, accounts and cells as numpy columns.

Rows are addressed by integer index; string identifiers are only built when a table is
written. Gangs, businesses and poisoning reporters are appended to the same columns as
everyone else, and every written table is sorted by a random-looking id, so no row
position or id betrays who is a mule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# internal SIM roles (never written): what drives a SIM's behaviour
SIM_PERSONAL, SIM_SECOND, SIM_AGENT, SIM_RIDER, SIM_SALES = 0, 1, 2, 3, 4
SIM_CALLER, SIM_SMS, SIM_POISONER, SIM_HOTLINE, SIM_BOSS = 5, 6, 7, 8, 9

# account kinds, written as text
ACCOUNT_KINDS: tuple[str, ...] = ("personal", "merchant", "corporate", "exchange", "bank_cash")
ACC_PERSONAL, ACC_MERCHANT, ACC_CORPORATE, ACC_EXCHANGE, ACC_BANK_CASH = range(5)

DAY = 86_400


@dataclass
class World:
    """Columns of every entity; ``start_ts`` is the epoch second of the first midnight UTC."""

    start_ts: int
    days: int
    # persons
    person_province: np.ndarray
    person_age_band: np.ndarray
    person_skill: np.ndarray
    person_activity: np.ndarray
    person_home_cell: np.ndarray
    person_work_cell: np.ndarray
    person_national_id: np.ndarray
    contacts: np.ndarray
    person_sim: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    person_account: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    # cells
    cell_province: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    cell_lat: np.ndarray = field(default_factory=lambda: np.zeros(0))
    cell_lon: np.ndarray = field(default_factory=lambda: np.zeros(0))
    cell_border: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    # sims
    sim_number: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    sim_owner: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    sim_operator: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    sim_activated: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    sim_nominee: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    sim_role: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    sim_device: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    sim_cell: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    # devices
    device_imei: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    # accounts
    acct_bank: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    acct_number: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    acct_owner: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    acct_opened: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    acct_kind: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    # named hub accounts and business structure, filled by population.build_businesses
    hubs: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_persons(self) -> int:
        return int(self.person_province.size)

    @property
    def end_ts(self) -> int:
        return self.start_ts + self.days * DAY

    def add_sims(
        self, *, number, owner, operator, activated, nominee, role, device, cell
    ) -> np.ndarray:
        """Append SIMs; returns their indices."""
        first = self.sim_number.size
        self.sim_number = np.concatenate([self.sim_number, number])
        self.sim_owner = np.concatenate([self.sim_owner, owner])
        self.sim_operator = np.concatenate([self.sim_operator, operator])
        self.sim_activated = np.concatenate([self.sim_activated, activated])
        self.sim_nominee = np.concatenate([self.sim_nominee, nominee])
        self.sim_role = np.concatenate([self.sim_role, role])
        self.sim_device = np.concatenate([self.sim_device, device])
        self.sim_cell = np.concatenate([self.sim_cell, cell])
        return np.arange(first, self.sim_number.size)

    def add_devices(self, imei: np.ndarray) -> np.ndarray:
        """Append devices; returns their indices."""
        first = self.device_imei.size
        self.device_imei = np.concatenate([self.device_imei, imei])
        return np.arange(first, self.device_imei.size)

    def add_accounts(self, *, bank, number, owner, opened, kind) -> np.ndarray:
        """Append bank accounts; returns their indices."""
        first = self.acct_bank.size
        self.acct_bank = np.concatenate([self.acct_bank, bank])
        self.acct_number = np.concatenate([self.acct_number, number])
        self.acct_owner = np.concatenate([self.acct_owner, owner])
        self.acct_opened = np.concatenate([self.acct_opened, opened])
        self.acct_kind = np.concatenate([self.acct_kind, kind])
        return np.arange(first, self.acct_bank.size)


def full(n: int, value: int) -> np.ndarray:
    """An int64 column of ``n`` copies of ``value``."""
    return np.full(n, value, dtype=np.int64)
