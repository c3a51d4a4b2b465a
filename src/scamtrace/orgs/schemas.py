"""API shapes of members and API keys: ``MemberCreate``, ``MemberRead``, ``MemberPage``..."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from scamtrace.orgs.models import ROLES, SECTORS

Sector = Literal[SECTORS]  # type: ignore[valid-type]
Role = Literal[ROLES]  # type: ignore[valid-type]


class MemberCreate(BaseModel):
    """A member to register."""

    name: str = Field(min_length=1, max_length=200, examples=["Kasikornbank fraud team"])
    sector: Sector


class MemberRead(BaseModel):
    """A registered member."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    sector: Sector
    active: bool
    created_at: datetime


class MemberPage(BaseModel):
    """One page of members."""

    items: list[MemberRead]
    total: int
    offset: int
    limit: int


class MemberMe(BaseModel):
    """The calling member as its key sees it: role and sharing groups come from the key."""

    id: int | None
    name: str
    sector: Sector
    role: Role
    sharing_groups: list[str]
    key_prefix: str | None


class ApiKeyCreate(BaseModel):
    """A key to issue to a member."""

    role: Role
    sharing_groups: list[str] = Field(default_factory=list, max_length=50)
    label: str | None = Field(default=None, max_length=200)


class ApiKeyRead(BaseModel):
    """An issued key, without its secret."""

    model_config = ConfigDict(from_attributes=True)

    prefix: str
    member_id: int
    role: Role
    sharing_groups: list[str]
    label: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    """A newly issued key with its plaintext, shown this once only."""

    key: str
