"""Evidence through the store into the lookup index, on both stores."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scamtrace.intel.index_builder import rebuild_index
from scamtrace.intel.lookup import lookup_batch, lookup_one, normalise
from scamtrace.intel.lookup_index import LookupIndex
from scamtrace.intel.service import NewEvidence, add_evidence, find_indicator
from scamtrace.orgs.service import ANONYMOUS, Principal, create_member
from scamtrace.store.base import utcnow


def _member(session, name: str, sector: str, role: str, groups=()) -> Principal:
    member = create_member(session, name=name, sector=sector, actor="test")
    return Principal(member.id, name, sector, role, tuple(groups), "k")


def _reports(value: str, n: int, *, prefix: str = "9", hours_ago: float = 1.0, tlp="clear"):
    now = utcnow()
    return [
        NewEvidence(
            "phone",
            value,
            "report",
            "sms_1185",
            tlp=tlp,
            reporter_number=f"+668{prefix}{i:07d}",
            observed_at=now - timedelta(hours=hours_ago, minutes=i),
        )
        for i in range(n)
    ]


def test_reports_become_a_scored_indicator_answered_by_role(session, tmp_path):
    add_evidence(session, items=_reports("081-234-5678", 6), source_member_id=None, actor="t")
    indicator = find_indicator(session, kind="phone", raw="+66 81 234 5678")
    assert indicator.n_reporters == 6 and indicator.score > 0
    rebuild_index(session, tmp_path / "idx")
    index = LookupIndex(tmp_path / "idx")
    bank = _member(session, "bank a", "bank", "bank")
    answer = lookup_one(index, bank, "phone", "๐๘๑-๒๓๔-๕๖๗๘")
    assert answer["value"] == "+66812345678" and answer["score"] == int(indicator.score)
    assert "reported 6 times by 6 distinct citizens" in answer["reasons"]
    public = lookup_one(index, ANONYMOUS, "phone", "0812345678")
    assert set(public) == {"kind", "value", "known", "tier", "official"}
    assert public["tier"] == answer["tier"]


def test_amber_group_and_red_evidence_reach_only_their_audiences(session, tmp_path):
    police = _member(session, "police", "police", "police", ["ccib"])
    add_evidence(
        session,
        source_member_id=police.member_id,
        actor="t",
        items=[
            NewEvidence(
                "bank_account",
                "004:1234567890",
                "authority",
                "confirmed",
                tlp="amber",
                sharing_group="ccib",
            )
        ],
    )
    telco = _member(session, "telco", "telco", "telco")
    add_evidence(
        session,
        source_member_id=telco.member_id,
        actor="t",
        items=[NewEvidence("phone", "0899999999", "sighting", "true_positive", tlp="red")],
    )
    rebuild_index(session, tmp_path / "idx")
    index = LookupIndex(tmp_path / "idx")
    in_group = _member(session, "bank in", "bank", "bank", ["ccib"])
    outside = _member(session, "bank out", "bank", "bank")
    assert lookup_one(index, in_group, "bank_account", "004:1234567890")["tier"] == "very_high"
    assert lookup_one(index, outside, "bank_account", "004:1234567890")["known"] is False
    assert lookup_one(index, ANONYMOUS, "bank_account", "004:1234567890")["tier"] == "none"
    assert lookup_one(index, telco, "phone", "0899999999")["score"] > 0
    assert lookup_one(index, outside, "phone", "0899999999")["known"] is False
    batch = lookup_batch(
        index,
        outside,
        [("bank_account", "004:1234567890"), ("phone", "0899999999"), ("phone", "12")],
    )
    assert [a.get("known") for a in batch[:2]] == [False, False] and "error" in batch[2]


def test_poisoning_burst_is_held_and_allowlist_flags_spoofing(session, tmp_path):
    add_evidence(
        session, items=_reports("0811111111", 30, hours_ago=0.5), source_member_id=None, actor="t"
    )
    target = find_indicator(session, kind="phone", raw="0811111111")
    assert target.status == "held" and target.tier == "none"
    add_evidence(session, items=_reports("02-888-8888", 12), source_member_id=None, actor="t")
    kbank = find_indicator(session, kind="phone", raw="028888888")
    assert kbank.status == "allowlisted" and kbank.score == 0
    rebuild_index(session, tmp_path / "idx")
    index = LookupIndex(tmp_path / "idx")
    bank = _member(session, "bank", "bank", "bank")
    held = lookup_one(index, bank, "phone", "0811111111")
    assert held["held_for_review"] and held["action"] == "none"
    official = lookup_one(index, bank, "phone", "+6628888888")
    assert official["official"] and official["action"] == "none"
    assert any("likely spoofing" in r for r in official["reasons"])
    # Official identifiers nobody reported are answered as official too.
    unreported = lookup_one(index, ANONYMOUS, "short_code", "1441")
    assert unreported == {
        "kind": "short_code",
        "value": "1441",
        "known": True,
        "tier": "none",
        "official": True,
    }


def test_incremental_build_publishes_new_generation_keeping_old_records(session, tmp_path):
    add_evidence(session, items=_reports("0822222222", 5), source_member_id=None, actor="t")
    first = rebuild_index(session, tmp_path / "idx")
    index = LookupIndex(tmp_path / "idx", poll_seconds=0)
    first_records = len(index)
    add_evidence(session, items=_reports("0833333333", 5), source_member_id=None, actor="t")
    second = rebuild_index(session, tmp_path / "idx")
    assert second.generation == first.generation + 1 and second.changed_indicators >= 1
    assert index.refresh() == second.generation and len(index) == first_records + 1
    bank = _member(session, "bank", "bank", "bank")
    assert lookup_one(index, bank, "phone", "0822222222")["known"]


@pytest.mark.parametrize(
    "raw",
    [
        "0812345678",
        "+66912345678",
        "0612345678",
        "081 234 5678",
        "๐๘๑-๒๓๔-๕๖๗๘",
        "(081) 234.5678",
        "+66 81 234 5678",
    ],
)
def test_fast_normalisation_agrees_with_the_parser(raw):
    from scamtrace.identifiers import parse

    assert normalise("phone", raw) == ("phone", parse("phone", raw).value)


_NOISE = st.lists(st.sampled_from(" -.()๐+"), max_size=2)
_MOBILE_LIKE = st.tuples(
    st.sampled_from(["0", "+66", "66", ""]),
    st.sampled_from("6893"),
    st.lists(st.tuples(st.sampled_from("0123456789๑๒"), _NOISE), min_size=7, max_size=9),
)


@given(_MOBILE_LIKE)
@settings(max_examples=400, deadline=None)
def test_fast_normalisation_agrees_with_the_parser_on_mobile_like_input(parts):
    from scamtrace.errors import InvalidIdentifier
    from scamtrace.identifiers import parse

    prefix, first, rest = parts
    raw = prefix + first + "".join(digit + "".join(noise) for digit, noise in rest)
    try:
        expected = ("phone", parse("phone", raw).value)
    except InvalidIdentifier:
        expected = None
    try:
        got = normalise("phone", raw)
    except InvalidIdentifier:
        got = None
    assert got == expected


def test_decay_reaches_the_index_and_new_evidence_restarts_it(session, tmp_path):
    add_evidence(session, items=_reports("0844444444", 4), source_member_id=None, actor="t")
    rebuild_index(session, tmp_path / "idx")
    bank = _member(session, "bank", "bank", "bank")
    assert lookup_one(LookupIndex(tmp_path / "idx"), bank, "phone", "0844444444")["known"]
    later = utcnow() + timedelta(days=20)  # past a phone's 14-day lifetime
    rebuild_index(session, tmp_path / "idx", now=later)
    assert find_indicator(session, kind="phone", raw="0844444444").score == 0
    assert not lookup_one(LookupIndex(tmp_path / "idx"), bank, "phone", "0844444444")["known"]
    fresh = [
        NewEvidence(
            "phone",
            "0844444444",
            "report",
            "web",
            observed_at=later,
            reporter_number="+66899000001",
        )
    ]
    add_evidence(session, items=fresh, source_member_id=None, actor="t", now=later)
    rebuild_index(session, tmp_path / "idx", now=later)
    assert lookup_one(LookupIndex(tmp_path / "idx"), bank, "phone", "0844444444")["score"] > 0
