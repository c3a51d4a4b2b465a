"""``/v1/version``: which scamtrace answers and which schema it expects."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from scamtrace import __version__
from scamtrace.store.migrate import head_revision

router = APIRouter(prefix="/v1", tags=["meta"])


class VersionRead(BaseModel):
    """The running software."""

    name: str
    version: str
    api: str
    schema_revision: str


@router.get("/version", response_model=VersionRead)
def get_version() -> VersionRead:
    """Return the scamtrace version, the API version and the schema revision it needs."""
    return VersionRead(
        name="scamtrace", version=__version__, api="v1", schema_revision=head_revision()
    )
