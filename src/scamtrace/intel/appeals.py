"""Appeals: the owner of a number or account disputes; an analyst decides.

Thailand's anti-online-scam centre releases genuine accounts within half a day, so an
appeal carries a service-level clock (12 hours by default) and the queue shows which
are overdue. A granted appeal clears the indicator at once (its score drops to zero
and the lookup index is republished by the caller); it stays cleared unless new
evidence arrives from sources that had not reported it before. The reporters of a
cleared indicator lose trust, so a false accusation costs its authors. Every step
writes an audit row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from scamtrace.errors import Conflict, InvalidInput, NotFound
from scamtrace.intel.models import Appeal, Evidence, Indicator
from scamtrace.intel.service import find_indicator, rescore
from scamtrace.keyed_hash import keyed_hash
from scamtrace.orgs.audit import append_audit
from scamtrace.reports.models import Reporter
from scamtrace.store.base import utcnow

DEFAULT_SLA = timedelta(hours=12)


@dataclass(frozen=True)
class AppealView:
    """An appeal with its indicator and whether its clock ran out."""

    appeal: Appeal
    indicator: Indicator
    overdue: bool


def open_appeal(
    session: Session,
    *,
    kind: str,
    raw: str,
    contact: str,
    reason: str,
    actor: str,
    sla: timedelta = DEFAULT_SLA,
    now: datetime | None = None,
) -> Appeal:
    """Open an owner's dispute of an indicator.

    Args:
        session: the store session.
        kind: identifier kind.
        raw: the identifier in any written form.
        contact: how to reach the owner; stored only as a keyed hash.
        reason: the owner's explanation.
        actor: audit actor.
        sla: time the analysts have to decide.
        now: the opening time.

    Returns:
        The open appeal.

    Raises:
        NotFound: the hub holds nothing on this identifier.
        Conflict: an appeal on it is already open.
    """
    now = now or utcnow()
    if not reason.strip() or not contact.strip():
        raise InvalidInput("an appeal needs the owner's contact and a reason")
    indicator = find_indicator(session, kind=kind, raw=raw)
    already = session.execute(
        select(Appeal).where(Appeal.indicator_id == indicator.id, Appeal.status == "open")
    ).scalar_one_or_none()
    if already is not None:
        raise Conflict(f"appeal {already.id} on this identifier is already open")
    appeal = Appeal(
        indicator_id=indicator.id,
        appellant_contact_hash=keyed_hash("appellant", contact.strip()),
        reason=reason.strip()[:4000],
        status="open",
        opened_at=now,
        sla_due_at=now + sla,
    )
    session.add(appeal)
    session.flush()
    append_audit(
        session,
        actor,
        "intel.appeal.open",
        f"appeal:{appeal.id}",
        {
            "indicator": f"{indicator.kind}:{indicator.value}",
            "sla_due_at": appeal.sla_due_at.isoformat(),
        },
    )
    return appeal


def _adjust_reporters(session: Session, indicator: Indicator, *, rejected: bool) -> int:
    reporter_ids = (
        session.execute(
            select(Evidence.reporter_id)
            .where(Evidence.indicator_id == indicator.id, Evidence.reporter_id.is_not(None))
            .distinct()
        )
        .scalars()
        .all()
    )
    for reporter in session.execute(
        select(Reporter).where(Reporter.id.in_(reporter_ids))
    ).scalars():
        if rejected:
            reporter.rejected_count = (reporter.rejected_count or 0) + 1
        else:
            reporter.confirmed_count = (reporter.confirmed_count or 0) + 1
    return len(reporter_ids)


def decide_appeal(
    session: Session,
    *,
    appeal_id: int,
    grant: bool,
    note: str,
    principal,
    now: datetime | None = None,
) -> AppealView:
    """Grant (clear the indicator) or deny an open appeal.

    Args:
        session: the store session.
        appeal_id: the appeal.
        grant: ``True`` clears the indicator.
        note: the analyst's reasoning (kept with the appeal and in the audit log).
        principal: the deciding analyst.
        now: decision time.

    Returns:
        The decided appeal with its indicator.
    """
    now = now or utcnow()
    appeal = session.get(Appeal, appeal_id)
    if appeal is None:
        raise NotFound(f"no appeal {appeal_id}")
    if appeal.status != "open":
        raise Conflict(f"appeal {appeal_id} is already {appeal.status}")
    indicator = session.get(Indicator, appeal.indicator_id)
    appeal.status = "granted" if grant else "denied"
    appeal.decided_at = now
    appeal.decided_by_member_id = principal.member_id
    appeal.decision_note = note
    if grant:
        indicator.cleared_at = now
        _adjust_reporters(session, indicator, rejected=True)
    rescore(session, indicator, now=now)
    append_audit(
        session,
        principal.actor,
        f"intel.appeal.{appeal.status}",
        f"appeal:{appeal.id}",
        {
            "indicator": f"{indicator.kind}:{indicator.value}",
            "note": note,
            "within_sla": now <= appeal.sla_due_at,
        },
    )
    return AppealView(appeal, indicator, now > appeal.sla_due_at)


def list_appeals(
    session: Session,
    *,
    status: str | None = "open",
    now: datetime | None = None,
) -> list[AppealView]:
    """Return appeals (open ones by default), oldest deadline first, with overdue flags."""
    now = now or utcnow()
    query = select(Appeal, Indicator).join(Indicator, Indicator.id == Appeal.indicator_id)
    if status:
        query = query.where(Appeal.status == status)
    rows = session.execute(query.order_by(Appeal.sla_due_at, Appeal.id)).all()
    return [AppealView(a, i, a.status == "open" and now > a.sla_due_at) for a, i in rows]


def review_held_evidence(
    session: Session,
    *,
    kind: str,
    raw: str,
    accept: bool,
    principal,
    now: datetime | None = None,
) -> Indicator:
    """Accept or reject evidence held for review (a burst) on one indicator.

    Accepting lets the reports count and raises their reporters' trust; rejecting
    discards them from scoring for good and lowers it.

    Returns:
        The rescored indicator.
    """
    indicator = find_indicator(session, kind=kind, raw=raw)
    held = (
        session.execute(
            select(Evidence).where(Evidence.indicator_id == indicator.id, Evidence.review == "held")
        )
        .scalars()
        .all()
    )
    if not held:
        raise Conflict(f"nothing is held for review on {indicator.kind} {indicator.value}")
    reporters = {e.reporter_id for e in held if e.reporter_id is not None}
    for evidence in held:
        evidence.review = "accepted" if accept else "rejected"
    for reporter in session.execute(select(Reporter).where(Reporter.id.in_(reporters))).scalars():
        if accept:
            reporter.confirmed_count = (reporter.confirmed_count or 0) + 1
        else:
            reporter.rejected_count = (reporter.rejected_count or 0) + 1
    session.flush()
    rescore(session, indicator, now=now)
    append_audit(
        session,
        principal.actor,
        "intel.review." + ("accept" if accept else "reject"),
        f"indicator:{indicator.kind}:{indicator.value}",
        {"evidence": len(held)},
    )
    return indicator
