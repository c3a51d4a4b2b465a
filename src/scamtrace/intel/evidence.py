"""Evidence as the scorer sees it: plain values, independent of the store.

Five kinds, after MISP sightings and STIX opinions:

=========== ============================================ ==============================
kind        subtype                                      source
=========== ============================================ ==============================
report      the channel (``sms_1185``, ``ussd``, ``web``) a citizen (keyed hash)
sighting    ``seen`` / ``true_positive`` / ``false_positive``  a member (MISP types 0 / 0 / 1)
analytics   ``mule_sim`` / ``mule_account`` / ``network``  a member's analytics run
authority   ``confirmed`` (police verified)               a police or regulator member
opinion     ``agree`` / ``disagree`` (STIX ``opinion``)   a member
=========== ============================================ ==============================
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

EVIDENCE_KINDS: dict[str, tuple[str, ...]] = {
    "report": ("sms_1185", "ussd", "web", "app", "call", "partner", "other"),
    "sighting": ("seen", "true_positive", "false_positive"),
    "analytics": ("mule_sim", "mule_account", "network"),
    "authority": ("confirmed",),
    "opinion": ("agree", "disagree"),
}

#: Review states of a piece of evidence: held ones wait for an analyst.
REVIEW_STATES = ("auto", "held", "accepted", "rejected")

#: Default trust of a member whose trust was never set (alliance members are vetted).
DEFAULT_MEMBER_TRUST = 0.8


@dataclass(frozen=True)
class EvidenceFact:
    """One piece of evidence on one indicator.

    Attributes:
        kind: one of :data:`EVIDENCE_KINDS`.
        subtype: the kind's subtype (channel, sighting type, finding, opinion).
        observed_at: when it was seen or reported.
        source_member: id of the member that supplied it (``None`` for citizens).
        reporter: keyed hash of the citizen reporter (reports only).
        source_trust: trust of the reporter or member in [0, 1].
        reporter_is_new: the citizen has no track record (first reports, none confirmed).
        confidence: the source's own confidence or the analytics score, in [0, 1].
        review: ``auto`` (scored as received), ``held``, ``accepted`` or ``rejected``.
    """

    kind: str
    subtype: str
    observed_at: datetime
    source_member: int | None = None
    reporter: str | None = None
    source_trust: float = DEFAULT_MEMBER_TRUST
    reporter_is_new: bool = False
    confidence: float = 1.0
    review: str = "auto"

    @property
    def source_key(self) -> str:
        """A stable name of the source: one citizen or one member."""
        if self.reporter:
            return f"reporter:{self.reporter}"
        return f"member:{self.source_member}"


def reporter_trust(confirmed: int, rejected: int) -> float:
    """Trust of a citizen reporter from their track record (a Beta(1, 2) prior mean).

    A new reporter starts at 1/3; each report an analyst confirms raises it, each
    rejected one lowers it, so serial false reporters fade out of the score.

    Args:
        confirmed: how many of their earlier reports were confirmed.
        rejected: how many were rejected.

    Returns:
        A trust in (0, 1).

    Examples:
        >>> round(reporter_trust(0, 0), 3), round(reporter_trust(6, 0), 3)
        (0.333, 0.778)
    """
    return (confirmed + 1.0) / (confirmed + rejected + 3.0)
