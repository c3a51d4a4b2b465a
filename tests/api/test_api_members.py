"""Health, version, OpenAPI, and the members resource end to end."""

from __future__ import annotations

from scamtrace.store.migrate import head_revision


def test_healthz_checks_the_store(api_client):
    response = api_client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["revision"] == head_revision()
    assert body["database"]["backend"] in {"sqlite", "postgresql"}


def test_healthz_is_503_on_a_store_never_migrated(empty_database_url, tmp_path):
    from fastapi.testclient import TestClient

    from scamtrace.api.main import create_app
    from scamtrace.config import Settings

    settings = Settings(database_url=empty_database_url, data_dir=tmp_path, environment="test")
    with TestClient(create_app(settings)) as client:
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "scamtrace db upgrade" in response.json()["detail"]


def test_version_and_openapi(api_client):
    version = api_client.get("/v1/version").json()
    schema = api_client.get("/openapi.json").json()

    assert version["name"] == "scamtrace" and version["api"] == "v1"
    assert {"/healthz", "/v1/version", "/v1/members", "/v1/members/me"} <= schema["paths"].keys()
    assert api_client.get("/docs").status_code == 200


def test_admin_creates_and_lists_members_and_issues_a_key(api_client, auth_headers):
    admin = auth_headers("admin")

    created = api_client.post(
        "/v1/members", headers=admin, json={"name": "Royal Thai Police CCIB", "sector": "police"}
    )
    assert created.status_code == 201
    member_id = created.json()["id"]

    key = api_client.post(
        f"/v1/members/{member_id}/keys",
        headers=admin,
        json={"role": "police", "sharing_groups": ["ccib"]},
    )
    assert key.status_code == 201
    plaintext = key.json()["key"]

    me = api_client.get("/v1/members/me", headers={"X-API-Key": plaintext}).json()
    assert me == {
        "id": member_id,
        "name": "Royal Thai Police CCIB",
        "sector": "police",
        "role": "police",
        "sharing_groups": ["ccib"],
        "key_prefix": key.json()["prefix"],
    }

    page = api_client.get("/v1/members", headers=admin).json()
    assert page["total"] == 2
    assert [item["name"] for item in page["items"]] == ["test admin 1", "Royal Thai Police CCIB"]

    listed = api_client.get(f"/v1/members/{member_id}/keys", headers=admin).json()
    assert [entry["prefix"] for entry in listed] == [key.json()["prefix"]]
    assert "key" not in listed[0] and "key_hash" not in listed[0]


def test_revoked_key_stops_working_at_once(api_client, auth_headers):
    admin = auth_headers("admin")
    bank = auth_headers("bank")
    me = api_client.get("/v1/members/me", headers=bank).json()

    revoked = api_client.delete(f"/v1/members/{me['id']}/keys/{me['key_prefix']}", headers=admin)

    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert api_client.get("/v1/members/me", headers=bank).status_code == 401


def test_unknown_member_is_404_problem(api_client, auth_headers):
    response = api_client.get("/v1/members/999", headers=auth_headers("admin"))

    assert response.status_code == 404
    assert response.json()["type"] == "urn:scamtrace:problem:not-found"
