"""Members and API keys: create, authenticate, revoke; only hashes are stored."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select, text

from scamtrace.errors import AuthenticationError, Conflict, InvalidInput, NotFound
from scamtrace.orgs.key_cache import principal_cache
from scamtrace.orgs.models import ApiKey
from scamtrace.orgs.service import (
    authenticate_api_key,
    create_api_key,
    create_member,
    deactivate_member,
    list_api_keys,
    list_members,
    revoke_api_key,
)


def test_create_and_list_members(session):
    create_member(session, name="  Kasikorn   Bank ", sector="bank", actor="test")
    create_member(session, name="AIS", sector="telco", actor="test")

    members, total = list_members(session)

    assert total == 2
    assert [(member.name, member.sector) for member in members] == [
        ("Kasikorn Bank", "bank"),
        ("AIS", "telco"),
    ]


def test_member_names_are_unique_and_sectors_checked(session):
    create_member(session, name="AIS", sector="telco", actor="test")
    with pytest.raises(Conflict, match="already exists"):
        create_member(session, name="AIS", sector="telco", actor="test")
    with pytest.raises(InvalidInput, match="unknown sector 'moon'"):
        create_member(session, name="Moon", sector="moon", actor="test")


def test_key_authenticates_to_its_member_role_and_groups(session):
    member = create_member(session, name="SCB", sector="bank", actor="test")
    created = create_api_key(
        session, member_ref="SCB", role="bank", sharing_groups=["Banks", "th-fraud"], actor="test"
    )

    principal = authenticate_api_key(session, plaintext=created.plaintext)

    assert principal.member_id == member.id
    assert principal.role == "bank"
    assert principal.sharing_groups == ("banks", "th-fraud")
    assert principal.key_prefix == created.api_key.prefix
    assert created.plaintext.startswith(f"stk_{created.api_key.prefix}_")


def test_only_the_hash_of_a_key_is_stored(session):
    create_member(session, name="KTB", sector="bank", actor="test")
    created = create_api_key(session, member_ref="KTB", role="bank", actor="test")
    secret_part = created.plaintext.split("_", 2)[2]  # stk_<prefix>_<secret>

    stored = session.execute(text("SELECT * FROM api_keys")).mappings().one()

    assert stored["key_hash"] == hashlib.sha256(created.plaintext.encode()).hexdigest()
    assert not any(secret_part in str(value) for value in stored.values())
    audit_rows = session.execute(text("SELECT details, target FROM audit_log")).all()
    assert not any(secret_part in str(row) for row in audit_rows)


def test_wrong_malformed_and_revoked_keys_are_refused(session):
    create_member(session, name="True", sector="telco", actor="test")
    created = create_api_key(session, member_ref="True", role="telco", actor="test")
    forged = created.plaintext[:-4] + ("AAAA" if not created.plaintext.endswith("AAAA") else "BBBB")

    for bad in (forged, "stk_00000000_" + "x" * 43, "not-a-key", ""):
        with pytest.raises(AuthenticationError):
            authenticate_api_key(session, plaintext=bad)

    revoke_api_key(session, prefix=created.api_key.prefix, actor="test")
    with pytest.raises(AuthenticationError):
        authenticate_api_key(session, plaintext=created.plaintext)
    with pytest.raises(Conflict, match="already revoked"):
        revoke_api_key(session, prefix=created.api_key.prefix, actor="test")


def test_key_creation_errors_name_what_is_wrong(session):
    create_member(session, name="DTAC", sector="telco", actor="test")
    with pytest.raises(NotFound, match="no member 'Nobody'"):
        create_api_key(session, member_ref="Nobody", role="telco", actor="test")
    with pytest.raises(InvalidInput, match="unknown role 'king'"):
        create_api_key(session, member_ref="DTAC", role="king", actor="test")
    with pytest.raises(InvalidInput, match="invalid sharing group"):
        create_api_key(
            session, member_ref="DTAC", role="telco", sharing_groups=["bad group!"], actor="test"
        )
    with pytest.raises(NotFound):
        revoke_api_key(session, prefix="deadbeef", actor="test")
    assert list_api_keys(session) == []


def test_last_used_is_recorded_on_authentication(session):
    create_member(session, name="BBL", sector="bank", actor="test")
    created = create_api_key(session, member_ref="BBL", role="bank", actor="test")
    assert created.api_key.last_used_at is None

    authenticate_api_key(session, plaintext=created.plaintext)

    stored = session.scalar(select(ApiKey).where(ApiKey.prefix == created.api_key.prefix))
    session.refresh(stored)
    assert stored.last_used_at is not None


def test_deactivating_a_member_stops_its_keys_at_once(session):
    create_member(session, name="GSB", sector="bank", actor="test")
    created = create_api_key(session, member_ref="GSB", role="bank", actor="test")
    authenticate_api_key(session, plaintext=created.plaintext)

    deactivate_member(session, member_ref="GSB", actor="test")

    with pytest.raises(AuthenticationError):
        authenticate_api_key(session, plaintext=created.plaintext)
    with pytest.raises(Conflict, match="already inactive"):
        deactivate_member(session, member_ref="GSB", actor="test")
    with pytest.raises(Conflict, match="deactivated"):
        create_api_key(session, member_ref="GSB", role="bank", actor="test")


def test_a_recent_authentication_is_served_from_memory_for_the_cache_time(session, monkeypatch):
    from scamtrace.config import get_settings

    create_member(session, name="KKP", sector="bank", actor="test")
    created = create_api_key(session, member_ref="KKP", role="bank", actor="test")
    authenticate_api_key(session, plaintext=created.plaintext)
    # Removed behind the service's back (another process): this worker keeps trusting it...
    session.execute(text("DELETE FROM api_keys"))
    session.commit()
    assert authenticate_api_key(session, plaintext=created.plaintext).member_name == "KKP"

    # ... while without the cache the store is asked every time.
    principal_cache.clear()
    monkeypatch.setenv("SCAMTRACE_API_KEY_CACHE_SECONDS", "0")
    get_settings.cache_clear()
    with pytest.raises(AuthenticationError):
        authenticate_api_key(session, plaintext=created.plaintext)
