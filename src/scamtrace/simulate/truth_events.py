"""Write the ground truth gathered during the run, restricted to rows actually written.

Money still moving when the world ends (a transfer scheduled after the last chunk) is not
written; its truth rows are dropped too, so every truth row points at an existing row.
Such trails end in a mule account, which is exactly what a freeze request can still save.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from scamtrace.simulate.config import SimulationConfig
from scamtrace.simulate.events import EventTruth
from scamtrace.simulate.gangs import Gang
from scamtrace.simulate.names import Names
from scamtrace.simulate.poisoning import Poisoning
from scamtrace.simulate.tables import SCHEMAS, timestamps
from scamtrace.simulate.truth import entities_table, gangs_table
from scamtrace.simulate.world import World
from scamtrace.simulate.writer import WorldWriter


def _concat(parts: list[dict]) -> dict:
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]} if parts else {}


def write_truth(
    writer: WorldWriter,
    world: World,
    names: Names,
    gangs: list[Gang],
    truth: EventTruth,
    campaign: Poisoning,
    cfg: SimulationConfig,
) -> None:
    """Write every truth table except the streamed truth_messages and truth_reports.

    Args:
        writer: the world's writer (all chunks flushed).
        world: the world.
        names: identifier strings.
        gangs: the gangs.
        truth: what the run gathered.
        campaign: the poisoning campaign.
        cfg: the configuration.
    """
    end = world.days * 86_400
    gang_ids = np.array([g.gang_id for g in gangs], dtype=object)
    vt = _concat(truth.victim_parts)
    victims: dict[str, np.ndarray] = {}
    if vt:
        keep = vt["ts"] < end
        vt = {k: v[keep] for k, v in vt.items()}
        for g, gang in enumerate(gangs):
            victims[gang.gang_id] = vt["person"][vt["gang"] == g]
        table = pa.Table.from_pydict(
            {
                "tx_id": vt["tx_id"],
                "victim": names.person_id.take(pa.array(vt["person"])),
                "victim_account": names.account_id.take(pa.array(vt["src"])),
                "gang_id": gang_ids[vt["gang"]],
                "scam_type": vt["scam_type"].astype(object),
                "contact_kind": vt["contact_kind"],
                "contact_id": vt["contact_id"],
                "amount": vt["amount"].astype(float),
            },
            schema=SCHEMAS["truth/truth_victim_transfers"],
        )
        order = np.argsort(vt["tx_id"], kind="stable")
        writer.write_table("truth/truth_victim_transfers", table.take(pa.array(order)))
    else:
        writer.write_table(
            "truth/truth_victim_transfers", SCHEMAS["truth/truth_victim_transfers"].empty_table()
        )
    flows = _concat(truth.flow_parts)
    if flows:
        keep = (flows["_ts"] < end) & (flows["victim_ts"] < end)
        flows = {k: v[keep] for k, v in flows.items()}
        order = np.lexsort((flows["tx_id"], flows["hop"], flows["victim_tx_id"]))
        flows = {k: v[order] for k, v in flows.items()}
        writer.write_table(
            "truth/truth_flows",
            pa.Table.from_pydict(
                {
                    "victim_tx_id": flows["victim_tx_id"],
                    "hop": flows["hop"].astype(np.int32),
                    "tx_id": flows["tx_id"],
                    "src_account": names.account_id.take(pa.array(flows["src"])),
                    "dst_account": names.account_id.take(pa.array(flows["dst"])),
                    "amount_carried": np.round(flows["amount"].astype(float), 2),
                },
                schema=SCHEMAS["truth/truth_flows"],
            ),
        )
    else:
        writer.write_table("truth/truth_flows", SCHEMAS["truth/truth_flows"].empty_table())
    writer.write_table("truth/gangs", gangs_table(world, names, gangs))
    writer.write_table(
        "truth/truth_entities", entities_table(world, names, gangs, truth.used_urls, victims)
    )
    writer.write_table("truth/poisoning", _poisoning_table(world, truth, campaign, end))
    for streamed in ("truth/truth_messages", "truth/truth_reports"):
        writer.append(streamed, SCHEMAS[streamed].empty_table())


def _poisoning_table(world: World, truth: EventTruth, campaign: Poisoning, end: int) -> pa.Table:
    frame = truth.poisoning_frame
    schema = SCHEMAS["truth/poisoning"]
    if frame is None:
        return schema.empty_table()
    frame = frame.filter(pa.array(frame.column("_ts").to_numpy() < end))
    order = np.argsort(frame.column("report_id").to_numpy(), kind="stable")
    frame = frame.take(pa.array(order))
    n = frame.num_rows
    start = timestamps(np.full(n, campaign.start), world.start_ts)
    stop = timestamps(np.full(n, campaign.start + campaign.minutes * 60), world.start_ts)
    return pa.Table.from_arrays(
        [
            pa.array([campaign.campaign_id] * n, pa.string()),
            frame.column("report_id"),
            frame.column("reporter_msisdn"),
            pa.array(["phone"] * n, pa.string()),
            frame.column("reported_value"),
            start,
            stop,
        ],
        schema=schema,
    )
