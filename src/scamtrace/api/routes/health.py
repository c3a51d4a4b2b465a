"""``/healthz``: is the service up and its store reachable and migrated."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from scamtrace.api.deps import SessionDep
from scamtrace.api.problems import problem_response
from scamtrace.store.migrate import head_revision

router = APIRouter(tags=["health"])


@router.get("/healthz", responses={503: {"description": "The store is unreachable or behind"}})
def healthz(request: Request, session: SessionDep) -> JSONResponse:
    """Report whether the API can reach its store and the schema is the newest."""
    try:
        session.execute(text("SELECT 1"))
        revision = MigrationContext.configure(session.connection()).get_current_revision()
    except SQLAlchemyError as exc:
        return problem_response(
            request,
            status=503,
            title="Service Unavailable",
            detail=f"the store is unreachable: {type(exc).__name__}",
        )
    head = head_revision()
    if revision != head:
        return problem_response(
            request,
            status=503,
            title="Service Unavailable",
            detail=f"the store is at revision {revision or 'none'}, expected {head}: "
            "run `scamtrace db upgrade`",
        )
    backend = session.get_bind().dialect.name
    return JSONResponse({"status": "ok", "database": {"backend": backend, "revision": revision}})
