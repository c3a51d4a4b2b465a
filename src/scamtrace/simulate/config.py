"""The one typed configuration of the world simulator, with documented defaults.

Every behaviour of ``scamtrace simulate`` is driven by :class:`SimulationConfig`. A scale
preset (``tiny`` .. ``large``) fills the size knobs; ``--days`` overrides the length; a YAML
or TOML file given with ``--config`` overrides any other field by name. Unknown keys are
refused, so a typo in a config file is an error rather than a silently ignored knob.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tomllib
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from scamtrace.errors import InvalidDataFile, InvalidInput

#: Size presets: persons, days, gangs, concurrent caller/SMS SIMs per gang, chunk hours.
SCALES: dict[str, dict[str, Any]] = {
    "tiny": {
        "persons": 5_000,
        "days": 7,
        "gangs": 2,
        "caller_sims_per_gang": 1,
        "sms_sims_per_gang": 1,
        "mule_l1_per_gang": 5,
        "active_day_share": 0.35,
        "chunk_hours": 24,
    },
    "small": {
        "persons": 100_000,
        "days": 14,
        "gangs": 10,
        "caller_sims_per_gang": 1,
        "sms_sims_per_gang": 1,
        "mule_l1_per_gang": 10,
        "active_day_share": 0.6,
        "chunk_hours": 24,
    },
    "medium": {
        "persons": 1_000_000,
        "days": 14,
        "gangs": 40,
        "caller_sims_per_gang": 2,
        "sms_sims_per_gang": 2,
        "mule_l1_per_gang": 25,
        "active_day_share": 0.7,
        "chunk_hours": 12,
    },
    "large": {
        "persons": 5_000_000,
        "days": 30,
        "gangs": 120,
        "caller_sims_per_gang": 4,
        "sms_sims_per_gang": 3,
        "mule_l1_per_gang": 40,
        "active_day_share": 0.75,
        "chunk_hours": 4,
    },
}

#: The simulator's own keyed-hash secret. National-id hashes in a simulated world must not
#: depend on the deployment's SCAMTRACE_SECRET_KEY, or the same seed would give other bytes.
SIMULATOR_SECRET = "scamtrace-simulator-fixed-secret-v1"

#: Bumped whenever the generated world changes for the same options (ensure_world reuse).
SIMULATOR_VERSION = 1


class SimulationConfig(BaseModel):
    """Every knob of the synthetic world; see docs/simulator.md for the sources of figures."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seed: int = Field(7, ge=0, description="Root seed; every component derives its own stream.")
    scale: str = Field("tiny", description="Name of the preset the sizes came from.")
    persons: int = Field(5_000, ge=500, description="Persons living in the world.")
    days: int = Field(7, ge=1, le=366, description="Days of activity simulated.")
    start_date: dt.date = Field(dt.date(2025, 6, 20), description="First day (UTC midnight).")
    chunk_hours: int = Field(
        24, ge=1, le=24, description="Hours of events generated and written per chunk."
    )

    # legitimate life (per person and day, heavy-tailed over persons)
    calls_per_person_day: float = Field(2.8, gt=0, description="Mean legit calls placed.")
    p2p_sms_per_person_day: float = Field(0.3, ge=0, description="Mean person-to-person SMS.")
    a2p_sms_per_person_day: float = Field(0.4, ge=0, description="OTP/notice/promo SMS received.")
    spam_share_of_a2p: float = Field(
        0.18, ge=0, le=1, description="Share of A2P SMS that are adverts."
    )
    tx_per_person_day: float = Field(0.8, gt=0, description="Mean legit transfers sent.")
    contacts_per_person: int = Field(12, ge=2, le=64, description="Social contacts per person.")
    contact_share_of_calls: float = Field(0.88, ge=0, le=1, description="Calls to own contacts.")
    legit_nominee_share: float = Field(
        0.03, ge=0, le=1, description="Personal SIMs registered on a relative's identity."
    )
    second_sim_share: float = Field(0.25, ge=0, le=1, description="Persons with a second SIM.")
    call_centres: int = Field(0, ge=0, description="Telemarketing firms; 0 = persons/25,000 + 2.")
    agents_per_call_centre: int = Field(12, ge=1, description="Agent SIMs per telemarketing firm.")
    rider_share: float = Field(
        0.004, ge=0, le=0.1, description="Persons working as delivery riders."
    )
    sales_share: float = Field(0.003, ge=0, le=0.1, description="Persons in phone sales.")
    merchant_share: float = Field(0.03, ge=0, le=0.5, description="Persons with a shop account.")
    crypto_user_share: float = Field(
        0.02, ge=0, le=1, description="Persons buying crypto legitimately."
    )

    # gangs and mule SIMs
    gangs: int = Field(2, ge=1, description="Number of criminal gangs.")
    caller_sims_per_gang: int = Field(1, ge=1, description="Caller SIMs a gang runs at one time.")
    sms_sims_per_gang: int = Field(
        1, ge=0, description="SMS-blasting SIMs a gang runs at one time."
    )
    sim_lifetime_days: tuple[int, int] = Field((2, 5), description="Days before a SIM is burned.")
    calls_per_caller_sim_day: tuple[int, int] = Field((110, 260), description="NBTC: >100/day.")
    sms_per_sms_sim_day: tuple[int, int] = Field((150, 400), description="Bulk SMS per SIM-day.")
    active_day_share: float = Field(0.35, gt=0, le=1, description="Days a gang campaigns.")
    nominees_per_gang: int = Field(3, ge=1, description="Identities mule SIMs are registered on.")
    simbox_devices_per_gang: int = Field(3, ge=1, description="IMEIs the gang's SIMs rotate over.")
    voip_gang_share: float = Field(
        0.3, ge=0, le=1, description="Gangs on moving VoIP, not border boxes."
    )
    spoofed_sender_share: float = Field(
        0.3, ge=0, le=1, description="Scam SMS sent under spoofed sender ids."
    )
    answered_share_scam: float = Field(0.55, ge=0, le=1, description="Scam calls picked up.")
    engaged_share_scam: float = Field(
        0.12, ge=0, le=1, description="Picked-up calls that go on > 2 min."
    )
    callback_share: float = Field(0.02, ge=0, le=1, description="Answered callees calling back.")

    # mule accounts and money
    mule_l1_per_gang: int = Field(5, ge=1, description="Rented layer-1 accounts per gang.")
    layers: tuple[int, int] = Field(
        (2, 4), description="Mule layers per gang incl. cash-out layer."
    )
    accounts_per_deeper_layer: tuple[int, int] = Field(
        (2, 5), description="Accounts per layer >= 2."
    )
    shared_mule_share: float = Field(
        0.03, ge=0, le=1, description="L1 mules also used by a 2nd gang."
    )
    owner_also_sim_share: float = Field(
        0.4, ge=0, le=1, description="Nominees holding SIMs and accounts."
    )
    split_threshold_baht: float = Field(
        49_000, gt=0, description="Transfers kept under this amount."
    )
    atm_limit_baht: float = Field(20_000, gt=0, description="Largest single ATM-like withdrawal.")
    crypto_cashout_gang_share: float = Field(
        0.4, ge=0, le=1, description="Gangs cashing out to crypto."
    )
    mule_commission: tuple[float, float] = Field(
        (0.0, 0.03), description="Share a mule keeps per hop."
    )
    l1_delay_minutes: tuple[int, int] = Field((2, 30), description="Pass-through delay at layer 1.")
    pooling_window_minutes: int = Field(
        120, ge=1, description="Deeper layers pool credits this long."
    )

    # victims
    conversion_call: float = Field(
        0.18, ge=0, le=1, description="Base conversion of engaged calls."
    )
    conversion_sms: float = Field(0.004, ge=0, le=1, description="Base conversion of scam SMS.")
    extra_transfer_mean: float = Field(0.6, ge=0, description="Mean extra transfers per victim.")

    # reports
    ussd_report_rate: float = Field(0.05, ge=0, le=1, description="Answered scam calls -> *1185#.")
    ussd_explicit_share: float = Field(
        0.25, ge=0, le=1, description="*1185*number# instead of *1185#."
    )
    sms_forward_rate: float = Field(0.03, ge=0, le=1, description="Scam SMS forwarded to 1185.")
    spam_forward_rate: float = Field(0.004, ge=0, le=1, description="Adverts forwarded to 1185.")
    victim_web_rate: float = Field(0.35, ge=0, le=1, description="Victims reporting on the web.")
    victim_bank_rate: float = Field(
        0.6, ge=0, le=1, description="Victims complaining to their bank."
    )
    mistaken_report_rate: float = Field(
        0.002, ge=0, le=1, description="Legit heavy-caller calls reported."
    )
    duplicate_report_rate: float = Field(0.08, ge=0, le=1, description="Reports sent twice.")
    poisoning_reporters: int = Field(
        0, ge=0, description="Reporters in the poisoning burst; 0 = auto."
    )
    poisoning_burst_minutes: int = Field(90, ge=1, description="Length of the poisoning burst.")

    @model_validator(mode="after")
    def _ranges_are_ordered(self) -> SimulationConfig:
        for name, value in self:
            if isinstance(value, tuple) and value[0] > value[1]:
                raise ValueError(f"{name} must be [low, high] with low <= high")
        return self

    def fingerprint(self) -> str:
        """A stable digest of every option, used to recognise an already simulated world."""
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(f"{SIMULATOR_VERSION}|{payload}".encode()).hexdigest()[:16]


def load_config(
    *, scale: str = "tiny", seed: int = 7, days: int | None = None, config_file: Path | None = None
) -> SimulationConfig:
    """Build the configuration from a scale preset, a seed, and optional overrides.

    Args:
        scale: one of :data:`SCALES`.
        seed: the root seed.
        days: overrides the preset's number of days.
        config_file: a YAML (``.yaml``/``.yml``) or TOML (``.toml``) file of field overrides.

    Returns:
        The validated, frozen configuration.

    Raises:
        InvalidInput: unknown scale or invalid values.
        InvalidDataFile: unreadable or malformed config file.
    """
    if scale not in SCALES:
        raise InvalidInput(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    values: dict[str, Any] = {"scale": scale, "seed": seed, **SCALES[scale]}
    if days is not None:
        values["days"] = days
    if config_file is not None:
        values.update(_read_overrides(config_file))
    try:
        config = SimulationConfig(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "value"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise InvalidInput(f"invalid simulator option {where}: {message}") from None
    if 24 % config.chunk_hours:
        raise InvalidInput("invalid simulator option chunk_hours: must divide 24")
    return config


def _read_overrides(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InvalidDataFile(f"config file not found: {path}")
    raw = path.read_bytes()
    try:
        if path.suffix.lower() == ".toml":
            data = tomllib.loads(raw.decode("utf-8"))
        elif path.suffix.lower() in {".yaml", ".yml"}:
            data = yaml.safe_load(raw.decode("utf-8")) or {}
        else:
            raise InvalidDataFile(f"config file must be .yaml, .yml or .toml: {path.name}")
    except (tomllib.TOMLDecodeError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InvalidDataFile(f"cannot parse config file {path.name}: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidDataFile(f"config file {path.name} must hold a mapping of options")
    return data
