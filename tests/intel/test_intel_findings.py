"""Analytics findings into the hub: which rows are shared, and as what evidence."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from scamtrace.errors import InvalidDataFile
from scamtrace.intel.findings import read_findings, share_findings
from scamtrace.intel.models import Evidence, Indicator


@pytest.fixture
def files(tmp_path):
    sims = tmp_path / "sims.csv"
    sims.write_text("msisdn,score,flagged,reasons\n+66612345678,0.9,True,one_way\n"
                    "+66612345679,0.2,False,\n")
    mules = tmp_path / "mules.csv"
    mules.write_text("account,score,flagged,reasons\n004:1234567890,0.8,true,rapid\n"
                     "014:1111111111,0.9,true,merchant sweep\n006:2222222222,0.1,false,\n")
    traced = tmp_path / "accounts.csv"
    traced.write_text("seed_id,account,hop,amount_in,amount_out,amount_remaining\n"
                      "1,004:1234567890,1,100,90,10\n")
    members = tmp_path / "members.csv"
    members.write_text("network_id,kind,id,role,score\nN001,sim,+66612345678,caller_sim,0.95\n"
                       "N001,person,abc,victim,0.5\nN001,account,004:1234567890,mule_l1,0.9\n"
                       "N001,device,356938035643809,device,0.7\n")
    return {"sims": sims, "mules": mules, "traced": traced, "networks": members}


def test_only_flagged_rows_traced_accounts_and_non_victims_are_read(files):
    findings = read_findings(**files)
    assert [(f.kind, f.value, f.subtype) for f in findings] == [
        ("phone", "+66612345678", "mule_sim"),
        ("bank_account", "004:1234567890", "mule_account"),
        ("phone", "+66612345678", "network"),
        ("bank_account", "004:1234567890", "network"),
    ]
    assert findings[-1].network_id == "N001"
    untraced = read_findings(mules=files["mules"])
    assert [f.value for f in untraced] == ["004:1234567890", "014:1111111111"]


def test_findings_become_analytics_evidence_of_the_member(files, session, auth_headers):
    from scamtrace.orgs.service import create_member

    member = create_member(session, name="Telco X", sector="telco", actor="test")
    shared, skipped = share_findings(session, read_findings(**files), source_member_id=member.id,
                                     actor="test")
    session.commit()
    assert (shared, skipped) == (4, 0)
    rows = session.execute(select(Indicator.value, Evidence.subtype, Evidence.source_member_id,
                                  Evidence.tlp).join(Evidence, Evidence.indicator_id == Indicator.id)
                           .order_by(Evidence.id)).all()
    assert [(value, subtype) for value, subtype, _, _ in rows] == [
        ("+66612345678", "mule_sim"), ("004:1234567890", "mule_account"),
        ("+66612345678", "network"), ("004:1234567890", "network")]
    assert {member_id for _, _, member_id, _ in rows} == {member.id}
    assert {tlp for *_, tlp in rows} == {"green"}


def test_a_file_without_the_columns_is_refused(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("phone,score\n+66612345678,0.9\n")
    with pytest.raises(InvalidDataFile, match="lacks columns: msisdn, flagged"):
        read_findings(sims=bad)
    with pytest.raises(InvalidDataFile, match="does not exist"):
        read_findings(mules=tmp_path / "missing.csv")
