"""Review leftovers: the after-closing call rule has one batched reader (scheduling's), a complaint's
pause is audited as the deciding supervisor's, a case's deadlines read the time zone and the limits
once, and the scheduler prunes ended sign-in sessions."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from legalaid import clock
from legalaid.db import db
from legalaid.models import AuditEntry, UserSession


def test_subsidies_read_the_after_closing_call_through_schedulings_reader(monkeypatch, session):
    from supervision.scheduling import calls
    from supervision.subsidies import prerequisites

    asked = []

    def reader(session, case_ids):
        asked.append(sorted(case_ids))
        return {2}

    monkeypatch.setattr(calls, "after_closing_calls_settled", reader)
    import supervision.scheduling.services as services

    monkeypatch.setattr(services, "after_closing_calls_settled", reader)
    assert prerequisites.after_closing_calls_settled(session, [3, 2, 2]) == {2}
    assert prerequisites.after_closing_call_settled(session, 3) is False
    assert asked == [[2, 2, 3], [3]]


def test_schedulings_reader_is_one_query_for_many_cases(session):
    from supervision.scheduling.calls import after_closing_call_settled, after_closing_calls_settled

    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert after_closing_calls_settled(session, range(1, 200)) == set()
        assert after_closing_calls_settled(session, []) == set()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
    assert after_closing_call_settled(session, 1) is False


def test_upheld_neglect_pause_is_audited_as_the_deciding_supervisors(as_role, make_provider, app):
    from tests.frontdesk.test_complaints import register

    handler = as_role("supervisor")
    handler_id = handler.get("/api/v1/session").get_json()["user"]["id"]
    provider_id = make_provider()
    cid = register(
        handler,
        received_on=clock.today().isoformat(),
        respondent={"kind": "provider", "id": provider_id},
        matter="neglect",
    )["id"]
    handler.post(f"/api/v1/complaints/{cid}/acceptance", json={"accepted": True})
    r = handler.post(
        f"/api/v1/complaints/{cid}/decision",
        json={"outcome": "upheld_correction", "findings": "No contact for 3 months", "pause_days": 10},
    )
    assert r.status_code == 200, r.get_json()
    with app.app_context():
        leave_entry = db.session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.action == "provider.leave", AuditEntry.object_id == provider_id
            )
        ).one()
        assert leave_entry.actor_id == handler_id


def test_a_coordinator_still_needs_the_role_for_a_plain_leave(session, make_provider, make_person):
    import pytest

    from assignment import panel
    from legalaid.errors import DomainError

    provider = panel.get_provider(session, make_provider())
    with pytest.raises(DomainError):
        panel.add_leave(session, provider, clock.today(), clock.today(), make_person("supervisor"))


def test_case_deadlines_read_the_time_zone_and_limits_once(session, monkeypatch, make_provider, make_case_at):
    from assignment import intake
    from legalaid import clock as clock_module

    case = make_case_at(session, "in_progress", provider_id=make_provider())
    session.flush()
    expected = intake.case_deadlines(case)
    reads = {"tz": 0, "limits": 0}
    real_tz, real_limits = clock_module.centre_tz, intake.limits

    def counting_tz():
        reads["tz"] += 1
        return real_tz()

    def counting_limits():
        reads["limits"] += 1
        return real_limits()

    monkeypatch.setattr(clock_module, "centre_tz", counting_tz)
    monkeypatch.setattr(intake, "limits", counting_limits)
    import assignment.deadlines as deadlines

    monkeypatch.setattr(deadlines, "limits", counting_limits)
    assert intake.case_deadlines(case) == expected
    assert set(expected) >= {"decision", "assignment", "acceptance", "retainer"}
    assert reads == {"tz": 1, "limits": 1}


def test_ended_sessions_are_pruned_after_the_keep_period_open_ones_stay(app, session, make_person):
    from legalaid.auth import prune_sessions

    user = make_person("finance")
    now = clock.now()
    rows = {
        "open_old": UserSession(user_id=user.id, key_hash="a" * 64, started_at=now - dt.timedelta(days=90)),
        "ended_old": UserSession(
            user_id=user.id,
            key_hash="b" * 64,
            started_at=now - dt.timedelta(days=60),
            ended_at=now - dt.timedelta(days=31),
        ),
        "ended_recent": UserSession(
            user_id=user.id,
            key_hash="c" * 64,
            started_at=now - dt.timedelta(days=10),
            ended_at=now - dt.timedelta(days=29),
        ),
    }
    session.add_all(rows.values())
    session.commit()
    assert prune_sessions(session) == 1
    session.commit()
    left = set(session.scalars(sa.select(UserSession.key_hash)))
    assert left == {"a" * 64, "c" * 64}
    app.config["USER_SESSION_KEEP_DAYS"] = 7
    assert prune_sessions(session) == 1
    session.commit()
    assert set(session.scalars(sa.select(UserSession.key_hash))) == {"a" * 64}


def test_the_scheduler_prunes_sessions_nightly(app):
    from supervision.scheduling.scheduler import build_scheduler

    scheduler = build_scheduler(app, "test-holder", blocking=False)
    job = scheduler.get_job("prune_sessions")
    assert job is not None and "hour='3'" in str(job.trigger)
