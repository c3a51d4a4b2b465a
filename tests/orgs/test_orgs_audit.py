"""The audit chain: intact logs verify, changed, deleted and reordered rows are found."""

from __future__ import annotations

from sqlalchemy import text

from scamtrace.orgs.audit import (
    GENESIS_HASH,
    AuditEvent,
    append_audit,
    append_audit_many,
    audit_head,
    contains_hash,
    verify_audit_chain,
)


def _write_rows(session, count: int = 5) -> list[int]:
    ids = []
    for number in range(1, count + 1):
        row = append_audit(
            session,
            "member:1/key:ab12cd34",
            "indicator.review",
            f"indicator:{number}",
            {"decision": "hold", "score": 71.5, "note": "ผู้แจ้งหลายราย"},
        )
        ids.append(row.id)
    session.commit()
    return ids


def test_intact_chain_verifies_and_links_each_row_to_the_one_before(session):
    ids = _write_rows(session)

    assert verify_audit_chain(session) is None
    rows = session.execute(
        text("SELECT seq, prev_hash, row_hash FROM audit_log ORDER BY seq")
    ).all()
    assert [row.seq for row in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == GENESIS_HASH
    assert all(rows[i].prev_hash == rows[i - 1].row_hash for i in range(1, 5))
    assert audit_head(session) == (5, rows[-1].row_hash)
    assert len(ids) == 5


def test_a_changed_row_is_found_and_named(session):
    ids = _write_rows(session)
    session.execute(
        text("UPDATE audit_log SET target = 'indicator:999' WHERE id = :id"), {"id": ids[2]}
    )
    session.commit()

    broken = verify_audit_chain(session)

    assert broken is not None
    assert broken.row_id == ids[2]
    assert "content changed" in broken.reason


def test_a_changed_detail_is_found(session):
    ids = _write_rows(session)
    session.execute(
        text("UPDATE audit_log SET details = :details WHERE id = :id"),
        {"details": '{"decision": "clear", "score": 71.5, "note": "x"}', "id": ids[1]},
    )
    session.commit()

    broken = verify_audit_chain(session)

    assert broken is not None and broken.row_id == ids[1]


def test_a_deleted_row_is_found_at_the_row_after_it(session):
    ids = _write_rows(session)
    session.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": ids[1]})
    session.commit()

    broken = verify_audit_chain(session)

    assert broken is not None
    assert broken.row_id == ids[2]
    assert "seq 2 deleted" in broken.reason


def test_reordered_rows_are_found(session):
    ids = _write_rows(session)
    # Swap the contents of rows 2 and 3, hashes and all, as an editor of history would.
    session.execute(text("UPDATE audit_log SET seq = -2 WHERE id = :id"), {"id": ids[1]})
    session.execute(text("UPDATE audit_log SET seq = 2 WHERE id = :id"), {"id": ids[2]})
    session.execute(text("UPDATE audit_log SET seq = 3 WHERE id = :id"), {"id": ids[1]})
    session.commit()

    broken = verify_audit_chain(session)

    assert broken is not None
    assert broken.row_id == ids[2]


def test_truncated_tail_is_found_against_a_published_head(session):
    _write_rows(session)
    _seq, published = audit_head(session)
    session.execute(text("DELETE FROM audit_log WHERE seq = 5"))
    session.commit()

    assert verify_audit_chain(session) is None
    assert not contains_hash(session, published)


def test_batched_appends_chain_like_single_ones(session):
    _write_rows(session, count=2)
    rows = append_audit_many(
        session,
        [
            AuditEvent("member:2/key:x", "lookup.read", f"indicator:{n}", {"n": n})
            for n in range(50)
        ],
    )
    append_audit(session, "cli:test", "member.create", "member:9")
    session.commit()

    assert [row.seq for row in rows] == list(range(3, 53))
    assert verify_audit_chain(session) is None
    assert audit_head(session)[0] == 53
