"""MISP JSON export: one event of attributes with TLP tags, sightings and decay hints.

Attribute types and categories follow MISP's ``describeTypes``: phone numbers and bank
accounts under *Financial fraud*, domains and URLs under *Network activity*. Member
sightings become MISP sightings (type 0 seen, 1 false positive) under the member's name;
citizen reports become one hub sighting with their count, never per reporter.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from scamtrace.intel.models import Indicator
from scamtrace.intel.service import EvidenceRow
from scamtrace.intel.stix import STIX_NAMESPACE

_TYPES = {
    "phone": ("phone-number", "Financial fraud"),
    "short_code": ("phone-number", "Financial fraud"),
    "ussd": ("phone-number", "Financial fraud"),
    "bank_account": ("bank-account-nr", "Financial fraud"),
    "promptpay": ("bank-account-nr", "Financial fraud"),
    "domain": ("domain", "Network activity"),
    "url": ("url", "Network activity"),
    "email": ("email", "Payload delivery"),
}
#: MISP distribution levels for TLP: 3 all communities, 1 this community, 0 this org.
_DISTRIBUTION = {"clear": "3", "green": "1", "amber": "0", "amber+strict": "0", "red": "0"}
_THREAT_LEVEL = {"very_high": "1", "high": "1", "medium": "2", "low": "3", "none": "4"}


def _epoch(moment: datetime | None) -> str:
    return str(int((moment or datetime.now(UTC)).timestamp()))


def _uuid(name: str) -> str:
    return str(uuid.uuid5(STIX_NAMESPACE, f"misp:{name}"))


def misp_attribute(
    indicator: Indicator,
    rows: Sequence[EvidenceRow],
    member_names: dict[int, str],
) -> dict[str, Any] | None:
    """Return the MISP attribute of an indicator with the sightings the caller may see."""
    if indicator.kind == "national_id":
        return None  # only a keyed hash exists; it means nothing outside the hub
    attr_type, category = _TYPES.get(indicator.kind, ("text", "Other"))
    level = "clear" if indicator.public_score >= indicator.score else "green"
    sightings = []
    reports = [r for r in rows if r.evidence.kind == "report"]
    if reports:
        sightings.append(
            {
                "type": "0",
                "source": f"citizen reports x{len(reports)}",
                "date_sighting": _epoch(max(r.evidence.observed_at for r in reports)),
            }
        )
    for row in rows:
        ev = row.evidence
        # Findings and confirmations are a member seeing it too; opinions are not sightings.
        if ev.kind in ("report", "opinion") or ev.source_member_id is None:
            continue
        sightings.append(
            {
                "type": "1" if ev.subtype == "false_positive" else "0",
                "source": member_names.get(ev.source_member_id, f"member {ev.source_member_id}"),
                "date_sighting": _epoch(ev.observed_at),
            }
        )
    return {
        "uuid": _uuid(f"{indicator.kind}:{indicator.value}"),
        "type": attr_type,
        "category": category,
        "value": indicator.value,
        "to_ids": indicator.tier in ("high", "very_high"),
        "distribution": _DISTRIBUTION[level],
        "timestamp": _epoch(indicator.updated_at),
        "first_seen": indicator.first_seen_at.isoformat(),
        "last_seen": indicator.last_seen_at.isoformat(),
        "comment": f"{indicator.kind}; score {int(indicator.score)}; "
        + "; ".join(indicator.reasons or []),
        "Tag": [{"name": f"tlp:{level}"}, {"name": f'scamtrace:tier="{indicator.tier}"'}],
        "Sighting": sightings,
    }


def misp_event(
    attributes: list[dict[str, Any]], *, info: str, tier: str = "high"
) -> dict[str, Any]:
    """Wrap attributes in a MISP event document (``{"Event": {...}}``)."""
    now = datetime.now(UTC)
    return {
        "Event": {
            "uuid": str(uuid.uuid4()),
            "info": info,
            "date": now.date().isoformat(),
            "timestamp": _epoch(now),
            "threat_level_id": _THREAT_LEVEL.get(tier, "2"),
            "analysis": "2",
            "distribution": "1",
            "published": False,
            "Orgc": {"name": "scamtrace alliance hub", "uuid": _uuid("orgc")},
            "Tag": [{"name": "tlp:green"}],
            "Attribute": attributes,
        }
    }
