"""Evidence edges between entities, as portable SQL steps over the engine's tables.

Every edge step yields the same columns: a_kind, a_id, b_kind, b_id, evidence, n (how
many facts support it), first_ts and last_ts (epoch seconds) and ref (one supporting
record, for the investigator to open). Inputs, by name:

* ``transactions``: the canonical table of :func:`scamtrace.analytics.load_transactions`
  (tx_id, src, dst, amount, ts in epoch seconds);
* ``calls``, ``sms``, ``sims``, ``devices``, ``accounts``, ``reports``: as loaded by
  :func:`scamtrace.analytics.sims.sim_inputs.load_sim_table`;
* ``suspect_sims`` (msisdn): SIMs flagged by mule-SIM scoring;
* ``victim_tx`` (tx_id VARCHAR): reported victim transfers;
* ``trail``: the traced transfers (seed_id, hop, tx_id, src, dst, amount_traced);
* ``text_edges``: edges found in message and report texts (same columns as here).

The identities that evidence names (holders of the named SIMs, owners of the named
accounts) lead to one more kind of edge: the person who phones them, the organiser who
recruits nominees and rents accounts (:func:`organiser_edges_pipeline`).
"""

from __future__ import annotations

from scamtrace.analytics.dialects import Dialect
from scamtrace.analytics.pipeline import Pipeline

EDGE_COLUMNS = ("a_kind", "a_id", "b_kind", "b_id", "evidence", "n", "first_ts", "last_ts", "ref")

#: An organiser's own phone called at least this many distinct people whom evidence
#: names as identities behind SIMs or accounts. Two is too few: on small worlds (seeds
#: 61 and 71) some 25 ordinary people per world with under 50 callees phoned two named
#: people (relatives and friends of a renter or a nominee), and none phoned three; the
#: gangs' bosses phoned 3 to 8 (9 and 6 of the 10 per world).
MIN_ORGANISER_IDENTITIES = 3
#: ... and those identities are at least this share of the distinct numbers the phone
#: called. Couriers, sales staff and call-centre agents phone hundreds or thousands of
#: strangers and reach named people at about the population's rate: 0.1% to 1.3% of
#: their callees on small seeds 61 and 71, against 15% to 37% for the bosses over 3.
MIN_ORGANISER_SHARE = 0.05
#: Two identities are tied when their SIMs or accounts share an evidence edge or a
#: neighbour; a neighbour with more links than this (the hub limit of
#: :class:`~scamtrace.analytics.networks.graph.HubPolicy`: a bank's cash account, an
#: exchange) ties nothing. On fresh small seed 127 three ordinary people (of border
#: provinces, where nominees are recruited) each called three named people of two or
#: three gangs, none tied to another; the 28 bosses found on seeds 61, 71 and 127 called
#: 3 to 8, all tied but one (61: two of three tied).
MAX_TIE_DEGREE = 60


def victims_sql() -> str:
    """Each reported victim transfer with the victim (the paying account's owner)."""
    return """
SELECT CAST(t.tx_id AS VARCHAR) AS tx_id, t.ts, t.src AS victim_account, t.dst AS paid_account,
       t.amount, a.person_id AS victim
FROM victim_tx v
JOIN transactions t ON CAST(t.tx_id AS VARCHAR) = v.tx_id
LEFT JOIN accounts a ON a.account_id = t.src"""


def victim_contact_edges_sql(dialect: Dialect, horizon_s: int, with_sms: bool) -> str:
    """SIM -> account: a suspect SIM called or texted a victim who then paid the account
    within the horizon (the call-then-transfer sequence of a successful scam).

    Each victim transfer goes to the last suspect contact before it: a person texted by
    one gang and called by another pays the one that talked them into it, and a single
    victim must not glue two gangs together.
    """
    at = dialect.epoch_seconds("ts")
    touch = f"SELECT caller AS sim, callee AS phone, {at} AS seen_at FROM calls " \
            "WHERE caller IN (SELECT msisdn FROM suspect_sims)"
    if with_sms:
        touch += (f" UNION ALL SELECT sender, recipient, {at} FROM sms "
                  "WHERE sender IN (SELECT msisdn FROM suspect_sims)")
    return f"""
SELECT 'sim' AS a_kind, sim AS a_id, 'account' AS b_kind, paid_account AS b_id,
       'contacted_victim_who_paid' AS evidence, count(DISTINCT victim) AS n,
       min(ts) AS first_ts, max(ts) AS last_ts, min(tx_id) AS ref
FROM (
  SELECT v.tx_id, v.ts, v.victim, v.paid_account, arg_max(t.sim, t.seen_at) AS sim
  FROM ({touch}) t
  JOIN sims s ON s.msisdn = t.phone
  JOIN victims v ON v.victim = s.person_id
  WHERE t.seen_at <= v.ts AND t.seen_at >= v.ts - {int(horizon_s)}
  GROUP BY v.tx_id, v.ts, v.victim, v.paid_account
) last_contact
GROUP BY sim, paid_account"""


def traced_money_edges_sql(min_amount: float) -> str:
    """Account -> account: traced victim money moved between them (beyond the victim's
    own transfer, hop 1, whose payer is a victim and not a member).

    Layer-1 mules are rented accounts with an ordinary life around the scam money, so an
    allocation rule hands small slivers of it to their grocer and their landlord. A link
    counts when it carries money of two victims or more, or at least ``min_amount``.
    """
    return f"""
SELECT 'account' AS a_kind, CAST(tr.src AS VARCHAR) AS a_id, 'account' AS b_kind,
       CAST(tr.dst AS VARCHAR) AS b_id, 'traced_money' AS evidence,
       count(DISTINCT tr.seed_id) AS n, min(t.ts) AS first_ts, max(t.ts) AS last_ts,
       min(CAST(tr.tx_id AS VARCHAR)) AS ref
FROM trail tr JOIN transactions t ON t.tx_id = tr.tx_id
WHERE tr.hop >= 2
GROUP BY tr.src, tr.dst
HAVING count(DISTINCT tr.seed_id) >= 2 OR sum(tr.amount_traced) >= {float(min_amount)}"""


def feeder_edges_sql(min_amount: float, max_senders: int) -> str:
    """Account -> account: an account paid into a deeper-layer mule of the trail.

    Deeper layers are nominee accounts opened for the gang: only its layer-1 mules pay
    into them. Their other senders are the layer-1 mules whose victims never reported.
    Accounts with more than ``max_senders`` distinct senders are not deeper-layer mules
    (they are merchants, banks' cash accounts, exchanges) and feed nothing.
    """
    return f"""
SELECT 'account' AS a_kind, CAST(t.src AS VARCHAR) AS a_id, 'account' AS b_kind,
       CAST(t.dst AS VARCHAR) AS b_id, 'paid_deeper_mule' AS evidence, count(*) AS n,
       min(t.ts) AS first_ts, max(t.ts) AS last_ts, min(CAST(t.tx_id AS VARCHAR)) AS ref
FROM transactions t
JOIN (SELECT b_id AS account FROM money_edges) d ON d.account = CAST(t.dst AS VARCHAR)
JOIN (SELECT dst, count(DISTINCT src) AS senders FROM transactions GROUP BY dst) k
  ON k.dst = t.dst AND k.senders <= {int(max_senders)}
WHERE CAST(t.src AS VARCHAR) NOT IN (SELECT victim_account FROM victims)
GROUP BY t.src, t.dst
HAVING count(*) >= 2 OR sum(t.amount) >= {float(min_amount)}"""


def core_entities_sql() -> str:
    """The SIMs and accounts that evidence already names, for owner and device edges."""
    return """
SELECT a_kind AS kind, a_id AS id FROM core_edges WHERE a_kind IN ('sim', 'account')
UNION SELECT b_kind, b_id FROM core_edges WHERE b_kind IN ('sim', 'account')
UNION SELECT 'sim', msisdn FROM suspect_sims
UNION SELECT 'account', paid_account FROM victims"""


def owner_edges_sql() -> str:
    """SIM -> person and account -> person: the registered holder and the account owner
    (a person holding both a mule SIM and a mule account is the link police look for)."""
    return """
SELECT 'sim' AS a_kind, s.msisdn AS a_id, 'person' AS b_kind, s.person_id AS b_id,
       'registered_to' AS evidence, 1 AS n, CAST(NULL AS BIGINT) AS first_ts,
       CAST(NULL AS BIGINT) AS last_ts, s.msisdn AS ref
FROM sims s JOIN core_entities c ON c.kind = 'sim' AND c.id = s.msisdn
WHERE s.person_id IS NOT NULL
UNION ALL
SELECT 'account', a.account_id, 'person', a.person_id, 'owned_by', 1,
       CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), a.account_id
FROM accounts a JOIN core_entities c ON c.kind = 'account' AND c.id = a.account_id
WHERE a.person_id IS NOT NULL"""


def device_edges_sql(dialect: Dialect, with_devices: bool) -> str:
    """SIM -> device: handsets (IMEIs) the core SIMs used, and every other SIM seen in
    those handsets (SIM boxes rotate a gang's SIMs over a few devices)."""
    at = dialect.epoch_seconds("ts")
    seen = f"SELECT caller AS msisdn, imei, {at} AS seen_at FROM calls WHERE imei IS NOT NULL"
    if with_devices:
        seen += (f" UNION ALL SELECT msisdn, imei, {dialect.epoch_seconds('from_ts')} "
                 "FROM devices WHERE imei IS NOT NULL")
    return f"""
SELECT 'sim' AS a_kind, u.msisdn AS a_id, 'device' AS b_kind, u.imei AS b_id,
       'used_device' AS evidence, count(*) AS n, min(u.seen_at) AS first_ts, max(u.seen_at) AS last_ts,
       min(u.imei) AS ref
FROM ({seen}) u
WHERE u.imei IN (SELECT DISTINCT s.imei FROM ({seen}) s
                 JOIN core_entities c ON c.kind = 'sim' AND c.id = s.msisdn)
GROUP BY u.msisdn, u.imei"""


def organiser_edges_pipeline(dialect: Dialect, p: Pipeline, min_identities: int,
                             min_share: float, max_tie_degree: int) -> None:
    """Person -> person ``organiser_called``: a person whose own phone called several of
    the identities that evidence names (``owner_edges``), tied to one another.

    Gangs' organisers phone the people who lend them identities and accounts: the
    nominees holding their SIMs and deeper accounts, the renters of their layer-1
    accounts. A phone counts as the person's own when it is not a suspect SIM and is not
    registered on someone else's identity (``registration`` = 'nominee', when the SIMs
    table says so); the callee's phone likewise (a victim calling back a mule SIM does
    not phone its nominee). The caller is an organiser when the named people called are
    at least ``min_share`` of the distinct numbers the person's phones called, and at
    least ``min_identities`` of them are each tied to another one called: one's SIMs or
    accounts share an evidence edge (``core_edges``, ``device_edges``) or a neighbour
    with the other's, a neighbour with more than ``max_tie_degree`` links not counting.
    Each named person the organiser called gets an edge, n being the calls.

    Steps added to ``p``: own_phones, identity_calls, caller_identities,
    organiser_candidates, evidence_links, identity_links, identity_reach, organisers,
    organiser_edges.
    """
    at = dialect.epoch_seconds("c.ts")
    p.add("own_phones", """
SELECT msisdn, person_id FROM sims
WHERE person_id IS NOT NULL AND coalesce(registration, 'named') <> 'nominee'
  AND msisdn NOT IN (SELECT msisdn FROM suspect_sims)""", persist=True)
    p.add("identity_calls", f"""
SELECT o.person_id AS organiser, d.person_id AS person, count(*) AS n,
       min({at}) AS first_ts, max({at}) AS last_ts, min(c.caller || ' -> ' || c.callee) AS ref
FROM calls c
JOIN (SELECT f.msisdn, f.person_id FROM own_phones f
      WHERE f.person_id IN (SELECT b_id FROM owner_edges)) d ON d.msisdn = c.callee
JOIN own_phones o ON o.msisdn = c.caller
WHERE o.person_id <> d.person_id
GROUP BY o.person_id, d.person_id""", persist=True)
    p.add("caller_identities", f"""
SELECT organiser, count(*) AS identities FROM identity_calls GROUP BY organiser
HAVING count(*) >= {int(min_identities)}""")
    p.add("organiser_candidates", f"""
WITH numbers AS (
  SELECT o.person_id AS organiser, count(DISTINCT c.callee) AS called
  FROM calls c JOIN own_phones o ON o.msisdn = c.caller
  WHERE o.person_id IN (SELECT organiser FROM caller_identities)
  GROUP BY o.person_id)
SELECT i.* FROM identity_calls i
JOIN caller_identities k ON k.organiser = i.organiser
JOIN numbers r ON r.organiser = i.organiser
WHERE k.identities >= {float(min_share)} * r.called""", persist=True)
    # The evidence's links in both directions, each once, then those whose far end has
    # at most max_tie_degree neighbours.
    both_ways = " UNION ALL ".join(
        f"SELECT a_kind AS kind, a_id AS id, b_kind AS nkind, b_id AS nid FROM {t} "
        f"UNION ALL SELECT b_kind, b_id, a_kind, a_id FROM {t}"
        for t in ("core_edges", "device_edges"))
    p.add("evidence_links", f"SELECT DISTINCT kind, id, nkind, nid FROM ({both_ways}) u",
          persist=True)
    p.add("identity_links", f"""
SELECT l.kind, l.id, l.nkind, l.nid FROM evidence_links l
JOIN (SELECT kind, id FROM evidence_links GROUP BY kind, id
      HAVING count(*) <= {int(max_tie_degree)}) k
  ON k.kind = l.nkind AND k.id = l.nid""")
    p.add("identity_reach", """
SELECT o.b_id AS person, o.a_kind AS kind, o.a_id AS id FROM owner_edges o
WHERE o.b_id IN (SELECT person FROM organiser_candidates)
UNION
SELECT o.b_id, l.nkind, l.nid FROM owner_edges o
JOIN identity_links l ON l.kind = o.a_kind AND l.id = o.a_id
WHERE o.b_id IN (SELECT person FROM organiser_candidates)""", persist=True)
    p.add("organisers", f"""
SELECT organiser FROM (
  SELECT DISTINCT c1.organiser, c1.person
  FROM organiser_candidates c1
  JOIN organiser_candidates c2 ON c2.organiser = c1.organiser AND c2.person <> c1.person
  JOIN identity_reach r1 ON r1.person = c1.person
  JOIN identity_reach r2 ON r2.person = c2.person AND r2.kind = r1.kind AND r2.id = r1.id) t
GROUP BY organiser HAVING count(*) >= {int(min_identities)}""")
    p.add("organiser_edges", """
SELECT 'person' AS a_kind, i.organiser AS a_id, 'person' AS b_kind, i.person AS b_id,
       'organiser_called' AS evidence, i.n, i.first_ts, i.last_ts, i.ref
FROM organiser_candidates i JOIN organisers k ON k.organiser = i.organiser""")


def evidence_pipeline(dialect: Dialect, *, horizon_s: int, with_sms: bool, with_trail: bool,
                      with_devices: bool, with_text: bool, min_traced_amount: float = 3000.0,
                      max_feeder_senders: int = 30,
                      min_organiser_identities: int = MIN_ORGANISER_IDENTITIES,
                      min_organiser_share: float = MIN_ORGANISER_SHARE,
                      max_tie_degree: int = MAX_TIE_DEGREE) -> Pipeline:
    """All evidence edges, one row per (pair, evidence kind), as the step ``evidence``.

    Args:
        dialect: the engine's dialect.
        horizon_s: how long after a contact a victim's payment still counts.
        with_sms, with_trail, with_devices, with_text: which optional inputs exist.
        min_traced_amount: see :func:`traced_money_edges_sql`.
        max_feeder_senders: see :func:`feeder_edges_sql`.
        min_organiser_identities, min_organiser_share, max_tie_degree: see
            :func:`organiser_edges_pipeline`.

    Returns:
        The pipeline.
    """
    columns = ", ".join(EDGE_COLUMNS)
    p = Pipeline()
    p.add("victims", victims_sql(), persist=True)
    core = [f"SELECT {columns} FROM contact_edges"]
    p.add("contact_edges", victim_contact_edges_sql(dialect, horizon_s, with_sms), persist=True)
    if with_trail:
        p.add("money_edges", traced_money_edges_sql(min_traced_amount), persist=True)
        p.add("feeder_edges", feeder_edges_sql(min_traced_amount, max_feeder_senders))
        core.append(f"SELECT {columns} FROM money_edges")
        core.append(f"SELECT {columns} FROM feeder_edges")
    if with_text:
        core.append(f"SELECT {columns} FROM text_edges")
    p.add("core_edges", " UNION ALL ".join(core), persist=True)
    p.add("core_entities", core_entities_sql(), persist=True)
    p.add("owner_edges", owner_edges_sql(), persist=True)
    p.add("device_edges", device_edges_sql(dialect, with_devices), persist=True)
    organiser_edges_pipeline(dialect, p, min_organiser_identities, min_organiser_share,
                             max_tie_degree)
    p.add("evidence", " UNION ALL ".join(
        f"SELECT {columns} FROM {step}"
        for step in ("core_edges", "owner_edges", "device_edges", "organiser_edges")))
    return p
