"""Ground-truth tables about gangs: the gangs themselves and their members by role.

Roles: ``caller_sim``, ``sms_sim`` (kind sim); ``mule_l1``, ``mule_l2+``, ``cashout`` (kind
account); ``boss``, ``nominee`` (identity behind mule SIMs or deeper accounts), ``mule_l1``
(the person renting out a layer-1 account), ``victim`` (kind person); ``simbox`` (kind
device); ``phishing_url`` (kind url); ``phishing_domain`` (kind domain). An entity used by
two gangs (a shared mule) has one row per gang.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from scamtrace.simulate.gangs import Gang
from scamtrace.simulate.names import Names
from scamtrace.simulate.tables import SCHEMAS
from scamtrace.simulate.world import World


def gangs_table(world: World, names: Names, gangs: list[Gang]) -> pa.Table:
    """truth/gangs: one row per gang with its modus operandi and sizes."""
    rows = {f.name: [] for f in SCHEMAS["truth/gangs"]}
    for gang in gangs:
        rows["gang_id"].append(gang.gang_id)
        rows["scam_types"].append(",".join(gang.types))
        rows["sim_base"].append("voip_gateway" if gang.voip else "border_simbox")
        rows["cashout"].append("crypto" if gang.crypto_cashout else "atm")
        rows["layers"].append(len(gang.layers))
        rows["caller_sims"].append(int(gang.caller_sims.size))
        rows["sms_sims"].append(int(gang.sms_sims.size))
        rows["mule_accounts"].append(int(sum(layer.size for layer in gang.layers)))
        rows["boss_person_id"].append(names.person_id[gang.boss].as_py())
    return pa.Table.from_pydict(rows, schema=SCHEMAS["truth/gangs"])


def entities_table(
    world: World,
    names: Names,
    gangs: list[Gang],
    used_urls: dict[str, set],
    victims: dict[str, np.ndarray],
) -> pa.Table:
    """truth/truth_entities: every gang member (and victim) by kind, id, gang and role.

    Args:
        world: the world.
        names: identifier strings.
        gangs: the gangs.
        used_urls: canonical URLs each gang actually sent, by gang id.
        victims: per gang id, person indices of victims whose transfer was written.

    Returns:
        The table, sorted by gang, kind, role and id.
    """
    parts: list[tuple[str, pa.Array, str, str]] = []
    for gang in gangs:
        g = gang.gang_id
        parts.append(("sim", names.msisdn.take(pa.array(gang.caller_sims)), g, "caller_sim"))
        parts.append(("sim", names.msisdn.take(pa.array(gang.sms_sims)), g, "sms_sim"))
        parts.append(("device", names.imei.take(pa.array(gang.devices)), g, "simbox"))
        depth = len(gang.layers)
        for i, layer in enumerate(gang.layers):
            role = "mule_l1" if i == 0 else ("cashout" if i == depth - 1 else "mule_l2+")
            parts.append(("account", names.account_id.take(pa.array(layer)), g, role))
        renters = world.acct_owner[gang.layers[0]]
        parts.append(("person", names.person_id.take(pa.array(np.unique(renters))), g, "mule_l1"))
        deeper = np.concatenate(
            [world.acct_owner[layer] for layer in gang.layers[1:]] or [np.zeros(0, np.int64)]
        )
        sim_owners = world.sim_owner[np.concatenate([gang.caller_sims, gang.sms_sims])]
        nominees = np.setdiff1d(np.unique(np.concatenate([deeper, sim_owners])), renters)
        parts.append(("person", names.person_id.take(pa.array(nominees)), g, "nominee"))
        parts.append(("person", names.person_id.take(pa.array([gang.boss])), g, "boss"))
        urls = sorted(used_urls.get(g, set()))
        parts.append(("url", pa.array(urls, pa.string()), g, "phishing_url"))
        domains = sorted(
            {
                d
                for _, _, d in (link for links in gang.links.values() for link in links)
                if d and any(u.startswith(f"https://{d}/") for u in urls)
            }
        )
        parts.append(("domain", pa.array(domains, pa.string()), g, "phishing_domain"))
        hurt = np.unique(victims.get(g, np.zeros(0, np.int64)))
        parts.append(("person", names.person_id.take(pa.array(hurt, pa.int64())), g, "victim"))
    tables = [
        pa.table(
            {
                "kind": pa.array([kind] * len(ids), pa.string()),
                "id": ids.cast(pa.string()),
                "gang_id": pa.array([g] * len(ids), pa.string()),
                "role": pa.array([role] * len(ids), pa.string()),
            }
        )
        for kind, ids, g, role in parts
        if len(ids)
    ]
    table = pa.concat_tables(tables).group_by(["kind", "id", "gang_id", "role"]).aggregate([])
    order = pc.sort_indices(table, [(k, "ascending") for k in ("gang_id", "kind", "role", "id")])
    return table.take(order).select(SCHEMAS["truth/truth_entities"].names)
