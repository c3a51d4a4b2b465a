"""``/v1/stix/extensions``: JSON Schemas of the hub's STIX extension definitions (public)."""

from __future__ import annotations

from fastapi import APIRouter

from scamtrace.errors import NotFound
from scamtrace.intel.stix import EXTENSION_TYPES, extension_schema

router = APIRouter(prefix="/v1/stix/extensions", tags=["stix"])


@router.get("/{name}.json")
def read_extension_schema(name: str) -> dict:
    """The JSON Schema of a new SCO type: phone-number, thai-bank-account or sim-card."""
    if name not in EXTENSION_TYPES:
        raise NotFound(f"no extension {name!r}; one of {', '.join(EXTENSION_TYPES)}")
    return extension_schema(name)
