"""Analytics findings (mule SIMs, mule accounts, network members) as evidence in the hub.

The batch side writes its results as files a person can read (``scamtrace sims``,
``scamtrace mules``, ``scamtrace networks``); this module reads those files and adds each
flagged entity as ``analytics`` evidence of the member that ran the analysis, with its
score as the confidence and its reasons and network id as details. The hub's scoring and
anti-poisoning rules then decide what a bank or telco sees: a finding is evidence, not a
verdict.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from scamtrace.errors import InvalidDataFile, InvalidIdentifier
from scamtrace.identifiers import parse
from scamtrace.intel.service import NewEvidence, add_evidence

#: Entity kinds of ``members.csv`` (the simulator's truth spelling) as hub indicator kinds.
#: Persons are only national-id hashes and devices are handsets: neither is blocked by
#: a lookup, so they stay in the network files for investigators.
NETWORK_KINDS = {"sim": "phone", "account": "bank_account", "url": "url", "domain": "domain"}
#: Findings shared at most per file: the hub is for what members act on, not for rankings.
MAX_FINDINGS_PER_FILE = 100_000


@dataclass(frozen=True)
class Finding:
    """One flagged entity from a batch analysis."""

    kind: str
    value: str
    subtype: str
    score: float
    reasons: str = ""
    network_id: str | None = None


def _rows(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    if not path.is_file():
        raise InvalidDataFile(f"{path} does not exist")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in required if column not in (reader.fieldnames or [])]
        if missing:
            raise InvalidDataFile(f"{path.name} lacks columns: {', '.join(missing)}")
        return list(reader)[:MAX_FINDINGS_PER_FILE]


def _flagged(row: dict[str, str]) -> bool:
    return row.get("flagged", "").strip().lower() in ("true", "1", "yes")


def read_findings(*, sims: Path | None = None, mules: Path | None = None,
                  networks: Path | None = None, traced: Path | None = None) -> list[Finding]:
    """Read flagged SIMs, flagged accounts and non-victim network members.

    Args:
        sims: ``scamtrace sims`` output (msisdn, score, flagged, reasons).
        mules: ``scamtrace mules`` output (account, score, flagged, reasons).
        networks: ``scamtrace networks`` ``members.csv`` (network_id, kind, id, role, score).
        traced: ``scamtrace trace`` ``accounts.csv``; when given, only flagged accounts that
            also received traced victim money are shared. A typology score alone flags busy
            honest merchants too: it is a lead for the bank's own review, and the hub is
            what other members act on.

    Returns:
        The findings, in file order.

    Raises:
        InvalidDataFile: a missing file or a file without the expected columns.
    """
    findings: list[Finding] = []
    if sims is not None:
        findings += [Finding("phone", row["msisdn"], "mule_sim", float(row["score"]), row.get("reasons", ""))
                     for row in _rows(sims, ("msisdn", "score", "flagged")) if _flagged(row)]
    if mules is not None:
        on_trails = ({row["account"] for row in _rows(traced, ("account",))}
                     if traced is not None else None)
        findings += [Finding("bank_account", row["account"], "mule_account", float(row["score"]),
                             row.get("reasons", ""))
                     for row in _rows(mules, ("account", "score", "flagged"))
                     if _flagged(row) and (on_trails is None or row["account"] in on_trails)]
    if networks is not None:
        for row in _rows(networks, ("network_id", "kind", "id", "role", "score")):
            if row["role"] == "victim" or row["kind"] not in NETWORK_KINDS:
                continue
            findings.append(Finding(NETWORK_KINDS[row["kind"]], row["id"], "network",
                                    float(row["score"]), f"{row['role']} in network {row['network_id']}",
                                    row["network_id"]))
    return findings


def share_findings(session: Session, findings: Iterable[Finding], *, source_member_id: int,
                   actor: str, tlp: str = "green") -> tuple[int, int]:
    """Add findings as analytics evidence of one member (the caller commits).

    Args:
        session: the store session.
        findings: from :func:`read_findings`.
        source_member_id: the member that ran the analysis.
        actor: audit actor.
        tlp: sharing level; GREEN (the alliance, not the public) by default.

    Returns:
        ``(shared, skipped)``: skipped findings name an identifier the hub cannot parse.
    """
    items, skipped = [], 0
    for finding in findings:
        try:
            parse(finding.kind, finding.value)
        except InvalidIdentifier:
            skipped += 1
            continue
        details = {"reasons": finding.reasons[:500]}
        if finding.network_id:
            details["network_id"] = finding.network_id
        items.append(NewEvidence(kind=finding.kind, raw_value=finding.value, evidence="analytics",
                                 subtype=finding.subtype, confidence=min(max(finding.score, 0.0), 1.0),
                                 tlp=tlp, details=details))
    if items:
        add_evidence(session, items=items, source_member_id=source_member_id, actor=actor)
    return len(items), skipped
