"""Assemble the API: settings, error handlers, routers. Nothing else lives here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from scamtrace import __version__
from scamtrace.api.problems import install_problem_handlers
from scamtrace.api.routes import (
    allowlist,
    appeals,
    calls,
    feeds,
    health,
    indicators,
    lookup,
    members,
    meta,
    reports,
    stix_extensions,
    taxii,
)
from scamtrace.config import Settings, get_settings
from scamtrace.intel.fast_lookup import LookupFastPath
from scamtrace.intel.refresher import IndexRefresher

DESCRIPTION = (
    "The alliance's shared service against call-centre and SMS scams. Authenticate with "
    "`Authorization: Bearer <key>` or `X-API-Key: <key>`; every error is "
    "`application/problem+json`."
)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    refresher = IndexRefresher(app.state.settings)
    refresher.start()
    try:
        yield
    finally:
        refresher.stop()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the FastAPI application.

    Args:
        settings: the settings to serve with; ``None`` reads them from the environment.

    Returns:
        The app; it connects to the store on the first request, not here.
    """
    app = FastAPI(
        title="scamtrace",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.settings = settings or get_settings()
    install_problem_handlers(app)
    app.include_router(health.router)
    app.include_router(meta.router)
    app.include_router(members.router)
    app.include_router(reports.router)
    app.include_router(calls.router)
    for intel_router in (lookup, indicators, appeals, allowlist, feeds, taxii, stix_extensions):
        app.include_router(intel_router.router)
    app.add_middleware(LookupFastPath, fastapi_app=app)
    return app
