"""The ``scamtrace`` command line: one Typer app; each domain adds its commands.

A domain exposes ``register(app: typer.Typer) -> None`` in ``scamtrace.<domain>.commands``
and is listed in :data:`DOMAIN_COMMANDS`. Errors a user can cause
(:class:`scamtrace.errors.ScamtraceError`) print one line on stderr and exit with code 2.
"""

from __future__ import annotations

import importlib
import sys

import typer

from scamtrace import __version__
from scamtrace.errors import ScamtraceError

#: Modules whose ``register(app)`` adds commands, in the order ``--help`` lists them.
DOMAIN_COMMANDS: tuple[str, ...] = (
    "scamtrace.identifiers.commands",
    "scamtrace.store.commands",
    "scamtrace.orgs.commands",
    "scamtrace.api.commands",
    "scamtrace.simulate.commands",
    "scamtrace.analytics.commands",
    "scamtrace.analytics.mules.commands",
    "scamtrace.analytics.sims.commands",
    "scamtrace.analytics.networks.commands",
    "scamtrace.intel.commands",
    "scamtrace.reports.commands",
    "scamtrace.messages.commands",
    "scamtrace.demo",
)

app = typer.Typer(
    name="scamtrace",
    help="scamtrace: report intake, scam intelligence, money trails and mule detection.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command()
def version() -> None:
    """Print the scamtrace version."""
    typer.echo(__version__)


_registered: set[str] = set()


def _register_domains() -> None:
    # Idempotent: tests call main() many times in one process.
    for module_name in DOMAIN_COMMANDS:
        if module_name not in _registered:
            importlib.import_module(module_name).register(app)
            _registered.add(module_name)


def fail(message: str) -> None:
    """Print one error line on stderr and exit with code 2 (a usage or input error)."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script: run the app, mapping user errors to exit 2."""
    _register_domains()
    try:
        app(args=argv, standalone_mode=False)
    except ScamtraceError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(1)
    except Exception as exc:  # click's usage errors arrive here in non-standalone mode
        import click

        # Typer >= 0.20 raises its vendored copy of click's exceptions.
        vendored = getattr(getattr(typer, "_click", None), "exceptions", None)
        usage_errors = (click.ClickException,) + (
            (vendored.ClickException,) if vendored is not None else ()
        )
        if isinstance(exc, usage_errors):
            exc.show()
            sys.exit(2)
        raise
