"""The hub's part of ``make demo``: fill it from a simulated world and show what it knows.

:func:`run_demo` loads the world's citizen reports (``reports.parquet``) as evidence,
republishes the lookup index, and returns the lines to show: the top indicators with
their reasons, the poisoning campaign held for review, lookups as a bank and as the
public would make them, and the feed URLs. :func:`demo_step` adapts it to the
``scamtrace demo`` step list.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
from sqlalchemy import func, select

from scamtrace.errors import InvalidDataFile, InvalidIdentifier
from scamtrace.intel.feeds import FEED_KINDS
from scamtrace.intel.index_builder import rebuild_index
from scamtrace.intel.lookup import lookup_one
from scamtrace.intel.lookup_index import LookupIndex
from scamtrace.intel.models import Indicator
from scamtrace.intel.service import NewEvidence, add_evidence, canonical
from scamtrace.orgs.service import ANONYMOUS, Principal
from scamtrace.store.engine import session_scope

#: Report channels of the simulator, as evidence subtypes of the hub.
_CHANNELS = {
    "sms_1185": "sms_1185",
    "ussd_1185": "ussd",
    "web": "web",
    "app": "app",
    "bank": "partner",
    "call": "call",
}
_BATCH = 2000


def load_world_reports(database_url: str, world_dir: Path) -> tuple[int, int, datetime | None]:
    """Add every report of a simulated world as citizen evidence, in time order.

    The simulated clock, not the wall clock, is "now" while loading, so decay reads the
    world as it was at its end.

    Args:
        database_url: the migrated store.
        world_dir: a directory written by ``scamtrace simulate``.

    Returns:
        ``(accepted, skipped, world_end)``; skipped reports name no identifier the hub
        can parse.
    """
    path = Path(world_dir) / "reports.parquet"
    if not path.is_file():
        raise InvalidDataFile(f"{path} not found: simulate a world first (scamtrace simulate)")
    table = pq.read_table(
        path, columns=["ts", "channel", "reporter_msisdn", "reported_kind", "reported_value"]
    ).sort_by("ts")
    items: list[NewEvidence] = []
    skipped = 0
    for row in table.to_pylist():
        kind, value = row["reported_kind"], row["reported_value"]
        if not kind or not value:
            skipped += 1
            continue
        try:
            canonical(kind, value)
        except InvalidIdentifier:
            skipped += 1
            continue
        items.append(
            NewEvidence(
                kind,
                value,
                "report",
                _CHANNELS.get(row["channel"], "other"),
                tlp="clear",
                observed_at=row["ts"].replace(tzinfo=UTC),
                reporter_number=row["reporter_msisdn"] or None,
            )
        )
    for start in range(0, len(items), _BATCH):
        with session_scope(database_url) as session:
            add_evidence(
                session,
                items=items[start : start + _BATCH],
                source_member_id=None,
                actor="demo:reports",
                now=items[min(start + _BATCH, len(items)) - 1].observed_at,
            )
    return len(items), skipped, (items[-1].observed_at if items else None)


def _poisoning_target(world_dir: Path) -> str | None:
    truth = Path(world_dir) / "truth" / "poisoning.parquet"
    if not truth.is_file():
        return None
    rows = pq.read_table(truth).to_pylist()
    for row in rows:
        for name in ("target_msisdn", "target_value", "target", "reported_value"):
            if row.get(name):
                return str(row[name])
    return None


def run_demo(world_dir: Path, work_dir: Path) -> list[str]:
    """Fill a fresh hub from ``world_dir`` in ``work_dir`` and describe it.

    Args:
        world_dir: a simulated world (``reports.parquet``, ``truth/poisoning.parquet``).
        work_dir: where the hub's store and lookup index are created.

    Returns:
        Lines for the person watching the demo.
    """
    from scamtrace.store.migrate import upgrade_database

    work_dir.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{work_dir / 'intel-demo.db'}"
    upgrade_database(database_url)
    return describe_hub(database_url, work_dir / "lookup-index", world_dir)


def describe_hub(
    database_url: str,
    index_dir: Path,
    world_dir: Path,
    base_url: str = "http://127.0.0.1:8000",
    *,
    load_reports: bool = True,
) -> list[str]:
    """Load the world's reports into the store at ``database_url`` and describe the hub.

    Args:
        database_url: the migrated store.
        index_dir: where to publish the lookup index.
        world_dir: the simulated world.
        base_url: where the API is served (for the feed URLs shown).
        load_reports: ``False`` when report intake already turned the world's reports
            into evidence (the demo's reports step), so they are not counted twice.

    Returns:
        Lines for the person watching the demo.
    """
    world_end = None
    if load_reports:
        accepted, skipped, world_end = load_world_reports(database_url, world_dir)
        lines = [
            f"intel hub: {accepted} reports loaded as evidence ({skipped} without an identifier)"
        ]
    else:
        lines = ["intel hub: evidence from the reports taken in by report intake"]
        with session_scope(database_url) as session:
            world_end = session.execute(select(func.max(Indicator.last_seen_at))).scalar()
    with session_scope(database_url) as session:
        build = rebuild_index(session, index_dir, full=True, now=world_end)
        tiers = Counter(
            dict(
                session.execute(select(Indicator.tier, func.count()).group_by(Indicator.tier)).all()
            )
        )
        statuses = Counter(
            dict(
                session.execute(
                    select(Indicator.status, func.count()).group_by(Indicator.status)
                ).all()
            )
        )
        top = (
            session.execute(
                select(Indicator)
                .where(Indicator.score > 0)
                .order_by(Indicator.score.desc(), Indicator.n_reporters.desc())
                .limit(5)
            )
            .scalars()
            .all()
        )
        lines.append(
            f"  indicators by tier: {dict(sorted(tiers.items()))}; "
            f"held for review: {statuses.get('held', 0)}, "
            f"allowlisted (likely spoofing): {statuses.get('allowlisted', 0)}"
        )
        lines.append(f"  lookup index generation {build.generation}: {build.records} records")
        lines.append("  top indicators:")
        for ind in top:
            lines.append(
                f"    {ind.kind} {ind.value}  {ind.tier} ({int(ind.score)}): "
                + "; ".join(ind.reasons)
            )
        target = _poisoning_target(world_dir)
        probes = [("phone", target)] if target else []
        held = session.execute(
            select(Indicator)
            .where(Indicator.status == "held")
            .order_by(Indicator.n_reports.desc())
            .limit(1)
        ).scalar_one_or_none()
        if held is not None:
            lines.append(
                f"  poisoning campaign held for review: {held.kind} {held.value}, "
                f"tier {held.tier}: " + "; ".join(held.reasons)
            )
            probes.append((held.kind, held.value))
    index = LookupIndex(index_dir)
    bank = Principal(0, "demo bank", "bank", "bank", (), None)
    if top:
        probes.insert(0, (top[0].kind, top[0].value))
    probes += [("short_code", "1185"), ("phone", "02-888-8888")]
    lines.append("  lookups (as a bank / as the public):")
    seen = set()
    for kind, value in probes:
        if (kind, value) in seen:
            continue
        seen.add((kind, value))
        as_bank = lookup_one(index, bank, kind, value)
        as_public = lookup_one(index, ANONYMOUS, kind, value)
        lines.append(
            f"    {kind} {value}: bank -> {as_bank['tier']}/{as_bank['action']}"
            f"{' (official)' if as_bank.get('official') else ''}; "
            f"public -> {as_public['tier']}{' (official)' if as_public.get('official') else ''}"
        )
    lines.append(
        "  feeds (members' API key): "
        + ", ".join(f"{base_url}/v1/feeds/{kind}.txt" for kind in FEED_KINDS[:3])
        + f", {base_url}/v1/feeds/rpz.zone, {base_url}/v1/feeds/bank-accounts.csv; "
        f"TAXII at {base_url}/taxii2/"
    )
    return lines


def demo_step(context) -> None:
    """``scamtrace demo`` step: fill the demo store's hub from the simulated world.

    Uses ``context.results["world"]`` (a path) when an earlier step simulated one, else
    simulates the tiny world under the demo's data directory. When a ``reports`` step
    already fed the world's reports through intake (which adds them to the hub), they
    are not loaded again.
    """
    from scamtrace.intel.serving import index_dir_for
    from scamtrace.simulate.demo import ensure_world

    world_dir = context.results.get("world")
    if world_dir is None:
        world_dir = ensure_world(context.data_dir / "world", seed=7, scale="tiny")
    lines = describe_hub(
        context.database_url,
        index_dir_for(context.settings),
        Path(world_dir),
        context.base_url,
        load_reports="reports" not in context.results,
    )
    for line in lines:
        context.echo(line)
    context.results["intel"] = lines


def _first(directory: Path | None, name: str) -> Path | None:
    if directory is None:
        return None
    return next(iter(sorted(Path(directory).rglob(name))), None)


def findings_step(context) -> None:
    """``scamtrace demo`` step: the batch findings go to the hub, and the hub answers again.

    Flagged SIMs are shared as the demo telco's, flagged accounts as the demo bank's and
    network members as the police's, from the files the earlier steps wrote.
    """
    from scamtrace.intel.findings import read_findings, share_findings
    from scamtrace.intel.serving import index_dir_for
    from scamtrace.orgs.service import authenticate_api_key

    results = context.results
    sources = (
        ("telco", {"sims": _first(results.get("scamtrace.analytics.sims.demo"), "sim_scores.csv")}),
        ("bank", {"mules": _first(results.get("scamtrace.analytics.mules.demo"), "mule_scores.csv"),
                  "traced": _first(results.get("scamtrace.analytics.demo"), "accounts.csv")}),
        ("police", {"networks": _first(results.get("scamtrace.analytics.networks.demo"), "members.csv")}),
    )
    with session_scope(context.database_url) as session:
        for role, files in sources:
            files = {name: path for name, path in files.items() if path is not None}
            if not set(files) - {"traced"}:
                continue
            member = authenticate_api_key(session, plaintext=context.keys[role])
            shared, skipped = share_findings(session, read_findings(**files),
                                             source_member_id=member.member_id,
                                             actor=f"demo:{role}")
            context.echo(f"{member.member_name} shared {shared} findings "
                         f"({' on '.join(files)}); {skipped} skipped")
    with session_scope(context.database_url) as session:
        world_end = session.execute(select(func.max(Indicator.last_seen_at))).scalar()
        build = rebuild_index(session, index_dir_for(context.settings), full=True, now=world_end)
        tiers = Counter(dict(session.execute(
            select(Indicator.tier, func.count()).group_by(Indicator.tier)).all()))
        top = session.execute(select(Indicator).where(Indicator.score > 0)
                              .order_by(Indicator.score.desc()).limit(5)).scalars().all()
        context.echo(f"hub now: {dict(sorted(tiers.items()))}; index generation {build.generation}")
        index = LookupIndex(index_dir_for(context.settings))
        bank = Principal(0, "demo bank", "bank", "bank", (), None)
        for ind in top:
            answer = lookup_one(index, bank, ind.kind, ind.value)
            context.echo(f"  {ind.kind} {ind.value}: {ind.tier} ({int(ind.score)}), bank action "
                         f"{answer['action']}: " + "; ".join(ind.reasons)[:160])
