"""Tables of the alliance: members, their API keys, and the audit log.

A member is an organisation (a bank, a telco, the police...). It acts through API keys;
each key carries one role and the sharing groups it may read (TLP 2.0 AMBER data is
shared within groups). Only a SHA-256 of each key is stored, never the key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scamtrace.store.base import Base, JSONDocument, UTCDateTime, check_in, utcnow

SECTORS: tuple[str, ...] = ("telco", "bank", "police", "regulator", "platform", "public")
ROLES: tuple[str, ...] = ("public", "telco", "bank", "police", "regulator", "admin")
#: TLP 2.0 levels, lower-cased as stored; every shared row carries one.
TLP_LEVELS: tuple[str, ...] = ("clear", "green", "amber", "amber+strict", "red")


class Member(Base):
    """An alliance member organisation."""

    __tablename__ = "members"
    __table_args__ = (check_in("sector", SECTORS),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    sector: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    api_keys: Mapped[list[ApiKey]] = relationship(back_populates="member")


class ApiKey(Base):
    """One API key of a member: its public prefix, the hash of the whole key, its role."""

    __tablename__ = "api_keys"
    __table_args__ = (check_in("role", ROLES),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    # The prefix is shown in listings and logs and finds the row; the secret part is not.
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20))
    sharing_groups: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member: Mapped[Member] = relationship(back_populates="api_keys")


class AuditEntry(Base):
    """One row of the append-only audit log, chained to the row before it.

    ``row_hash`` is SHA-256 over ``prev_hash`` and this row's canonical content, so a
    changed, deleted or reordered row breaks the chain (see ``scamtrace.orgs.audit``).
    ``seq`` is gap-free, unlike ``id``: PostgreSQL sequences skip on rollbacks.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100), index=True)
    target: Mapped[str] = mapped_column(String(500))
    details: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))
