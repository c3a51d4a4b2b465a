"""The one exception tree of scamtrace.

Every error a caller can cause derives from :class:`ScamtraceError`; the API turns
each into ``application/problem+json`` with the status below, the CLI into one line
on stderr and exit code 2. Anything else is a bug and surfaces as a 500 / exit 1.

    ScamtraceError
    ├── InvalidInput                 400  the caller sent something malformed
    │   ├── InvalidIdentifier        400  an identifier that cannot be canonicalised
    │   ├── InvalidMessage           422  a report text that is empty, too long, binary
    │   └── InvalidDataFile          400  an input file of the wrong shape or columns
    ├── ConfigurationError           500  settings unsafe or inconsistent (refuses to start)
    ├── AuthenticationError          401  missing or unknown API key
    ├── PermissionDenied             403  the member's role may not do this
    ├── NotFound                     404  no such report, indicator, member, case
    ├── Conflict                     409  already exists, or the state forbids it
    ├── RateLimited                  429  too many requests from one reporter or key
    └── IntegrityError               500  tampering detected (audit chain broken)
"""

from __future__ import annotations


class ScamtraceError(Exception):
    """Base of every error a caller or an operator can cause.

    Attributes:
        status: the HTTP status the API answers with.
        title: a short, stable, human title used as the problem ``title``.
        detail: what exactly is wrong, safe to show to the caller.
    """

    status: int = 500
    title: str = "scamtrace error"

    def __init__(self, detail: str, **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class InvalidInput(ScamtraceError):
    status = 400
    title = "Invalid input"


class InvalidIdentifier(InvalidInput):
    """An identifier that cannot be put into canonical form.

    Args:
        kind: the identifier kind that was attempted (``phone``, ``url``...).
        raw: the value as given (kept short in messages).
        reason: what is wrong with it, in plain words.
    """

    title = "Invalid identifier"

    def __init__(self, kind: str, raw: object, reason: str) -> None:
        shown = str(raw)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        super().__init__(f"invalid {kind} {shown!r}: {reason}", kind=kind)
        self.kind = kind
        self.raw = raw
        self.reason = reason


class InvalidMessage(InvalidInput):
    status = 422
    title = "Invalid message"


class InvalidDataFile(InvalidInput):
    title = "Invalid data file"


class ConfigurationError(ScamtraceError):
    title = "Configuration error"


class AuthenticationError(ScamtraceError):
    status = 401
    title = "Authentication required"


class PermissionDenied(ScamtraceError):
    status = 403
    title = "Permission denied"


class NotFound(ScamtraceError):
    status = 404
    title = "Not found"


class Conflict(ScamtraceError):
    status = 409
    title = "Conflict"


class RateLimited(ScamtraceError):
    """Too many requests; ``retry_after`` is in seconds."""

    status = 429
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int = 60, **extra: object) -> None:
        super().__init__(detail, retry_after=retry_after, **extra)
        self.retry_after = retry_after


class IntegrityError(ScamtraceError):
    title = "Integrity check failed"
