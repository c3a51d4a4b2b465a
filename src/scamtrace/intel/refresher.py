"""Keep the published lookup index current while the API serves.

Evidence arrives through report intake, imports and findings all the time; lookups read
only the published index. Each API worker runs one :class:`IndexRefresher` thread that
publishes an incremental generation every ``SCAMTRACE_INDEX_REFRESH_SECONDS``. The builder
holds a file lock, so workers take turns and the second one finds nothing left to do;
Australia pushes scammer bank details to banks every two hours, this is seconds.
"""

from __future__ import annotations

import logging
import threading

from scamtrace.intel.index_builder import rebuild_index
from scamtrace.intel.serving import index_dir_for
from scamtrace.store.engine import session_scope

logger = logging.getLogger("scamtrace.intel")


class IndexRefresher:
    """A daemon thread publishing index generations until :meth:`stop`.

    Args:
        settings: the app's settings (store URL, data directory, interval).
    """

    def __init__(self, settings) -> None:
        self.settings = settings
        self.interval = float(settings.index_refresh_seconds)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def refresh_once(self) -> int:
        """Publish one incremental generation now; return the number of records."""
        with session_scope(self.settings.effective_database_url) as session:
            return rebuild_index(session, index_dir_for(self.settings)).records

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.refresh_once()
            except Exception:  # a failed refresh must not kill the worker; the next may work
                logger.exception("lookup index refresh failed")

    def start(self) -> None:
        """Start refreshing (no-op when the interval is 0)."""
        if self.interval > 0 and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="index-refresher", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the thread and wait for a refresh in progress to end."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
