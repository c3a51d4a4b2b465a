"""Every error is application/problem+json: 401, 403, 404, 405, 422."""

from __future__ import annotations

PROBLEM = "application/problem+json"


def assert_problem(response, status: int, instance: str) -> dict:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= body.keys()
    assert body["status"] == status
    assert body["instance"] == instance
    return body


def test_missing_key_is_401_problem(api_client):
    response = api_client.get("/v1/members/me")

    body = assert_problem(response, 401, "/v1/members/me")
    assert body["type"] == "urn:scamtrace:problem:authentication-error"
    assert "API key is required" in body["detail"]
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_wrong_key_is_401_problem_in_either_header(api_client, auth_headers):
    real = auth_headers("bank")["Authorization"].removeprefix("Bearer ")
    wrong = real[:-3] + ("xyz" if not real.endswith("xyz") else "abc")

    for headers in ({"Authorization": f"Bearer {wrong}"}, {"X-API-Key": wrong}):
        body = assert_problem(
            api_client.get("/v1/members/me", headers=headers), 401, "/v1/members/me"
        )
        assert body["detail"] == "invalid or revoked API key"


def test_role_without_the_right_is_403_problem(api_client, auth_headers):
    response = api_client.get("/v1/members", headers=auth_headers("bank"))

    body = assert_problem(response, 403, "/v1/members")
    assert body["type"] == "urn:scamtrace:problem:permission-denied"
    assert "role 'bank'" in body["detail"] and "admin" in body["detail"]


def test_unknown_route_is_404_problem(api_client):
    body = assert_problem(api_client.get("/v1/no-such-thing"), 404, "/v1/no-such-thing")
    assert body["title"] == "Not Found"


def test_wrong_method_is_405_problem(api_client):
    body = assert_problem(api_client.delete("/healthz"), 405, "/healthz")
    assert "DELETE" in body["detail"]


def test_validation_error_is_422_problem_naming_the_field(api_client, auth_headers):
    admin = auth_headers("admin")

    response = api_client.post(
        "/v1/members", headers=admin, json={"name": "Bank X", "sector": "moon"}
    )

    body = assert_problem(response, 422, "/v1/members")
    assert body["detail"].startswith("body.sector:")
    assert [error["field"] for error in body["errors"]] == ["body.sector"]


def test_missing_field_and_bad_query_are_422(api_client, auth_headers):
    admin = auth_headers("admin")

    missing = api_client.post("/v1/members", headers=admin, json={"sector": "bank"}).json()
    bad_query = api_client.get("/v1/members?limit=0", headers=admin).json()

    assert missing["errors"][0]["field"] == "body.name"
    assert bad_query["errors"][0]["field"] == "query.limit"


def test_conflict_is_409_problem(api_client, auth_headers):
    admin = auth_headers("admin")
    api_client.post("/v1/members", headers=admin, json={"name": "Bank X", "sector": "bank"})

    response = api_client.post(
        "/v1/members", headers=admin, json={"name": "Bank X", "sector": "bank"}
    )

    body = assert_problem(response, 409, "/v1/members")
    assert "already exists" in body["detail"]


def test_malformed_json_is_422_problem(api_client, auth_headers):
    headers = {**auth_headers("admin"), "Content-Type": "application/json"}

    response = api_client.post("/v1/members", headers=headers, content=b'{"name": "x", ')

    body = assert_problem(response, 422, "/v1/members")
    assert body["errors"][0]["type"] == "json_invalid"
