"""DESIGN.md §4 "Concurrency": concurrent assigners never pick from the same state. Runs on the
suite's database: SQLite by default, PostgreSQL with LEGALAID_TEST_DATABASE_URL."""

from __future__ import annotations

import queue
import threading
from collections import Counter

import sqlalchemy as sa

from assignment.models import Assignment
from assignment.rotation import assign_by_rotation
from legalaid.audit import verify_chain
from legalaid.db import db

WORKERS, CASES, MEMBERS = 8, 400, 10


def test_eight_assigners_give_the_same_counts_as_one(
    app, session, make_pool, make_case, lawyers, coordinator
):
    ids = lawyers(MEMBERS)
    make_pool(ids)
    case_ids = [make_case().id for _ in range(CASES)]
    coordinator_id = coordinator.id
    session.commit()
    session.close()  # the workers need the database; on SQLite a reader here would hold its lock
    todo: queue.Queue[int] = queue.Queue()
    for cid in case_ids:
        todo.put(cid)
    errors: list[BaseException] = []

    def worker():
        from assignment.models import Case
        from legalaid.models import User

        with app.app_context():  # each thread: its own app context, session and connection
            s = db.session
            actor = s.get(User, coordinator_id)
            s.commit()
            while True:
                try:
                    cid = todo.get_nowait()
                except queue.Empty:
                    break
                try:
                    assign_by_rotation(s, s.get(Case, cid), actor)
                    s.commit()
                except BaseException as exc:  # noqa: BLE001 - reported below
                    s.rollback()
                    errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=240)
    assert not errors, errors[:3]
    rows = session.execute(sa.select(Assignment.case_id, Assignment.provider_id)).all()
    assert len(rows) == CASES and len({cid for cid, _pid in rows}) == CASES  # no case assigned twice
    assert Counter(pid for _cid, pid in rows) == {pid: CASES // MEMBERS for pid in ids}  # as one worker
    assert verify_chain(session).ok
