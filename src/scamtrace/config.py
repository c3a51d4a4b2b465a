"""Settings: one pydantic-settings object read from ``SCAMTRACE_*`` variables.

Nothing here opens a connection; :func:`get_settings` is cached so every part of the
process sees one object, and tests clear the cache with ``get_settings.cache_clear()``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from scamtrace.errors import ConfigurationError

#: The development default of the hashing secret. Refused outside development, because
#: keyed hashes of reporter numbers and national ids (PDPA) are only as private as it.
DEV_SECRET = "scamtrace-development-secret-do-not-use"


class Settings(BaseSettings):
    """Every setting of scamtrace, with its environment variable ``SCAMTRACE_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="SCAMTRACE_", env_file=None, extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("scamtrace-data")
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; empty means a SQLite file under data_dir.",
    )
    secret_key: str = Field(default=DEV_SECRET, description="Key of the keyed hashes (HMAC).")
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_key_cache_seconds: float = Field(
        default=10.0,
        ge=0,
        description="How long a worker trusts an authenticated key before asking the store "
        "again; a key revoked in another process stops working within this time. 0 disables.",
    )
    report_rate_limit_per_hour: int = 30
    report_duplicate_window_minutes: int = 60
    raw_text_retention_days: int = 90
    call_window_hours: int = 72
    index_refresh_seconds: float = Field(
        default=30.0, ge=0, description="Each API worker republishes the lookup index this often; 0 turns it off."
    )

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEV_SECRET:
            raise ValueError(
                "SCAMTRACE_SECRET_KEY must be set outside development "
                "(keyed hashes of personal data depend on it)"
            )
        if self.environment == "production" and len(self.secret_key) < 32:
            raise ValueError("SCAMTRACE_SECRET_KEY must be at least 32 characters in production")
        return self

    @property
    def effective_database_url(self) -> str:
        """The database URL, defaulting to ``sqlite:///<data_dir>/scamtrace.db``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'scamtrace.db').as_posix()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, raising :class:`ConfigurationError` if unsafe."""
    try:
        return Settings()
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        first = exc.errors()[0]["msg"] if hasattr(exc, "errors") else str(exc)
        raise ConfigurationError(str(first).removeprefix("Value error, ")) from None
