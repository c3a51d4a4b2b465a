"""STIX 2.1 export: indicators, sightings, opinions and identities, with TLP 2.0 markings.

STIX has no cyber-observable for a phone number, a Thai bank account or a SIM card, so
the hub publishes three ``extension-definition`` objects (``new-sco``) and uses their
types in indicator patterns: ``[phone-number:value = '+66812345678']``. Object ids are
UUIDv5 of stable names, so re-exporting yields the same ids and consumers deduplicate.
Citizen reports travel only as a count on a hub sighting, never one by one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from scamtrace.intel.models import Indicator
from scamtrace.intel.service import EvidenceRow

#: Namespace of scamtrace's deterministic STIX ids.
STIX_NAMESPACE = uuid.UUID("6f0b9a52-1d5e-5c8a-9d7e-2b61f3c0a417")
HUB_NAME = "scamtrace alliance hub"
EPOCH = "2026-01-01T00:00:00.000Z"
#: TLP 2.0 marking definitions published by OASIS (cti-stix-common-objects, tlp-2.0).
TLP_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP_MARKINGS = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
#: New SCO types defined by the hub's extension definitions, with their descriptions.
EXTENSION_TYPES = {
    "phone-number": "A telephone number in E.164, a Thai short code or a USSD code.",
    "thai-bank-account": "A Thai bank account as <3-digit bank code>:<digits>, or a PromptPay id.",
    "sim-card": "A SIM card by IMSI, or the handset by IMEI.",
}
_PATTERN_TYPE = {
    "phone": ("phone-number", "value"),
    "short_code": ("phone-number", "value"),
    "ussd": ("phone-number", "value"),
    "bank_account": ("thai-bank-account", "value"),
    "promptpay": ("thai-bank-account", "value"),
    "imsi": ("sim-card", "imsi"),
    "imei": ("sim-card", "imei"),
    "url": ("url", "value"),
    "domain": ("domain-name", "value"),
    "email": ("email-addr", "value"),
}
_ACCOUNT_TYPES = {
    "sender_id": "sms-sender-id",
    "line_id": "line",
    "wallet": "cryptocurrency-wallet",
}


def stix_id(object_type: str, name: str) -> str:
    """Return the deterministic STIX id of an object of ``object_type`` named ``name``."""
    return f"{object_type}--{uuid.uuid5(STIX_NAMESPACE, f'{object_type}:{name}')}"


def stix_timestamp(moment: datetime | None) -> str:
    moment = (moment or datetime(2026, 1, 1, tzinfo=UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def pattern_for(kind: str, value: str) -> str | None:
    """Return the STIX pattern of a canonical identifier (``None`` for national ids)."""
    if kind in _PATTERN_TYPE:
        sco, prop = _PATTERN_TYPE[kind]
        return f"[{sco}:{prop} = '{_quote(value)}']"
    if kind in _ACCOUNT_TYPES:
        return (
            f"[user-account:account_type = '{_ACCOUNT_TYPES[kind]}' AND "
            f"user-account:account_login = '{_quote(value)}']"
        )
    return None


def hub_identity() -> dict[str, Any]:
    """The identity of the hub, creator of every exported object."""
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": stix_id("identity", HUB_NAME),
        "created": EPOCH,
        "modified": EPOCH,
        "name": HUB_NAME,
        "identity_class": "organization",
        "description": "The alliance's shared intelligence hub against call-centre and SMS scams.",
    }


def member_identity(member_id: int, name: str, sector: str | None) -> dict[str, Any]:
    """The identity of a member organisation."""
    sectors = {
        "bank": "financial-services",
        "telco": "telecommunications",
        "police": "government-national",
        "regulator": "government-national",
        "platform": "technology",
    }
    identity = {
        "type": "identity",
        "spec_version": "2.1",
        "id": stix_id("identity", f"member:{member_id}"),
        "created": EPOCH,
        "modified": EPOCH,
        "name": name,
        "identity_class": "organization",
    }
    if sector in sectors:
        identity["sectors"] = [sectors[sector]]
    return identity


#: The properties of each new SCO type: (name, description, example).
EXTENSION_PROPERTIES = {
    "phone-number": [("value", "E.164 number, Thai short code or USSD code", "+66812345678")],
    "thai-bank-account": [
        ("value", "<3-digit bank code>:<digits>, or a PromptPay id", "004:1234567890")
    ],
    "sim-card": [
        ("imsi", "15-digit IMSI (520... in Thailand)", "520031234567890"),
        ("imei", "15-digit IMEI of the handset (Luhn)", "356938035643809"),
    ],
}


def extension_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of one of the hub's new SCO types (served at /v1/stix/extensions)."""
    properties = {
        "type": {"const": name},
        "id": {"type": "string", "pattern": f"^{name}--"},
        "spec_version": {"const": "2.1"},
        "extensions": {"type": "object"},
    }
    for prop, description, example in EXTENSION_PROPERTIES[name]:
        properties[prop] = {"type": "string", "description": description, "examples": [example]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": name,
        "description": EXTENSION_TYPES[name],
        "type": "object",
        "required": ["type", "id", "extensions"],
        "properties": properties,
    }


def extension_definitions() -> list[dict[str, Any]]:
    """The hub's published extension definitions (in every bundle and TAXII collection).

    The ``schema`` is a plain-text definition (STIX allows text or a URL), so the object
    is the same whichever host serves it; the JSON Schema is also served by every hub
    at ``/v1/stix/extensions/<name>.json``.
    """
    creator = hub_identity()["id"]
    out = []
    for name, description in EXTENSION_TYPES.items():
        fields = "; ".join(f"{prop}: {text}" for prop, text, _ in EXTENSION_PROPERTIES[name])
        out.append(
            {
                "type": "extension-definition",
                "spec_version": "2.1",
                "id": stix_id("extension-definition", name),
                "created_by_ref": creator,
                "created": EPOCH,
                "modified": EPOCH,
                "name": name,
                "description": description,
                "schema": f"A {name} cyber-observable with the string properties {fields}. "
                f"JSON Schema: /v1/stix/extensions/{name}.json on a scamtrace hub.",
                "version": "1.0.0",
                "extension_types": ["new-sco"],
            }
        )
    return out


def tlp_marking(level: str) -> dict[str, Any]:
    """The OASIS TLP 2.0 marking-definition object of a level."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP_MARKINGS[level],
        "created": "2022-10-01T00:00:00.000Z",
        "name": f"TLP:{level.upper()}",
        "extensions": {TLP_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": level}},
    }


def indicator_objects(indicator: Indicator) -> list[dict[str, Any]]:
    """The STIX indicator of an indicator (and its SCO for the extension types)."""
    pattern = pattern_for(indicator.kind, indicator.value)
    if pattern is None:
        return []
    # The alliance judgement counts CLEAR and GREEN evidence: CLEAR only if CLEAR
    # evidence alone explains the score.
    level = "clear" if indicator.public_score >= indicator.score else "green"
    name = f"{indicator.kind}:{indicator.value}"
    out: list[dict[str, Any]] = [
        {
            "type": "indicator",
            "spec_version": "2.1",
            "id": stix_id("indicator", name),
            "created_by_ref": hub_identity()["id"],
            "created": stix_timestamp(indicator.first_seen_at),
            "modified": stix_timestamp(indicator.updated_at),
            "name": f"scam {indicator.kind} {indicator.value}",
            "description": "; ".join(indicator.reasons or []) or "no current evidence",
            "indicator_types": ["malicious-activity"] if indicator.score > 0 else ["benign"],
            "pattern": pattern,
            "pattern_type": "stix",
            "valid_from": stix_timestamp(indicator.first_seen_at),
            "confidence": int(indicator.score),
            "labels": [f"tier:{indicator.tier}"],
            "object_marking_refs": [TLP_MARKINGS[level]],
        }
    ]
    sco_type = _PATTERN_TYPE.get(indicator.kind, ("",))[0]
    if sco_type in EXTENSION_TYPES:
        prop = _PATTERN_TYPE[indicator.kind][1]
        out.append(
            {
                "type": sco_type,
                "spec_version": "2.1",
                "id": stix_id(sco_type, name),
                prop: indicator.value,
                "extensions": {
                    stix_id("extension-definition", sco_type): {"extension_type": "new-sco"}
                },
            }
        )
    return out


def evidence_objects(
    indicator: Indicator, rows: Sequence[EvidenceRow], member_names: dict[int, str]
):
    """Sightings and opinions for the evidence a caller may see, plus their identities."""
    objects: list[dict[str, Any]] = []
    identities: dict[str, dict[str, Any]] = {}
    target = stix_id("indicator", f"{indicator.kind}:{indicator.value}")
    reports = [r for r in rows if r.evidence.kind == "report"]
    if reports:
        objects.append(_sighting(target, hub_identity()["id"], reports, "citizen reports", "green"))
    for row in rows:
        ev = row.evidence
        if ev.kind == "report" or ev.source_member_id is None:
            continue
        who = member_identity(
            ev.source_member_id, member_names.get(ev.source_member_id, "member"), row.source_sector
        )
        identities[who["id"]] = who
        if ev.kind == "opinion" or (ev.kind == "sighting" and ev.subtype == "false_positive"):
            opinion = {"agree": "agree", "disagree": "disagree"}.get(
                ev.subtype, "strongly-disagree"
            )
            objects.append(
                {
                    "type": "opinion",
                    "spec_version": "2.1",
                    "id": stix_id("opinion", f"evidence:{ev.id}"),
                    "created_by_ref": who["id"],
                    "created": stix_timestamp(ev.observed_at),
                    "modified": stix_timestamp(ev.observed_at),
                    "opinion": opinion,
                    "object_refs": [target],
                    "explanation": f"{ev.kind} {ev.subtype}",
                    "object_marking_refs": [TLP_MARKINGS[ev.tlp]],
                }
            )
        else:
            objects.append(
                _sighting(
                    target,
                    who["id"],
                    [row],
                    f"{ev.kind} {ev.subtype}",
                    ev.tlp,
                    sighting_id=f"evidence:{ev.id}",
                )
            )
    return objects, list(identities.values())


def _sighting(
    target: str,
    where: str,
    rows: Sequence[EvidenceRow],
    description: str,
    tlp: str,
    sighting_id: str | None = None,
) -> dict[str, Any]:
    first = min(r.evidence.observed_at for r in rows)
    last = max(r.evidence.observed_at for r in rows)
    return {
        "type": "sighting",
        "spec_version": "2.1",
        "id": stix_id("sighting", sighting_id or f"{target}:{where}"),
        "created_by_ref": hub_identity()["id"],
        "created": stix_timestamp(first),
        "modified": stix_timestamp(last),
        "sighting_of_ref": target,
        "where_sighted_refs": [where],
        "count": len(rows),
        "first_seen": stix_timestamp(first),
        "last_seen": stix_timestamp(last),
        "description": description,
        "object_marking_refs": [TLP_MARKINGS[tlp]],
    }


def make_bundle(objects: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Wrap objects in a bundle with the identities, markings and extensions they use."""
    body = list(objects)
    used = {ref for o in body for ref in o.get("object_marking_refs", [])}
    header = [hub_identity(), *extension_definitions()]
    header += [tlp_marking(level) for level, ref in TLP_MARKINGS.items() if ref in used]
    seen: set[str] = set()
    unique = [o for o in header + body if not (o["id"] in seen or seen.add(o["id"]))]
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": unique}
