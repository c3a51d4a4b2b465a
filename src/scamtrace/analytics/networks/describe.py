"""Turn communities into networks an investigator can act on: roles, losses, evidence.

Each network gets an id by rank (most victims, then most money), each member a role
(caller_sim, sms_sim, mule_l1, mule_l2+, cashout, organiser, identity, device, url,
domain, line_id, and the victims aside with role ``victim``), a score, and the evidence edges
that tie it to the rest of its network.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scamtrace.analytics.networks.discover import NetworkResult

MEMBER_COLUMNS = ("network_id", "kind", "id", "role", "score", "evidence")
#: A scam type is listed for a network when at least this share of its SIMs' typed
#: messages carry it (the classifier mistypes about one message in ten).
MIN_SCAM_TYPE_SHARE = 0.1
_ROLE_ORDER = ("caller_sim", "sms_sim", "mule_l1", "mule_l2+", "cashout", "organiser",
               "identity", "device", "url", "domain", "line_id", "victim")


def member_roles(result: NetworkResult) -> pd.Series:
    """The role of every community member, aligned with ``result.members``."""
    members = result.members
    roles = members["kind"].map({"person": "identity", "device": "device", "url": "url",
                                 "domain": "domain", "line_id": "line_id"})
    # A person whose own phone called the identities behind SIMs and accounts recruits
    # them (also when the person holds a named SIM or account too).
    ev = result.evidence
    organisers = set(ev.loc[ev["evidence"] == "organiser_called", "a_id"].astype(str))
    roles[(members["kind"] == "person") & members["id"].astype(str).isin(organisers)] = "organiser"
    sims = result.sim_scores.set_index("msisdn")
    is_sim = members["kind"] == "sim"
    texts = members.loc[is_sim, "id"].map(sims["sms_sent"]).fillna(0)
    calls = members.loc[is_sim, "id"].map(sims["out_calls"]).fillna(0)
    roles[is_sim] = np.where(texts > calls, "sms_sim", "caller_sim")
    trail = result.trail.assign(src=lambda t: t["src"].astype(str), dst=lambda t: t["dst"].astype(str))
    first_hop = trail.groupby("dst")["hop"].min()
    hub_ids = set(result.hubs.loc[result.hubs["kind"] == "account", "id"].astype(str))
    cashout = set(trail.loc[trail["dst"].isin(hub_ids), "src"])
    is_account = members["kind"] == "account"
    hop = members.loc[is_account, "id"].map(first_hop)
    account_role = np.where(hop.fillna(1) <= 1, "mule_l1", "mule_l2+")
    # Layer-1 mules withdraw too; cash-out is the last layer, reached at hop 2 or later.
    is_cashout = members.loc[is_account, "id"].isin(cashout) & (hop.fillna(1) >= 2)
    account_role = np.where(is_cashout, "cashout", account_role)
    roles[is_account] = account_role
    return roles.fillna(members["kind"])


def _evidence_text(result: NetworkResult, network_of: pd.Series, per_member: int = 3) -> pd.Series:
    ev = result.evidence
    a_key = ev["a_kind"] + ":" + ev["a_id"].astype(str)
    b_key = ev["b_kind"] + ":" + ev["b_id"].astype(str)
    net_a, net_b = a_key.map(network_of), b_key.map(network_of)
    inside = net_a.notna() & (net_a == net_b)
    ev = ev[inside].assign(a_key=a_key[inside], b_key=b_key[inside])
    sides = pd.concat([
        pd.DataFrame({"member": ev["a_key"], "other": ev["b_key"], "evidence": ev["evidence"],
                      "n": ev["n"], "ref": ev["ref"], "weight": ev["weight"]}),
        pd.DataFrame({"member": ev["b_key"], "other": ev["a_key"], "evidence": ev["evidence"],
                      "n": ev["n"], "ref": ev["ref"], "weight": ev["weight"]}),
    ], ignore_index=True)
    top = sides.sort_values(["member", "weight", "other"], ascending=[True, False, True])
    top = top.groupby("member", sort=False).head(per_member)
    top["text"] = (top["evidence"] + " " + top["other"] + " (x" + top["n"].astype(str)
                   + ", ref " + top["ref"].astype(str) + ")")
    return top.groupby("member", sort=False)["text"].agg("; ".join)


def describe_networks(result: NetworkResult, *, min_members: int = 3) -> tuple[pd.DataFrame, list[dict]]:
    """Members (with victims) and one summary per network, ranked by victims and losses.

    Args:
        result: what :func:`~scamtrace.analytics.networks.discover.discover_networks` found.
        min_members: communities with fewer non-victim members are dropped.

    Returns:
        The members frame (columns :data:`MEMBER_COLUMNS`) and the network summaries.
    """
    members = result.members.assign(role=member_roles(result))
    size = members.groupby("community")["id"].transform("size")
    members = members[size >= min_members].copy()
    members["score"] = np.round(1.0 - np.exp(-members["strength"] / 3.0), 4)
    victims = result.victims.assign(paid_account=lambda v: v["paid_account"].astype(str))
    account_net = members.loc[members["kind"] == "account"].set_index("id")["community"]
    victims["community"] = victims["paid_account"].map(account_net)
    victims = victims[victims["community"].notna()]
    stats = pd.DataFrame({
        "victims": victims.groupby("community")["victim"].nunique(),
        "loss": victims.groupby("community")["amount"].sum(),
    }).reindex(members["community"].unique()).fillna(0)
    order = stats.sort_values(["victims", "loss"], ascending=False, kind="stable").index
    width = max(3, len(str(len(order))))
    ids = {c: f"N{rank + 1:0{width}d}" for rank, c in enumerate(order)}
    members["network_id"] = members["community"].map(ids)
    victim_rows = victims.groupby(["community", "victim"], as_index=False)["amount"].sum()
    victim_rows = pd.DataFrame({
        "network_id": victim_rows["community"].map(ids), "kind": "person",
        "id": victim_rows["victim"], "role": "victim", "score": 0.0,
        "evidence": "paid " + victim_rows["amount"].round(2).astype(str) + " into the network",
    })
    network_of = pd.Series(members["network_id"].to_numpy(),
                           index=members["kind"] + ":" + members["id"].astype(str))
    evidence = _evidence_text(result, network_of)
    members["evidence"] = (members["kind"] + ":" + members["id"].astype(str)).map(evidence).fillna("")
    table = pd.concat([members[list(MEMBER_COLUMNS)], victim_rows], ignore_index=True)
    table["role_rank"] = table["role"].map({r: i for i, r in enumerate(_ROLE_ORDER)}).fillna(99)
    table = table.sort_values(["network_id", "role_rank", "score", "id"],
                              ascending=[True, True, False, True]).drop(columns="role_rank")
    summaries = [_summary(table, result, net_id, stats.loc[c], victims[victims["community"] == c])
                 for c, net_id in ids.items()]
    summaries.sort(key=lambda s: s["network_id"])
    return table.reset_index(drop=True), summaries


def _summary(table: pd.DataFrame, result: NetworkResult, network_id: str, stats: pd.Series,
             victims: pd.DataFrame) -> dict:
    rows = table[table["network_id"] == network_id]
    by_role = {role: sorted(group["id"].astype(str).tolist())
               for role, group in rows.groupby("role") if role != "victim"}
    keys = set(rows["kind"] + ":" + rows["id"].astype(str))
    ev = result.evidence
    inside = ((ev["a_kind"] + ":" + ev["a_id"].astype(str)).isin(keys)
              & (ev["b_kind"] + ":" + ev["b_id"].astype(str)).isin(keys))
    times = pd.concat([ev.loc[inside, "first_ts"], ev.loc[inside, "last_ts"], victims["ts"]])
    times = pd.to_numeric(times, errors="coerce").dropna()
    sim_ids = set(rows.loc[rows["kind"] == "sim", "id"].astype(str))
    typed = result.sim_scam_types[result.sim_scam_types["msisdn"].astype(str).isin(sim_ids)]
    texts = typed.groupby("scam_type")["texts"].sum()
    texts = texts.sort_index().sort_values(ascending=False, kind="stable")
    share = texts / max(int(texts.sum()), 1)
    span = [_iso(times.min()), _iso(times.max())] if len(times) else [None, None]
    return {
        "network_id": network_id,
        "members": int((rows["role"] != "victim").sum()),
        "members_by_role": {role: len(ids) for role, ids in by_role.items()},
        "victims": int(stats["victims"]),
        "traced_loss": round(float(stats["loss"]), 2),
        "time_span": span,
        "scam_types": share.index[share >= MIN_SCAM_TYPE_SHARE].tolist(),
        "scam_type_texts": {k: int(v) for k, v in texts.items()},
        "evidence_kinds": ev.loc[inside, "evidence"].value_counts().to_dict(),
        "members_list": by_role,
    }


def _iso(seconds: float) -> str:
    return pd.Timestamp(int(seconds), unit="s", tz="UTC").isoformat()
