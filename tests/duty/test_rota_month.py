"""Drawing up a month for every station of a duty pool at once (``rota_month.generate_month``): the
rotas are those of generating each station in turn; a published month is kept; the API and the
page."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from assignment.duty.models import DutyRota
from assignment.duty.publish import publish_rota
from assignment.duty.rota import generate_rota
from assignment.duty.rota_month import generate_month, stations_served
from assignment.models import PoolMember, ProviderLeave
from legalaid.errors import Invalid, NotAllowed


@pytest.fixture
def shared_pool(session, make_station, make_providers, make_duty_pool, next_month, weekdays):
    """Three stations (two courts: lawyers only) staffed by one pool of lawyers and advisers, some
    of double weight, some on leave in the month."""
    stations = [make_station("court"), make_station("labour_arbitration"), make_station("court")]
    lawyers, advisers = make_providers(10), make_providers(4, kind="legal_adviser")
    members = [(pid, 2.0 if n % 4 == 0 else 1.0) for n, pid in enumerate(lawyers + advisers)]
    pool = make_duty_pool(stations[0], members, kinds=("lawyer", "legal_adviser"), station_bound=False)
    first = dt.date.fromisoformat(f"{next_month}-01")
    for n, pid in enumerate(lawyers[1:8:3]):
        session.add(
            ProviderLeave(
                provider_id=pid,
                starts_on=first + dt.timedelta(days=5 * n),
                ends_on=first + dt.timedelta(days=5 * n + 6),
            )
        )
    session.commit()
    return {"pool_id": pool.id, "stations": stations, "month": next_month, "wanted": weekdays(next_month)}


def outcome(session, pool_id, station_ids):
    shifts = session.execute(
        sa.text(
            "SELECT r.station_id, s.on_date, s.part, s.provider_id FROM duty_shift s"
            " JOIN duty_rota r ON r.id = s.rota_id WHERE r.status = 'draft' ORDER BY r.station_id, s.id"
        )
    ).all()
    members = session.execute(
        sa.select(PoolMember.provider_id, PoolMember.offset, PoolMember.turns, PoolMember.away_since)
        .where(PoolMember.pool_id == pool_id)
        .order_by(PoolMember.provider_id)
    ).all()
    return [tuple(s) for s in shifts if s[0] in station_ids], [
        (p, round(o, 9), t, a) for p, o, t, a in members
    ]


def test_the_month_at_once_is_each_station_in_turn(session, coordinator, shared_pool):
    pool_id, month, wanted = shared_pool["pool_id"], shared_pool["month"], shared_pool["wanted"]
    from assignment.models import RotationPool

    order = [s.id for s in stations_served(session, session.get(RotationPool, pool_id))]
    assert sorted(order) == sorted(s.id for s in shared_pool["stations"])
    for station_id in order:
        generate_rota(session, coordinator, station_id, month, pool_id, wanted)
        session.flush()
    one_by_one = outcome(session, pool_id, order)
    session.rollback()
    rotas, published = generate_month(session, coordinator, pool_id, month, wanted)
    session.flush()
    assert published == [] and [r.station_id for r in rotas] == order
    assert outcome(session, pool_id, order) == one_by_one
    assert all(pid is not None for *_rest, pid in one_by_one[0])  # the month is staffed


def test_a_published_month_is_kept_and_drafts_are_drawn_again(session, coordinator, shared_pool):
    pool_id, month, wanted = shared_pool["pool_id"], shared_pool["month"], shared_pool["wanted"]
    kept, *others = shared_pool["stations"]
    rotas, _ = generate_month(session, coordinator, pool_id, month, wanted)
    session.commit()
    publish_rota(session, coordinator, next(r.id for r in rotas if r.station_id == kept.id))
    session.commit()
    again, published = generate_month(session, coordinator, pool_id, month, wanted)
    session.commit()
    assert published == [kept.id] and sorted(r.station_id for r in again) == sorted(s.id for s in others)
    live = session.execute(
        sa.select(DutyRota.station_id, DutyRota.status).where(
            DutyRota.month == month, DutyRota.status != "superseded"
        )
    ).all()
    assert sorted(live) == sorted([(kept.id, "published")] + [(s.id, "draft") for s in others])
    # Nobody holds two shifts at one time across the stations.
    clashes = session.execute(
        sa.text(
            "SELECT s.provider_id, s.on_date, s.part, count(*) FROM duty_shift s"
            " JOIN duty_rota r ON r.id = s.rota_id WHERE r.status != 'superseded'"
            " AND s.provider_id IS NOT NULL GROUP BY 1, 2, 3 HAVING count(*) > 1"
        )
    ).all()
    assert clashes == []
    for station in others:
        publish_rota(session, coordinator, next(r.id for r in again if r.station_id == station.id))
    session.commit()
    with pytest.raises(NotAllowed):
        generate_month(session, coordinator, pool_id, month, wanted)
    with pytest.raises(Invalid):
        generate_month(session, coordinator, pool_id, month, [])


def test_the_api_and_the_page(app, as_role, next_month):
    from tests.duty.test_duty_api import build_station

    with app.app_context():
        station_id, pool_id, _ids = build_station()
    month, first = next_month, dt.date.fromisoformat(f"{next_month}-01")
    coord, supervisor = as_role("coordinator"), as_role("supervisor")
    days = [first + dt.timedelta(days=n) for n in range(4)]
    body = {"month": month, "shifts": [{"date": d.isoformat(), "part": "am"} for d in days]}
    r = coord.post(f"/api/v1/duty-pools/{pool_id}/month", json=body)
    assert r.status_code == 201, r.get_json()
    answer = r.get_json()
    assert [rota["station_id"] for rota in answer["rotas"]] == [station_id] and answer["published"] == []
    assert len(answer["rotas"][0]["shifts"]) == 4
    assert (
        coord.post(f"/api/v1/duty-pools/{pool_id}/month", json={**body, "month": "2026-13"}).status_code
        == 422
    )
    assert coord.post("/api/v1/duty-pools/999999999/month", json=body).status_code == 404
    assert supervisor.post(f"/api/v1/duty-pools/{pool_id}/month", json=body).status_code == 403
    page = coord.get(f"/duty?month={month}").get_data(as_text=True)
    assert "Draw up the month for every station of a pool" in page
    asked = coord.post(
        f"/duty?month={month}", data={"pool_id": str(pool_id), "weekdays": ["0", "2"], "parts": ["am"]}
    )
    assert asked.status_code == 302, asked.get_data(as_text=True)[:400]
    text = coord.get(asked.headers["Location"]).get_data(as_text=True)
    assert "The draft rota of 1 station is ready" in text
    assert coord.post(f"/duty?month={month}", data={"pool_id": str(pool_id)}).status_code == 422
