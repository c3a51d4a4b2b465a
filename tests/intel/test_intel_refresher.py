"""The API workers' background refresh of the lookup index."""

from __future__ import annotations

import time

from scamtrace.intel.lookup_index import LookupIndex
from scamtrace.intel.refresher import IndexRefresher
from scamtrace.intel.service import NewEvidence, add_evidence
from scamtrace.intel.serving import index_dir_for
from scamtrace.store.engine import session_scope


def _report(settings, number: str) -> None:
    with session_scope(settings.effective_database_url) as session:
        add_evidence(session, items=[NewEvidence("phone", number, "report", "web", tlp="clear",
                                                 reporter_number="0891112222")],
                     source_member_id=None, actor="test")


def test_new_evidence_reaches_the_index_without_a_manual_rebuild(settings):
    settings = settings.model_copy(update={"index_refresh_seconds": 0.2})
    refresher = IndexRefresher(settings)
    refresher.start()
    try:
        _report(settings, "0612345678")
        index = LookupIndex(index_dir_for(settings))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            index.refresh(force=True)
            if index.generation >= 1 and len(index) >= 1:
                break
            time.sleep(0.1)
        assert index.generation >= 1 and len(index) >= 1
    finally:
        refresher.stop()


def test_interval_zero_starts_no_thread(settings):
    refresher = IndexRefresher(settings)
    refresher.start()
    assert refresher._thread is None
    assert refresher.refresh_once() >= 0


def test_a_refresh_with_nothing_new_publishes_no_generation(settings):
    refresher = IndexRefresher(settings)
    _report(settings, "0612345679")
    refresher.refresh_once()
    index_dir = index_dir_for(settings)
    published = LookupIndex(index_dir).generation
    # The builder re-merges its margin of recent changes and the allowlist: same records.
    refresher.refresh_once()
    refresher.refresh_once()
    assert LookupIndex(index_dir).generation == published >= 1
    _report(settings, "0612345670")
    refresher.refresh_once()
    assert LookupIndex(index_dir).generation == published + 1
