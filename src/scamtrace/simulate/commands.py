"""CLI: ``scamtrace simulate`` writes a synthetic world with ground truth."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from scamtrace.simulate.config import load_config
from scamtrace.simulate.engine import event_rows, simulate_world


def register(app: typer.Typer) -> None:
    """Add the ``simulate`` command to ``app``."""

    @app.command("simulate")
    def simulate(
        out: Annotated[Path, typer.Option("--out", help="Directory to write the tables into.")],
        seed: Annotated[
            int, typer.Option("--seed", help="Root seed; same seed and options, same bytes.")
        ] = 7,
        scale: Annotated[
            str, typer.Option("--scale", help="tiny | small | medium | large.")
        ] = "tiny",
        days: Annotated[
            int | None, typer.Option("--days", help="Days to simulate (default: the scale's).")
        ] = None,
        config: Annotated[
            Path | None, typer.Option("--config", help="YAML or TOML file of option overrides.")
        ] = None,
    ) -> None:
        """Simulate a synthetic Thailand (calls, SMS, transfers, reports) with ground truth in DIR/truth/."""
        cfg = load_config(scale=scale, seed=seed, days=days, config_file=config)
        started = time.perf_counter()
        manifest = simulate_world(cfg, out)
        elapsed = time.perf_counter() - started
        rows = manifest["rows"]
        typer.echo(f"simulated {cfg.scale} world (seed {cfg.seed}, {cfg.days} days) into {out}")
        for name in ("persons", "sims", "accounts", "calls", "sms", "transactions", "reports"):
            typer.echo(f"  {name:<13}{rows[name]:>12,}")
        typer.echo(f"  {'gangs':<13}{rows['truth/gangs']:>12,}")
        typer.echo(
            f"{event_rows(manifest):,} event rows in {elapsed:.1f} s "
            f"({event_rows(manifest) / max(elapsed, 1e-9):,.0f} rows/s)"
        )
