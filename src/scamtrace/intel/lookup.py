"""Answer lookups from the in-memory index: normalise, hash, search, render by role.

Nothing here touches the store. The caller's audiences (``*``, its sharing groups, its
sector, itself) select which records it may see; the record with the highest score
among them answers. The public gets the tier computed from CLEAR evidence and nothing
else; members get score, reasons, first and last seen and their policy's action.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import numpy as np

from scamtrace.errors import InvalidIdentifier
from scamtrace.identifiers.model import NUMBER_FOLD, SEPARATORS
from scamtrace.intel.access import audiences_of
from scamtrace.intel.actions import action_for
from scamtrace.intel.lookup_index import (
    FLAG_ALLOWLISTED,
    FLAG_BLOCK_ELIGIBLE,
    FLAG_HELD,
    TIER_NAMES,
    LookupIndex,
    index_key,
)
from scamtrace.intel.reasons import render_reasons

MAX_BATCH = 10_000


# Thai mobile numbers in E.164 or the national form, after the identifiers' own folding
# of Thai digits and separators: the bulk of SMS-firewall traffic. They skip the general
# parser (about 20 us); the test suite checks this agrees with identifiers.parse.
_CANONICAL_MOBILE = re.compile(r"\+66[689][0-9]{8}")
_NATIONAL_MOBILE = re.compile(r"0[689][0-9]{8}")
#: The ASCII characters NUMBER_FOLD deletes (see scamtrace.identifiers.model.SEPARATORS).
_ASCII_SEPARATORS = bytes(sorted({ord(c) for c in SEPARATORS if ord(c) < 128}))


@lru_cache(maxsize=200_000)
def _parse(kind: str, raw: str) -> tuple[str, str]:
    from scamtrace.identifiers import parse

    ident = parse(kind, raw)
    return ident.kind, ident.value


def _fast_mobile(raw: str) -> str | None:
    """The E.164 form of a Thai mobile number written in a common way, else ``None``."""
    if _CANONICAL_MOBILE.fullmatch(raw):
        return raw
    if _NATIONAL_MOBILE.fullmatch(raw):
        return "+66" + raw[1:]
    # bytes.translate deletes ASCII separators in C; the Unicode table (Thai digits,
    # full-width forms) is only needed for non-ASCII input.
    if raw.isascii():
        folded = raw.encode().translate(None, _ASCII_SEPARATORS).decode()
    else:
        folded = raw.translate(NUMBER_FOLD)
    if _CANONICAL_MOBILE.fullmatch(folded):
        return folded
    if _NATIONAL_MOBILE.fullmatch(folded):
        return "+66" + folded[1:]
    return None


def normalise(kind: str, raw: str) -> tuple[str, str]:
    """Return ``(kind, canonical value)`` of an identifier in any written form.

    Raises:
        InvalidIdentifier: the value cannot be canonicalised.
    """
    if kind == "phone" and (fast := _fast_mobile(raw)) is not None:
        return kind, fast
    return _parse(kind, raw)


@lru_cache(maxsize=65_536)
def _reasons(codes: int, n_reports: int, n_reporters: int, n_members: int) -> tuple[str, ...]:
    return tuple(render_reasons(codes, n_reports, n_reporters, n_members))


@lru_cache(maxsize=65_536)
def _iso(epoch: int) -> str | None:
    if not epoch:
        return None
    return datetime.fromtimestamp(int(epoch), tz=UTC).isoformat()


def render_answer(
    kind: str,
    value: str,
    record: tuple | None,
    *,
    public: bool,
    policy: Mapping[str, str] | None,
) -> dict[str, Any]:
    """Render one index record (or ``None``) for a caller.

    Args:
        kind: identifier kind.
        value: canonical value.
        record: the best visible record as a tuple (``numpy.void.item()``), or ``None``
            when the hub knows nothing; tuples because field access on numpy records
            costs a microsecond each on the 200k-a-second batch path.
        public: render for the public role (tier only).
        policy: the member's tier-to-action policy.

    Returns:
        A JSON-ready mapping.
    """
    if record is None:
        answer: dict[str, Any] = {"kind": kind, "value": value, "tier": "none", "known": False}
        if not public:
            answer.update(score=0, action="none", reasons=[])
        return answer
    (
        score,
        tier_code,
        public_tier,
        flags,
        _kind,
        _public_score,
        n_members,
        n_reports,
        n_reporters,
        codes,
        first_seen,
        last_seen,
    ) = record
    if public:
        return {
            "kind": kind,
            "value": value,
            "known": True,
            "tier": TIER_NAMES[public_tier],
            "official": bool(flags & FLAG_ALLOWLISTED),
        }
    tier = TIER_NAMES[tier_code]
    return {
        "kind": kind,
        "value": value,
        "known": True,
        "tier": tier,
        "score": score,
        "action": action_for(tier, bool(flags & FLAG_BLOCK_ELIGIBLE), policy),
        "reasons": _reasons(codes, n_reports, n_reporters, n_members),
        "official": bool(flags & FLAG_ALLOWLISTED),
        "held_for_review": bool(flags & FLAG_HELD),
        "first_seen": _iso(first_seen),
        "last_seen": _iso(last_seen),
    }


def lookup_one(
    index: LookupIndex,
    principal,
    kind: str,
    raw: str,
    policy: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Answer one lookup for a caller.

    Args:
        index: the worker's index view.
        principal: the caller.
        kind: identifier kind as written in the URL.
        raw: the identifier in any written form.
        policy: the member's action policy.

    Returns:
        The rendered answer.

    Raises:
        InvalidIdentifier: ``raw`` cannot be canonicalised.
    """
    kind, value = normalise(kind, raw)
    public = principal.role == "public"
    audiences = ["*"] if public else audiences_of(principal)
    present = index.audiences
    best = None
    for audience in audiences:
        if audience not in present:
            continue
        record = index.find_one(index_key(audience, kind, value))
        if record is not None and (best is None or record["score"] > best["score"]):
            best = record
    return render_answer(
        kind, value, None if best is None else best.item(), public=public, policy=policy
    )


def lookup_batch(
    index: LookupIndex,
    principal,
    items: Sequence[tuple[str, str]],
    policy: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Answer up to :data:`MAX_BATCH` lookups at once (members only: the route checks).

    Invalid identifiers get an ``error`` entry in place; the rest are answered.

    Args:
        index: the worker's index view.
        principal: the caller.
        items: ``(kind, raw)`` pairs.
        policy: the member's action policy.

    Returns:
        One answer per item, in order.
    """
    canon: list[tuple[str, str] | None] = []
    errors: dict[int, str] = {}
    for position, (kind, raw) in enumerate(items):
        # Thai mobiles in their common written forms first; the rest through the parser.
        if kind == "phone" and (fast := _fast_mobile(raw)) is not None:
            canon.append((kind, fast))
            continue
        try:
            canon.append(_parse(kind, raw))
        except InvalidIdentifier as exc:
            canon.append(None)
            errors[position] = exc.detail
    audiences = [a for a in audiences_of(principal) if a in index.audiences]
    valid = [i for i, c in enumerate(canon) if c is not None]
    best_score = np.full(len(items), -1, dtype=np.int16)
    best = np.zeros(len(items), dtype=index.record_dtype)
    blake2b = hashlib.blake2b
    for audience in audiences:
        # index_key inlined: this loop runs once per identifier on the batch path.
        keys = np.fromiter(
            (
                int.from_bytes(
                    blake2b(
                        f"{audience}|{canon[i][0]}:{canon[i][1]}".encode(), digest_size=8
                    ).digest(),
                    "little",
                )
                for i in valid
            ),
            dtype="<u8",
            count=len(valid),
        )
        found, records = index.find(keys)
        positions = np.asarray(valid, dtype=np.int64)
        better = found & (records["score"].astype(np.int16) > best_score[positions])
        best[positions[better]] = records[better]
        best_score[positions[better]] = records["score"][better]
    # render_answer inlined, with the policy's actions precomputed: this loop runs once
    # per identifier and function calls are a large part of its cost.
    actions = {
        (code, eligible): action_for(name, eligible, policy)
        for code, name in TIER_NAMES.items()
        for eligible in (False, True)
    }
    out: list[dict[str, Any]] = []
    known = (best_score >= 0).tolist()
    for position, (item, record) in enumerate(zip(canon, best.tolist(), strict=True)):
        if item is None:
            kind, raw = items[position]
            out.append({"kind": kind, "value": raw, "error": errors[position]})
        elif not known[position]:
            out.append(render_answer(item[0], item[1], None, public=False, policy=policy))
        else:
            (score, tier, _, flags, _, _, n_members, n_reports, n_reporters, codes, first, last) = (
                record
            )
            out.append(
                {
                    "kind": item[0],
                    "value": item[1],
                    "known": True,
                    "tier": TIER_NAMES[tier],
                    "score": score,
                    "action": actions[(tier, bool(flags & FLAG_BLOCK_ELIGIBLE))],
                    "reasons": _reasons(codes, n_reports, n_reporters, n_members),
                    "official": bool(flags & FLAG_ALLOWLISTED),
                    "held_for_review": bool(flags & FLAG_HELD),
                    "first_seen": _iso(first),
                    "last_seen": _iso(last),
                }
            )
    return out
