"""Dependencies of the route handlers, as ``Annotated`` aliases.

``SessionDep`` is a store session per request. ``CurrentMember`` authenticates the API
key sent as ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``; ``Caller`` does
the same but lets a request without a key through as the anonymous public.
``require_roles("police", "admin")`` guards a route by role.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from scamtrace.config import Settings
from scamtrace.errors import AuthenticationError, PermissionDenied
from scamtrace.orgs.models import ROLES
from scamtrace.orgs.service import ANONYMOUS, Principal, authenticate_api_key
from scamtrace.store.engine import get_session_factory

# auto_error=False: a missing key must give our problem+json 401, not FastAPI's 403.
_bearer = HTTPBearer(auto_error=False, description="API key as a bearer token")
_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key")


def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


def get_db(settings: SettingsDep) -> Iterator[Session]:
    """Yield a session on the app's store; closing it rolls back anything uncommitted."""
    session = get_session_factory(settings.effective_database_url)()
    try:
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_db)]


def _presented_key(
    bearer: HTTPAuthorizationCredentials | None, header_key: str | None
) -> str | None:
    if bearer is not None and bearer.credentials:
        return bearer.credentials
    return header_key or None


def get_current_member(
    request: Request,
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header_key: Annotated[str | None, Depends(_api_key_header)],
) -> Principal:
    """Authenticate the request's API key; 401 when it is missing or wrong."""
    presented = _presented_key(bearer, header_key)
    if presented is None:
        raise AuthenticationError(
            "an API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"
        )
    principal = authenticate_api_key(session, plaintext=presented)
    request.state.principal = principal
    return principal


CurrentMember = Annotated[Principal, Depends(get_current_member)]


def get_caller(
    request: Request,
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header_key: Annotated[str | None, Depends(_api_key_header)],
) -> Principal:
    """The key's member when a key is sent (a wrong key is still 401), else the public."""
    if _presented_key(bearer, header_key) is None:
        request.state.principal = ANONYMOUS
        return ANONYMOUS
    return get_current_member(request, session, bearer, header_key)


Caller = Annotated[Principal, Depends(get_caller)]


def require_roles(*roles: str) -> Callable[[Principal], Principal]:
    """Return a dependency admitting only keys whose role is one of ``roles``.

    Args:
        *roles: the allowed roles; admin is not implied, list it when it applies.

    Returns:
        A dependency giving the :class:`Principal`; use it as
        ``Annotated[Principal, Depends(require_roles("police", "admin"))]``.

    Raises:
        ValueError: at import time, for a role that does not exist.
    """
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise ValueError(f"require_roles: unknown roles {sorted(unknown)}")

    def check_role(member: CurrentMember) -> Principal:
        if member.role not in roles:
            raise PermissionDenied(
                f"role {member.role!r} may not do this; it needs one of: {', '.join(roles)}"
            )
        return member

    return check_role


AdminMember = Annotated[Principal, Depends(require_roles("admin"))]
