"""Every truth row points at rows that exist in the public tables."""


def _missing(db, sql: str) -> int:
    return db.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]


def test_entities_point_at_existing_rows(world_db):
    checks = {
        "sim": "SELECT msisdn AS id FROM sims",
        "account": "SELECT account_id AS id FROM accounts",
        "person": "SELECT person_id AS id FROM persons",
        "device": "SELECT imei AS id FROM sim_devices",
    }
    for kind, ids in checks.items():
        assert (
            _missing(world_db, f"SELECT id FROM truth_entities WHERE kind = '{kind}' EXCEPT {ids}")
            == 0
        ), kind
    roles = dict(
        world_db.execute("SELECT role, count(*) FROM truth_entities GROUP BY role").fetchall()
    )
    for role in (
        "caller_sim",
        "sms_sim",
        "mule_l1",
        "mule_l2+",
        "cashout",
        "boss",
        "victim",
        "nominee",
    ):
        assert roles.get(role, 0) > 0, role
    gangs = world_db.execute(
        "SELECT gang_id FROM gangs EXCEPT SELECT gang_id FROM truth_entities"
    ).fetchall()
    assert gangs == []
    # every phishing domain appears in a sent link, every URL's host in some SMS or as punycode
    assert (
        _missing(
            world_db,
            """SELECT id FROM truth_entities WHERE kind = 'domain'
        EXCEPT SELECT split_part(id, '/', 3) FROM truth_entities WHERE kind = 'url'""",
        )
        == 0
    )


def test_messages_transfers_flows_and_reports_point_at_rows(world_db):
    db = world_db
    assert (
        db.execute("SELECT count(*) FROM truth_messages").fetchone()
        == db.execute("SELECT count(*) FROM sms").fetchone()
    )
    assert _missing(db, "SELECT sms_id FROM truth_messages EXCEPT SELECT sms_id FROM sms") == 0
    assert (
        _missing(
            db, "SELECT tx_id FROM truth_victim_transfers EXCEPT SELECT tx_id FROM transactions"
        )
        == 0
    )
    assert (
        _missing(
            db, "SELECT victim FROM truth_victim_transfers EXCEPT SELECT person_id FROM persons"
        )
        == 0
    )
    assert (
        _missing(
            db,
            """SELECT contact_id FROM truth_victim_transfers
        EXCEPT (SELECT call_id FROM calls UNION ALL SELECT sms_id FROM sms)""",
        )
        == 0
    )
    assert (
        _missing(
            db,
            """SELECT f.tx_id FROM truth_flows f LEFT JOIN transactions t USING (tx_id)
        WHERE t.tx_id IS NULL OR t.src_account <> f.src_account OR t.dst_account <> f.dst_account""",
        )
        == 0
    )
    assert (
        _missing(
            db,
            "SELECT victim_tx_id FROM truth_flows EXCEPT SELECT tx_id FROM truth_victim_transfers",
        )
        == 0
    )
    # a transaction never carries more victim money than its amount
    assert (
        _missing(
            db,
            """SELECT tx_id FROM truth_flows JOIN transactions t USING (tx_id)
        GROUP BY tx_id, t.amount HAVING sum(amount_carried) > t.amount + 0.05""",
        )
        == 0
    )
    assert (
        _missing(
            db,
            "SELECT tx_id FROM reports WHERE tx_id IS NOT NULL EXCEPT SELECT tx_id FROM transactions",
        )
        == 0
    )
    assert (
        _missing(db, "SELECT report_id FROM truth_reports EXCEPT SELECT report_id FROM reports")
        == 0
    )
    assert _missing(db, "SELECT report_id FROM poisoning EXCEPT SELECT report_id FROM reports") == 0
    assert _missing(db, "SELECT reporter_msisdn FROM poisoning EXCEPT SELECT msisdn FROM sims") == 0
