"""STIX 2.1 (stix2-validator), MISP (PyMISP) and TAXII 2.1 (taxii2-client, real server)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from scamtrace.intel.exchange import export_indicators, import_file
from scamtrace.intel.service import NewEvidence, add_evidence
from scamtrace.orgs.service import Principal, create_member
from scamtrace.store.engine import session_scope

EVIDENCE = [
    ("phone", "081-234-5678", "authority", "confirmed", "clear"),
    ("bank_account", "kbank:1234567890", "analytics", "mule_account", "green"),
    ("domain", "kbank-secure-th.com", "sighting", "true_positive", "green"),
    ("url", "https://kbank-secure-th.com/login?utm_source=x", "sighting", "true_positive", "green"),
    ("imsi", "520031234567890", "analytics", "mule_sim", "green"),
    ("sender_id", "KBank-Alert", "sighting", "true_positive", "green"),
    ("phone", "+66812345678", "opinion", "agree", "green"),
]


def _fill(session) -> Principal:
    police = create_member(session, name="police", sector="police", actor="t")
    for kind, value, evidence, subtype, tlp in EVIDENCE:
        add_evidence(
            session,
            source_member_id=police.id,
            actor="t",
            items=[NewEvidence(kind, value, evidence, subtype, 0.9, tlp=tlp)],
        )
    add_evidence(
        session,
        source_member_id=None,
        actor="t",
        items=[
            NewEvidence(
                "phone", "0812345678", "report", "sms_1185", reporter_number=f"+6681000000{i}"
            )
            for i in range(3)
        ],
    )
    return Principal(police.id, "police", "police", "police", (), "k")


def test_stix_export_is_valid_and_round_trips(session, tmp_path):
    from stix2validator import ValidationOptions, validate_string

    principal = _fill(session)
    bundle = export_indicators(session, principal=principal, fmt="stix")
    result = validate_string(bundle, ValidationOptions(version="2.1", strict=False))
    assert result.is_valid, [str(e) for e in result.errors]
    objects = json.loads(bundle)["objects"]
    types = {o["type"] for o in objects}
    assert {
        "indicator",
        "sighting",
        "opinion",
        "identity",
        "extension-definition",
        "marking-definition",
        "phone-number",
        "thai-bank-account",
        "sim-card",
    } <= types
    patterns = {o["pattern"] for o in objects if o["type"] == "indicator"}
    assert "[phone-number:value = '+66812345678']" in patterns
    assert "[thai-bank-account:value = '004:1234567890']" in patterns
    path = tmp_path / "bundle.json"
    path.write_text(bundle)
    other = create_member(session, name="telco", sector="telco", actor="t")
    accepted, skipped = import_file(session, path=path, source_member_id=other.id, actor="t")
    assert accepted == 6 and skipped == 0  # every exported indicator


def test_misp_export_loads_in_pymisp(session):
    from pymisp import MISPEvent

    principal = _fill(session)
    document = export_indicators(session, principal=principal, fmt="misp")
    event = MISPEvent()
    event.load(document)
    by_value = {a.value: a for a in event.attributes}
    assert by_value["+66812345678"].type == "phone-number"
    assert by_value["004:1234567890"].type == "bank-account-nr"
    assert by_value["kbank-secure-th.com"].category == "Network activity"
    assert any(t.name == "tlp:green" for t in by_value["+66812345678"].tags)
    assert len(by_value["+66812345678"].sightings) == 2  # citizen reports + police


def test_csv_import_skips_bad_identifiers(session, tmp_path):
    member = create_member(session, name="bank", sector="bank", actor="t")
    path = tmp_path / "in.csv"
    path.write_text(
        "kind,value,evidence,confidence\nphone,081 234 5678,sighting,0.9\n"
        "phone,nonsense,sighting,0.9\nbank_account,scb:1234567890,analytics/mule_account,0.8\n"
    )
    assert import_file(session, path=path, source_member_id=member.id, actor="t") == (2, 1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def live_server(settings, auth_headers):
    """A real uvicorn on 127.0.0.1 for clients that use requests; stopped by the test."""
    with session_scope(settings.effective_database_url) as session:
        _fill(session)
    key = auth_headers("telco")["Authorization"].removeprefix("Bearer ")
    port = _free_port()
    env = {
        **os.environ,
        "SCAMTRACE_DATABASE_URL": settings.effective_database_url,
        "SCAMTRACE_ENVIRONMENT": "test",
        "SCAMTRACE_DATA_DIR": str(settings.data_dir),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "scamtrace.api.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "server did not start within 30 s"
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", key
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_taxii2_client_reads_collections_pages_and_manifest(live_server):
    from taxii2client.v21 import Server, as_pages

    base, key = live_server
    server = Server(f"{base}/taxii2/", user="telco", password=key)
    api_root = server.default
    assert api_root.title == "scamtrace alliance"
    titles = {c.title: c for c in api_root.collections}
    assert set(titles) == {"Alliance indicators", "Voice, SMS and web"}
    collection = titles["Voice, SMS and web"]
    everything = collection.get_objects()
    indicators = [o for o in everything["objects"] if o["type"] == "indicator"]
    assert len(indicators) == 5  # phone, domain, url, imsi, sender id
    paged = [
        o
        for page in as_pages(collection.get_objects, per_request=3)
        for o in page.get("objects", [])
    ]
    assert {o["id"] for o in paged} == {o["id"] for o in everything["objects"]}
    only = collection.get_objects(type="indicator")
    assert {o["type"] for o in only["objects"]} == {"indicator"}
    manifest = collection.get_manifest()
    assert {m["id"] for m in manifest["objects"]} == {o["id"] for o in everything["objects"]}
    later = collection.get_objects(added_after="2100-01-01T00:00:00Z")
    assert later.get("objects", []) == [] and later["more"] is False


def test_extension_schemas_are_served_and_describe_exported_objects(api_client, session):
    import jsonschema

    principal = _fill(session)
    session.commit()
    objects = json.loads(export_indicators(session, principal=principal, fmt="stix"))["objects"]
    for name in ("phone-number", "thai-bank-account", "sim-card"):
        response = api_client.get(f"/v1/stix/extensions/{name}.json")
        assert response.status_code == 200
        for obj in (o for o in objects if o["type"] == name):
            jsonschema.validate(obj, response.json())
    assert api_client.get("/v1/stix/extensions/nope.json").status_code == 404
