"""Report intake through the API, on both stores: every channel and every bad input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from scamtrace.intel.models import Evidence, Indicator
from scamtrace.reports.models import CallRecord, Report

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
REPORTER = "0891112222"
SCAMMER = "+66612345678"


def _post_calls(api_client, headers, records):
    payload = {"records": [
        {"ts": ts.isoformat(), "caller": caller, "callee": callee, "duration_s": duration}
        for ts, caller, callee, duration in records
    ]}
    return api_client.post("/v1/calls", json=payload, headers=headers)


@pytest.fixture
def telco(auth_headers):
    return auth_headers("telco")


def test_ussd_resolves_the_last_caller_within_five_minutes(api_client, telco, session):
    answer = _post_calls(api_client, telco, [
        (T0 - timedelta(minutes=30), "+66811111111", "+66891112222", 60),
        (T0 - timedelta(minutes=3), "061-234-5678", "+66891112222", 45),
    ])
    assert answer.status_code == 201 and answer.json()["accepted"] == 2
    receipt = api_client.post("/v1/reports/ussd", headers=telco,
                              json={"reporter": REPORTER, "dialled_at": T0.isoformat()})
    assert receipt.status_code == 201, receipt.text
    body = receipt.json()
    assert body["reference"] in body["acknowledgement"]["th"]
    assert body["reference"] in body["acknowledgement"]["en"]
    report = session.execute(select(Report).where(Report.reference == body["reference"])).scalar_one()
    assert (report.reported_kind, report.reported_value) == ("phone", SCAMMER)
    assert report.details["resolution"] == "last_caller"
    assert "calling_pattern_48h" in report.analysis
    indicator = session.execute(select(Indicator).where(Indicator.value == SCAMMER)).scalar_one()
    evidence = session.execute(select(Evidence).where(Evidence.indicator_id == indicator.id)).scalars().all()
    assert [(e.kind, e.subtype, e.report_id) for e in evidence] == [("report", "ussd", report.id)]


def test_ussd_without_a_recent_call_names_nobody(api_client, telco, session):
    _post_calls(api_client, telco, [(T0 - timedelta(minutes=6), SCAMMER, "+66891112222", 30)])
    body = api_client.post("/v1/reports/ussd", headers=telco,
                           json={"reporter": REPORTER, "dialled_at": T0.isoformat()}).json()
    report = session.execute(select(Report).where(Report.reference == body["reference"])).scalar_one()
    assert report.reported_value is None
    assert report.details["resolution"] == "no_call_within_5_minutes"
    assert session.execute(select(Indicator)).scalars().all() == []


def test_explicit_number_in_the_ussd_string_is_reported(api_client, telco, session):
    body = api_client.post("/v1/reports/ussd", headers=telco,
                           json={"reporter": REPORTER, "code": "*1185*0612345678#"}).json()
    report = session.execute(select(Report).where(Report.reference == body["reference"])).scalar_one()
    assert (report.reported_value, report.details["resolution"]) == (SCAMMER, "named")


def test_a_mule_like_caller_is_escalated(api_client, telco, session):
    calls = [(T0 - timedelta(hours=20) + timedelta(minutes=i * 3), SCAMMER, f"+668{i:08d}", 15)
             for i in range(300)]
    calls.append((T0 - timedelta(minutes=2), SCAMMER, "+66891112222", 40))
    assert _post_calls(api_client, telco, calls).status_code == 201
    body = api_client.post("/v1/reports/ussd", headers=telco,
                           json={"reporter": REPORTER, "dialled_at": T0.isoformat()}).json()
    assert body["escalated"] is True and body["status"] == "escalated"
    report = session.execute(select(Report).where(Report.reference == body["reference"])).scalar_one()
    check = report.analysis["calling_pattern_48h"]
    assert check["flagged"] and check["reasons"] and check["features"]["out_calls"] == 301


def test_an_ordinary_caller_is_not_escalated(api_client, telco):
    calls = [(T0 - timedelta(hours=h), SCAMMER, f"+6681000000{h % 4}", 240) for h in range(1, 20)]
    calls += [(T0 - timedelta(hours=h, minutes=5), f"+6681000000{h % 4}", SCAMMER, 200) for h in range(1, 20)]
    calls.append((T0 - timedelta(minutes=1), SCAMMER, "+66891112222", 300))
    _post_calls(api_client, telco, calls)
    body = api_client.post("/v1/reports/ussd", headers=telco,
                           json={"reporter": REPORTER, "dialled_at": T0.isoformat()}).json()
    assert body["escalated"] is False and body["status"] == "analysed"


def test_repeat_from_one_reporter_is_merged_into_the_first(api_client, telco, session):
    payload = {"reporter": REPORTER, "code": "*1185*0612345678#"}
    first = api_client.post("/v1/reports/ussd", headers=telco, json=payload).json()
    second = api_client.post("/v1/reports/ussd", headers=telco, json=payload).json()
    assert second["duplicate"] is True and second["reference"] == first["reference"]
    statuses = sorted(session.execute(select(Report.status)).scalars())
    assert statuses == ["analysed", "merged"]


def test_rate_limit_answers_429_in_thai_and_english(api_client, telco, monkeypatch, settings):
    from scamtrace.config import get_settings

    monkeypatch.setenv("SCAMTRACE_REPORT_RATE_LIMIT_PER_HOUR", "3")
    get_settings.cache_clear()
    for i in range(3):
        answer = api_client.post("/v1/reports/ussd", headers=telco,
                                 json={"reporter": REPORTER, "code": f"*1185*08123456{i:02d}#"})
        assert answer.status_code == 201
    answer = api_client.post("/v1/reports/ussd", headers=telco,
                             json={"reporter": REPORTER, "code": "*1185*0812345699#"})
    assert answer.status_code == 429
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.headers["retry-after"] == "3600"
    problem = answer.json()
    assert "ท่าน" in problem["messages"]["th"] and "too many" in problem["messages"]["en"]


@pytest.mark.parametrize("payload, status, needle", [
    ({"reporter": REPORTER, "code": "*123#"}, 400, "not a report code"),
    ({"reporter": "12ab", "code": "*1185#"}, 400, "invalid phone"),
    ({"reporter": REPORTER, "code": "1185"}, 400, "invalid ussd"),
    ({"reporter": REPORTER, "extra": 1}, 422, "extra"),
])
def test_bad_ussd_requests_are_refused(api_client, telco, payload, status, needle, session):
    answer = api_client.post("/v1/reports/ussd", headers=telco, json=payload)
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert needle in json.dumps(answer.json()).lower()
    assert session.execute(select(Report)).scalars().all() == []


def test_gateways_need_a_telco_key(api_client, auth_headers):
    payload = {"reporter": REPORTER}
    assert api_client.post("/v1/reports/ussd", json=payload).status_code == 401
    assert api_client.post("/v1/reports/ussd", json=payload,
                           headers={"X-API-Key": "stk_00000000_wrongwrongwrongwrongwrong"}).status_code == 401
    assert api_client.post("/v1/reports/ussd", json=payload, headers=auth_headers("bank")).status_code == 403
    assert api_client.post("/v1/calls", json={"records": []}, headers=auth_headers("public")).status_code == 403


@pytest.mark.parametrize("text, needle", [
    ("", "empty"),
    ("   ", "empty"),
    ("ก" * 2001, "limit is 2000"),
    ("hello\x00world", "control character u+0000"),
])
def test_bad_texts_get_a_clear_4xx(api_client, telco, text, needle, session):
    attempts = [("/v1/reports/sms", {"reporter": REPORTER, "text": text}, telco)]
    if text.strip():  # on the web form the text is optional beside a number
        attempts.append(("/v1/reports/web", {"reporter": REPORTER, "text": text, "number": "0612345678"}, {}))
    for path, payload, headers in attempts:
        answer = api_client.post(path, json=payload, headers=headers)
        assert answer.status_code in (400, 422), answer.text
        assert needle in answer.json()["detail"].lower()
    assert session.execute(select(Report)).scalars().all() == []


def test_invalid_utf8_body_is_a_4xx_not_a_500(api_client, telco):
    answer = api_client.post("/v1/reports/sms", headers={**telco, "content-type": "application/json"},
                             content=b'{"reporter": "0891112222", "text": "\xff\xfe"}')
    assert answer.status_code in (400, 422)
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_web_report_of_a_number_and_account_without_text(api_client, session):
    answer = api_client.post("/v1/reports/web", json={
        "reporter": REPORTER, "number": "06 1234 5678", "scam_type": "investment",
        "loss_amount_thb": "25000.50",
        "transfer": {"amount_thb": "25000.50", "to_account": "123-4-56789-0", "to_bank": "KBANK"},
    })
    assert answer.status_code == 201, answer.text
    report = session.execute(select(Report)).scalar_one()
    assert (report.channel, report.scam_type, str(report.loss_amount_thb)) == ("web", "investment", "25000.50")
    values = set(session.execute(select(Indicator.value)).scalars())
    assert values == {SCAMMER, "004:1234567890"}
    status = api_client.get(f"/v1/reports/{body_ref(answer)}").json()
    assert status["status"] == "analysed" and "text" not in status and "reporter" not in status


def body_ref(answer):
    return answer.json()["reference"]


def test_web_report_needs_something_to_report(api_client):
    answer = api_client.post("/v1/reports/web", json={"reporter": REPORTER})
    assert answer.status_code == 422 and "at least one" in answer.json()["detail"]


def test_unknown_reference_is_404_problem(api_client):
    answer = api_client.get("/v1/reports/SR-0000-0000")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_call_batch_is_all_or_nothing(api_client, telco, session):
    answer = _post_calls(api_client, telco, [
        (T0, SCAMMER, "+66891112222", 10), (T0, "not-a-number", "+66891112222", 10)])
    assert answer.status_code == 400 and "call record 2: caller" in answer.json()["detail"]
    assert session.execute(select(CallRecord)).scalars().all() == []


def test_call_window_prunes_old_records(session, settings):
    from scamtrace.reports.calls import load_call_records

    old = [{"ts": T0 - timedelta(hours=100), "caller": SCAMMER, "callee": REPORTER}]
    new = [{"ts": T0, "caller": SCAMMER, "callee": REPORTER}]
    load_call_records(session, old)
    result = load_call_records(session, new, window_hours=72)
    session.commit()
    assert (result.accepted, result.pruned) == (1, 1)
    assert [r.ts for r in session.execute(select(CallRecord)).scalars()] == [T0]


BULK_CSV = (
    "idempotency_key,reported_kind,reported_value,loss_amount_thb,tx_id\n"
    "k1,bank_account,KBANK 123-4-56789-0,5000,tx-1\n"
    "k2,phone,0612345678,,\n"
    "k3,bank_account,999:12,100,tx-3\n"
)


def test_bulk_upload_is_idempotent_and_keeps_good_rows(api_client, auth_headers, session):
    bank = auth_headers("bank")
    files = {"file": ("complaints.csv", BULK_CSV.encode(), "text/csv")}
    first = api_client.post("/v1/reports/bulk", headers=bank, files=files)
    assert first.status_code == 200, first.text
    result = first.json()
    assert (result["accepted"], result["duplicates"], result["rejected"]) == (2, 0, 1)
    assert result["errors"][0].startswith("row 3: invalid bank_account")
    again = api_client.post("/v1/reports/bulk", headers=bank, files=files).json()
    assert (again["accepted"], again["duplicates"], again["rejected"]) == (0, 2, 1)
    assert again["references"] == result["references"]
    reports = session.execute(select(Report)).scalars().all()
    assert len(reports) == 2 and {r.channel for r in reports} == {"bank"}


def test_bulk_jsonl_upload(api_client, auth_headers):
    lines = "\n".join(json.dumps(row) for row in (
        {"idempotency_key": "a", "reported_kind": "url", "reported_value": "kbank-secure-th.com/login"},
        {"idempotency_key": "b", "reported_kind": "phone", "reported_value": "+66612345678"},
    ))
    answer = api_client.post("/v1/reports/bulk", headers=auth_headers("telco"),
                             files={"file": ("r.jsonl", lines.encode(), "application/x-ndjson")})
    assert answer.json()["accepted"] == 2


@pytest.mark.parametrize("name, content, needle", [
    ("r.txt", b"idempotency_key\nx\n", "upload a .csv or .jsonl"),
    ("r.csv", b"idempotency_key\n\xff\n", "not valid utf-8"),
    ("r.csv", b"reported_kind,reported_value\nphone,0612345678\n", "no idempotency_key column"),
    ("r.csv", b"", "no rows"),
    ("r.jsonl", b'{"idempotency_key": "a"}\n[1, 2]\n', "line 2: expected a json object"),
    ("r.jsonl", b'{"idempotency_key": \n', "line 1: not json"),
])
def test_bad_bulk_files_are_refused_whole(api_client, auth_headers, name, content, needle, session):
    answer = api_client.post("/v1/reports/bulk", headers=auth_headers("bank"),
                             files={"file": (name, content, "application/octet-stream")})
    assert answer.status_code == 400
    assert needle in answer.json()["detail"].lower()
    assert session.execute(select(Report)).scalars().all() == []


def test_sms_forward_is_classified_and_its_indicators_become_evidence(api_client, telco, session):
    text = "ไปรษณีย์ไทย: พัสดุของท่านตกค้าง ชำระค่าธรรมเนียม 35 บาท ที่ https://thaipost-th.top/pay?utm_source=sms"
    answer = api_client.post("/v1/reports/sms", headers=telco, json={
        "reporter": REPORTER, "text": text, "sender": "0612345678",
        "received_at": T0.isoformat()})
    assert answer.status_code == 201, answer.text
    report = session.execute(select(Report)).scalar_one()
    assert (report.status, report.label, report.language) == ("analysed", "scam", "th")
    assert report.analysis["links"][0]["verdict"] == "phishing"
    assert report.analysis["links"][0]["brand"] == "Thailand Post"
    values = set(session.execute(select(Indicator.value)).scalars())
    assert {"https://thaipost-th.top/pay", "thaipost-th.top", SCAMMER} <= values


def test_identifiers_in_a_legit_notice_are_not_evidence(api_client, telco, session):
    text = "KBank: Your OTP is 482913 (Ref: ABCD). Do not share this code with anyone."
    api_client.post("/v1/reports/sms", headers=telco, json={"reporter": REPORTER, "text": text,
                                                           "sender": "KBank"})
    report = session.execute(select(Report)).scalar_one()
    assert report.label == "legit"
    assert set(session.execute(select(Indicator.value)).scalars()) == {"kbank"}


def test_raw_texts_are_purged_after_retention_but_labels_stay(api_client, telco, session):
    from scamtrace.reports.service import purge_expired_texts

    text = "Your parcel is held. Pay 35 THB fee: https://thaipost-th.top/pay"
    for days_ago in (100, 10):
        api_client.post("/v1/reports/sms", headers=telco, json={
            "reporter": f"0891112{days_ago:03d}", "text": text,
            "received_at": (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()})
    assert purge_expired_texts(session, retention_days=90) == 1
    session.commit()
    rows = session.execute(select(Report).order_by(Report.received_at)).scalars().all()
    assert [r.text is None for r in rows] == [True, False]
    assert rows[0].purged_at is not None and rows[0].label == "scam" and rows[0].text_sha256
    assert purge_expired_texts(session, retention_days=90) == 0
