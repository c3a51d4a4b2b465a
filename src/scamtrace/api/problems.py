"""Every error as ``application/problem+json`` (RFC 9457): type, title, status, detail, instance.

Errors of the scamtrace tree keep their own status and title; request validation
errors answer 422 naming the offending field; unknown routes and methods answer 404 and
405 in the same shape; anything unexpected answers a bare 500 without internals.
"""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from scamtrace.errors import AuthenticationError, RateLimited, ScamtraceError

PROBLEM_MEDIA_TYPE = "application/problem+json"
logger = logging.getLogger("scamtrace.api")


def problem_type(name: str) -> str:
    """Return the problem ``type`` URI for an error name (``NotFound`` -> ``...:not-found``)."""
    slug = re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()
    return f"urn:scamtrace:problem:{slug}"


def problem_response(
    request: Request,
    *,
    status: int,
    title: str,
    detail: str,
    type_: str = "about:blank",
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    """Build a problem+json response for ``request``.

    Args:
        request: the request that failed; its path becomes ``instance``.
        status: the HTTP status.
        title: short and stable for the problem type.
        detail: what exactly went wrong, safe to show.
        type_: the problem type URI; ``about:blank`` for plain HTTP errors.
        headers: extra response headers (``Retry-After``, ``WWW-Authenticate``).
        **extensions: further members, e.g. ``errors`` for validation problems.

    Returns:
        The response.
    """
    body = {
        "type": type_,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extensions,
    }
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


async def _scamtrace_error(request: Request, exc: ScamtraceError) -> JSONResponse:
    headers: dict[str, str] = {}
    if isinstance(exc, AuthenticationError):
        headers["WWW-Authenticate"] = 'Bearer realm="scamtrace"'
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    if exc.status >= 500:
        logger.error("%s on %s: %s", type(exc).__name__, request.url.path, exc.detail)
    return problem_response(
        request,
        status=exc.status,
        title=exc.title,
        detail=exc.detail,
        type_=problem_type(type(exc).__name__),
        headers=headers or None,
        **_safe_extensions(exc.extra),
    )


def _safe_extensions(extra: dict[str, Any]) -> dict[str, Any]:
    # Only plain JSON values, and never a member that would overwrite the standard ones.
    reserved = {"type", "title", "status", "detail", "instance"}
    plain = (str, int, float, bool, type(None))
    return {
        key: value
        for key, value in extra.items()
        if key not in reserved
        and (
            isinstance(value, plain)
            or (isinstance(value, dict) and all(isinstance(v, plain) for v in value.values()))
        )
    }


def _field_name(location: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in location)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [
        {"field": _field_name(error["loc"]), "message": error["msg"], "type": error["type"]}
        for error in exc.errors()
    ]
    detail = "; ".join(f"{error['field']}: {error['message']}" for error in errors[:3])
    return problem_response(
        request,
        status=422,
        title="Invalid request",
        detail=detail or "the request does not match the API schema",
        type_=problem_type("ValidationError"),
        errors=errors,
    )


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    try:
        phrase = HTTPStatus(exc.status_code).phrase
    except ValueError:  # a status code outside the standard list
        phrase = "Error"
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else ""
    if exc.status_code == 404 and not detail:
        detail = f"no resource at {request.url.path}"
    if exc.status_code == 405 and not detail:
        detail = f"{request.method} is not allowed on {request.url.path}"
    return problem_response(
        request,
        status=exc.status_code,
        title=phrase,
        detail=detail or phrase,
        headers=getattr(exc, "headers", None),
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem_response(
        request,
        status=500,
        title="Internal Server Error",
        detail="an unexpected error occurred; it has been logged",
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every error into problem+json."""
    app.add_exception_handler(ScamtraceError, _scamtrace_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
