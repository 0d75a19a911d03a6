"""Generating a station's rota for a month (issue 14 item 2): one provider per shift, by the rotation's
clock arithmetic (``rotation.pool_clock``: keys, the owed cap, parking, counting a turn), planned in
memory (``rota_plan``). Under the pool's row lock a few queries read the front of each weight's line
(as the case walk reads its index: a month's shifts reach only so deep), the members away, on leave
or inactive, and their hearings and other shifts in the month; a plan that would reach past the
front is made again over the whole pool. The shifts and the members' new clock state are written in
bulk.

* Unavailable on a date (on leave, inactive): parked at the start of that date, back at the back of
  the round when available again: they accrue nothing while away (as for cases).
* Skipped for cause (another shift at that time at any station, their own hearing, a provider kind
  the station does not take): nothing is written, they keep their place (key read capped).
* No one eligible: the shift is a gap (``provider_id`` None) with the reasons counted.
* Regenerating a draft supersedes it and first gives its counted turns back.
"""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from assignment.consultations_models import Station
from assignment.duty.models import LAWYERS_ONLY_STATIONS, SHIFT_PARTS, DutyRota, DutyShift
from assignment.duty.rota_plan import NeedMore, Plan, _Seat, plan_month
from assignment.models import PROVIDER_KINDS, PoolMember, Provider, ProviderLeave, RotationPool
from assignment.roles import actor_id, require_role
from assignment.rotation.pool_clock import _write_members
from legalaid import audit, clock
from legalaid.db import lock_row
from legalaid.errors import Invalid, NotAllowed, NotFound, say

# How deep into each weight's line a month's plan is read first: twice the shifts, and some.
FRONT_PER_SHIFT, FRONT_EXTRA = 2, 64
# Read without importing supervision (dependencies point one way, DESIGN.md §6): a provider's own
# scheduled hearings, which a duty shift must not clash with.
HEARING = sa.table(
    "hearing",
    sa.column("provider_id", sa.Integer),
    sa.column("starts_at"),
    sa.column("ends_at"),
    sa.column("status", sa.String),
)
NOON = dt.time(12, 0)


MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """The first and last day of ``YYYY-MM`` (the rota's, the month review's); anything else → 422."""
    found = MONTH.match(month or "")
    try:
        first = dt.date(int(found[1]), int(found[2]), 1)
        following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    except (TypeError, ValueError, OverflowError):  # not YYYY-MM, year 0000, or December 9999
        raise Invalid(
            say("A month is written YYYY-MM."), fields={"month": [say("A month is written YYYY-MM.")]}
        ) from None
    return first, following - dt.timedelta(days=1)


def allowed_kinds(pool: RotationPool, station: Station) -> set[str]:
    """DESIGN.md: lawyers only at court, procuratorate and detention-centre stations."""
    kinds = set(pool.provider_kinds or PROVIDER_KINDS)
    return kinds & {"lawyer"} if station.kind in LAWYERS_ONLY_STATIONS else kinds


def serves(pool: RotationPool, station: Station) -> bool:
    """A duty pool staffs its own station, or (no station) the stations of its area (no area: any)."""
    if pool.station_id is not None:
        return pool.station_id == station.id
    return pool.area is None or pool.area == station.area


def hearing_parts(starts_at: dt.datetime, ends_at: dt.datetime) -> list[tuple[dt.date, str]]:
    """The (date, half) a hearing occupies, in the centre's time."""
    tz = clock.centre_tz()
    start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    out = []
    if start.time() < NOON:
        out.append((start.date(), "am"))
    if end.date() > start.date() or end.time() > NOON:
        out.append((start.date(), "pm"))
    return out


def among(session: Session, column, ids) -> sa.ColumnElement[bool]:
    """``column IN ids`` (a list or a subquery). A list is one array parameter on PostgreSQL, so the
    statement's text is the same for any number of ids: prepared once and not planned again for each
    list (planning a 370-item IN list took longer than running it)."""
    if isinstance(ids, list | tuple | set) and session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam(None, sorted(ids), type_=postgresql.ARRAY(sa.Integer)))
    return column.in_(ids)


def busy_parts(session: Session, provider_ids, first: dt.date, last: dt.date, *, skip_shift=None) -> dict:
    """{(provider_id, date): {parts}} taken by shifts of live rotas and by scheduled hearings.
    ``provider_ids`` is a list or a subquery."""
    busy: dict[tuple[int, dt.date], set[str]] = {}
    shift, rota = DutyShift.__table__, DutyRota.__table__  # plain columns: thousands of rows
    shifts = session.execute(
        sa.select(shift.c.provider_id, shift.c.on_date, shift.c.part)
        .join(rota, rota.c.id == shift.c.rota_id)
        .where(
            rota.c.status != "superseded",
            shift.c.on_date.between(first, last),
            among(session, shift.c.provider_id, provider_ids),
            shift.c.id != (skip_shift or 0),
        )
    )
    for pid, day, part in shifts.all():
        busy.setdefault((pid, day), set()).update(("am", "pm") if part == "day" else (part,))
    lo = clock.local_moment(first, dt.time(0)) - dt.timedelta(days=1)
    hi = clock.local_moment(last, dt.time(0)) + dt.timedelta(days=2)
    hearings = session.execute(
        sa.select(HEARING.c.provider_id, HEARING.c.starts_at, HEARING.c.ends_at).where(
            HEARING.c.status == "scheduled",
            among(session, HEARING.c.provider_id, provider_ids),
            HEARING.c.starts_at >= lo,
            HEARING.c.starts_at < hi,
        )
    )
    for pid, starts, ends in hearings.all():
        starts, ends = _aware(starts), _aware(ends)
        for day, part in hearing_parts(starts, ends):
            busy.setdefault((pid, day), set()).add("hearing_" + part)
    return busy


def _aware(value) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


_M = PoolMember.__table__
_SEAT_COLUMNS = (_M.c.provider_id, _M.c.weight, _M.c.turn_offset, _M.c.away_since, _M.c.away_reason)


def _front_and_extras(session: Session, pool: RotationPool, depth: int, also) -> sa.CompoundSelect:
    """One statement: the first ``depth`` present members of each weight in key order (along the walk
    index; ``part`` is the weight's position), then (``part`` -1) the members away, the inactive ones
    and those in ``also``, each by its own index."""
    p = Provider.__table__
    weights = sorted(set(pool.weights or ()))
    parts = [
        sa.select(
            sa.select(*_SEAT_COLUMNS, sa.literal(i).label("part"))
            .where(_M.c.pool_id == pool.id, _M.c.weight == weight, _M.c.away_since.is_(None))
            .order_by(_M.c.turn_offset, _M.c.provider_id)
            .limit(depth)
            .subquery()
        )
        for i, weight in enumerate(weights)
    ]
    extra = sa.literal(-1).label("part")
    parts += [
        sa.select(*_SEAT_COLUMNS, extra).where(_M.c.pool_id == pool.id, _M.c.away_since.is_not(None)),
        sa.select(*_SEAT_COLUMNS, extra)
        .join(p, p.c.id == _M.c.provider_id)
        .where(_M.c.pool_id == pool.id, sa.not_(p.c.active)),
    ]
    if also:
        parts.append(
            sa.select(*_SEAT_COLUMNS, extra).where(
                _M.c.pool_id == pool.id, among(session, _M.c.provider_id, set(also))
            )
        )
    return sa.union_all(*parts)


def _load(
    session: Session, pool: RotationPool, kinds: set[str], *, depth: int | None = None, also=()
) -> tuple[dict[int, _Seat], dict[float, tuple[float, int]]]:
    """The pool's members as plain columns, and the few who are inactive or of a kind the station
    does not take. With ``depth``: only the front of each weight's line, the members away, inactive
    and in ``also`` (the month's leave, a superseded draft's), in one statement; the bounds say where
    each weight was cut."""
    p = Provider.__table__
    bounds = {}
    if depth is None:
        rows = session.execute(sa.select(*_SEAT_COLUMNS).where(_M.c.pool_id == pool.id)).all()
    else:
        read = session.execute(_front_and_extras(session, pool, depth, also)).all()
        weights = sorted(set(pool.weights or ()))
        for i, weight in enumerate(weights):
            mine = [r for r in read if r.part == i]
            if len(mine) == depth:  # cut: members after the last one read were not read
                last = max(mine, key=lambda r: (r.turn_offset, r.provider_id))
                bounds[weight] = (last.turn_offset, last.provider_id)
        rows = [r[:5] for r in read]
    seats = {pid: _Seat(pid, w, off, away, reason, 0, None, True) for pid, w, off, away, reason in rows}
    # The inactive providers are few (partial index ix_provider_inactive); a pool's kinds are checked
    # against the station's only when it holds a kind the station does not take.
    odd = sa.select(p.c.id, p.c.kind, p.c.active).where(sa.not_(p.c.active))
    if set(pool.provider_kinds or ()) - kinds:
        odd = sa.union(
            odd,
            sa.select(p.c.id, p.c.kind, p.c.active)
            .join(_M, _M.c.provider_id == p.c.id)
            .where(_M.c.pool_id == pool.id, p.c.kind.not_in(sorted(kinds))),
        )
    for pid, kind, active in session.execute(odd).all():
        seat = seats.get(pid)
        if seat is not None:
            seat.kind, seat.active = kind, active
    return seats, bounds


def _leave_days(
    session: Session, pool: RotationPool, first: dt.date, last: dt.date
) -> dict[dt.date, set[int]]:
    member, leave = PoolMember.__table__, ProviderLeave.__table__
    members = sa.select(member.c.provider_id).where(member.c.pool_id == pool.id)
    days: dict[dt.date, set[int]] = {}
    for pid, starts, ends in session.execute(
        sa.select(leave.c.provider_id, leave.c.starts_on, leave.c.ends_on).where(
            leave.c.provider_id.in_(members),
            leave.c.ends_on >= first,
            leave.c.starts_on <= last,
        )
    ).all():
        day = max(starts, first)
        while day <= min(ends, last):
            days.setdefault(day, set()).add(pid)
            day += dt.timedelta(days=1)
    return days


def _counted_turns(session: Session, rota: DutyRota, pool: RotationPool) -> list:
    """A draft regenerated is superseded; the turns it counted (newest first) are given back."""
    rota.status = "superseded"
    session.flush()  # before the new draft is written
    if rota.pool_id != pool.id:
        return []
    shift = DutyShift.__table__
    return session.execute(
        sa.select(shift.c.provider_id, shift.c.clock_step, shift.c.offset_step)
        .where(shift.c.rota_id == rota.id, shift.c.counted.is_(True), shift.c.provider_id.is_not(None))
        .order_by(shift.c.id.desc())
    ).all()


def _give_back(pool: RotationPool, seats: dict[int, _Seat], counted: list, plan: Plan) -> None:
    """Undo the superseded draft's turns (as a conflict decline undoes a turn)."""
    for provider_id, clock_step, offset_step in counted:
        seat = seats.get(provider_id)
        if seat is None:  # no longer a member
            continue
        pool.clock -= clock_step
        seat.offset -= offset_step
        seat.turns -= 1
        plan.changed[provider_id] = seat


def _plan(session: Session, pool: RotationPool, month: tuple, wanted: list, kinds: set[str], counted, depth):
    """Read the members (the front of the line with ``depth``), give back a superseded draft's turns,
    read who is busy, plan. ``NeedMore`` when the front was not deep enough."""
    first, last, leave = month
    also = {pid for pids in leave.values() for pid in pids} | {row[0] for row in counted}
    seats, bounds = _load(session, pool, kinds, depth=depth, also=also)
    plan = Plan()
    _give_back(pool, seats, counted, plan)
    members = sa.select(_M.c.provider_id).where(_M.c.pool_id == pool.id).scalar_subquery()
    busy = busy_parts(session, sorted(seats) if bounds else members, first, last)
    outcome = plan_month(pool, seats, wanted, kinds, leave, busy, bounds)
    plan.changed.update(outcome.changed)
    plan.shifts = outcome.shifts
    return plan


def shift_rows(rota: DutyRota, plan: Plan) -> list[dict]:
    """The planned shifts of ``rota`` as rows for one INSERT."""
    return [
        {
            "rota_id": rota.id,
            "station_id": rota.station_id,
            "on_date": s["on_date"],
            "part": s["part"],
            "provider_id": s["provider_id"],
            "status": "planned",
            "explanation": s["explanation"],
            "counted": s["turn"] is not None,
            "clock_step": s["turn"].clock_step if s["turn"] else 0.0,
            "offset_step": s["turn"].offset_step if s["turn"] else 0.0,
            "legal_help": {},
        }
        for s in plan.shifts
    ]


def get_station(session: Session, station_id: int) -> Station:
    station = session.get(Station, station_id)
    if station is None:
        raise NotFound(say("No such station."))
    return station


def generate_rota(
    session: Session, actor, station_id: int, month: str, pool_id: int, shifts: list[tuple[dt.date, str]]
) -> DutyRota:
    """Draft a station's rota for ``month`` from the duty pool (201); 409 when it is published."""
    require_role(actor, "admin", "coordinator")
    station = get_station(session, station_id)
    first, last = month_bounds(month)
    problems = {}
    if not shifts:
        problems["shifts"] = [say("At least one shift.")]
    elif any(not (first <= day <= last) or part not in SHIFT_PARTS for day, part in shifts):
        problems["shifts"] = [say("Every shift falls in the month, morning, afternoon or whole day.")]
    if not station.active:
        problems["station"] = [say("The station is closed.")]
    if session.get(RotationPool, pool_id) is None:
        raise NotFound(say("No such pool."))
    if problems:
        raise Invalid(say("The rota is not valid."), fields=problems)
    pool = lock_row(session, RotationPool, pool_id)  # generations from one pool queue here
    if pool.purpose != "duty" or not serves(pool, station):
        raise Invalid(
            say("The rota is not valid."),
            fields={"pool_id": [say("A duty pool of this station.")]},
        )
    live = session.scalar(
        sa.select(DutyRota).where(
            DutyRota.station_id == station.id, DutyRota.month == month, DutyRota.status != "superseded"
        )
    )
    kinds = allowed_kinds(pool, station)
    counted = []
    if live is not None:
        live = lock_row(session, DutyRota, live.id)
        if live.status == "published":
            raise NotAllowed(
                say("The rota of %(month)s is published; change it by swaps or reassignment.", month=month)
            )
        counted = _counted_turns(session, live, pool)
    month_facts = (first, last, _leave_days(session, pool, first, last))
    before = (pool.clock, pool.active_weight)
    try:
        depth = FRONT_PER_SHIFT * len(shifts) + FRONT_EXTRA
        outcome = _plan(session, pool, month_facts, shifts, kinds, counted, depth)
    except NeedMore:  # the month reached past the front of the line: plan over every member
        pool.clock, pool.active_weight = before
        outcome = _plan(session, pool, month_facts, shifts, kinds, counted, None)
    rota = DutyRota(
        station_id=station.id, month=month, pool_id=pool.id, status="draft", created_by=actor_id(actor)
    )
    session.add(rota)
    session.flush()
    session.execute(sa.insert(DutyShift), shift_rows(rota, outcome))
    _write_members(session, pool.id, list(outcome.changed.values()))
    gaps = sum(1 for s in outcome.shifts if s["provider_id"] is None)
    summary = {"station_id": station.id, "month": month, "pool_id": pool.id, "shifts": len(shifts)}
    summary.update(gaps=gaps, superseded=live.id if live is not None else None)
    audit.record(session, actor, "duty_rota.generated", "duty_rota", rota.id, after=summary)
    return rota
