"""Demo step: discover the simulated world's criminal networks and print the top ones."""

from __future__ import annotations

from pathlib import Path

from scamtrace.analytics import create_engine
from scamtrace.analytics.networks.commands import write_networks
from scamtrace.analytics.networks.describe import describe_networks
from scamtrace.analytics.networks.discover import discover_networks
from scamtrace.analytics.sims.sim_inputs import world_sources


def run_demo(world_dir: Path, work_dir: Path, top: int = 3) -> list[str]:
    """Find networks in a simulated world; write them under ``work_dir/networks``.

    Args:
        world_dir: a directory written by ``scamtrace simulate``.
        work_dir: where the outputs go.
        top: how many networks to print.

    Returns:
        Lines to print: the top networks with members by role, victims and traced loss.
    """
    with create_engine("duckdb") as engine:
        result = discover_networks(engine, world_sources(world_dir))
    members, summaries = describe_networks(result)
    out = work_dir / "networks"
    write_networks(out, members, summaries, result)
    lines = [(f"networks: {len(summaries)} found, {len(result.hubs)} hubs removed "
              f"(banks' cash accounts, exchanges, merchants, connectors)")]
    for summary in summaries[:top]:
        roles = ", ".join(f"{n} {role}" for role, n in summary["members_by_role"].items())
        lines.append(f"  {summary['network_id']}: {summary['victims']} victims, "
                     f"{summary['traced_loss']:,.0f} THB traced; {roles}")
        if summary["scam_types"]:
            lines.append(f"      scam types: {', '.join(summary['scam_types'])}")
        for role in ("caller_sim", "sms_sim", "mule_l1", "cashout"):
            ids = summary["members_list"].get(role, [])
            if ids:
                more = f" (+{len(ids) - 3})" if len(ids) > 3 else ""
                lines.append(f"      {role}: {', '.join(ids[:3])}{more}")
    lines.append(f"wrote {out / 'members.csv'} and {out / 'networks.json'}")
    return lines
