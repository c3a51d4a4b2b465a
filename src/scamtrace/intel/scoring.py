"""Turn an indicator's evidence into a score (0-100), a tier and the reasons behind it.

Each source contributes a strength in [0, 1]; strengths combine as a noisy-OR (the
chance that at least one independent source is right), so a hundred weak reports never
outweigh what their sources are worth together, and one source counts once however
often it repeats itself. Contrary evidence (false-positive sightings, disagreeing
opinions) combines the same way and scales the result down. The whole is multiplied by
the kind's decay (:mod:`scamtrace.intel.decay`), then gated by the anti-poisoning rules
(:mod:`scamtrace.intel.poisoning`), the allowlist and appeals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from scamtrace.intel.decay import decay_factor
from scamtrace.intel.evidence import EvidenceFact
from scamtrace.intel.poisoning import find_report_burst, is_block_eligible
from scamtrace.intel.reasons import Reason, render_reasons

TIERS = ("none", "low", "medium", "high", "very_high")
#: Lowest score of each tier above ``none``.
TIER_FLOORS = {"very_high": 80, "high": 60, "medium": 40, "low": 15}
#: Highest score evidence without corroboration may reach (just under very_high).
UNCORROBORATED_CAP = TIER_FLOORS["very_high"] - 1

# Strength of one source of each kind at full trust and confidence. Calibrated so that
# ten new reporters reach "medium", a trusted member's hit "high", police "very_high".
_REPORT_WEIGHT = 0.25
_SIGHTING_WEIGHTS = {"seen": 0.10, "true_positive": 0.55}
_ANALYTICS_WEIGHT = 0.75
_AUTHORITY_WEIGHT = 0.97
_AGREE_WEIGHT = 0.15
_CONTRARY_WEIGHTS = {"false_positive": 0.6, "disagree": 0.3}


@dataclass
class Assessment:
    """The hub's judgement of one indicator at one time.

    Attributes:
        score: 0-100 after decay, caps, allowlist and appeals.
        tier: one of :data:`TIERS`.
        reasons: plain-language reasons, most important first.
        reason_codes: bit set of :class:`~scamtrace.intel.reasons.Reason` (for the index).
        raw_score: the score before the allowlist and appeal overrides (for analysts).
        block_eligible: corroborated enough for a ``block`` action.
        held: positions of evidence held for review (a burst from new reporters).
    """

    score: int
    tier: str
    reasons: list[str]
    reason_codes: int
    raw_score: int
    block_eligible: bool
    n_reports: int = 0
    n_reporters: int = 0
    n_members: int = 0
    held: frozenset[int] = field(default_factory=frozenset)

    @property
    def held_for_review(self) -> bool:
        return bool(self.held)


def tier_for(score: int) -> str:
    """Return the tier of a 0-100 score (``very_high`` >= 80, ``high`` >= 60, ...)."""
    for tier in ("very_high", "high", "medium", "low"):
        if score >= TIER_FLOORS[tier]:
            return tier
    return "none"


def _strength(fact: EvidenceFact) -> tuple[float, float]:
    """Return (supporting, contrary) strength of one fact."""
    trust = max(0.0, min(fact.source_trust, 1.0))
    confidence = max(0.0, min(fact.confidence, 1.0))
    if fact.kind == "report":
        return _REPORT_WEIGHT * trust * confidence, 0.0
    if fact.kind == "sighting":
        if fact.subtype == "false_positive":
            return 0.0, _CONTRARY_WEIGHTS["false_positive"] * trust
        return _SIGHTING_WEIGHTS.get(fact.subtype, 0.0) * trust * confidence, 0.0
    if fact.kind == "analytics":
        return _ANALYTICS_WEIGHT * confidence, 0.0
    if fact.kind == "authority":
        return _AUTHORITY_WEIGHT * confidence, 0.0
    if fact.kind == "opinion":
        if fact.subtype == "disagree":
            return 0.0, _CONTRARY_WEIGHTS["disagree"] * trust
        return _AGREE_WEIGHT * trust * confidence, 0.0
    return 0.0, 0.0


def _noisy_or(strengths: dict[str, float]) -> float:
    remaining = 1.0
    for value in strengths.values():
        remaining *= 1.0 - value
    return 1.0 - remaining


def _codes_for(facts: Sequence[EvidenceFact]) -> int:
    codes = 0
    for fact in facts:
        if fact.kind == "report":
            codes |= Reason.REPORTED
        elif fact.kind == "sighting":
            codes |= (
                Reason.FALSE_POSITIVE
                if fact.subtype == "false_positive"
                else (
                    Reason.MEMBER_CONFIRMED
                    if fact.subtype == "true_positive"
                    else Reason.MEMBER_SEEN
                )
            )
        elif fact.kind == "analytics":
            codes |= {"mule_sim": Reason.MULE_SIM, "mule_account": Reason.MULE_ACCOUNT}.get(
                fact.subtype, Reason.NETWORK
            )
        elif fact.kind == "authority":
            codes |= Reason.AUTHORITY
        elif fact.kind == "opinion":
            codes |= Reason.DISAGREED if fact.subtype == "disagree" else Reason.AGREED
    return codes


def assess(
    kind: str,
    facts: Sequence[EvidenceFact],
    *,
    now: datetime,
    allowlisted: bool = False,
    cleared_at: datetime | None = None,
) -> Assessment:
    """Score one indicator from all of its evidence.

    Args:
        kind: identifier kind, which selects the decay model.
        facts: every piece of evidence on the indicator visible to the audience.
        now: the assessment time.
        allowlisted: the identifier is on the allowlist (official numbers, domains).
        cleared_at: when an appeal cleared it; only new evidence from sources that had
            not reported it before the clearance counts afterwards.

    Returns:
        The :class:`Assessment`.
    """
    codes = 0
    positions = list(range(len(facts)))
    if cleared_at is not None:
        before = {f.source_key for f in facts if f.observed_at <= cleared_at}
        positions = [
            i
            for i in positions
            if facts[i].observed_at > cleared_at and facts[i].source_key not in before
        ]
        codes |= Reason.CLEARED
    burst = find_report_burst([facts[i] for i in positions])
    held = frozenset(positions[j] for j in burst.held) | {
        i for i in positions if facts[i].review == "held"
    }
    if held:
        codes |= Reason.HELD_FOR_REVIEW
    scored = [facts[i] for i in positions if i not in held and facts[i].review != "rejected"]
    supporting: dict[str, float] = {}
    contrary: dict[str, float] = {}
    for fact in scored:
        plus, minus = _strength(fact)
        # One source counts once per kind of evidence: repetition is not corroboration.
        slot = f"{fact.source_key}/{fact.kind}"
        if plus:
            supporting[slot] = max(supporting.get(slot, 0.0), plus)
        if minus:
            contrary[slot] = max(contrary.get(slot, 0.0), minus)
    latest = max((f.observed_at for f in scored), default=None)
    decay = decay_factor(kind, latest, now) if latest is not None else 0.0
    raw = 100.0 * _noisy_or(supporting) * (1.0 - _noisy_or(contrary)) * decay
    codes |= _codes_for(scored)
    eligible = is_block_eligible(scored)
    if not eligible and raw > UNCORROBORATED_CAP:
        raw = UNCORROBORATED_CAP
        codes |= Reason.UNCORROBORATED
    if latest is not None and decay < 0.5:
        codes |= Reason.FADING
    raw_score = round(raw)
    score = raw_score
    if allowlisted:
        score = 0
        codes |= Reason.ALLOWLISTED
        if any(f.kind == "report" for f in facts):
            codes |= Reason.LIKELY_SPOOFING
    reporters = {f.reporter for f in scored if f.kind == "report" and f.reporter}
    members = {f.source_member for f in scored if f.kind != "report" and f.source_member}
    n_reports = sum(1 for f in scored if f.kind == "report")
    return Assessment(
        score=score,
        tier=tier_for(score),
        reasons=render_reasons(codes, n_reports, len(reporters), len(members), len(held)),
        reason_codes=int(codes),
        raw_score=raw_score,
        block_eligible=eligible and not allowlisted,
        n_reports=n_reports,
        n_reporters=len(reporters),
        n_members=len(members),
        held=held,
    )
