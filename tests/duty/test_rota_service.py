"""Generating a month's rota through the service: spread, weights, leave, clashes, gaps, regenerating
a draft, publishing, and the kind rule of the station."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import sqlalchemy as sa

from assignment.duty.models import DutyShift
from assignment.duty.publish import publish_rota, rota_shifts
from assignment.duty.rota import generate_rota
from assignment.models import PoolMember, ProviderLeave
from legalaid.errors import Invalid, NotAllowed


def counts(shifts):
    return Counter(s.provider_id for s in shifts)


def test_equal_weights_spread_evenly(
    session, coordinator, make_station, make_providers, make_duty_pool, next_month, weekdays
):
    station = make_station("court")
    ids = make_providers(7)
    pool = make_duty_pool(station, ids)
    wanted = weekdays(next_month)
    rota = generate_rota(session, coordinator, station.id, next_month, pool.id, wanted)
    session.commit()
    shifts = rota_shifts(session, rota.id)
    assert len(shifts) == len(wanted)
    c = counts(shifts)
    assert set(c) == set(ids)
    assert max(c.values()) - min(c.values()) <= 1
    assert all(s.explanation["picked"]["provider_id"] == s.provider_id for s in shifts)
    turns = dict(
        session.execute(
            sa.select(PoolMember.provider_id, PoolMember.turns).where(PoolMember.pool_id == pool.id)
        ).all()
    )
    assert turns == dict(c)


def test_never_two_shifts_at_once_and_day_blocks_both_halves(
    session, coordinator, make_station, make_providers, make_duty_pool, next_month
):
    station, other = make_station("court"), make_station("procuratorate")
    ids = make_providers(2)
    first = dt.date.fromisoformat(f"{next_month}-01")
    pool = make_duty_pool(station, ids)
    pool2 = make_duty_pool(other, ids)
    generate_rota(session, coordinator, station.id, next_month, pool.id, [(first, "day")])
    session.commit()
    rota = generate_rota(
        session, coordinator, other.id, next_month, pool2.id, [(first, "am"), (first, "pm"), (first, "am")]
    )
    session.commit()
    shifts = rota_shifts(session, rota.id)
    taken = session.scalar(sa.select(DutyShift.provider_id).where(DutyShift.part == "day"))
    assert all(s.provider_id != taken for s in shifts)
    am = [s for s in shifts if s.part == "am"]
    assert sorted(s.provider_id is None for s in am) == [False, True]  # one free lawyer, one gap
    gap = next(s for s in am if s.provider_id is None)
    assert gap.explanation["gap"] and gap.explanation["reasons"]["other_shift"] == 2


def test_leave_respected_and_kind_rule(
    session, coordinator, make_station, make_providers, make_duty_pool, next_month, weekdays
):
    station = make_station("labour_arbitration")
    lawyers, advisers = make_providers(2), make_providers(2, kind="legal_adviser")
    pool = make_duty_pool(station, lawyers + advisers, kinds=("lawyer", "legal_adviser"))
    first = dt.date.fromisoformat(f"{next_month}-01")
    session.add(ProviderLeave(provider_id=lawyers[0], starts_on=first, ends_on=first + dt.timedelta(days=40)))
    session.commit()
    rota = generate_rota(session, coordinator, station.id, next_month, pool.id, weekdays(next_month))
    c = counts(rota_shifts(session, rota.id))
    assert lawyers[0] not in c and set(c) == {lawyers[1], *advisers}


def test_court_takes_lawyers_only(session, make_station, make_providers, make_duty_pool):
    from assignment.duty.pools import create_duty_pool

    station = make_station("court")
    with pytest.raises(Invalid):
        create_duty_pool(
            session, None, "Mixed court pool", ["lawyer", "legal_adviser"], station_id=station.id
        )


def test_regenerating_a_draft_gives_turns_back_and_published_is_final(
    session, coordinator, make_station, make_providers, make_duty_pool, next_month, weekdays
):
    station = make_station("court")
    ids = make_providers(3)
    pool = make_duty_pool(station, ids)
    wanted = weekdays(next_month)[:9]
    first = generate_rota(session, coordinator, station.id, next_month, pool.id, wanted)
    session.commit()
    again = generate_rota(session, coordinator, station.id, next_month, pool.id, wanted)
    session.commit()
    assert first.status == "superseded"
    turns = sum(session.scalars(sa.select(PoolMember.turns).where(PoolMember.pool_id == pool.id)))
    assert turns == 9
    assert [s.provider_id for s in rota_shifts(session, again.id)] == [
        s.provider_id for s in rota_shifts(session, first.id)
    ]
    publish_rota(session, coordinator, again.id)
    session.commit()
    with pytest.raises(NotAllowed):
        generate_rota(session, coordinator, station.id, next_month, pool.id, wanted)
    with pytest.raises(NotAllowed):
        publish_rota(session, coordinator, again.id)


def test_case_pool_never_staffs_shifts(
    session, coordinator, make_station, make_providers, next_month, weekdays
):
    from assignment.pools import create_pool

    station = make_station("court")
    pool = create_pool(session, "Civil pool", ["civil"], ["lawyer"], None)
    session.commit()
    with pytest.raises(Invalid):
        generate_rota(session, coordinator, station.id, next_month, pool.id, weekdays(next_month))


def test_publishing_tells_the_providers_and_fills_their_feed(
    app, session, coordinator, make_station, make_providers, make_duty_pool, make_user, next_month, weekdays
):
    import icalendar

    from legalaid.models import User
    from supervision.scheduling.calendar import build_feed
    from supervision.scheduling.messages import reminder_words
    from supervision.scheduling.models import Reminder

    station = make_station("court")
    ids = make_providers(2)
    session.commit()  # SQLite: make_user writes from its own session
    user_ids = [make_user(roles=("provider",), provider_id=pid) for pid in ids]
    users = [session.get(User, uid) for uid in user_ids]
    pool = make_duty_pool(station, ids)
    rota = generate_rota(session, coordinator, station.id, next_month, pool.id, weekdays(next_month)[:4])
    assert session.scalar(sa.select(sa.func.count()).select_from(Reminder)) == 0  # a draft tells no one
    publish_rota(session, coordinator, rota.id)
    session.commit()
    notices = session.scalars(sa.select(Reminder).where(Reminder.kind == "duty_rota")).all()
    assert sorted(n.user_id for n in notices) == sorted(u.id for u in users)
    with app.test_request_context():
        subject, _body = reminder_words(notices[0])
        cal = icalendar.Calendar.from_ical(build_feed(session, users[0]))
    assert "Duty rota" in subject and station.name in subject
    events = [e for e in cal.walk("VEVENT") if str(e["uid"]).startswith("duty-shift-")]
    mine = [s for s in rota_shifts(session, rota.id) if s.provider_id == ids[0]]
    assert len(events) == len(mine) > 0


def test_a_hearing_of_their_own_is_respected(
    session, coordinator, make_station, make_providers, make_duty_pool, next_month, make_case_at
):
    """The hearing table is read without importing supervision: a morning hearing keeps the
    provider off that morning's shift."""
    from legalaid import clock

    station = make_station("court")
    ids = make_providers(2)
    pool = make_duty_pool(station, ids)
    day = dt.date.fromisoformat(f"{next_month}-10")
    case = make_case_at(session, "accepted", case_type="civil", actor=coordinator)
    session.execute(
        sa.text(
            "INSERT INTO hearing (case_id, provider_id, starts_at, ends_at, court, status, observe,"
            " observation_reason, recorded_at)"
            " VALUES (:c, :p, :s, :e, 'Court', 'scheduled', false, 'not_sampled', :s)"
        ).bindparams(
            c=case.id,
            p=ids[0],
            s=clock.local_moment(day, dt.time(9)),
            e=clock.local_moment(day, dt.time(11)),
        )
    )
    rota = generate_rota(session, coordinator, station.id, next_month, pool.id, [(day, "am"), (day, "pm")])
    by_part = {s.part: s for s in rota_shifts(session, rota.id)}
    assert by_part["am"].provider_id == ids[1]  # the first in line has their hearing that morning
    assert by_part["am"].explanation["reasons"] == {"hearing": 1}
    assert by_part["pm"].provider_id == ids[0]  # skipped, they kept their place: free in the afternoon


def test_the_fairness_report_covers_a_duty_pool(
    session, coordinator, make_station, make_providers, make_duty_pool, next_month, weekdays
):
    from assignment.reports import rotation_report

    station = make_station("court")
    ids = make_providers(4)
    pool = make_duty_pool(station, ids)
    wanted = weekdays(next_month)[:10]
    generate_rota(session, coordinator, station.id, next_month, pool.id, wanted)
    session.commit()
    report = rotation_report(session, pool)
    assert report["total"] == len(wanted) and report["spread"] <= 1
    assert sorted(r["count"] for r in report["members"]) == sorted(
        counts(session.scalars(sa.select(DutyShift))).values()
    )


def test_many_members_are_written_in_one_statement_with_the_same_result(app):
    """More than BULK_MEMBERS changed members (a month parks and returns hundreds) go in one UPDATE
    over arrays on PostgreSQL; the stored state is what the member-by-member write gives."""
    import sqlalchemy as sa

    from assignment.models import PoolMember
    from assignment.rotation.pool_clock import BULK_MEMBERS, Member, _write_members
    from legalaid.db import db
    from tests.duty.test_duty_api import build_station

    with app.app_context():
        _station, pool_id, ids = build_station(n=BULK_MEMBERS + 5)
        for changed in (ids, ids[:3]):  # above the threshold, then below it
            members = [
                Member(
                    provider_id=pid,
                    weight=1.0,
                    offset=float(n) + 0.5,
                    away_since=7.25 if n % 2 else None,
                    away_reason="leave" if n % 2 else None,
                    turns=1,
                )
                for n, pid in enumerate(changed)
            ]
            _write_members(db.session, pool_id, members)
            assert members == []
        db.session.commit()
        rows = {
            r.provider_id: r
            for r in db.session.scalars(sa.select(PoolMember).where(PoolMember.pool_id == pool_id))
        }
        for n, pid in enumerate(ids):
            row = rows[pid]
            assert row.offset == float(n) + 0.5 and row.turns == (2 if n < 3 else 1)
            assert (row.away_since, row.away_reason) == ((7.25, "leave") if n % 2 else (None, None))
