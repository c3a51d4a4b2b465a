"""Scoring, decay, anti-poisoning and actions on plain evidence values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scamtrace.intel.actions import action_for, validate_policy
from scamtrace.intel.decay import decay_factor
from scamtrace.intel.evidence import EvidenceFact, reporter_trust
from scamtrace.intel.scoring import assess, tier_for

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


def report(reporter: str, *, hours_ago: float = 1.0, trust: float = 0.6, new: bool = False):
    return EvidenceFact(
        "report",
        "sms_1185",
        NOW - timedelta(hours=hours_ago),
        reporter=reporter,
        source_trust=trust,
        reporter_is_new=new,
    )


def test_reporter_trust_grows_with_confirmed_and_falls_with_rejected():
    assert reporter_trust(0, 0) < reporter_trust(3, 0) < reporter_trust(10, 0)
    assert reporter_trust(0, 4) < reporter_trust(0, 0)


def test_tiers_follow_score_floors():
    assert [tier_for(s) for s in (0, 14, 15, 40, 60, 79, 80, 100)] == [
        "none",
        "none",
        "low",
        "medium",
        "high",
        "high",
        "very_high",
        "very_high",
    ]


def test_one_source_counts_once_however_often_it_repeats():
    once = assess("phone", [report("r1")], now=NOW)
    many = assess("phone", [report("r1", hours_ago=h) for h in range(1, 30)], now=NOW)
    assert once.score == many.score
    assert many.n_reports == 29 and many.n_reporters == 1


def test_distinct_trusted_reporters_reach_block_and_reasons_say_why():
    result = assess("phone", [report(f"r{i}", trust=0.9) for i in range(12)], now=NOW)
    assert result.tier == "very_high" and result.block_eligible
    assert "reported 12 times by 12 distinct citizens" in result.reasons


def test_untrusted_member_and_two_reporters_cannot_push_to_block():
    facts = [
        EvidenceFact("sighting", "true_positive", NOW, source_member=7, source_trust=0.3),
        EvidenceFact(
            "analytics", "mule_sim", NOW, source_member=7, source_trust=0.3, confidence=0.99
        ),
    ] + [report("r1", trust=0.9), report("r2", trust=0.9)]
    result = assess("phone", facts, now=NOW)
    assert result.raw_score == 79 and "capped below block" in " ".join(result.reasons)
    assert result.score == 79 and result.tier == "high" and not result.block_eligible
    assert action_for(result.tier, result.block_eligible, {"high": "block"}) == "delay_warn"


def test_authority_confirmation_blocks_and_false_positive_lowers():
    police = EvidenceFact("authority", "confirmed", NOW, source_member=1, source_trust=1.0)
    assert assess("bank_account", [police], now=NOW).tier == "very_high"
    fp = EvidenceFact("sighting", "false_positive", NOW, source_member=2, source_trust=0.9)
    agree = EvidenceFact("opinion", "agree", NOW, source_member=3)
    disagree = EvidenceFact("opinion", "disagree", NOW, source_member=3)
    base = [report(f"r{i}") for i in range(6)]
    plain = assess("phone", base, now=NOW).score
    assert assess("phone", base + [fp], now=NOW).score < plain
    assert assess("phone", base + [disagree], now=NOW).score < plain
    assert assess("phone", base + [agree], now=NOW).score > plain


def test_phone_fades_in_days_domain_in_weeks_account_only_when_cleared():
    assert decay_factor("phone", NOW - timedelta(days=15), NOW) == 0.0
    assert decay_factor("domain", NOW - timedelta(days=15), NOW) > 0.7
    assert decay_factor("bank_account", NOW - timedelta(days=900), NOW) == 1.0
    old = [report(f"r{i}", hours_ago=24 * 10, trust=0.9) for i in range(8)]
    faded = assess("phone", old, now=NOW)
    restarted = assess("phone", old + [report("fresh", trust=0.9)], now=NOW)
    assert faded.score < restarted.score and restarted.tier == "very_high"
    assert "fading: no recent evidence" in faded.reasons


def test_burst_from_new_reporters_is_held_and_does_not_block():
    burst = [report(f"bot{i}", hours_ago=i * 0.1, trust=0.34, new=True) for i in range(40)]
    result = assess("phone", burst, now=NOW)
    assert result.held_for_review and len(result.held) == 40
    assert result.score == 0 and result.tier == "none"
    assert action_for(result.tier, result.block_eligible) == "none"
    # An analyst accepting the reports makes them count again, still capped below block.
    accepted = [
        EvidenceFact(
            f.kind,
            f.subtype,
            f.observed_at,
            reporter=f.reporter,
            source_trust=f.source_trust,
            reporter_is_new=True,
            review="accepted",
        )
        for f in burst
    ]
    released = assess("phone", accepted, now=NOW)
    assert not released.held_for_review and 0 < released.score <= 79


def test_new_reporters_spread_over_weeks_are_not_a_burst():
    spread = [report(f"n{i}", hours_ago=i * 30, trust=0.34, new=True) for i in range(8)]
    assert not assess("phone", spread, now=NOW).held_for_review


def test_allowlisted_identifier_scores_zero_and_flags_spoofing():
    facts = [report(f"r{i}", trust=0.9) for i in range(10)]
    result = assess("short_code", facts, now=NOW, allowlisted=True)
    assert result.score == 0 and result.raw_score >= 80 and not result.block_eligible
    assert any("likely spoofing" in r for r in result.reasons)


def test_cleared_indicator_needs_new_independent_evidence():
    cleared_at = NOW - timedelta(hours=5)
    before = [report(f"r{i}", hours_ago=10, trust=0.9) for i in range(10)]
    repeat = [report("r1", hours_ago=1, trust=0.9)]
    assert assess("bank_account", before + repeat, now=NOW, cleared_at=cleared_at).score == 0
    fresh = [report(f"new{i}", hours_ago=1, trust=0.9) for i in range(4)]
    again = assess("bank_account", before + fresh, now=NOW, cleared_at=cleared_at)
    assert again.score > 0 and again.n_reporters == 4


def test_member_policy_validation():
    policy = validate_policy({"medium": "delay_warn"})
    assert policy["medium"] == "delay_warn" and policy["very_high"] == "block"
    assert action_for("medium", False, policy) == "delay_warn"
