"""Archiving: what it needs (409 naming everything missing), gapless numbers, read-only archived cases."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from legalaid import clock
from legalaid.errors import Forbidden, NotAllowed


@pytest.fixture
def archive(session, staff):
    from supervision.subsidies.archive import archive_case

    supervisor = staff("supervisor")

    def run(case_id):
        record = archive_case(session, supervisor, case_id)
        session.commit()
        return record

    return run


@pytest.mark.parametrize(
    ("fact", "named"),
    [
        ({"score_final": False}, "a final score"),
        ({"score_settled": False}, "no longer appealable"),
        (
            {"materials_missing": ["closing_report", "outcome_document"]},
            "closing materials: closing_report, outcome_document",
        ),
        ({"call_settled": False}, "after-closing follow-up call"),
        ({"red_flags": 1}, "red flag"),
        ({"closed": False}, "closing report"),
    ],
)
def test_archive_refused_while_something_is_missing(make_case, archive, subsidy_of, fact, named):
    case_id = make_case(**fact)
    with pytest.raises(NotAllowed, match=named):
        archive(case_id)
    assert subsidy_of(case_id).status == "pending"


def test_archive_refusal_names_everything_missing(make_case, archive):
    case_id = make_case(
        score_final=False, materials_missing=["outcome_document"], call_settled=False, red_flags=2
    )
    with pytest.raises(NotAllowed) as refused:
        archive(case_id)
    for named in ("a final score", "outcome_document", "follow-up call", "2 open red flag"):
        assert named in refused.value.message


def test_only_a_closed_case_is_archived(make_case, archive):
    case_id = make_case(status="in_progress")
    with pytest.raises(NotAllowed, match="only a closed case"):
        archive(case_id)


def test_archiving_twice_is_refused(make_case, archive):
    case_id = make_case()
    number = archive(case_id).number
    with pytest.raises(NotAllowed, match=f"already archived as {number}"):
        archive(case_id)


def test_archive_numbers_are_sequential_per_year(make_case, archive):

    numbers = [archive(make_case()).number for _ in range(3)]
    year = clock.today().year
    assert numbers == [f"{year}-00001", f"{year}-00002", f"{year}-00003"]


def test_finance_cannot_archive(make_case, session, staff):
    from supervision.subsidies.archive import archive_case

    case_id = make_case()
    with pytest.raises(Forbidden):
        archive_case(session, staff("finance"), case_id)


def test_archive_announces_case_archived(make_case, archive):
    from supervision import signals

    heard = []

    def listener(sender, case, archive, actor):
        heard.append((case.id, archive.number))

    signals.case_archived.connect(listener)
    try:
        case_id = make_case()
        record = archive(case_id)
    finally:
        signals.case_archived.disconnect(listener)
    assert heard == [(case_id, record.number)]


def test_archived_case_is_read_only_except_audited_corrections(make_case, archive, session, staff):
    from assignment.models import Case
    from legalaid.models import AuditEntry
    from supervision.subsidies.archive import correct_archived_case

    case_id = make_case()
    archive(case_id)
    case = session.get(Case, case_id)
    case.applicant_name = "Someone else"
    with pytest.raises(NotAllowed, match="read-only"):
        session.flush()
    session.rollback()
    correct_archived_case(session, staff("supervisor"), case_id, {"applicant_name": "张三"}, "spelling")
    session.commit()
    assert session.get(Case, case_id).applicant_name == "张三"
    assert (
        session.scalar(sa.select(sa.func.count()).where(AuditEntry.action == "case.archive_correction")) == 1
    )


def test_archive_list_ordered_by_year_and_archive_number(make_case, archive, session):
    """Issue 16: the list is in archive-number order (year, seq: its unique index serves a deep
    page), not by case number."""
    from supervision.subsidies.archive import archive_list_statement, archive_page_statement

    ids = [make_case() for _ in range(3)]
    for case_id in reversed(ids):
        archive(case_id)
    rows = session.execute(archive_list_statement()).all()
    assert [r.case_id for r in rows] == list(reversed(ids))
    assert [r.archive_number[-5:] for r in rows] == ["00001", "00002", "00003"]
    page = session.execute(archive_page_statement(None, limit=2, offset=1)).all()
    assert [r.case_id for r in page] == list(reversed(ids))[1:]


def test_archive_numbers_gapless_under_concurrent_archivers(app, make_case, staff, session):
    """Eight supervisors archive eight cases at the same instant: numbers 1..8, no gaps, no duplicates."""
    from legalaid.db import db
    from legalaid.models import User
    from supervision.subsidies.archive import archive_case
    from supervision.subsidies.models import ArchiveRecord

    case_ids = [make_case() for _ in range(8)]
    supervisor_id = staff("supervisor").id
    session.commit()
    start = threading.Barrier(8)
    errors = []

    def archiver(case_id):
        with app.app_context():
            try:
                start.wait()
                archive_case(db.session, db.session.get(User, supervisor_id), case_id)
                db.session.commit()
            except Exception as exc:  # reported below
                errors.append(exc)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=archiver, args=(c,)) for c in case_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    session.expire_all()
    seqs = sorted(session.scalars(sa.select(ArchiveRecord.seq)))
    assert seqs == list(range(1, 9))
    from legalaid.audit import verify_chain

    assert verify_chain(session).ok
