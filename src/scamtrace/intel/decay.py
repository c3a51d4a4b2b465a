"""Decay of an indicator's score with time, per identifier kind.

The shape is MISP's polynomial decaying model (``misp-objects`` decaying models,
"Polynomial"): ``base * (1 - (t / lifetime) ** (1 / speed))``. A larger ``speed`` makes
the score fall fast at first and flatten later; the score reaches zero at ``lifetime``.

Scam phone numbers are burnt within days (gangs rotate mule SIMs), lookalike domains
stay dangerous for weeks, and a mule account stays a mule until its owner is cleared
on appeal, so bank accounts do not decay at all. The clock restarts with every new piece
of evidence: ``age`` is always measured from the indicator's latest evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class DecayModel:
    """One polynomial decaying model.

    Attributes:
        lifetime: age at which the score reaches zero; ``None`` means it never decays.
        speed: MISP's ``decay_speed``; 1 is linear, above 1 falls fast early.
    """

    lifetime: timedelta | None
    speed: float = 1.0

    def factor(self, age: timedelta) -> float:
        """Return the multiplier in [0, 1] for evidence whose latest item is ``age`` old.

        Args:
            age: time since the indicator's latest evidence (negative counts as zero).

        Returns:
            1.0 for fresh evidence, falling to 0.0 at ``lifetime``.

        Examples:
            >>> DecayModel(timedelta(days=10), 1.0).factor(timedelta(days=5))
            0.5
        """
        if self.lifetime is None:
            return 1.0
        seconds = max(age.total_seconds(), 0.0)
        ratio = seconds / self.lifetime.total_seconds()
        if ratio >= 1.0:
            return 0.0
        return 1.0 - ratio ** (1.0 / self.speed)


#: Per-kind models. Phones fade in days, links and domains in weeks; accounts and
#: identity-bound kinds only leave the lists when an appeal clears them.
DECAY_MODELS: dict[str, DecayModel] = {
    "phone": DecayModel(timedelta(days=14), speed=2.0),
    "short_code": DecayModel(timedelta(days=14), speed=2.0),
    "ussd": DecayModel(timedelta(days=14), speed=2.0),
    "sender_id": DecayModel(timedelta(days=30), speed=1.5),
    "url": DecayModel(timedelta(days=30), speed=1.5),
    "domain": DecayModel(timedelta(days=60), speed=1.0),
    "line_id": DecayModel(timedelta(days=90), speed=1.0),
    "email": DecayModel(timedelta(days=90), speed=1.0),
    "wallet": DecayModel(timedelta(days=365), speed=1.0),
    "imei": DecayModel(timedelta(days=180), speed=1.0),
    "imsi": DecayModel(timedelta(days=30), speed=1.5),
    "bank_account": DecayModel(None),
    "promptpay": DecayModel(None),
    "national_id": DecayModel(None),
}

#: Kinds not listed above decay like a sender id: a month, slightly front-loaded.
DEFAULT_DECAY = DecayModel(timedelta(days=30), speed=1.5)


def decay_factor(kind: str, last_evidence_at: datetime, now: datetime) -> float:
    """Return the decay multiplier of an indicator of ``kind``.

    Args:
        kind: identifier kind (``phone``, ``domain``, ``bank_account``...).
        last_evidence_at: time of the newest evidence; new evidence restarts the clock.
        now: the time of the assessment (explicit, so results are reproducible).

    Returns:
        A float in [0, 1].
    """
    return DECAY_MODELS.get(kind, DEFAULT_DECAY).factor(now - last_evidence_at)


def expires_at(kind: str, last_evidence_at: datetime) -> datetime | None:
    """Return when an indicator's score reaches zero, or ``None`` if it never does."""
    model = DECAY_MODELS.get(kind, DEFAULT_DECAY)
    if model.lifetime is None:
        return None
    return last_evidence_at + model.lifetime
