"""``scamtrace demo``: a working alliance on this machine, step by step.

The demo is a list of named steps, :data:`DEMO_STEPS`, run in order on one
:class:`DemoContext`. A capability joins the demo by appending a step whose ``run`` is a
function taking the context (or a ``"module:function"`` string, imported only when the
step runs, so that a heavy capability costs nothing until then)::

    DemoStep("reports", "scamtrace.reports.demo:feed_simulated_reports")

Steps share what they make through ``context.results`` and call the API with
``context.keys[role]``. The first steps here create the store and the demo members.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer

from scamtrace.config import Settings, get_settings
from scamtrace.errors import AuthenticationError, InvalidInput, NotFound

DemoFunction = Callable[["DemoContext"], None]

#: (member name, sector, key role, sharing groups): one member per kind of alliance user.
DEMO_MEMBERS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("Demo Bank (fraud team)", "bank", "bank", ("banks",)),
    ("Demo Telco (fraud analytics)", "telco", "telco", ("telcos",)),
    ("Demo Police Cyber Bureau", "police", "police", ("law-enforcement",)),
    ("Demo Regulator", "regulator", "regulator", ()),
    ("Demo Alliance Secretariat", "regulator", "admin", ()),
    ("Demo Public Portal", "public", "public", ()),
)
KEYS_FILE_NAME = "demo-keys.json"


@dataclass
class DemoContext:
    """What every demo step gets.

    Attributes:
        data_dir: where the demo keeps its files (the SQLite store, ``demo-keys.json``).
        database_url: the store the demo fills.
        settings: the settings the demo runs (and later serves) with.
        keys: plaintext API key per role (``keys["bank"]``), filled by the members step.
        echo: prints one line for the person watching the demo.
        base_url: where the API will be served.
        results: anything a step wants to hand to later steps, by step name.
    """

    data_dir: Path
    database_url: str
    settings: Settings
    echo: Callable[[str], None] = typer.echo
    keys: dict[str, str] = field(default_factory=dict)
    base_url: str = "http://127.0.0.1:8000"
    results: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoStep:
    """One named step of the demo."""

    name: str
    run: DemoFunction | str

    def resolve(self) -> DemoFunction:
        """Return the step's function, importing it when given as ``"module:function"``."""
        if callable(self.run):
            return self.run
        module_name, _, function_name = self.run.partition(":")
        return getattr(importlib.import_module(module_name), function_name)


def prepare_store(context: DemoContext) -> None:
    """Create the store, or migrate it to the newest schema."""
    from scamtrace.store.migrate import upgrade_database

    revision = upgrade_database(context.database_url)
    context.echo(f"store ready at schema {revision}")


def _load_saved_keys(path: Path) -> dict[str, dict[str, Any]]:
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def register_demo_members(context: DemoContext) -> None:
    """Register the demo members and give each a key, reusing those of an earlier run."""
    from scamtrace.orgs import service
    from scamtrace.store.engine import session_scope

    keys_path = context.data_dir / KEYS_FILE_NAME
    saved = _load_saved_keys(keys_path)
    created_roles = []
    with session_scope(context.database_url) as session:
        for name, sector, role, groups in DEMO_MEMBERS:
            try:
                member = service.get_member(session, member_ref=name)
            except NotFound:
                member = service.create_member(session, name=name, sector=sector, actor="demo")
            entry = saved.get(role)
            if entry:
                try:
                    service.authenticate_api_key(session, plaintext=entry["key"])
                    context.keys[role] = entry["key"]
                    continue
                except (AuthenticationError, KeyError, TypeError):
                    pass  # the store was reset since: issue a fresh key
            created = service.create_api_key(
                session, member_ref=member.id, role=role, sharing_groups=groups, actor="demo"
            )
            saved[role] = {
                "member": name,
                "member_id": member.id,
                "prefix": created.api_key.prefix,
                "key": created.plaintext,
            }
            context.keys[role] = created.plaintext
            created_roles.append(role)
    keys_path.parent.mkdir(parents=True, exist_ok=True)
    keys_path.write_text(json.dumps(saved, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    keys_path.chmod(0o600)
    for role in created_roles:
        context.echo(f"  new key for {saved[role]['member']} ({role}): {saved[role]['key']}")
    reused = len(DEMO_MEMBERS) - len(created_roles)
    context.echo(f"{len(DEMO_MEMBERS)} members; {reused} keys reused; keys saved in {keys_path}")


def simulate_world_step(context: DemoContext) -> None:
    """Simulate the tiny world (or reuse the one already there) and say what it holds."""
    from scamtrace.simulate.demo import describe_world, ensure_world

    world = ensure_world(context.data_dir / "world", seed=7, scale="tiny")
    context.results["world"] = world
    counts = describe_world(world)
    context.echo(f"world in {world}: " + ", ".join(f"{n:,} {name}" for name, n in counts.items()))


def world_lines_step(target: str) -> DemoFunction:
    """Adapt a capability's ``run_demo(world_dir, work_dir) -> lines`` to a demo step.

    Args:
        target: ``"module:function"``, imported only when the step runs.

    Returns:
        A step function that runs it on the simulated world with a work directory of
        its own under the demo's data directory, and prints the lines.
    """
    module_name, _, function_name = target.partition(":")

    def run(context: DemoContext) -> None:
        function = getattr(importlib.import_module(module_name), function_name)
        work_dir = context.data_dir / "work" / module_name.rsplit(".", 2)[-2]
        work_dir.mkdir(parents=True, exist_ok=True)
        lines = function(Path(context.results["world"]), work_dir)
        context.results[module_name] = work_dir
        for line in lines:
            context.echo(line)

    return run


#: The demo, in order. Capabilities append their steps here.
DEMO_STEPS: list[DemoStep] = [
    DemoStep("store", prepare_store),
    DemoStep("members", register_demo_members),
    DemoStep("world", simulate_world_step),
    DemoStep("reports", "scamtrace.reports.demo:demo_step"),
    DemoStep("messages", world_lines_step("scamtrace.messages.demo:run_demo")),
    DemoStep("intel", "scamtrace.intel.demo:demo_step"),
    DemoStep("trace", world_lines_step("scamtrace.analytics.demo:run_demo")),
    DemoStep("mules", world_lines_step("scamtrace.analytics.mules.demo:run_demo")),
    DemoStep("sims", world_lines_step("scamtrace.analytics.sims.demo:run_demo")),
    DemoStep("networks", world_lines_step("scamtrace.analytics.networks.demo:run_demo")),
    DemoStep("findings", "scamtrace.intel.demo:findings_step"),
]


def select_steps(names: str | None) -> list[DemoStep]:
    """Return the demo steps named in a comma-separated list, in demo order.

    Raises:
        InvalidInput: a name that is not a step.
    """
    if not names:
        return list(DEMO_STEPS)
    wanted = [name.strip() for name in names.split(",") if name.strip()]
    known = [step.name for step in DEMO_STEPS]
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise InvalidInput(f"unknown demo steps {', '.join(unknown)}; steps are: {', '.join(known)}")
    return [step for step in DEMO_STEPS if step.name in wanted]


def run_demo(context: DemoContext, steps: list[DemoStep] | None = None) -> None:
    """Run ``steps`` (default :data:`DEMO_STEPS`) in order on ``context``."""
    for step in steps if steps is not None else DEMO_STEPS:
        context.echo(f"== {step.name}")
        step.resolve()(context)


def _demo_settings(data_dir: Path | None) -> Settings:
    # Through the environment, so that every later get_settings() in this process (keyed
    # hashes, steps of other capabilities) sees the same data directory.
    if data_dir is not None:
        os.environ["SCAMTRACE_DATA_DIR"] = str(data_dir)
        get_settings.cache_clear()
    return get_settings()


def demo(
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Prepare everything, do not serve.")
    ] = False,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Demo files [SCAMTRACE_DATA_DIR].")
    ] = None,
    steps: Annotated[
        str | None, typer.Option("--steps", help="Only these steps, comma-separated "
                                 "(store, members, world, reports, messages, intel, trace, "
                                 "mules, sims, networks, findings).")
    ] = None,
) -> None:
    """Run the demo: store, alliance members with keys, every capability, then the API."""
    chosen = select_steps(steps)
    settings = _demo_settings(data_dir)
    context = DemoContext(
        data_dir=settings.data_dir,
        database_url=settings.effective_database_url,
        settings=settings,
        base_url=f"http://{settings.api_host}:{settings.api_port}",
    )
    run_demo(context, chosen)
    if no_serve:
        context.echo(f"done; serve it with: scamtrace serve  (data in {context.data_dir})")
        return
    _serve(context)


def _serve(context: DemoContext) -> None:
    import uvicorn

    from scamtrace.api.main import create_app

    base = context.base_url
    context.echo(f"API docs:  {base}/docs")
    context.echo(f"health:    {base}/healthz")
    if "bank" in context.keys:
        bank_key = context.keys["bank"]
        context.echo(f"try:       curl -H 'Authorization: Bearer {bank_key}' {base}/v1/members/me")
    context.echo("Ctrl-C stops the server")
    settings = context.settings
    uvicorn.run(create_app(settings), host=settings.api_host, port=settings.api_port)


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command to the scamtrace CLI."""
    app.command("demo")(demo)
