"""The batch lookup's fast path answers byte for byte what one lookup at a time answers."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import numpy as np
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scamtrace.errors import InvalidIdentifier
from scamtrace.intel.lookup import (
    _iso,
    _iso_tokens,
    lookup_batch,
    lookup_batch_json,
    lookup_one,
    normalise,
)
from scamtrace.intel.lookup_index import RECORD_DTYPE, LookupIndex, index_key, publish
from scamtrace.orgs.service import Principal

BANK = Principal(member_id=7, member_name="bank", sector="bank", role="bank", sharing_groups=("ccib",))
POLICY = {"very_high": "block", "high": "block", "medium": "warn", "low": "warn", "none": "none"}

KNOWN = [
    ("phone", "+66812345678"),
    ("phone", "+66912345670"),
    ("phone", "+66612345679"),
    ("phone", "+6621234567"),
    ("phone", "+85512345678"),
    ("short_code", "1185"),
    ("url", "http://example.com/a%22b/c"),
    ("domain", "xn--72c1a1bt4awk9o.xn--o3cw4h"),
    ("email", "a@b.co"),
    ("promptpay", "+66812345678"),
]

WRITTEN = [
    ("phone", "+66812345678"),
    ("phone", "0812345678"),
    ("phone", "081 234 5678"),
    ("phone", "081-234-5678"),
    ("phone", "(081) 234.5678"),
    ("phone", "+66 81 234 5678"),
    ("phone", "+66-81-234-5678"),
    ("phone", "0066812345678"),
    ("phone", "66812345678"),
    ("phone", "812345678"),
    ("phone", "๐๘๑-๒๓๔-๕๖๗๘"),
    ("phone", "๐๙๑๒๓๔๕๖๗๐"),
    ("phone", "０６１２３４５６７９"),
    ("phone", "tel:+66812345678"),
    ("phone", "02 123 4567"),
    ("phone", "+855 12 345 678"),
    ("phone", "0899999999"),
    ("phone", "1185"),
    ("phone", "not a number"),
    ("phone", 'say "hi" \\ there'),
    ("phone", ""),
    ("phone", 812345678),
    ("short_code", "1185"),
    ("url", 'http://Example.com/a"b\\c'),
    ("domain", "ตัวอย่าง.ไทย"),
    ("email", "A@B.co"),
    ("promptpay", "0812345678"),
    ("line_id", '@Scam"er'),
    ("bank_account", "014-2-12345-6"),
    ("no_such_kind", "x"),
    (5, "0812345678"),
]


def _record(rng: random.Random) -> np.void:
    record = np.zeros((), RECORD_DTYPE)
    record["score"] = rng.choice([0, 1, 19, 20, 45, 59, 60, 79, 80, 100])
    record["tier"] = rng.randrange(5)
    record["public_tier"] = rng.randrange(5)
    record["flags"] = rng.randrange(16)
    record["n_members"] = rng.choice([0, 1, 3, 65535])
    record["n_reports"] = rng.choice([0, 1, 2, 40, 100_000])
    record["n_reporters"] = rng.choice([0, 1, 2, 39])
    record["reasons"] = rng.randrange(1 << 12)
    record["first_seen"] = rng.choice([0, 1, 951_782_400, 1_700_000_000, 4_102_444_800])
    record["last_seen"] = rng.choice([0, 1_764_000_000, 2_147_483_648, 2**32 - 1])
    return record


@pytest.fixture
def index(tmp_path) -> LookupIndex:
    """Several audiences, each with its own records for overlapping identifiers."""
    rng = random.Random(11)
    keys, records = [], []
    audiences = ["*", "g:ccib", "s:bank", "m:7", "m:8", "g:other"]
    for kind, value in KNOWN:
        for audience in audiences:
            if rng.random() < 0.6:
                keys.append(index_key(audience, kind, value))
                records.append(_record(rng))
    publish(tmp_path, np.array(keys, "<u8"), np.array(records, RECORD_DTYPE), audiences)
    return LookupIndex(tmp_path)


def _one_at_a_time(index, principal, items, policy) -> bytes:
    answers = []
    for kind, raw in items:
        try:
            answers.append(lookup_one(index, principal, str(kind), str(raw), policy))
        except InvalidIdentifier as exc:
            answers.append({"kind": str(kind), "value": str(raw), "error": exc.detail})
    return orjson.dumps({"items": answers, "generation": index.generation})


@pytest.mark.parametrize("policy", [None, POLICY])
@pytest.mark.parametrize(
    "principal",
    [
        BANK,
        Principal(member_id=8, member_name="telco", sector="telco", role="telco"),
        Principal(member_id=1, member_name="admin", sector="regulator", role="admin"),
    ],
)
def test_batch_answers_byte_for_byte_like_single_lookups(index, principal, policy):
    items = WRITTEN * 3  # repeats go through the caches
    expected = _one_at_a_time(index, principal, items, policy)
    assert lookup_batch_json(index, principal, items, policy) == expected
    assert lookup_batch(index, principal, items, policy) == orjson.loads(expected)["items"]


def test_every_written_form_of_a_known_number_finds_its_record(index):
    same_number = [item for item in WRITTEN[:14] if item[1] not in ("๐๙๑๒๓๔๕๖๗๐", "０６１２３４５６７９")]
    answers = lookup_batch(index, BANK, same_number, POLICY)
    assert [a["value"] for a in answers] == ["+66812345678"] * len(same_number)
    assert len({orjson.dumps(a) for a in answers}) == 1 and answers[0]["known"]


def test_an_empty_batch_and_an_empty_index(tmp_path, index):
    assert lookup_batch_json(index, BANK, [], None) == orjson.dumps(
        {"items": [], "generation": index.generation}
    )
    empty = LookupIndex(tmp_path / "nothing")
    items = WRITTEN[:5]
    assert lookup_batch_json(empty, BANK, items, None) == _one_at_a_time(empty, BANK, items, None)


_DIGITS = "0123456789๐๑๒๓๔๕๖๗๘๙０１２３４５６７８９"
_NOISE = st.lists(st.sampled_from([" ", "-", ".", "(", ")", "\u00a0", "/", "+", "x"]), max_size=2)
_WRITTEN_PHONE = st.tuples(
    st.sampled_from(["0", "+66", "66", "0066", "+66 0", "", "+"]),
    st.sampled_from("68912"),
    st.lists(st.tuples(st.sampled_from(_DIGITS), _NOISE), min_size=6, max_size=10),
)


@given(st.lists(_WRITTEN_PHONE, min_size=1, max_size=30))
@settings(max_examples=150, deadline=None)
def test_batch_agrees_with_single_lookups_on_written_phones(tmp_path_factory, written):
    raws = [p + f + "".join(d + "".join(n) for d, n in rest) for p, f, rest in written]
    rng = random.Random(len(raws))
    keys, records = [], []
    for raw in raws:
        try:
            kind, value = normalise("phone", raw)
        except InvalidIdentifier:
            continue
        if rng.random() < 0.7:
            keys.append(index_key("*", kind, value))
            records.append(_record(rng))
    directory = tmp_path_factory.mktemp("idx")
    keys_array = np.array(keys, "<u8")
    _, unique = np.unique(keys_array, return_index=True)
    publish(directory, keys_array[unique], np.array(records, RECORD_DTYPE)[unique])
    index = LookupIndex(directory)
    items = [("phone", raw) for raw in raws]
    assert lookup_batch_json(index, BANK, items, POLICY) == _one_at_a_time(
        index, BANK, items, POLICY
    )


def test_dates_formatted_in_bulk_match_isoformat():
    rng = np.random.default_rng(5)
    epochs = np.concatenate(
        [
            [0, 1, 59, 86_399, 86_400, 951_782_400, 951_868_799, 4_107_542_399, 2**32 - 1],
            rng.integers(0, 2**32, size=20_000),
        ]
    ).astype("<u4")
    expected = [orjson.dumps(_iso(int(e))).decode() for e in epochs.tolist()]
    assert _iso_tokens(epochs) == expected
    assert expected[5] == '"2000-02-29T00:00:00+00:00"'
    assert datetime.fromisoformat(expected[-1][1:-1]) <= datetime(2106, 2, 8, tzinfo=UTC)
