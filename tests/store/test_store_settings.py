"""Settings refuse unsafe defaults outside development; the default store is SQLite."""

from __future__ import annotations

import pytest

from scamtrace.config import DEV_SECRET, get_settings
from scamtrace.errors import ConfigurationError


@pytest.fixture
def clean_settings(monkeypatch):
    for name in ("SCAMTRACE_DATABASE_URL", "SCAMTRACE_SECRET_KEY", "SCAMTRACE_ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_production_refuses_the_default_secret(clean_settings):
    clean_settings.setenv("SCAMTRACE_ENVIRONMENT", "production")
    with pytest.raises(ConfigurationError, match="SCAMTRACE_SECRET_KEY must be set"):
        get_settings()


def test_production_refuses_a_short_secret(clean_settings):
    clean_settings.setenv("SCAMTRACE_ENVIRONMENT", "production")
    clean_settings.setenv("SCAMTRACE_SECRET_KEY", "short")
    with pytest.raises(ConfigurationError, match="at least 32 characters"):
        get_settings()


def test_production_accepts_a_real_secret_and_development_the_default(clean_settings):
    clean_settings.setenv("SCAMTRACE_ENVIRONMENT", "production")
    clean_settings.setenv("SCAMTRACE_SECRET_KEY", "k" * 40)
    assert get_settings().secret_key == "k" * 40
    get_settings.cache_clear()
    clean_settings.setenv("SCAMTRACE_ENVIRONMENT", "development")
    clean_settings.delenv("SCAMTRACE_SECRET_KEY")
    assert get_settings().secret_key == DEV_SECRET


def test_default_store_is_a_sqlite_file_under_the_data_dir(clean_settings, tmp_path):
    clean_settings.setenv("SCAMTRACE_DATA_DIR", str(tmp_path))
    assert get_settings().effective_database_url == f"sqlite:///{tmp_path}/scamtrace.db"
