"""Defences against poisoning: nobody gets an innocent number blocked on their own.

Two rules, after the abuse seen on crowd-sourced blocklists (competitors and ex-partners
mass-reporting a shop's number) and MISP's lesson that false-positive handling must be
built in, not bolted on:

1. **Block needs corroboration.** An indicator is *block eligible* only with an authority
   confirmation, evidence from a trusted member (a bank's or telco's confirmed sighting or
   analytics finding), or at least :data:`MIN_TRUSTED_REPORTERS` distinct trusted citizen
   reporters. Otherwise the score is capped below the ``very_high`` tier.
2. **Bursts are held.** Many reports from new reporters (no track record) against one
   identifier within :data:`BURST_WINDOW` are held for an analyst instead of being scored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from scamtrace.intel.evidence import EvidenceFact

#: Reporter trust at or above which a citizen counts as "trusted" (see reporter_trust).
TRUSTED_REPORTER = 0.5
#: Member trust at or above which a member's own finding can justify a block.
TRUSTED_MEMBER = 0.7
MIN_TRUSTED_REPORTERS = 3
#: A paid or scripted campaign reports within hours; an organic wave after a scam SMS
#: blast spreads over the day and mixes in reporters with a track record.
BURST_WINDOW = timedelta(hours=2)
#: Reports from new reporters within the window that make a burst.
BURST_MIN_REPORTS = 8
#: Share of the window's reports that must come from new reporters.
BURST_NEW_SHARE = 0.8


@dataclass(frozen=True)
class BurstFinding:
    """Reports held for review because they arrived as a burst from new reporters.

    Attributes:
        held: positions (in the evidence sequence) of the held reports.
        window_start: the first report of the densest window.
    """

    held: frozenset[int]
    window_start: object | None

    @property
    def is_burst(self) -> bool:
        return bool(self.held)


def find_report_burst(facts: Sequence[EvidenceFact]) -> BurstFinding:
    """Find a burst of reports from new reporters against one identifier.

    Reports an analyst already accepted (``review == "accepted"``) are never re-held.

    Args:
        facts: every piece of evidence on one indicator.

    Returns:
        The positions to hold (empty when there is no burst).
    """
    reports = sorted(
        (i for i, f in enumerate(facts) if f.kind == "report" and f.review != "accepted"),
        key=lambda i: facts[i].observed_at,
    )
    held: set[int] = set()
    window_start = None
    start = 0
    for end in range(len(reports)):
        while facts[reports[end]].observed_at - facts[reports[start]].observed_at > BURST_WINDOW:
            start += 1
        window = reports[start : end + 1]
        new = [i for i in window if facts[i].reporter_is_new]
        if len(new) >= BURST_MIN_REPORTS and len(new) / len(window) >= BURST_NEW_SHARE:
            if window_start is None:
                window_start = facts[window[0]].observed_at
            held.update(new)
    return BurstFinding(held=frozenset(held), window_start=window_start)


def is_block_eligible(facts: Sequence[EvidenceFact]) -> bool:
    """Whether the (already filtered, non-held) evidence may justify a block.

    Args:
        facts: the evidence that counts towards the score.

    Returns:
        True with an authority confirmation, a trusted member's positive finding, or
        enough distinct trusted reporters; a single untrusted source never suffices.
    """
    trusted_reporters: set[str] = set()
    for fact in facts:
        if fact.kind == "authority":
            return True
        if fact.kind in ("sighting", "analytics") and fact.source_trust >= TRUSTED_MEMBER:
            if fact.kind == "analytics" and fact.confidence < 0.7:
                continue
            if fact.kind == "sighting" and fact.subtype != "true_positive":
                continue
            return True
        if fact.kind == "report" and fact.source_trust >= TRUSTED_REPORTER and fact.reporter:
            trusted_reporters.add(fact.reporter)
    return len(trusted_reporters) >= MIN_TRUSTED_REPORTERS
