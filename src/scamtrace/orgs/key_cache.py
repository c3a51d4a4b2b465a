"""A short-lived, per-process memory of authenticated keys.

SMS firewalls and banks send up to 10^4 lookups a second (DESIGN.md section 4); asking the
store about the same key on each of them would cost a query per lookup. A worker
therefore trusts a key it has authenticated for ``api_key_cache_seconds``. Revocation and
deactivation in this process take effect at once; in another worker process, within
that time. Only keys that authenticated are remembered, by their SHA-256.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scamtrace.orgs.service import Principal

# A bound on memory: a process serving more distinct keys than this simply starts over.
_MAX_ENTRIES = 50_000


class PrincipalCache:
    """Authenticated principals by (store, key hash), each until its expiry time."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def get(self, store: str, key_hash: str) -> Principal | None:
        """Return the principal remembered for the key, or ``None`` if absent or expired."""
        entry = self._entries.get((store, key_hash))
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, store: str, key_hash: str, principal: Principal, ttl_seconds: float) -> None:
        """Remember an authenticated principal for ``ttl_seconds`` (0: do not remember)."""
        if ttl_seconds <= 0:
            return
        with self._lock:
            if len(self._entries) >= _MAX_ENTRIES:
                self._entries.clear()
            self._entries[(store, key_hash)] = (time.monotonic() + ttl_seconds, principal)

    def forget(self, *, key_prefix: str | None = None, member_id: int | None = None) -> None:
        """Drop every entry of a key prefix or of a member (on revocation, deactivation)."""
        with self._lock:
            for cache_key, (_expiry, principal) in list(self._entries.items()):
                if (key_prefix is not None and principal.key_prefix == key_prefix) or (
                    member_id is not None and principal.member_id == member_id
                ):
                    del self._entries[cache_key]

    def clear(self) -> None:
        """Forget everything (tests)."""
        with self._lock:
            self._entries.clear()


#: The process-wide cache used by :func:`scamtrace.orgs.service.authenticate_api_key`.
principal_cache = PrincipalCache()
