"""Discover criminal networks: SIM scores, money trails and texts into one entity graph.

The steps, each on the analytics engine where the data is large:

1. score mule SIMs (:func:`scamtrace.analytics.sims.scoring.score_sims`);
2. trace the reported victim transfers (:func:`scamtrace.analytics.trace.trace_victim_transfers`);
3. read links, numbers and LINE ids out of suspect SIMs' SMS and out of reports;
4. collect evidence edges (:mod:`.evidence_sql`) and weigh them (:mod:`.graph_sql`);
5. drop the hubs, find Leiden communities (:mod:`.graph`);
6. describe each network (:mod:`.describe`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from scamtrace.analytics import load_transactions
from scamtrace.analytics.engine import Engine
from scamtrace.analytics.networks.evidence_sql import evidence_pipeline
from scamtrace.analytics.networks.graph import HubPolicy, hubs_and_communities
from scamtrace.analytics.networks.graph_sql import entity_graph_from_engine, weighted_evidence_sql
from scamtrace.analytics.networks.text_edges import report_text_edges, sms_text_edges
from scamtrace.analytics.sims.scoring import score_sims
from scamtrace.analytics.sims.sim_inputs import load_sim_tables
from scamtrace.analytics.trace import TraceOptions, trace_victim_transfers
from scamtrace.errors import InvalidDataFile

#: Account kinds that are never a gang's: banks' cash accounts, exchanges, merchants.
HUB_ACCOUNT_KINDS = ("bank_cash", "bank", "exchange", "merchant", "corporate", "government")


@dataclass(frozen=True)
class NetworkOptions:
    """Knobs of network discovery.

    Attributes:
        horizon_hours: a victim's payment counts this long after the scam contact.
        trace: how victim money is followed.
        hubs: the degree and diversity limits of hub removal.
        hub_account_kinds: account kinds removed as hubs whatever their degree.
        raw_hub_counterparties: accounts with more distinct counterparties than this
            in all transactions are hubs (popular merchants, payroll accounts).
        min_traced_amount: a money link of one victim's money needs at least this much.
        resolution: Leiden's modularity resolution inside a component.
        min_split_nodes: components smaller than this stay one network.
        max_conductance: a community sending more than this share of its evidence
            weight to other communities joins the one it is most tied to.
        min_members: smallest network reported (victims not counted).
        max_texts_per_sim: distinct SMS texts read per suspect SIM.
        typed_texts_per_sim: of those, how many the message classifier types (the
            scam types of a network are those of its SIMs' messages).
    """

    horizon_hours: int = 72
    trace: TraceOptions = field(default_factory=lambda: TraceOptions(
        policy="fifo", max_hops=6, window=7 * 86400))
    hubs: HubPolicy = field(default_factory=HubPolicy)
    hub_account_kinds: tuple[str, ...] = HUB_ACCOUNT_KINDS
    raw_hub_counterparties: int = 300
    min_traced_amount: float = 3000.0
    resolution: float = 1.0
    min_split_nodes: int = 80
    max_conductance: float = 0.05
    min_members: int = 3
    max_texts_per_sim: int = 200
    typed_texts_per_sim: int = 20


@dataclass
class NetworkResult:
    """Members (one row per entity in a network), the evidence edges and the hubs.

    ``sim_scam_types`` has one row per suspect SIM and scam type its messages were
    classified as: msisdn, scam_type, texts (how many of its distinct texts).
    """

    members: pd.DataFrame
    evidence: pd.DataFrame
    hubs: pd.DataFrame
    victims: pd.DataFrame
    sim_scores: pd.DataFrame
    trail: pd.DataFrame
    sim_scam_types: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {"msisdn": pd.Series(dtype=object), "scam_type": pd.Series(dtype=object),
         "texts": pd.Series(dtype="int64")}))


def load_network_inputs(engine: Engine, sources: dict[str, Any], column_map: str | None = None):
    """Load the tables network discovery reads (transactions in canonical form)."""
    transactions = sources.get("transactions")
    if transactions is None:
        raise InvalidDataFile("network discovery needs transactions (--transactions or --world)")
    tables = load_sim_tables(
        engine, {k: v for k, v in sources.items() if k != "transactions"}, column_map)
    load_transactions(engine, transactions, name="transactions")
    return tables


def discover_networks(engine: Engine, sources: dict[str, Path | None],
                      options: NetworkOptions | None = None,
                      column_map: str | None = None) -> NetworkResult:
    """Find the criminal networks in a set of tables.

    Args:
        engine: the analytics engine.
        sources: paths by table name (calls, sms, sims, devices, cells, reports, accounts,
            transactions), as for ``scamtrace sims``.
        options: the knobs.
        column_map: ``--map`` for the call-side tables.

    Returns:
        The members, evidence, hubs, victims, SIM scores and money trail.
    """
    options = options or NetworkOptions()
    tables = load_network_inputs(engine, sources, column_map)
    if not tables.reports or not tables.sims or not tables.accounts:
        raise InvalidDataFile("network discovery needs reports, sims and accounts")
    sim_scores = score_sims(engine, tables)
    engine.register(sim_scores.loc[sim_scores["flagged"], ["msisdn"]].reset_index(drop=True),
                    "suspect_sims")
    victim_ids = engine.fetch_pandas(
        "SELECT DISTINCT t.tx_id FROM reports r JOIN transactions t "
        "ON CAST(t.tx_id AS BIGINT) = r.tx_id WHERE r.tx_id IS NOT NULL")
    engine.register(pd.DataFrame({"tx_id": victim_ids["tx_id"].astype(str)}), "victim_tx")
    trail = pd.DataFrame(columns=["seed_id", "hop", "tx_id", "src", "dst", "amount_traced"])
    if len(victim_ids):
        trail = trace_victim_transfers(engine, victim_ids["tx_id"].tolist(), options.trace).trail
    engine.register(trail, "trail")
    text, sim_texts = _text_edges(engine, tables, options.max_texts_per_sim)
    engine.register(text, "text_edges")
    engine.run(evidence_pipeline(
        engine.dialect, horizon_s=options.horizon_hours * 3600, with_sms=bool(tables.sms),
        with_trail=True, with_devices=bool(tables.devices), with_text=True,
        min_traced_amount=options.min_traced_amount))
    engine.execute(weighted_evidence_sql("evidence"), "weighted_evidence")
    known_hubs = _known_hubs(engine, options)
    engine.register(known_hubs[["kind", "id"]], "known_hubs")
    engine.execute(
        "SELECT * FROM weighted_evidence e WHERE NOT EXISTS (SELECT 1 FROM known_hubs h "
        "WHERE (h.kind = e.a_kind AND h.id = e.a_id) OR (h.kind = e.b_kind AND h.id = e.b_id))",
        "graph_edges")
    graph = entity_graph_from_engine(engine, "graph_edges")
    hubs, members = hubs_and_communities(graph, options.hubs, resolution=options.resolution,
                                         min_split_nodes=options.min_split_nodes,
                                         max_conductance=options.max_conductance)
    members = members.astype({"kind": object, "id": object})
    evidence = engine.fetch_pandas("weighted_evidence")
    victims = engine.fetch_pandas("victims")
    hubs = hubs.drop(columns="node").astype({"kind": object, "id": object})
    all_hubs = pd.concat([known_hubs, hubs], ignore_index=True)
    sim_types = sim_scam_types(sim_texts, options.typed_texts_per_sim)
    return NetworkResult(members, evidence, all_hubs, victims, sim_scores, trail, sim_types)


def sim_scam_types(texts: pd.DataFrame, per_sim: int) -> pd.DataFrame:
    """Classify the first ``per_sim`` distinct texts of each SIM with the message
    classifier and count the scam types.

    Args:
        texts: sender, text (distinct per sender, in order of first use).
        per_sim: texts typed per SIM.

    Returns:
        msisdn, scam_type, texts: one row per SIM and scam type found.
    """
    from scamtrace.messages.classifier import classify_texts

    empty = NetworkResult.__dataclass_fields__["sim_scam_types"].default_factory()
    if texts.empty:
        return empty
    picked = texts.groupby("sender", sort=False).head(per_sim)
    unique = picked["text"].drop_duplicates().tolist()
    types = {text: result.scam_type
             for text, result in zip(unique, classify_texts(unique, with_indicators=False),
                                     strict=True) if result.label == "scam"}
    typed = picked.assign(scam_type=picked["text"].map(types)).dropna(subset=["scam_type"])
    if typed.empty:
        return empty
    return (typed.groupby(["sender", "scam_type"]).size().rename("texts").reset_index()
            .rename(columns={"sender": "msisdn"}))


def _text_edges(engine: Engine, tables, max_texts: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Edges found in texts, and the suspect SIMs' distinct texts (sender, text)."""
    at = engine.dialect.epoch_seconds("ts")
    frames = []
    sim_texts = pd.DataFrame({"sender": pd.Series(dtype=object), "text": pd.Series(dtype=object)})
    if tables.sms:
        rows = engine.fetch_pandas(f"""
SELECT sender, text, ref, seen_at FROM (
  SELECT sender, text, min({at}) AS seen_at, CAST(min(sms_id) AS VARCHAR) AS ref,
         row_number() OVER (PARTITION BY sender ORDER BY min(ts), text) AS k
  FROM sms WHERE sender IN (SELECT msisdn FROM suspect_sims) AND text IS NOT NULL
  GROUP BY sender, text) t WHERE k <= {int(max_texts)} ORDER BY sender, seen_at, text""")
        sim_texts = rows[["sender", "text"]]
        frames.append(sms_text_edges(rows.itertuples(index=False, name=None)))
    rows = engine.fetch_pandas(f"""
SELECT r.reported_kind, r.reported_value, r.text,
       coalesce(CAST(r.report_id AS VARCHAR), '') AS ref, {engine.dialect.epoch_seconds('r.ts')} AS seen_at
FROM reports r WHERE r.text IS NOT NULL""")
    frames.append(report_text_edges(rows.itertuples(index=False, name=None)))
    tx_links = engine.fetch_pandas("""
SELECT 'sim' AS a_kind, r.reported_value AS a_id, 'account' AS b_kind, t.dst AS b_id,
       'report_names' AS evidence, count(*) AS n, min(t.ts) AS first_ts, max(t.ts) AS last_ts,
       min(CAST(t.tx_id AS VARCHAR)) AS ref
FROM reports r JOIN transactions t ON CAST(t.tx_id AS BIGINT) = r.tx_id
WHERE r.reported_kind = 'phone' AND r.reported_value IS NOT NULL
GROUP BY r.reported_value, t.dst""")
    frames.append(tx_links)
    frames = [f for f in frames if len(f)]
    if not frames:
        return sms_text_edges([]), sim_texts
    return pd.concat(frames, ignore_index=True).astype(
        {"n": "int64", "first_ts": "Int64", "last_ts": "Int64", "a_id": str, "b_id": str,
         "ref": str}), sim_texts


def _known_hubs(engine: Engine, options: NetworkOptions) -> pd.DataFrame:
    kinds = ", ".join(f"'{k}'" for k in options.hub_account_kinds) or "''"
    return engine.fetch_pandas(f"""
WITH touched AS (
  SELECT a_id AS id FROM weighted_evidence WHERE a_kind = 'account'
  UNION SELECT b_id FROM weighted_evidence WHERE b_kind = 'account'),
degree AS (
  SELECT account, count(DISTINCT other) AS counterparties FROM (
    SELECT t.src AS account, t.dst AS other FROM transactions t JOIN touched u ON u.id = t.src
    UNION ALL
    SELECT t.dst, t.src FROM transactions t JOIN touched u ON u.id = t.dst) x
  GROUP BY account)
SELECT 'account' AS kind, u.id, coalesce(d.counterparties, 0) AS degree,
       CAST(NULL AS DOUBLE) AS participation,
       CASE WHEN a.kind IN ({kinds}) THEN 'account kind ' || a.kind
            ELSE 'more than {options.raw_hub_counterparties} counterparties' END AS reason
FROM touched u
LEFT JOIN accounts a ON a.account_id = u.id
LEFT JOIN degree d ON d.account = u.id
WHERE a.kind IN ({kinds}) OR coalesce(d.counterparties, 0) > {options.raw_hub_counterparties}""")
