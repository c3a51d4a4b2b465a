"""Per-worker state of the lookup path: the index view and short-lived caches.

A lookup must not cost a SQL query (DESIGN.md section 4: 10^4 lookups a second at
peak), so each API worker keeps for a minute what it learnt from the store: which
member an API key belongs to and that member's action policy. A revoked key therefore
keeps working on lookups for at most :data:`CACHE_SECONDS`. Member lookups are audited
as one row per caller per :data:`AUDIT_FLUSH_SECONDS` with the count, not one row each.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from pathlib import Path

from scamtrace.intel.lookup_index import LookupIndex
from scamtrace.intel.policy_store import get_action_policy
from scamtrace.orgs.audit import append_audit
from scamtrace.orgs.service import Principal, authenticate_api_key
from scamtrace.store.engine import session_scope

CACHE_SECONDS = 60.0
AUDIT_FLUSH_SECONDS = 30.0


def index_dir_for(settings) -> Path:
    """Return the directory of the published lookup index for these settings."""
    return Path(settings.data_dir) / "lookup-index"


class LookupServing:
    """What one worker process needs to answer lookups without the store.

    Args:
        settings: the app's settings.
    """

    def __init__(self, settings) -> None:
        self.settings = settings
        self.index = LookupIndex(index_dir_for(settings))
        self._principals: dict[str, tuple[float, Principal]] = {}
        self._policies: dict[int, tuple[float, dict[str, str]]] = {}
        self._pending = Counter()
        self._last_flush = time.monotonic()
        self._lock = threading.Lock()

    def principal_for(self, plaintext: str) -> Principal:
        """Return the member behind an API key, from the cache or the store.

        Raises:
            AuthenticationError: unknown or revoked key.
        """
        digest = hashlib.sha256(plaintext.encode()).hexdigest()
        now = time.monotonic()
        cached = self._principals.get(digest)
        if cached is not None and now - cached[0] < CACHE_SECONDS:
            return cached[1]
        with session_scope(self.settings.effective_database_url) as session:
            principal = authenticate_api_key(session, plaintext=plaintext)
        self._principals[digest] = (now, principal)
        return principal

    def policy_for(self, principal: Principal) -> dict[str, str] | None:
        """Return the caller's tier-to-action policy (cached)."""
        if principal.member_id is None:
            return None
        now = time.monotonic()
        cached = self._policies.get(principal.member_id)
        if cached is not None and now - cached[0] < CACHE_SECONDS:
            return cached[1]
        with session_scope(self.settings.effective_database_url) as session:
            policy = get_action_policy(session, member_id=principal.member_id)
        self._policies[principal.member_id] = (now, policy)
        return policy

    def forget_policy(self, member_id: int) -> None:
        """Drop a cached policy after the member changed it."""
        self._policies.pop(member_id, None)

    def note_lookups(self, principal: Principal, count: int) -> None:
        """Count member lookups for the audit log; flush when the interval passed."""
        if principal.member_id is None:
            return
        with self._lock:
            self._pending[principal.actor] += count
            due = time.monotonic() - self._last_flush >= AUDIT_FLUSH_SECONDS
        if due:
            self.flush_audit()

    def flush_audit(self) -> None:
        """Write one audit row per caller with its lookup count since the last flush."""
        with self._lock:
            pending, self._pending = self._pending, Counter()
            self._last_flush = time.monotonic()
        if not pending:
            return
        with session_scope(self.settings.effective_database_url) as session:
            for actor, count in sorted(pending.items()):
                append_audit(
                    session,
                    actor,
                    "intel.lookup",
                    "lookup-index",
                    {"lookups": count, "generation": self.index.generation},
                )


def serving_for(app) -> LookupServing:
    """Return the app's :class:`LookupServing`, creating it on first use in this worker."""
    serving = getattr(app.state, "intel_serving", None)
    if serving is None:
        serving = LookupServing(app.state.settings)
        app.state.intel_serving = serving
    return serving
