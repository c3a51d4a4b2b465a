"""``scamtrace serve``: run the API with uvicorn."""

from __future__ import annotations

import typer

from scamtrace.config import get_settings
from scamtrace.store.migrate import ensure_current


def serve(
    host: str = typer.Option(None, "--host", help="Interface to listen on [SCAMTRACE_API_HOST]."),
    port: int = typer.Option(None, "--port", help="Port [SCAMTRACE_API_PORT]."),
    workers: int = typer.Option(1, "--workers", min=1, help="Worker processes."),
) -> None:
    """Serve the HTTP API (docs at /docs); the store must be migrated first."""
    import uvicorn

    settings = get_settings()
    ensure_current(settings.effective_database_url)
    host = host or settings.api_host
    port = port or settings.api_port
    typer.echo(f"scamtrace API on http://{host}:{port}  (docs: http://{host}:{port}/docs)")
    # factory=True: each worker process builds its own app, engine and pool after fork.
    uvicorn.run(
        "scamtrace.api.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to the scamtrace CLI."""
    app.command("serve")(serve)
