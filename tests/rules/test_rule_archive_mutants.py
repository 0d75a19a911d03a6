"""The one archive check and archiving itself (``supervision/subsidies/archive.py``), through the
services and the real prerequisite readers (issue 12, mutation run of the archive check): what each of
several cases lacks, asked at once; the words a page shows in the reader's language; the archive number
of the year archived in; the record, its refusals and their codes; the audited correction of an archived
case (facts only, never its state, and only that once); the archive list and its count by year."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from legalaid.errors import Forbidden, Invalid, NotAllowed, NotFound, shown


def _final_score(session, case, scorer):
    """Full marks from one supervisor: the score is final, appealable for the window."""
    from supervision.scoring import files, sheets
    from supervision.scoring.models import ScoreFile

    file = session.get(ScoreFile, case.id)
    checklist = files.pinned_checklist(session, file)
    items = [{"code": item.code, "points": item.max_points} for item in checklist.items]
    note = "the client's word alone; the red flag decides"  # clears a suggested took-money veto
    sheet = sheets.create_score_sheet(session, case.id, scorer, items=items, vetoes=[], veto_note=note)
    file = sheets.submit_score_sheet(session, sheet, scorer)
    session.commit()
    assert file.status == "final"
    return file


def _call_done(session, case, actor):
    from supervision.scheduling import calls
    from supervision.scheduling.models import FollowUpCall

    call = session.scalars(
        sa.select(FollowUpCall).where(
            FollowUpCall.case_id == case.id, FollowUpCall.purpose == "after_closing"
        )
    ).one()
    calls.record_call_attempt(session, actor, call, reached=True)
    session.commit()


@pytest.fixture
def supervisor(make_person):
    return make_person("supervisor")


@pytest.fixture
def make_closed(session, make_case_at, make_provider, make_person, centre_clock):
    """make_closed(documents=None) -> a civil case closed by its provider through the services (all
    the required materials, or only ``documents``), its score file out of the sample."""
    from supervision.scoring.checklists import seed_default_checklists
    from supervision.scoring.closing import close_case
    from supervision.scoring.models import ScoreFile

    seed_default_checklists(session)
    coordinator = make_person("coordinator")

    def make(documents=None):
        session.commit()  # make_provider writes in its own session
        provider_id = make_provider(bank_account_stored="6222020200112233445", bank_name="ICBC")
        case = make_case_at(
            session,
            "in_progress",
            provider_id=provider_id,
            actor=coordinator,
            intake={"received_on": centre_clock.today() - dt.timedelta(days=30)},
            decided_on=centre_clock.today() - dt.timedelta(days=29),
            assigned_by=coordinator.id,
        )
        login = make_person("provider", provider_id=provider_id)
        from supervision.scoring.closing import required_documents

        close_case(
            session,
            case,
            login,
            ended_on=centre_clock.today() - dt.timedelta(days=2),
            outcome="judgment",
            documents=required_documents("civil") if documents is None else documents,
        )
        session.flush()
        session.get(ScoreFile, case.id).in_sample = False
        session.commit()
        return case

    return make


@pytest.fixture
def make_ready(session, make_closed, supervisor, centre_clock):
    """make_ready(n) -> n closed cases with the call done and a final score, the appeal window passed
    (the clock moved on 11 days)."""

    def make(n=1):
        cases = []
        for _ in range(n):
            case = make_closed()
            _call_done(session, case, supervisor)
            _final_score(session, case, supervisor)
            cases.append(case)
        centre_clock.travel_to(centre_clock.today() + dt.timedelta(days=11))
        return cases

    return make


def _missing_many(session, cases):
    from supervision.subsidies.archive import archive_missing_many

    session.expire_all()
    return {
        case_id: [str(m) for m in missing]
        for case_id, missing in archive_missing_many(session, cases).items()
    }


# What each case lacks, asked at once ----------------------------------------------------------------


def test_what_each_of_several_cases_lacks_is_its_own(
    session, make_case_at, make_provider, make_closed, make_ready
):
    (ready,) = make_ready(1)
    lacking = make_closed(documents=["closing_report"])  # no call, no score, materials missing
    running = make_case_at(session, "in_progress", provider_id=make_provider())  # not even closed
    session.commit()
    from supervision.scoring.closing import required_documents

    rest = [code for code in required_documents("civil") if code != "closing_report"]
    assert len(rest) >= 2
    found = _missing_many(session, [running, ready, lacking])
    assert found == {
        ready.id: [],
        lacking.id: [
            "closing materials: " + ", ".join(rest),
            "the after-closing follow-up call (done, or closed as unreachable)",
            "a final score",
        ],
        running.id: [
            "the closing report",
            "the after-closing follow-up call (done, or closed as unreachable)",
            "a final score",
        ],
    }
    from supervision.subsidies.archive import archive_missing

    assert [str(m) for m in archive_missing(session, lacking)] == found[lacking.id]
    assert archive_missing(session, ready) == []


def test_an_appealable_score_names_the_last_day_of_its_window(session, make_closed, supervisor):
    from supervision.subsidies.archive import archive_missing

    case = make_closed()
    _call_done(session, case, supervisor)
    file = _final_score(session, case, supervisor)
    assert [str(m) for m in archive_missing(session, case)] == [
        "the score to be no longer appealable: the appeal window to pass "
        f"(until {file.appeal_by.isoformat()}), the appeal decided, or the provider's acceptance"
    ]


def test_red_flags_are_counted_per_case(session, make_closed, supervisor, centre_clock):
    from supervision.scheduling import calls
    from supervision.scheduling.models import FollowUpCall

    flagged, clean = make_closed(), make_closed()
    call = session.scalars(
        sa.select(FollowUpCall).where(
            FollowUpCall.case_id == flagged.id, FollowUpCall.purpose == "after_closing"
        )
    ).one()
    calls.record_call_attempt(
        session, supervisor, call, reached=True, satisfaction="unsatisfied", took_money=True
    )
    session.commit()
    _call_done(session, clean, supervisor)
    for case in (flagged, clean):
        _final_score(session, case, supervisor)
    centre_clock.travel_to(centre_clock.today() + dt.timedelta(days=11))
    assert _missing_many(session, [flagged, clean]) == {
        flagged.id: ["1 open red flag(s) resolved"],
        clean.id: [],
    }
    assert _missing_many(session, [clean]) == {clean.id: []}


def test_a_missing_materials_name_is_in_the_readers_language(app, session, make_closed):
    from flask_babel import refresh

    from supervision.scoring.defaults import CLOSING_DOCUMENTS
    from supervision.subsidies.archive import archive_missing

    case = make_closed(documents=["closing_report", "retainer"])
    session.commit()
    missing = archive_missing(session, case)[0]
    from supervision.scoring.closing import required_documents

    rest = [code for code in required_documents("civil") if code not in ("closing_report", "retainer")]
    assert "meeting_records" in rest
    assert str(missing) == "closing materials: " + ", ".join(rest)  # the API and logs: codes
    names = {code: (zh, en) for code, zh, en, _needs in CLOSING_DOCUMENTS}
    english = ", ".join(names[code][1] for code in rest)
    chinese = ", ".join(names[code][0] for code in rest)
    # outside a request (a command, the scheduler): the materials' English names
    assert shown(missing.values["codes"]) == english
    with app.test_request_context(headers={"Accept-Language": "en"}):
        refresh()  # the locale is kept in the app context this test's session holds
        assert shown(missing) == f"closing materials: {english}"
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        refresh()
        assert chinese in shown(missing) and "Client meeting records" not in shown(missing)


# Archiving -----------------------------------------------------------------------------------------


def test_archiving_files_the_case_with_its_number_day_and_archivist(
    session, make_ready, supervisor, centre_clock
):
    from assignment.models import Case
    from legalaid.models import AuditEntry
    from supervision.subsidies.archive import archive_case
    from supervision.subsidies.models import Subsidy

    (case,) = make_ready(1)
    before = centre_clock.now()
    record = archive_case(session, supervisor, case.id)
    session.commit()
    year = centre_clock.today().year
    assert (record.case_id, record.year, record.seq, record.number) == (case.id, year, 1, f"{year}-00001")
    assert record.archived_on == centre_clock.today() and record.archived_by == supervisor.id
    assert before <= record.archived_at <= centre_clock.now()
    session.expire_all()
    assert session.get(Case, case.id).status == "archived"
    subsidy = session.scalars(sa.select(Subsidy).where(Subsidy.case_id == case.id)).one()
    assert (subsidy.status, subsidy.archive_id, subsidy.archived_on) == (
        "payable",
        record.id,
        record.archived_on,
    )
    assert subsidy.amount_fen > 0
    entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "case.archive")).one()
    assert entry.after["archive_number"] == record.number and entry.actor_id == supervisor.id
    # the subsidy is frozen in the archivist's name
    frozen = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "subsidy.freeze")).one()
    assert (frozen.object_id, frozen.actor_id) == (subsidy.id, supervisor.id)


def test_archiving_announces_the_case_its_record_and_who_archived_it(session, make_ready, supervisor):
    """``supervision.signals``: ``case_archived.send(session, case=, archive=, actor=)``."""
    from supervision import signals
    from supervision.subsidies.archive import archive_case

    heard = []

    def listener(sender, **told):
        heard.append((sender, told))

    (case,) = make_ready(1)
    signals.case_archived.connect(listener)
    try:
        record = archive_case(session, supervisor, case.id)
    finally:
        signals.case_archived.disconnect(listener)
    assert heard == [(session, {"case": case, "archive": record, "actor": supervisor})]


def test_a_case_archived_on_a_given_day_takes_that_years_next_number(
    session, make_ready, supervisor, centre_clock
):
    from supervision.subsidies.archive import archive_case

    first, second, third = make_ready(3)
    year = centre_clock.today().year
    last_year = dt.date(year - 1, 12, 31)
    old = archive_case(session, supervisor, first.id, on=last_year)
    new = archive_case(session, supervisor, second.id)
    old_again = archive_case(session, supervisor, third.id, on=last_year)
    session.commit()
    assert (old.number, old.year, old.seq, old.archived_on) == (f"{year - 1}-00001", year - 1, 1, last_year)
    assert (new.number, new.year, new.seq) == (f"{year}-00001", year, 1)
    assert (old_again.number, old_again.seq) == (f"{year - 1}-00002", 2)


def test_archiving_refuses_with_a_code_each(
    session, make_case_at, make_provider, make_closed, make_ready, supervisor, make_person
):
    from supervision.subsidies.archive import archive_case

    (ready,) = make_ready(1)
    lacking = make_closed()
    running = make_case_at(session, "in_progress", provider_id=make_provider())
    session.commit()
    with pytest.raises(NotFound):
        archive_case(session, supervisor, 10**6)
    with pytest.raises(NotAllowed) as refused:
        archive_case(session, supervisor, running.id)
    assert refused.value.code == "not_closed" and "only a closed case" in str(refused.value)
    with pytest.raises(NotAllowed) as refused:
        archive_case(session, supervisor, lacking.id)
    assert refused.value.code == "archive_incomplete" and "a final score" in str(refused.value)
    for role in ("coordinator", "finance", "provider"):
        with pytest.raises(Forbidden):
            archive_case(session, make_person(role), ready.id)
    record = archive_case(session, supervisor, ready.id)
    session.commit()
    with pytest.raises(NotAllowed) as refused:
        archive_case(session, supervisor, ready.id)
    assert refused.value.code == "already_archived"
    assert str(refused.value) == f"Case {ready.number} is already archived as {record.number}."


# The audited correction -----------------------------------------------------------------------------


@pytest.fixture
def archived(session, make_ready, supervisor):
    from supervision.subsidies.archive import archive_case

    (case,) = make_ready(1)
    archive_case(session, supervisor, case.id)
    session.commit()
    return case


def test_a_correction_changes_the_facts_named_and_is_audited_with_its_reason(session, archived, make_person):
    from assignment.models import Case
    from legalaid.models import AuditEntry
    from supervision.subsidies.archive import correct_archived_case

    old_name, old_cause, old_phone = archived.applicant_name, archived.cause, archived.contact_phone
    for role in ("supervisor", "admin"):
        correct_archived_case(
            session, make_person(role), archived.id, {"applicant_name": f"张三{role}"}, "spelling"
        )
        session.commit()
    admin = make_person("admin")
    corrected = correct_archived_case(
        session, admin, archived.id, {"cause": "labour", "contact_phone": "13800000000"}, "the file says"
    )
    session.commit()
    assert corrected.id == archived.id
    session.expire_all()
    case = session.get(Case, archived.id)
    assert (case.applicant_name, case.cause, case.contact_phone, case.status) == (
        "张三admin",
        "labour",
        "13800000000",
        "archived",
    )
    entries = session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "case.archive_correction").order_by(AuditEntry.id)
    ).all()
    assert [(e.before, e.after) for e in entries] == [
        ({"applicant_name": old_name}, {"applicant_name": "张三supervisor", "reason": "spelling"}),
        ({"applicant_name": "张三supervisor"}, {"applicant_name": "张三admin", "reason": "spelling"}),
        (
            {"cause": old_cause, "contact_phone": old_phone},
            {"cause": "labour", "contact_phone": "13800000000", "reason": "the file says"},
        ),
    ]
    assert entries[2].actor_id == admin.id


def test_after_a_correction_the_case_is_read_only_again(session, archived, supervisor):
    from assignment.models import Case
    from supervision.subsidies.archive import correct_archived_case

    correct_archived_case(session, supervisor, archived.id, {"cause": "labour"}, "the file says")
    session.commit()
    case = session.get(Case, archived.id)
    case.cause = "something else"
    with pytest.raises(NotAllowed, match="read-only"):
        session.flush()
    session.rollback()
    assert session.get(Case, archived.id).cause == "labour"


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_correction_needs_a_reason(session, archived, supervisor, reason):
    from supervision.subsidies.archive import correct_archived_case

    with pytest.raises(Invalid) as refused:
        correct_archived_case(session, supervisor, archived.id, {"cause": "labour"}, reason)
    assert list(refused.value.fields) == ["reason"]


def test_a_correction_never_changes_the_cases_state_nor_nothing(session, archived, supervisor):
    from assignment.models import Case
    from supervision.subsidies.archive import correct_archived_case

    for changes in ({"status": "closed"}, {"cause": "labour", "status": "closed"}, {"number": "X"}):
        with pytest.raises(Invalid) as refused:
            correct_archived_case(session, supervisor, archived.id, changes, "mistake")
        unknown = ", ".join(sorted(set(changes) - {"cause"}))
        assert refused.value.fields == {"changes": [f"Not correctable: {unknown}"]}
        session.rollback()
    with pytest.raises(Invalid) as refused:
        correct_archived_case(session, supervisor, archived.id, {}, "mistake")
    assert refused.value.fields == {"changes": ["Nothing to change."]}
    session.rollback()
    session.expire_all()
    case = session.get(Case, archived.id)
    assert (case.status, case.cause) == ("archived", archived.cause)


def test_only_an_archived_case_of_the_centre_is_corrected_and_only_by_the_correctors(
    session, archived, make_case_at, make_provider, supervisor, make_person
):
    from supervision.subsidies.archive import correct_archived_case

    running = make_case_at(session, "in_progress", provider_id=make_provider())
    session.commit()
    with pytest.raises(NotFound):
        correct_archived_case(session, supervisor, 10**6, {"cause": "labour"}, "mistake")
    with pytest.raises(NotAllowed, match="not archived"):
        correct_archived_case(session, supervisor, running.id, {"cause": "labour"}, "mistake")
    for role in ("coordinator", "finance"):
        with pytest.raises(Forbidden):
            correct_archived_case(session, make_person(role), archived.id, {"cause": "labour"}, "mistake")


# The archive list and its count ---------------------------------------------------------------------


def test_the_archive_list_page_and_count_of_a_year(session, make_ready, supervisor, centre_clock):
    from supervision.subsidies.archive import (
        archive_case,
        archive_count,
        archive_list_statement,
        archive_page_statement,
    )

    cases = make_ready(4)
    year = centre_clock.today().year
    last_year = dt.date(year - 1, 6, 1)
    days = [last_year, None, last_year, None]
    records = [
        archive_case(session, supervisor, case.id, on=day) for case, day in zip(cases, days, strict=True)
    ]
    session.commit()
    ids = [c.id for c in cases]
    everything = session.execute(archive_list_statement()).all()
    assert [r.case_id for r in everything] == [ids[0], ids[2], ids[1], ids[3]]
    assert [r.id for r in everything] == [records[0].id, records[2].id, records[1].id, records[3].id]
    assert [r.archive_number for r in everything] == [
        f"{year - 1}-00001",
        f"{year - 1}-00002",
        f"{year}-00001",
        f"{year}-00002",
    ]
    row = everything[0]
    assert (row.year, row.archived_on, row.archived_by, row.case_number, row.case_type) == (
        year - 1,
        last_year,
        supervisor.id,
        cases[0].number,
        "civil",
    )
    assert row.cause == cases[0].cause
    assert [r.case_id for r in session.execute(archive_list_statement(year)).all()] == [ids[1], ids[3]]
    assert [r.case_id for r in session.execute(archive_list_statement(year - 1)).all()] == [ids[0], ids[2]]
    assert archive_count(session) == 4
    assert archive_count(session, year) == 2 and archive_count(session, year - 2) == 0
    # pages are counted in year-then-number order (not by number alone, nor by the whole list)
    pages = [(2, 1, [ids[2], ids[1]]), (1, 1, [ids[2]]), (2, 0, [ids[0], ids[2]]), (2, 2, [ids[1], ids[3]])]
    for limit, offset, expected in pages:
        page = session.execute(archive_page_statement(None, limit=limit, offset=offset)).all()
        assert [r.case_id for r in page] == expected, (limit, offset)
    page = session.execute(archive_page_statement(year, limit=1, offset=1)).all()
    assert [r.case_id for r in page] == [ids[3]]
    page = session.execute(archive_page_statement(year - 1, limit=5, offset=0)).all()
    assert [r.case_id for r in page] == [ids[0], ids[2]]
