"""The audit log is append-only and hash-chained in commit order; ``audit verify`` catches tampering."""

import threading

import pytest
import sqlalchemy as sa

from legalaid import audit
from legalaid.db import db
from legalaid.models import AuditEntry


def _write_entries(app, n, actor=None):
    with app.app_context():
        for i in range(n):
            audit.record(db.session, actor, "test.change", "thing", i, {"state": "a"}, {"state": "b", "n": i})
            db.session.commit()


def test_state_changes_are_chained(app, runner, make_user):
    make_user(username="chen")
    _write_entries(app, 3)
    with app.app_context():
        entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq)).all()
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(entries, entries[1:], strict=False))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "intact: 4 entries" in result.output


def test_rolled_back_changes_leave_no_entry(app):
    with app.app_context():
        audit.record(db.session, None, "test.change", "thing", 1)
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE audit_entry SET action = 'test.innocent' WHERE seq = 2",
        "UPDATE audit_entry SET after = NULL WHERE seq = 2",
        "DELETE FROM audit_entry WHERE seq = 2",
        "DELETE FROM audit_entry WHERE seq = 3",
    ],
)
def test_verify_catches_an_edit_behind_the_services_back(app, runner, tamper):
    _write_entries(app, 3)
    with app.app_context():
        db.session.execute(sa.text(tamper))
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN" in result.output


def test_concurrent_writers_leave_a_chain_that_verifies(app, runner):
    """Eight threads appending at once: chain order is commit order, no gap, no fork."""
    errors = []

    def worker():
        try:
            _write_entries(app, 15)
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact: 120 entries" in result.output


def test_a_rolled_back_savepoint_takes_its_entries_back(app):
    with app.app_context():
        audit.record(db.session, None, "test.kept", "thing", 1)
        try:
            with db.session.begin_nested():
                audit.record(db.session, None, "test.undone", "thing", 2)
                raise RuntimeError("the nested attempt fails")
        except RuntimeError:
            pass
        with db.session.begin_nested():
            audit.record(db.session, None, "test.kept_too", "thing", 3)
        db.session.commit()
        actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.seq)).all()
    assert actions == ["test.kept", "test.kept_too"]
