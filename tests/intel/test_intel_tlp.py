"""TLP 2.0 and sharing groups on every read endpoint: nobody sees what they may not."""

from __future__ import annotations

import pytest

from scamtrace.intel.index_builder import rebuild_index
from scamtrace.intel.serving import index_dir_for
from scamtrace.intel.stix import stix_id
from scamtrace.intel.taxii import COLLECTIONS
from scamtrace.store.engine import session_scope

SHARED = "+66811110001"  # GREEN evidence for everyone, plus a RED sighting by telco A
RED_ONLY = "+66811110002"  # only a RED sighting by telco A
GROUP = "004:1234567890"  # AMBER authority confirmation shared with group ccib
SECTOR = "+66811110003"  # AMBER sighting by a bank, no group: banks only


@pytest.fixture
def world(api_client, auth_headers, settings):
    heads = {
        "telco_a": auth_headers("telco"),
        "police": auth_headers("police", groups=["ccib"]),
        "bank_a": auth_headers("bank"),
        "telco_other": auth_headers("telco"),
        "bank_other": auth_headers("bank"),
        "bank_ccib": auth_headers("bank", groups=["ccib"]),
    }

    def post(who, **item):
        response = api_client.post(
            "/v1/indicators/evidence", headers=heads[who], json={"items": [item]}
        )
        assert response.status_code == 201, response.text

    post(
        "police", kind="phone", value=SHARED, evidence="authority", subtype="confirmed", tlp="green"
    )
    post(
        "telco_a",
        kind="phone",
        value=SHARED,
        evidence="sighting",
        subtype="false_positive",
        tlp="red",
    )
    post(
        "telco_a",
        kind="phone",
        value=RED_ONLY,
        evidence="sighting",
        subtype="true_positive",
        tlp="red",
    )
    post(
        "police",
        kind="bank_account",
        value=GROUP,
        evidence="authority",
        subtype="confirmed",
        tlp="amber",
        sharing_group="ccib",
    )
    post(
        "bank_a",
        kind="phone",
        value=SECTOR,
        evidence="sighting",
        subtype="true_positive",
        tlp="amber",
    )
    with session_scope(settings.effective_database_url) as session:
        rebuild_index(session, index_dir_for(settings))
    return heads


def _lookup(client, headers, kind, value):
    return client.get(f"/v1/lookup/{kind}/{value}", headers=headers or {}).json()


def test_single_lookup(api_client, world):
    assert _lookup(api_client, world["telco_a"], "phone", RED_ONLY)["known"]
    assert not _lookup(api_client, world["telco_other"], "phone", RED_ONLY)["known"]
    assert _lookup(api_client, world["bank_ccib"], "bank_account", GROUP)["tier"] == "very_high"
    assert not _lookup(api_client, world["bank_other"], "bank_account", GROUP)["known"]
    assert _lookup(api_client, world["bank_other"], "phone", SECTOR)["known"]
    assert not _lookup(api_client, world["telco_other"], "phone", SECTOR)["known"]
    # The public's tier counts CLEAR evidence only, and it never sees a score or reasons.
    public = _lookup(api_client, None, "phone", SHARED)
    assert public["tier"] == "none" and "score" not in public and "reasons" not in public


def test_batch_lookup(api_client, world):
    items = [
        {"kind": "phone", "value": RED_ONLY},
        {"kind": "bank_account", "value": GROUP},
        {"kind": "phone", "value": SECTOR},
    ]
    answers = api_client.post("/v1/lookup", headers=world["telco_other"], json={"items": items})
    assert [a["known"] for a in answers.json()["items"]] == [False, False, False]
    mine = api_client.post("/v1/lookup", headers=world["bank_ccib"], json={"items": items})
    assert [a["known"] for a in mine.json()["items"]] == [False, True, True]


def test_indicator_list(api_client, world):
    listed = api_client.get("/v1/indicators", headers=world["telco_other"]).json()["items"]
    assert {i["value"] for i in listed} == {SHARED}
    assert api_client.get("/v1/indicators").status_code == 401


def test_indicator_detail(api_client, world):
    other = api_client.get(f"/v1/indicators/phone/{SHARED}", headers=world["telco_other"]).json()
    assert [e["evidence"] for e in other["evidence"]] == ["authority"]
    own = api_client.get(f"/v1/indicators/phone/{SHARED}", headers=world["telco_a"]).json()
    assert sorted(e["subtype"] for e in own["evidence"]) == ["confirmed", "false_positive"]
    hidden = api_client.get(f"/v1/indicators/phone/{RED_ONLY}", headers=world["telco_other"]).json()
    assert hidden["evidence"] == [] and hidden["tier"] == "none" and hidden["score"] == 0
    grouped = api_client.get(f"/v1/indicators/bank_account/{GROUP}", headers=world["bank_other"])
    assert grouped.json()["evidence"] == []
    public = api_client.get(f"/v1/indicators/phone/{SHARED}")
    assert public.status_code == 401


def test_feeds(api_client, world):
    text = api_client.get(
        "/v1/feeds/phone.txt", headers=world["telco_other"], params={"min_tier": "low"}
    ).text
    assert RED_ONLY not in text and SECTOR not in text
    accounts = api_client.get("/v1/feeds/bank-accounts.csv", headers=world["bank_other"]).text
    assert GROUP not in accounts
    assert api_client.get("/v1/feeds/phone.txt").status_code == 401


def test_taxii_objects_and_manifest(api_client, world):
    alliance = next(c for c in COLLECTIONS if c.slug == "alliance")
    base = f"/taxii2/alliance/collections/{alliance.id}"
    body = api_client.get(f"{base}/objects/", headers=world["telco_other"]).text
    assert RED_ONLY not in body and SECTOR not in body and GROUP not in body
    assert "strongly-disagree" not in body  # telco A's RED false positive on SHARED
    own = api_client.get(f"{base}/objects/", headers=world["telco_a"]).text
    assert "strongly-disagree" in own
    manifest = api_client.get(f"{base}/manifest/", headers=world["telco_other"]).json()
    indicators = {o["id"] for o in manifest["objects"] if o["id"].startswith("indicator--")}
    assert indicators == {stix_id("indicator", f"phone:{SHARED}")}
    bank_collection = next(c for c in COLLECTIONS if c.slug == "bank")
    denied = api_client.get(
        f"/taxii2/alliance/collections/{bank_collection.id}/objects/", headers=world["telco_other"]
    )
    assert denied.status_code == 403
    assert api_client.get(f"{base}/objects/").status_code == 401
    hidden_id = stix_id("indicator", f"phone:{RED_ONLY}")
    assert (
        api_client.get(f"{base}/objects/{hidden_id}/", headers=world["telco_other"]).status_code
        == 404
    )
    shared_id = stix_id("indicator", f"phone:{SHARED}")
    one = api_client.get(f"{base}/objects/{shared_id}/", headers=world["telco_other"]).json()
    assert [o["id"] for o in one["objects"]] == [shared_id]


def test_cli_export_as_a_member(world, settings, tmp_path):
    from scamtrace.intel.exchange import export_indicators
    from scamtrace.orgs.service import authenticate_api_key
    from scamtrace.store.engine import session_scope

    with session_scope(settings.effective_database_url) as session:
        key = world["telco_other"]["Authorization"].removeprefix("Bearer ")
        viewer = authenticate_api_key(session, plaintext=key)
        bundle = export_indicators(session, principal=viewer, fmt="stix", min_tier="low")
        misp = export_indicators(session, principal=viewer, fmt="misp", min_tier="low")
    assert "strongly-disagree" not in bundle and RED_ONLY not in bundle
    assert RED_ONLY not in misp and '"type": "1"' not in misp  # telco A's RED false positive
