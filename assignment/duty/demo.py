"""The duty rota's demo (issue 14 item 6): five stations of different kinds (the front desk's four
and a procuratorate), a duty pool each, last month's and this month's rotas published, last month's
shifts checked in and out with the legal help given, one missed shift, an approved swap and one
still asked; two applications taken at stations
(one forwarded late). The archived and paid month is the duty subsidy's demo."""

from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment import stations
from assignment.consultations_models import Station
from assignment.duty import publish, shifts, swaps
from assignment.duty.models import LAWYERS_ONLY_STATIONS, DutyShift
from assignment.duty.pools import create_duty_pool
from assignment.duty.rota import generate_rota
from assignment.models import Provider
from assignment.pools import set_pool_member
from legalaid import clock
from legalaid.demo import on_day

EXTRA_STATION = ("区人民检察院值班律师工作站", "procuratorate", "城关街道", "工作日 9:00–17:00")
# Which days (Monday = 0) and parts each kind of station is staffed.
STAFFING = {
    "court": (range(5), ("am", "pm")),
    "detention_centre": (range(5), ("day",)),
    "procuratorate": ((0, 2, 4), ("am",)),
    "labour_arbitration": ((0, 2, 4), ("am",)),
    "township": ((1, 3), ("day",)),
}
POOL_SIZE = 6


def _month_shifts(month_first: dt.date, kind: str) -> list[tuple[dt.date, str]]:
    days, parts = STAFFING.get(kind, ((1, 3), ("day",)))
    out, day = [], month_first
    while day.month == month_first.month:
        if day.weekday() in days:
            out.extend((day, p) for p in parts)
        day += dt.timedelta(days=1)
    return out


def _user_of(session: Session, provider_id: int):
    from legalaid.models import User

    return session.scalar(sa.select(User).where(User.provider_id == provider_id).order_by(User.id))


def build_duty(session: Session, progress) -> None:
    rng = random.Random(1414)
    known = list(session.scalars(sa.select(Station).where(Station.active.is_(True)).order_by(Station.id)))
    if not any(s.kind == "procuratorate" for s in known):
        name, kind, area, hours = EXTRA_STATION
        known.append(
            stations.create_station(session, {"name": name, "kind": kind, "area": area, "hours": hours}, None)
        )
    chosen = [s for s in known if s.kind in STAFFING][:5]
    lawyers = list(
        session.scalars(
            sa.select(Provider.id)
            .where(Provider.kind == "lawyer", Provider.active.is_(True))
            .order_by(Provider.id)
        )
    )
    advisers = list(
        session.scalars(
            sa.select(Provider.id)
            .where(Provider.kind == "legal_adviser", Provider.active.is_(True))
            .order_by(Provider.id)
        )
    )
    today = clock.today()
    this_month = today.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    rotas, pools = [], {}
    for n, station in enumerate(chosen):
        mixed = station.kind not in LAWYERS_ONLY_STATIONS
        kinds = ["lawyer", "legal_adviser"] if mixed else ["lawyer"]
        pool = create_duty_pool(session, None, f"{station.name}值班池", kinds, station_id=station.id)
        members = lawyers[n * 4 : n * 4 + POOL_SIZE] + (advisers[n : n + 2] if mixed else [])
        for pid in members:
            set_pool_member(
                session, pool, session.get(Provider, pid), None, weight=2.0 if pid == members[0] else None
            )
        pools[station.id] = pool
    session.flush()
    next_month = (this_month + dt.timedelta(days=32)).replace(day=1)
    months = [last_month, this_month]
    if (next_month - today).days <= 7:  # the month is nearly over: next month's rota is out too
        months.append(next_month)
    for month_first in months:
        with on_day(month_first - dt.timedelta(days=5)):
            for station in chosen:
                month = month_first.strftime("%Y-%m")
                rota = generate_rota(
                    session,
                    None,
                    station.id,
                    month,
                    pools[station.id].id,
                    _month_shifts(month_first, station.kind),
                )
                publish.publish_rota(session, None, rota.id)
                rotas.append(rota)
    session.flush()
    past = list(
        session.scalars(
            sa.select(DutyShift)
            .where(
                DutyShift.on_date < today, DutyShift.provider_id.is_not(None), DutyShift.status == "planned"
            )
            .order_by(DutyShift.on_date, DutyShift.id)
        )
    )
    missed = past[len(past) // 3] if past else None
    done = 0
    for shift in past:
        if shift is missed:
            with on_day(shift.on_date, dt.time(17)):
                shifts.mark_missed(session, None, shift.id)
            continue
        user = _user_of(session, shift.provider_id)
        if user is None:
            continue
        start = dt.time(9) if shift.part in ("am", "day") else dt.time(14)
        end = dt.time(12) if shift.part == "am" else dt.time(17)
        with on_day(shift.on_date, start):
            shifts.check_in(session, user, shift.id)
        help_given = {
            k: rng.randrange(4) for k in ("advice", "procedural", "plea_witness", "meeting", "opinion")
        }
        with on_day(shift.on_date, end):
            shifts.check_out(session, user, shift.id, help_given, None)
        done += 1
    swapped = _demo_swaps(session, today)
    taken = _station_cases(session, chosen, today)
    progress(
        f"  {len(chosen)} stations with duty pools, {len(rotas)} published rotas,"
        f" {done} shifts done, 1 missed, {swapped} swaps, {taken} applications taken at stations"
    )


def _station_cases(session: Session, chosen: list[Station], today: dt.date) -> int:
    """Two applications taken at stations, so the stations' figures and late forwarding show: a civil
    one forwarded the next day (in time), a detained applicant's forwarded after two days (late: 24
    hours allowed)."""
    from assignment.intake import register_case

    by_kind = {s.kind: s for s in chosen}
    civil_at = by_kind.get("township") or by_kind.get("labour_arbitration") or chosen[0]
    detained_at = by_kind.get("detention_centre") or chosen[-1]
    civil_taken = clock.local_moment(today - dt.timedelta(days=12), dt.time(10))
    detained_taken = clock.local_moment(today - dt.timedelta(days=6), dt.time(9, 30))
    made = (
        (civil_at, civil_taken, civil_taken + dt.timedelta(days=1), False, "civil", "wage_arrears", "周小梅"),
        (
            detained_at,
            detained_taken,
            detained_taken + dt.timedelta(hours=50),
            True,
            "criminal",
            "盗窃罪",
            "吴建军",
        ),
    )
    for n, (station, taken, reached, detained, case_type, cause, name) in enumerate(made):
        data = {
            "case_type": case_type,
            "cause": cause,
            "received_on": clock.local_date(taken),
            "station_id": station.id,
            "station_received_at": taken,
            "centre_received_at": reached,
            "detained": detained,
            "applicant": {"name": name, "id_number": f"43010219850{n + 3}154321", "categories": []},
        }
        if case_type == "criminal":
            data["stage"] = "investigation"
        with on_day(reached + dt.timedelta(minutes=5)):
            register_case(session, data, None)
    return len(made)


def _demo_swaps(session: Session, today: dt.date) -> int:
    """One swap approved and one still asked, on shifts to come."""
    from assignment.duty.eligibility import why_not
    from assignment.duty.models import DutyRota
    from assignment.models import PoolMember

    coming = list(
        session.scalars(
            sa.select(DutyShift)
            .where(
                DutyShift.on_date > today, DutyShift.provider_id.is_not(None), DutyShift.status == "planned"
            )
            .order_by(DutyShift.on_date, DutyShift.id)
            .limit(40)
        )
    )
    made = 0
    for shift in coming:
        if made == 2:
            break
        pool_id = session.scalar(sa.select(DutyRota.pool_id).where(DutyRota.id == shift.rota_id))
        others = session.scalars(
            sa.select(PoolMember.provider_id)
            .where(PoolMember.pool_id == pool_id, PoolMember.provider_id != shift.provider_id)
            .order_by(PoolMember.provider_id)
        )
        to = next(
            (pid for pid in others if why_not(session, shift, pid) is None and _user_of(session, pid)), None
        )
        asker = _user_of(session, shift.provider_id)
        if to is None or asker is None:
            continue
        swap = swaps.ask_swap(session, asker, shift.id, to)
        if made == 0:
            swaps.accept_swap(session, _user_of(session, to), swap.id)
            swaps.decide_swap(session, None, swap.id, approve=True)
        made += 1
    return made


def register(app) -> None:
    from legalaid.hooks import add_demo_step

    add_demo_step(app, "duty rota: five stations, two months of published rotas", build_duty, order=35)
