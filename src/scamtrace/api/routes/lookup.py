"""``/v1/lookup``: is this number, link or account a scam? Answered from the memory index.

These handlers deliberately avoid the per-request store session of the other routes:
the key is resolved through the worker's one-minute cache and the answer comes from the
memory-mapped index, so a lookup costs no SQL (see ``scamtrace.intel.serving``).
"""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request, Response

from scamtrace.api.deps import CurrentMember, SessionDep
from scamtrace.errors import InvalidInput, PermissionDenied
from scamtrace.intel.lookup import MAX_BATCH, lookup_batch_json, lookup_one
from scamtrace.intel.policy_store import get_action_policy, set_action_policy
from scamtrace.intel.schemas import ActionPolicy, LookupBatch
from scamtrace.intel.serving import serving_for
from scamtrace.orgs.service import ANONYMOUS, Principal

router = APIRouter(prefix="/v1/lookup", tags=["lookup"])


def _json(payload: object, generation: int) -> Response:
    return Response(
        orjson.dumps(payload),
        media_type="application/json",
        headers={"X-Index-Generation": str(generation)},
    )


def _caller(request: Request) -> Principal:
    header = request.headers.get("authorization", "")
    key = header[7:].strip() if header[:7].lower() == "bearer " else ""
    key = key or request.headers.get("x-api-key", "")
    if not key:
        return ANONYMOUS
    return serving_for(request.app).principal_for(key)


@router.get("/policy", response_model=ActionPolicy)
def read_policy(session: SessionDep, member: CurrentMember) -> ActionPolicy:
    """The caller's mapping of tiers to actions."""
    return ActionPolicy(**get_action_policy(session, member_id=member.member_id))


@router.put("/policy", response_model=ActionPolicy)
def update_policy(
    request: Request,
    session: SessionDep,
    member: CurrentMember,
    policy: ActionPolicy,
) -> ActionPolicy:
    """Change the caller's mapping of tiers to actions (block is still only for corroborated)."""
    if member.role == "public":
        raise PermissionDenied("the public role has no action policy")
    stored = set_action_policy(
        session, member_id=member.member_id, policy=policy.model_dump(), actor=member.actor
    )
    session.commit()
    serving_for(request.app).forget_policy(member.member_id)
    return ActionPolicy(**stored)


@router.get("/{kind}/{value:path}")
async def lookup_single(request: Request, kind: str, value: str) -> Response:
    """Look up one identifier in any written form; the public sees only the tier."""
    serving = serving_for(request.app)
    principal = _caller(request)
    serving.index.refresh()
    answer = lookup_one(serving.index, principal, kind, value, serving.policy_for(principal))
    serving.note_lookups(principal, 1)
    return _json(answer, serving.index.generation)


@router.post(
    "",
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": LookupBatch.model_json_schema()}},
            "required": True,
        }
    },
)
async def lookup_many(request: Request) -> Response:
    """Look up to 10,000 identifiers at once (members only); invalid ones answer an error."""
    serving = serving_for(request.app)
    principal = _caller(request)
    if principal.role == "public":
        raise PermissionDenied("batch lookups are for alliance members; use a single lookup")
    try:
        body = orjson.loads(await request.body())
        # No pydantic model per item: 10,000 of them would cost more than the lookups.
        items = [(item["kind"], item["value"]) for item in body["items"]]
    except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
        raise InvalidInput(f"expected {{'items': [{{'kind':..., 'value':...}}]}}: {exc}") from None
    if len(items) > MAX_BATCH:
        raise InvalidInput(f"at most {MAX_BATCH} identifiers per batch, got {len(items)}")
    serving.index.refresh()
    body = lookup_batch_json(serving.index, principal, items, serving.policy_for(principal))
    serving.note_lookups(principal, len(items))
    return Response(
        body,
        media_type="application/json",
        headers={"X-Index-Generation": str(serving.index.generation)},
    )
