"""Reason codes behind a score, and their plain-language rendering.

Codes are a bit set so the lookup index can store them in four bytes per indicator and
every worker renders the same sentences the service does.
"""

from __future__ import annotations

from enum import IntFlag


class Reason(IntFlag):
    """Why an indicator has its score (one bit each)."""

    REPORTED = 1 << 0
    MEMBER_SEEN = 1 << 1
    MEMBER_CONFIRMED = 1 << 2
    FALSE_POSITIVE = 1 << 3
    MULE_SIM = 1 << 4
    MULE_ACCOUNT = 1 << 5
    NETWORK = 1 << 6
    AUTHORITY = 1 << 7
    AGREED = 1 << 8
    DISAGREED = 1 << 9
    HELD_FOR_REVIEW = 1 << 10
    ALLOWLISTED = 1 << 11
    LIKELY_SPOOFING = 1 << 12
    CLEARED = 1 << 13
    UNCORROBORATED = 1 << 14
    FADING = 1 << 15


def render_reasons(
    codes: int, n_reports: int, n_reporters: int, n_members: int, n_held: int = 0
) -> list[str]:
    """Return the reasons of a score as sentences, most decisive first.

    Args:
        codes: bit set of :class:`Reason`.
        n_reports: reports that count towards the score.
        n_reporters: distinct citizens behind them.
        n_members: distinct members with sightings, findings or opinions.
        n_held: reports held for review.

    Returns:
        A list of short English sentences.

    Examples:
        >>> render_reasons(Reason.REPORTED, 3, 2, 0)
        ['reported 3 times by 2 distinct citizens']
    """
    flags = Reason(codes)
    out: list[str] = []
    if Reason.ALLOWLISTED in flags:
        out.append("on the allowlist of official identifiers: never blocked automatically")
    if Reason.LIKELY_SPOOFING in flags:
        out.append("reports against an official identifier are kept and flagged as likely spoofing")
    if Reason.CLEARED in flags:
        out.append("cleared on appeal: only new, independent evidence counts")
    if Reason.AUTHORITY in flags:
        out.append("confirmed by the police or a regulator")
    if Reason.MULE_ACCOUNT in flags:
        out.append("analytics: mule account")
    if Reason.MULE_SIM in flags:
        out.append("analytics: mule SIM")
    if Reason.NETWORK in flags:
        out.append("analytics: member of a scam network")
    if Reason.MEMBER_CONFIRMED in flags:
        out.append(f"confirmed scam by {n_members} member organisation(s)")
    elif Reason.MEMBER_SEEN in flags:
        out.append(f"seen by {n_members} member organisation(s)")
    if Reason.REPORTED in flags:
        out.append(f"reported {n_reports} times by {n_reporters} distinct citizens")
    if Reason.AGREED in flags:
        out.append("members agree with the assessment")
    if Reason.FALSE_POSITIVE in flags:
        out.append("a member reported a false positive")
    if Reason.DISAGREED in flags:
        out.append("members disagree with the assessment")
    if Reason.HELD_FOR_REVIEW in flags:
        held = f"{n_held} reports" if n_held else "reports"
        out.append(f"{held} from new reporters arrived as a burst: held for review, not scored")
    if Reason.UNCORROBORATED in flags:
        out.append("capped below block: needs distinct trusted reporters or a trusted member")
    if Reason.FADING in flags:
        out.append("fading: no recent evidence")
    return out
