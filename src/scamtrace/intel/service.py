"""The hub's service functions: evidence in, judgements out (routes and CLI call these).

Writes go to the store; every write rescores the indicator it touches, so the stored
score, tier and reasons are always the current judgement that feeds, TAXII and the
lookup-index builder publish. Reads of protected data go through :mod:`.access` and
leave an audit row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scamtrace.errors import InvalidIdentifier, InvalidInput, NotFound
from scamtrace.intel.access import TLP_ORDER, can_see_evidence, normalise_tlp
from scamtrace.intel.evidence import EVIDENCE_KINDS, EvidenceFact, reporter_trust
from scamtrace.intel.models import Evidence, Indicator
from scamtrace.intel.policy_store import current_allowlist
from scamtrace.intel.scoring import Assessment, assess
from scamtrace.keyed_hash import keyed_hash
from scamtrace.orgs.audit import append_audit
from scamtrace.orgs.models import Member
from scamtrace.reports.models import Reporter
from scamtrace.store.base import utcnow

#: Trust of a member's own findings by sector: vetted institutions above platforms.
SECTOR_TRUST = {
    "police": 0.95,
    "regulator": 0.95,
    "bank": 0.85,
    "telco": 0.85,
    "platform": 0.6,
    "public": 0.3,
}
#: A reporter is "new" when their first report is this recent and none was ever judged:
#: poisoning campaigns use fresh SIMs that report once, in a burst.
NEW_REPORTER_PERIOD = timedelta(days=1)


def canonical(kind: str, raw: str) -> tuple[str, str]:
    """Return ``(kind, canonical value)`` of a raw identifier in any written form.

    Raises:
        InvalidIdentifier: when it cannot be canonicalised.
    """
    from scamtrace.identifiers import parse

    ident = parse(kind, raw)
    return ident.kind, ident.value


def get_or_create_indicator(session: Session, *, kind: str, value: str) -> Indicator:
    """Return the indicator of a canonical identifier, creating it when new."""
    row = session.execute(
        select(Indicator).where(Indicator.kind == kind, Indicator.value == value)
    ).scalar_one_or_none()
    if row is None:
        row = Indicator(kind=kind, value=value, tlp="clear")
        session.add(row)
        session.flush()
    return row


def find_indicator(session: Session, *, kind: str, raw: str) -> Indicator:
    """Return the indicator of a raw identifier, or raise :class:`NotFound`."""
    kind, value = canonical(kind, raw)
    row = session.execute(
        select(Indicator).where(Indicator.kind == kind, Indicator.value == value)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no indicator {kind} {value}")
    return row


@dataclass(frozen=True)
class NewEvidence:
    """One piece of evidence to add (the shape of imports and of the API's POST)."""

    kind: str
    raw_value: str
    evidence: str
    subtype: str
    confidence: float = 1.0
    observed_at: datetime | None = None
    #: ``None``: CLEAR for citizen reports (the public tier counts them; reporters stay
    #: hidden whatever the TLP), GREEN for members' evidence.
    tlp: str | None = None
    sharing_group: str | None = None
    reporter_number: str | None = None
    report_id: int | None = None
    details: dict[str, Any] | None = None


def _check(item: NewEvidence) -> None:
    if item.evidence not in EVIDENCE_KINDS:
        raise InvalidInput(f"unknown evidence kind {item.evidence!r}")
    if item.subtype not in EVIDENCE_KINDS[item.evidence]:
        allowed = ", ".join(EVIDENCE_KINDS[item.evidence])
        raise InvalidInput(f"{item.evidence} subtype must be one of {allowed}")
    if not 0.0 <= item.confidence <= 1.0:
        raise InvalidInput("confidence must be between 0 and 1")


def _reporter(session: Session, number: str, seen_at: datetime) -> Reporter:
    try:
        number = canonical("phone", number)[1]
    except InvalidIdentifier:
        number = number.strip()  # still one reporter per written number, if not a phone
    digest = keyed_hash("reporter", number)
    row = session.execute(
        select(Reporter).where(Reporter.number_hash == digest)
    ).scalar_one_or_none()
    if row is None:
        row = Reporter(number_hash=digest, first_seen_at=seen_at, last_seen_at=seen_at)
        session.add(row)
        session.flush()
    return row


def add_evidence(
    session: Session,
    *,
    items: Sequence[NewEvidence],
    source_member_id: int | None,
    actor: str,
    now: datetime | None = None,
) -> list[Indicator]:
    """Store evidence and rescore every indicator it touches (one rescore each).

    Args:
        session: the store session (the caller commits).
        items: the evidence, with raw identifiers in any written form.
        source_member_id: the supplying member (``None`` for citizen channels).
        actor: audit actor.
        now: assessment time (default: the current time).

    Returns:
        The touched indicators, rescored, in first-touch order.
    """
    now = now or utcnow()
    touched: dict[int, Indicator] = {}
    for item in items:
        _check(item)
        kind, value = canonical(item.kind, item.raw_value)
        indicator = get_or_create_indicator(session, kind=kind, value=value)
        observed = item.observed_at or now
        reporter_id = None
        if item.evidence == "report" and item.reporter_number:
            reporter = _reporter(session, item.reporter_number, observed)
            reporter.reports_count = (reporter.reports_count or 0) + 1
            reporter.last_seen_at = max(reporter.last_seen_at, observed)
            reporter_id = reporter.id
        session.add(
            Evidence(
                indicator_id=indicator.id,
                kind=item.evidence,
                subtype=item.subtype,
                source_member_id=source_member_id,
                reporter_id=reporter_id,
                report_id=item.report_id,
                confidence=item.confidence,
                observed_at=observed,
                tlp=normalise_tlp(item.tlp or ("clear" if item.evidence == "report" else "green")),
                sharing_group=item.sharing_group,
                details=item.details or {},
                review="auto",
            )
        )
        touched.setdefault(indicator.id, indicator)
    session.flush()
    for indicator in touched.values():
        rescore(session, indicator, now=now)
    if items:
        append_audit(
            session,
            actor,
            "intel.evidence.add",
            f"member:{source_member_id}",
            {"items": len(items), "indicators": len(touched)},
        )
    return list(touched.values())


@dataclass(frozen=True)
class EvidenceRow:
    """Evidence joined with what scoring and access need about its source."""

    evidence: Evidence
    fact: EvidenceFact
    source_sector: str | None


def evidence_rows(session: Session, indicator_ids: Iterable[int]) -> dict[int, list[EvidenceRow]]:
    """Load the evidence of several indicators with reporter and member facts."""
    ids = list(indicator_ids)
    out: dict[int, list[EvidenceRow]] = {i: [] for i in ids}
    if not ids:
        return out
    query = (
        select(Evidence, Reporter, Member.sector)
        .outerjoin(Reporter, Reporter.id == Evidence.reporter_id)
        .outerjoin(Member, Member.id == Evidence.source_member_id)
        .where(Evidence.indicator_id.in_(ids))
        .order_by(Evidence.indicator_id, Evidence.observed_at, Evidence.id)
    )
    for ev, reporter, sector in session.execute(query):
        if reporter is not None:
            confirmed, rejected = reporter.confirmed_count or 0, reporter.rejected_count or 0
            trust = reporter_trust(confirmed, rejected)
            is_new = (
                confirmed == 0
                and rejected == 0
                and (ev.observed_at - reporter.first_seen_at < NEW_REPORTER_PERIOD)
            )
            reporter_key = reporter.number_hash
        else:
            trust = SECTOR_TRUST.get(sector or "public", 0.3) if ev.kind != "report" else 0.3
            is_new, reporter_key = ev.kind == "report", None
        fact = EvidenceFact(
            kind=ev.kind,
            subtype=ev.subtype or "",
            observed_at=ev.observed_at,
            source_member=ev.source_member_id,
            reporter=reporter_key,
            source_trust=trust,
            reporter_is_new=is_new,
            confidence=ev.confidence,
            review=ev.review or "auto",
        )
        out[ev.indicator_id].append(EvidenceRow(ev, fact, sector))
    return out


def assess_rows(
    session: Session,
    indicator: Indicator,
    rows: Sequence[EvidenceRow],
    *,
    now: datetime,
) -> Assessment:
    """Assess an indicator from a subset of its evidence rows."""
    allowlisted = current_allowlist(session).match(indicator.kind, indicator.value) is not None
    return assess(
        indicator.kind,
        [r.fact for r in rows],
        now=now,
        allowlisted=allowlisted,
        cleared_at=indicator.cleared_at,
    )


def rescore(session: Session, indicator: Indicator, *, now: datetime | None = None) -> Assessment:
    """Recompute and store an indicator's judgement for members and for the public.

    The stored score is what every member sees (CLEAR and GREEN evidence); the public
    score counts CLEAR evidence only. Scores that include AMBER, AMBER+STRICT or RED
    evidence exist only in the lookup index, per audience.

    Returns:
        The members' assessment.
    """
    now = now or utcnow()
    rows = evidence_rows(session, [indicator.id])[indicator.id]
    shared = [
        r for r in rows if r.evidence.tlp in ("clear", "green") and not r.evidence.sharing_group
    ]
    public = [r for r in shared if r.evidence.tlp == "clear"]
    result = assess_rows(session, indicator, shared, now=now)
    public_result = assess_rows(session, indicator, public, now=now)
    _mark_held(rows, shared, result)
    indicator.score = float(result.score)
    indicator.tier = result.tier
    indicator.reasons = result.reasons
    indicator.reason_codes = result.reason_codes
    indicator.public_score = public_result.score
    indicator.block_eligible = result.block_eligible
    indicator.n_reports, indicator.n_reporters = result.n_reports, result.n_reporters
    indicator.n_members = result.n_members
    indicator.restricted = len(shared) != len(rows)
    indicator.evidence_count = len(rows)
    levels = [TLP_ORDER.index(r.evidence.tlp) for r in rows]
    indicator.tlp = TLP_ORDER[min(levels)] if levels else "clear"
    if rows:
        indicator.first_seen_at = min(r.evidence.observed_at for r in rows)
        indicator.last_seen_at = max(r.evidence.observed_at for r in rows)
    indicator.status = _status(indicator, result)
    indicator.scored_at = now
    indicator.updated_at = utcnow()
    return result


def _mark_held(
    rows: Sequence[EvidenceRow], shared: Sequence[EvidenceRow], result: Assessment
) -> None:
    for position in result.held:
        evidence = shared[position].evidence
        if evidence.review == "auto":
            evidence.review = "held"


def _status(indicator: Indicator, result: Assessment) -> str:
    from scamtrace.intel.reasons import Reason

    if result.reason_codes & Reason.ALLOWLISTED:
        return "allowlisted"
    if indicator.cleared_at is not None and result.score == 0:
        return "cleared"
    if result.held_for_review:
        return "held"
    return "active"


def visible_evidence(
    session: Session,
    indicator: Indicator,
    principal,
) -> list[EvidenceRow]:
    """Return the evidence of an indicator that the caller may read (TLP and groups)."""
    rows = evidence_rows(session, [indicator.id])[indicator.id]
    return [
        r
        for r in rows
        if can_see_evidence(
            principal,
            tlp=r.evidence.tlp,
            sharing_group=r.evidence.sharing_group,
            source_member_id=r.evidence.source_member_id,
            source_sector=r.source_sector,
        )
    ]
