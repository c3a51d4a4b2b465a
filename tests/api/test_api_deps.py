"""The dependency aliases other routers build on: Caller, CurrentMember, require_roles."""

from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient

from scamtrace.api.deps import Caller, CurrentMember, require_roles
from scamtrace.api.main import create_app
from scamtrace.orgs.service import Principal

PoliceOrAdmin = Annotated[Principal, Depends(require_roles("police", "admin"))]


@pytest.fixture
def probe_client(settings):
    app = create_app(settings)

    @app.get("/probe/caller")
    def probe_caller(caller: Caller) -> dict:
        return {"role": caller.role, "actor": caller.actor}

    @app.get("/probe/member")
    def probe_member(member: CurrentMember) -> dict:
        return {"role": member.role, "groups": list(member.sharing_groups)}

    @app.get("/probe/police")
    def probe_police(member: PoliceOrAdmin) -> dict:
        return {"role": member.role}

    with TestClient(app) as client:
        yield client


def test_caller_without_a_key_is_the_anonymous_public(probe_client):
    assert probe_client.get("/probe/caller").json() == {"role": "public", "actor": "anonymous"}


def test_caller_with_a_wrong_key_is_still_refused(probe_client):
    response = probe_client.get("/probe/caller", headers={"X-API-Key": "stk_00000000_" + "a" * 43})
    assert response.status_code == 401


def test_caller_with_a_key_is_its_member(probe_client, auth_headers):
    body = probe_client.get("/probe/caller", headers=auth_headers("telco")).json()
    assert body["role"] == "telco" and body["actor"].startswith("member:1/key:")


def test_current_member_carries_the_key_groups(probe_client, auth_headers):
    headers = auth_headers("bank", groups=["banks", "th-fraud"])
    assert probe_client.get("/probe/member", headers=headers).json() == {
        "role": "bank",
        "groups": ["banks", "th-fraud"],
    }


@pytest.mark.parametrize(("role", "status"), [("police", 200), ("admin", 200), ("bank", 403)])
def test_require_roles_admits_only_the_listed_roles(probe_client, auth_headers, role, status):
    assert probe_client.get("/probe/police", headers=auth_headers(role)).status_code == status


def test_require_roles_refuses_unknown_roles_at_import_time():
    with pytest.raises(ValueError, match="unknown roles"):
        require_roles("sheriff")
