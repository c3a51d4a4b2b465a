"""The memory-mapped lookup index: publish, merge, generations, readers."""

from __future__ import annotations

import numpy as np
import pytest

from scamtrace.intel.lookup_index import (
    RECORD_DTYPE,
    LookupIndex,
    current_generation,
    index_key,
    merge_changes,
    publish,
)


def _records(scores) -> np.ndarray:
    records = np.zeros(len(scores), RECORD_DTYPE)
    records["score"] = scores
    return records


def test_keys_are_stable_and_audience_specific():
    assert index_key("*", "phone", "+66812345678") == index_key("*", "phone", "+66812345678")
    assert index_key("*", "phone", "+66812345678") != index_key("g:ccib", "phone", "+66812345678")


def test_merge_replaces_adds_and_deletes_like_a_dictionary(tmp_path):
    rng = np.random.default_rng(7)
    keys = rng.permutation(np.unique(rng.integers(0, 2**62, size=5100))[:5000]).astype("<u8")
    scores = rng.integers(1, 100, size=len(keys))
    publish(tmp_path, keys, _records(scores))
    expected = dict(zip(keys.tolist(), scores.tolist()))
    changed = np.concatenate([keys[:40], np.arange(2**62, 2**62 + 30).astype("<u8")])
    new_scores = rng.integers(1, 100, size=len(changed))
    deleted = keys[100:120].tolist()
    generation = merge_changes(tmp_path, changed, _records(new_scores), deleted)
    expected.update(zip(changed.tolist(), new_scores.tolist()))
    for key in deleted:
        expected.pop(key)
    index = LookupIndex(tmp_path)
    assert index.generation == generation == 2 and len(index) == len(expected)
    probe = np.array(list(expected) + deleted, dtype="<u8")
    found, records = index.find(probe)
    assert found.tolist() == [True] * len(expected) + [False] * len(deleted)
    assert records["score"][: len(expected)].tolist() == list(expected.values())
    assert index.find_one(int(changed[0]))["score"] == new_scores[0]


def test_a_reader_keeps_its_generation_until_it_refreshes(tmp_path):
    publish(tmp_path, np.array([1, 2, 3], "<u8"), _records([10, 20, 30]))
    reader = LookupIndex(tmp_path, poll_seconds=3600)
    for round_ in range(3):
        merge_changes(tmp_path, np.array([2], "<u8"), _records([21 + round_]))
    assert reader.find_one(2)["score"] == 20  # the old mapping stays valid after unlink
    assert reader.refresh() == 1 and reader.refresh(force=True) == current_generation(tmp_path) == 4
    assert reader.find_one(2)["score"] == 23
    assert len(list(tmp_path.glob("index-*.bin"))) == 2


def test_a_merge_that_changes_nothing_keeps_the_generation(tmp_path):
    keys = np.array([5, 1, 9], "<u8")
    first = publish(tmp_path, keys, _records([50, 10, 90]))
    # Builders re-merge recent changes and the allowlist every time: same records, no copy.
    assert merge_changes(tmp_path, keys[:2], _records([50, 10]), delete_keys=[4]) == first
    assert len(list(tmp_path.glob("index-*.bin"))) == 1
    assert merge_changes(tmp_path, keys[:1], _records([51])) == first + 1
    assert merge_changes(tmp_path, [], _records([]), delete_keys=[9]) == first + 2
    index = LookupIndex(tmp_path)
    found, records = index.find(np.array([9, 5, 1, 4], "<u8"))
    assert found.tolist() == [False, True, True, False]
    assert records["score"].tolist() == [0, 51, 10, 0]


@pytest.mark.parametrize("size", [1, 2, 7, 3000, 200_000])
def test_find_agrees_with_a_dictionary_at_any_size(tmp_path, size):
    rng = np.random.default_rng(size)
    keys = np.unique(rng.integers(0, 2**64, size=size, dtype=np.uint64))
    # Crowd one bucket and use the extremes: the search must not depend on even spread.
    extra = np.concatenate(
        [np.array([0, 1, 2**64 - 1], np.uint64), np.arange(5, 5 + size % 500, dtype=np.uint64)]
    )
    keys = np.unique(np.concatenate([keys, extra]))
    keys = keys.astype("<u8")
    scores = rng.integers(1, 100, size=len(keys))
    shuffled = rng.permutation(len(keys))
    publish(tmp_path, keys[shuffled], _records(scores[shuffled]))
    expected = dict(zip(keys.tolist(), scores.tolist()))
    probe = np.concatenate(
        [
            keys[rng.integers(0, len(keys), 500)],
            rng.integers(0, 2**64, 500, dtype=np.uint64),
            np.array([0, 1, 2, 3, 4, 2**64 - 1, 2**64 - 2], np.uint64),
        ]
    ).astype("<u8")
    found, records = LookupIndex(tmp_path).find(probe)
    assert found.tolist() == [k in expected for k in probe.tolist()]
    assert records["score"].tolist() == [expected.get(k, 0) for k in probe.tolist()]
