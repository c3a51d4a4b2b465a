"""API-key authentication: the per-process key cache against asking the store every time.

Run: ``.venv/bin/python bench/bench_api_keys.py`` (SQLite in a temporary directory).
Prints authentications a second through ``authenticate_api_key``, the cost every API
request pays before its handler runs.
"""

from __future__ import annotations

import os
import tempfile
import time

from scamtrace.config import get_settings
from scamtrace.orgs.key_cache import principal_cache
from scamtrace.orgs.service import authenticate_api_key, create_api_key, create_member
from scamtrace.store import dispose_engines, session_scope, upgrade_database

CALLS = 2_000


def _rate(function, count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        function()
    return count / (time.perf_counter() - start)


def measure(cache_seconds: str) -> float:
    os.environ["SCAMTRACE_API_KEY_CACHE_SECONDS"] = cache_seconds
    get_settings.cache_clear()
    principal_cache.clear()
    with session_scope() as session:
        member = create_member(session, name=f"bench {cache_seconds}", sector="bank", actor="b")
        key = create_api_key(session, member_ref=member.id, role="bank", actor="b").plaintext
    with session_scope() as session:
        return _rate(lambda: authenticate_api_key(session, plaintext=key), CALLS)


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        os.environ["SCAMTRACE_DATA_DIR"] = directory
        os.environ.pop("SCAMTRACE_DATABASE_URL", None)
        get_settings.cache_clear()
        upgrade_database()
        base_service = measure("0")
        cached_service = measure("10")
        dispose_engines()
    print(
        f"authenticate_api_key: cached {cached_service:,.0f}/s vs store every time (baseline) "
        f"{base_service:,.0f}/s = {cached_service / base_service:.1f}x"
    )


if __name__ == "__main__":
    main()
