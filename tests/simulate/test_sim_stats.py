"""Sanity statistics of the tiny world: gangs are visible, but not trivially."""

from scamtrace.simulate.config import load_config

GANG_SIMS = "(SELECT id FROM truth_entities WHERE kind = 'sim')"


def _one(db, sql: str):
    return db.execute(sql).fetchone()[0]


def test_mule_sims_call_out_a_lot_and_hear_back_little(world_db):
    rows = world_db.execute("""
        WITH o AS (SELECT caller AS s, count(*) AS n_out, count(DISTINCT ts::DATE) AS days FROM calls GROUP BY 1),
             i AS (SELECT callee AS s, count(*) AS n_in FROM calls GROUP BY 1)
        SELECT n_out, coalesce(n_in, 0), days FROM o LEFT JOIN i USING (s)
        WHERE s IN (SELECT id FROM truth_entities WHERE role = 'caller_sim')""").fetchall()
    assert rows
    for n_out, n_in, days in rows:
        assert n_out / days > 100  # NBTC's suspension line
        assert n_out / max(n_in, 1) >= 10
    legit_ratio = _one(
        world_db,
        f"""
        WITH o AS (SELECT caller AS s, count(*) AS n FROM calls WHERE caller NOT IN {GANG_SIMS} GROUP BY 1),
             i AS (SELECT callee AS s, count(*) AS n FROM calls GROUP BY 1)
        SELECT median(o.n / greatest(coalesce(i.n, 0), 1)) FROM o LEFT JOIN i USING (s)""",
    )
    assert legit_ratio < 3


def test_a_naive_hundred_calls_a_day_rule_also_hits_legitimate_callers(world_db):
    heavy_legit = _one(
        world_db,
        f"""
        SELECT count(DISTINCT caller) FROM (SELECT caller, ts::DATE AS d, count(*) AS n FROM calls
        WHERE caller NOT IN {GANG_SIMS} GROUP BY 1, 2) WHERE n > 100""",
    )
    assert heavy_legit > 0


def test_legitimate_traffic_dominates(world_db):
    gang_calls = _one(
        world_db,
        f"""SELECT avg((caller IN {GANG_SIMS} OR callee IN {GANG_SIMS})::INT) FROM calls""",
    )
    gang_tx = _one(
        world_db, "SELECT avg((tx_id IN (SELECT tx_id FROM truth_flows))::INT) FROM transactions"
    )
    assert 0 < gang_calls <= 0.01
    assert 0 < gang_tx <= 0.01


def test_victim_money_reaches_cash_out_within_the_configured_hops(world_db):
    max_hops = load_config(scale="tiny").layers[1]
    rows = world_db.execute("""
        WITH sinks AS (SELECT account_id FROM accounts WHERE kind IN ('bank_cash', 'exchange')),
             v AS (SELECT tx_id, v.amount FROM truth_victim_transfers v JOIN transactions USING (tx_id)
                   WHERE ts < (SELECT max(ts) FROM transactions) - INTERVAL 1 DAY)
        SELECT v.tx_id, v.amount, coalesce(sum(f.amount_carried), 0), coalesce(max(f.hop), 99)
        FROM v LEFT JOIN truth_flows f ON f.victim_tx_id = v.tx_id AND f.dst_account IN (SELECT * FROM sinks)
        GROUP BY v.tx_id, v.amount""").fetchall()
    assert rows
    for _, amount, cashed, hop in rows:
        assert hop <= max_hops
        assert cashed >= 0.85 * amount - 200  # commissions and ATM rounding stay behind


def test_layer_one_mules_are_old_accounts_with_a_normal_life(world_db):
    rows = world_db.execute("""
        SELECT a.account_id, a.opened_at, (SELECT min(ts) FROM transactions),
               count(t.tx_id) FILTER (WHERE t.tx_id NOT IN (SELECT tx_id FROM truth_flows))
        FROM accounts a LEFT JOIN transactions t ON t.src_account = a.account_id OR t.dst_account = a.account_id
        WHERE a.account_id IN (SELECT id FROM truth_entities WHERE role = 'mule_l1' AND kind = 'account')
        GROUP BY 1, 2, 3""").fetchall()
    assert rows
    assert all((start - opened).days >= 60 for _, opened, start, _ in rows)
    assert sum(n > 0 for *_, n in rows) >= 0.5 * len(rows)
    deeper_age = _one(
        world_db,
        """SELECT max((SELECT min(ts) FROM calls) - opened_at) FROM accounts
        WHERE account_id IN (SELECT id FROM truth_entities WHERE role IN ('mule_l2+', 'cashout'))""",
    )
    assert deeper_age.days <= 90


def test_mule_sims_are_new_nominee_sims_rotating_over_simbox_imeis(world_db):
    row = world_db.execute(f"""
        SELECT count(*), count(*) FILTER (WHERE registration = 'nominee'), count(DISTINCT person_id),
               max(date_diff('day', activated_at, (SELECT min(ts) FROM calls)))
        FROM sims WHERE msisdn IN {GANG_SIMS}""").fetchone()
    n, nominee, identities, _ = row
    assert nominee == n and identities < n
    sims_per_imei = _one(
        world_db,
        """SELECT max(n) FROM (SELECT imei, count(DISTINCT msisdn) AS n FROM sim_devices
        WHERE imei IN (SELECT id FROM truth_entities WHERE kind = 'device') GROUP BY 1)""",
    )
    assert sims_per_imei >= 2


def test_plain_ussd_reports_resolve_to_the_scam_caller(world_db):
    resolved = world_db.execute("""
        SELECT r.report_id, arg_max(c.caller, c.ts + to_seconds(c.duration_s)) AS last_caller
        FROM reports r JOIN truth_reports t USING (report_id)
        JOIN calls c ON c.callee = r.reporter_msisdn
         AND c.ts + to_seconds(c.duration_s) BETWEEN r.ts - INTERVAL 5 MINUTE AND r.ts
        WHERE r.text = '*1185#' AND t.label = 'genuine' GROUP BY 1""").fetchall()
    total = _one(
        world_db,
        """SELECT count(*) FROM reports JOIN truth_reports USING (report_id)
        WHERE text = '*1185#' AND label = 'genuine'""",
    )
    gang = {
        r[0]
        for r in world_db.execute("SELECT id FROM truth_entities WHERE kind = 'sim'").fetchall()
    }
    assert total > 0 and len(resolved) == total
    assert sum(caller in gang for _, caller in resolved) >= 0.9 * total
    assert (
        _one(
            world_db,
            "SELECT count(*) FROM reports WHERE text = '*1185#' AND reported_value IS NOT NULL",
        )
        == 0
    )


def test_poisoning_is_a_short_burst_of_new_sims_against_a_legit_number(world_db):
    target, start, end, n, reporters = world_db.execute("""
        SELECT any_value(target_value), min(burst_start), max(burst_end), count(*), count(DISTINCT reporter_msisdn)
        FROM poisoning""").fetchone()
    assert n >= 30 and reporters >= 30
    assert _one(world_db, f"SELECT count(*) FROM truth_entities WHERE id = '{target}'") == 0
    assert (end - start).total_seconds() <= 3 * 3600
    assert (
        _one(
            world_db,
            f"""SELECT max(date_diff('hour', s.activated_at, TIMESTAMP '{start}')) FROM sims s
        WHERE msisdn IN (SELECT reporter_msisdn FROM poisoning)""",
        )
        <= 72
    )
    assert (
        _one(
            world_db,
            f"""SELECT count(*) FROM calls WHERE caller = '{target}'
        AND callee IN (SELECT reporter_msisdn FROM poisoning)""",
        )
        == 0
    )


def test_sms_corpus_is_varied_and_not_link_equals_scam(world_db):
    families = _one(
        world_db, "SELECT count(DISTINCT template_family) FROM truth_messages WHERE label = 'scam'"
    )
    assert families >= 2
    legit_links = _one(
        world_db,
        """SELECT count(*) FROM sms JOIN truth_messages USING (sms_id)
        WHERE label = 'legit' AND text LIKE '%https://%'""",
    )
    assert legit_links > 0
    tricks = _one(
        world_db,
        r"""SELECT count(*) FROM sms JOIN truth_messages USING (sms_id)
        WHERE label = 'scam' AND regexp_matches(text, '[\x{200B}\x{200C}\x{200D}\x{FEFF}]')""",
    )
    assert tricks > 0
    labels = dict(
        world_db.execute("SELECT label, count(*) FROM truth_messages GROUP BY 1").fetchall()
    )
    assert set(labels) == {"legit", "spam", "scam"}


def test_nominee_registration_and_new_sims_are_not_labels(world_db):
    legit_nominee = _one(
        world_db,
        f"SELECT count(*) FROM sims WHERE registration = 'nominee' AND msisdn NOT IN {GANG_SIMS}",
    )
    legit_new = _one(
        world_db,
        f"""SELECT count(*) FROM sims WHERE msisdn NOT IN {GANG_SIMS}
        AND activated_at > (SELECT min(ts) FROM calls) - INTERVAL 30 DAY""",
    )
    assert legit_nominee > 50 and legit_new > 50
