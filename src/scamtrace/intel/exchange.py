"""Bulk exchange: export as STIX, MISP or CSV; import CSV rows or a STIX bundle.

Exports apply the same TLP rules as every read path (the caller sees only evidence its
role and groups allow) and are audited. Imports become evidence of the named member.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scamtrace.errors import InvalidDataFile, InvalidIdentifier
from scamtrace.intel.misp import misp_attribute, misp_event
from scamtrace.intel.models import Indicator
from scamtrace.intel.scoring import TIER_FLOORS
from scamtrace.intel.service import NewEvidence, add_evidence, visible_evidence
from scamtrace.intel.stix import evidence_objects, indicator_objects, make_bundle
from scamtrace.orgs.audit import append_audit
from scamtrace.orgs.models import Member

CSV_COLUMNS = ("kind", "value", "evidence", "confidence")
#: CSV ``evidence`` values: an evidence kind, optionally ``kind/subtype``.
_DEFAULT_SUBTYPE = {
    "report": "partner",
    "sighting": "true_positive",
    "analytics": "network",
    "authority": "confirmed",
    "opinion": "agree",
}


def select_indicators(
    session: Session,
    *,
    min_tier: str = "low",
    kinds: tuple[str, ...] | None = None,
    added_after: datetime | None = None,
    limit: int | None = None,
) -> list[Indicator]:
    """Indicators with an alliance judgement at or above ``min_tier``, oldest change first."""
    query = select(Indicator).where(Indicator.score >= TIER_FLOORS.get(min_tier, 1))
    if kinds:
        query = query.where(Indicator.kind.in_(kinds))
    if added_after is not None:
        query = query.where(Indicator.updated_at > added_after)
    query = query.order_by(Indicator.updated_at, Indicator.id)
    if limit:
        query = query.limit(limit)
    return list(session.execute(query).scalars())


def _member_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Member.id, Member.name)).all())


def stix_objects_for(
    session: Session, principal, indicators: list[Indicator]
) -> list[dict[str, Any]]:
    """STIX objects (indicators, sightings, opinions, identities) a caller may see."""
    names = _member_names(session)
    objects: list[dict[str, Any]] = []
    for indicator in indicators:
        rows = visible_evidence(session, indicator, principal)
        objects.extend(indicator_objects(indicator))
        extra, identities = evidence_objects(indicator, rows, names)
        objects.extend(identities + extra)
    return objects


def export_indicators(
    session: Session,
    *,
    principal,
    fmt: str,
    min_tier: str = "low",
    kinds: tuple[str, ...] | None = None,
) -> str:
    """Export indicators as ``stix`` (a bundle), ``misp`` (an event) or ``csv`` (audited).

    Returns:
        The document as text.
    """
    indicators = select_indicators(session, min_tier=min_tier, kinds=kinds)
    append_audit(
        session,
        principal.actor,
        "intel.export",
        f"export:{fmt}",
        {"indicators": len(indicators), "min_tier": min_tier},
    )
    if fmt == "stix":
        return json.dumps(make_bundle(stix_objects_for(session, principal, indicators)), indent=1)
    if fmt == "misp":
        names = _member_names(session)
        attributes = [
            a
            for i in indicators
            if (a := misp_attribute(i, visible_evidence(session, i, principal), names))
        ]
        return json.dumps(misp_event(attributes, info="scamtrace alliance indicators"), indent=1)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["kind", "value", "tier", "score", "first_seen", "last_seen", "reasons"])
        for i in indicators:
            writer.writerow(
                [
                    i.kind,
                    i.value,
                    i.tier,
                    int(i.score),
                    i.first_seen_at.isoformat(),
                    i.last_seen_at.isoformat(),
                    "; ".join(i.reasons or []),
                ]
            )
        return out.getvalue()
    raise InvalidDataFile(f"unknown export format {fmt!r}; use stix, misp or csv")


def _csv_items(text: str) -> list[NewEvidence]:
    reader = csv.DictReader(io.StringIO(text))
    missing = set(CSV_COLUMNS) - set(reader.fieldnames or ())
    if missing:
        raise InvalidDataFile(
            f"CSV needs columns {', '.join(CSV_COLUMNS)}; missing {sorted(missing)}"
        )
    items = []
    for line, row in enumerate(reader, start=2):
        evidence, _, subtype = (row["evidence"] or "").partition("/")
        try:
            confidence = float(row["confidence"] or 1.0)
        except ValueError:
            raise InvalidDataFile(
                f"line {line}: confidence {row['confidence']!r} is not a number"
            ) from None
        items.append(
            NewEvidence(
                row["kind"],
                row["value"],
                evidence,
                subtype or _DEFAULT_SUBTYPE.get(evidence, ""),
                confidence,
                tlp=row.get("tlp") or "green",
            )
        )
    return items


_PATTERN = re.compile(r"^\[([a-z0-9-]+):(value|imsi|imei) = '((?:[^'\\]|\\.)*)'\]$")
_ACCOUNT_PATTERN = re.compile(
    r"^\[user-account:account_type = '([a-z-]+)' AND "
    r"user-account:account_login = '((?:[^'\\]|\\.)*)'\]$"
)
_KIND_OF_TYPE = {
    ("phone-number", "value"): "phone",
    ("thai-bank-account", "value"): "bank_account",
    ("url", "value"): "url",
    ("domain-name", "value"): "domain",
    ("email-addr", "value"): "email",
    ("sim-card", "imsi"): "imsi",
    ("sim-card", "imei"): "imei",
}
_KIND_OF_ACCOUNT = {
    "sms-sender-id": "sender_id",
    "line": "line_id",
    "cryptocurrency-wallet": "wallet",
}


def _identifier_of(pattern: str) -> tuple[str, str] | None:
    if match := _PATTERN.match(pattern):
        kind = _KIND_OF_TYPE.get((match.group(1), match.group(2)))
        value = match.group(3).replace("\\'", "'")
        if kind == "phone" and re.fullmatch(r"[0-9]{3,5}", value):
            kind = "short_code"
        return (kind, value) if kind else None
    if match := _ACCOUNT_PATTERN.match(pattern):
        kind = _KIND_OF_ACCOUNT.get(match.group(1))
        return (kind, match.group(2).replace("\\'", "'")) if kind else None
    return None


def _stix_items(document: dict[str, Any]) -> list[NewEvidence]:
    from scamtrace.intel.stix import TLP_MARKINGS

    tlp_of = {ref: level for level, ref in TLP_MARKINGS.items()}
    items = []
    for obj in document.get("objects", []):
        if obj.get("type") != "indicator":
            continue
        identifier = _identifier_of(obj.get("pattern", ""))
        if identifier is None:
            continue  # patterns beyond one identifier are not hub indicators
        tlp = next((tlp_of[m] for m in obj.get("object_marking_refs", []) if m in tlp_of), "green")
        confidence = min(obj.get("confidence", 80), 100) / 100
        items.append(NewEvidence(*identifier, "sighting", "true_positive", confidence, tlp=tlp))
    return items


def import_file(
    session: Session, *, path: Path, source_member_id: int, actor: str
) -> tuple[int, int]:
    """Load evidence from a CSV (kind,value,evidence,confidence) or a STIX 2.1 bundle.

    Rows with identifiers that cannot be canonicalised are skipped and counted.

    Returns:
        ``(accepted, skipped)``.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidDataFile(f"cannot read {path}: {exc}") from None
    if text.lstrip().startswith("{"):
        try:
            items = _stix_items(json.loads(text))
        except json.JSONDecodeError as exc:
            raise InvalidDataFile(f"{path} is not valid JSON: {exc}") from None
    else:
        items = _csv_items(text)
    accepted: list[NewEvidence] = []
    skipped = 0
    from scamtrace.intel.service import canonical

    for item in items:
        try:
            canonical(item.kind, item.raw_value)
            accepted.append(item)
        except InvalidIdentifier:
            skipped += 1
    add_evidence(session, items=accepted, source_member_id=source_member_id, actor=actor)
    return len(accepted), skipped
