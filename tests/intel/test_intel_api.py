"""The hub's HTTP API on both stores: lookups, indicators, appeals, allowlist, feeds."""

from __future__ import annotations

from sqlalchemy import select

from scamtrace.intel.index_builder import rebuild_index
from scamtrace.intel.serving import index_dir_for
from scamtrace.orgs.models import AuditEntry
from scamtrace.store.engine import session_scope


def rebuild(settings) -> int:
    with session_scope(settings.effective_database_url) as session:
        return rebuild_index(session, index_dir_for(settings)).generation


def post_evidence(client, headers, *items):
    response = client.post("/v1/indicators/evidence", json={"items": list(items)}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_lookup_normalises_and_answers_by_role(api_client, auth_headers, settings):
    police = auth_headers("police")
    post_evidence(
        api_client,
        police,
        {
            "kind": "phone",
            "value": "+66 81 234 5678",
            "evidence": "authority",
            "subtype": "confirmed",
            "tlp": "clear",
        },
    )
    rebuild(settings)
    bank = auth_headers("bank")
    answer = api_client.get("/v1/lookup/phone/๐๘๑-๒๓๔-๕๖๗๘", headers=bank).json()
    assert answer["value"] == "+66812345678" and answer["tier"] == "very_high"
    assert (
        answer["action"] == "block"
        and "confirmed by the police or a regulator" in answer["reasons"]
    )
    public = api_client.get("/v1/lookup/phone/0812345678").json()
    assert public == {
        "kind": "phone",
        "value": "+66812345678",
        "known": True,
        "tier": "very_high",
        "official": False,
    }
    batch = api_client.post(
        "/v1/lookup",
        headers=bank,
        json={
            "items": [
                {"kind": "phone", "value": "081 234 5678"},
                {"kind": "phone", "value": "0899999999"},
                {"kind": "phone", "value": "not a number"},
            ]
        },
    ).json()["items"]
    assert [a.get("tier") for a in batch[:2]] == ["very_high", "none"] and "error" in batch[2]
    assert api_client.post("/v1/lookup", json={"items": []}).status_code == 403
    bad = api_client.get("/v1/lookup/phone/12ab", headers=bank)
    assert bad.status_code == 400 and bad.headers["content-type"] == "application/problem+json"


def test_member_policy_changes_action_but_never_unlocks_block(api_client, auth_headers, settings):
    telco = auth_headers("telco")
    post_evidence(
        api_client,
        telco,
        {
            "kind": "phone",
            "value": "0811111111",
            "evidence": "analytics",
            "subtype": "mule_sim",
            "confidence": 0.6,
        },
    )
    rebuild(settings)
    bank = auth_headers("bank")
    assert api_client.get("/v1/lookup/phone/0811111111", headers=bank).json()["action"] == "warn"
    assert (
        api_client.put("/v1/lookup/policy", headers=bank, json={"medium": "block"}).json()["medium"]
        == "block"
    )
    answer = api_client.get("/v1/lookup/phone/0811111111", headers=bank).json()
    assert answer["tier"] == "medium" and answer["action"] == "delay_warn"


def test_appeal_round_trip_clears_at_once_and_audits_every_step(api_client, auth_headers, settings):
    police, analyst = auth_headers("police"), auth_headers("regulator")
    post_evidence(
        api_client,
        police,
        {
            "kind": "bank_account",
            "value": "kbank:123-4-56789-0",
            "evidence": "analytics",
            "subtype": "mule_account",
            "confidence": 0.95,
        },
    )
    rebuild(settings)
    bank = auth_headers("bank")
    assert (
        api_client.get("/v1/lookup/bank_account/004:1234567890", headers=bank).json()["tier"]
        == "high"
    )
    opened = api_client.post(
        "/v1/appeals",
        json={
            "kind": "bank_account",
            "value": "004-1-23456-7-8-9-0".replace("-", ""),
            "contact": "owner@example.com",
            "reason": "This is my salary account.",
        },
    )
    assert opened.status_code == 201, opened.text
    appeal = opened.json()
    assert appeal["status"] == "open" and not appeal["overdue"]
    queue = api_client.get("/v1/appeals", headers=analyst).json()
    assert [a["id"] for a in queue] == [appeal["id"]]
    assert api_client.get("/v1/appeals", headers=bank).status_code == 403
    decided = api_client.post(
        f"/v1/appeals/{appeal['id']}/decision",
        headers=analyst,
        json={"grant": True, "note": "salary deposits verified"},
    ).json()
    assert decided["status"] == "granted"
    cleared = api_client.get("/v1/lookup/bank_account/004:1234567890", headers=bank).json()
    assert cleared["tier"] == "none" and "cleared on appeal" in " ".join(cleared["reasons"])
    # The same source repeating itself does not revive it; a new independent source does.
    post_evidence(
        api_client,
        police,
        {
            "kind": "bank_account",
            "value": "004:1234567890",
            "evidence": "analytics",
            "subtype": "mule_account",
            "confidence": 0.95,
        },
    )
    detail = api_client.get("/v1/indicators/bank_account/004:1234567890", headers=analyst).json()
    assert detail["score"] == 0 and detail["status"] == "cleared"
    post_evidence(
        api_client,
        auth_headers("police"),
        {
            "kind": "bank_account",
            "value": "004:1234567890",
            "evidence": "authority",
            "subtype": "confirmed",
        },
    )
    detail = api_client.get("/v1/indicators/bank_account/004:1234567890", headers=analyst).json()
    assert detail["tier"] == "very_high"
    with session_scope(settings.effective_database_url) as session:
        actions = session.execute(select(AuditEntry.action)).scalars().all()
    assert {"intel.appeal.open", "intel.appeal.granted", "intel.indicator.read"} <= set(actions)


def test_allowlist_is_admin_editable_and_flags_reports(api_client, auth_headers, settings):
    admin, bank = auth_headers("admin"), auth_headers("bank")
    assert (
        api_client.put(
            "/v1/allowlist",
            headers=bank,
            json={"kind": "phone", "value": "+6620000000", "owner": "x"},
        ).status_code
        == 403
    )
    put = api_client.put(
        "/v1/allowlist",
        headers=admin,
        json={"kind": "phone", "value": "+6625551234", "owner": "Example bank call centre"},
    )
    assert put.status_code == 200, put.text
    listed = api_client.get("/v1/allowlist", headers=bank).json()
    assert {"kind": "short_code", "value": "1185"} in [
        {"kind": e["kind"], "value": e["value"]} for e in listed
    ]
    telco = auth_headers("telco")
    post_evidence(
        api_client,
        telco,
        {
            "kind": "phone",
            "value": "02-555-1234",
            "evidence": "sighting",
            "subtype": "true_positive",
        },
    )
    rebuild(settings)
    answer = api_client.get("/v1/lookup/phone/025551234", headers=bank).json()
    assert answer["official"] and answer["action"] == "none" and answer["tier"] == "none"
    assert api_client.get("/v1/lookup/phone/025551234").json()["official"] is True


def test_feeds_are_incremental_with_adds_and_removals(api_client, auth_headers, settings):
    police = auth_headers("police")
    for value in ("0821111111", "0822222222"):
        post_evidence(
            api_client,
            police,
            {"kind": "phone", "value": value, "evidence": "authority", "subtype": "confirmed"},
        )
    telco = auth_headers("telco")
    full = api_client.get("/v1/feeds/phone.txt", headers=telco)
    assert full.status_code == 200 and full.text.split() == ["+66821111111", "+66822222222"]
    cursor = full.headers["X-Next-Cursor"]
    nothing = api_client.get("/v1/feeds/phone.txt", params={"since": cursor}, headers=telco)
    assert nothing.text == ""
    appeal = api_client.post(
        "/v1/appeals",
        json={"kind": "phone", "value": "0821111111", "contact": "0821111111", "reason": "my shop"},
    )
    api_client.post(
        f"/v1/appeals/{appeal.json()['id']}/decision",
        headers=auth_headers("admin"),
        json={"grant": True, "note": "shop verified"},
    )
    changes = api_client.get("/v1/feeds/phone.csv", params={"since": cursor}, headers=telco)
    assert changes.text.splitlines()[1].startswith("remove,phone,+66821111111")
    assert api_client.get("/v1/feeds/phone.txt").status_code == 401
    assert api_client.get("/v1/feeds/nope.txt", headers=telco).status_code == 404
    post_evidence(
        api_client,
        police,
        {
            "kind": "domain",
            "value": "kbank-secure-th.com",
            "evidence": "authority",
            "subtype": "confirmed",
        },
    )
    zone = api_client.get("/v1/feeds/rpz.zone", headers=telco).text
    assert "kbank-secure-th.com CNAME ." in zone and "*.kbank-secure-th.com CNAME ." in zone
