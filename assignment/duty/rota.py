"""Generating a station's rota for a month (issue 14 item 2): one provider per shift, by the rotation's
clock arithmetic (``rotation.pool_clock``: keys, the owed cap, parking, counting a turn), planned in
memory. The pool's members, their leave, hearings and other shifts in the month are read in a few
queries under the pool's row lock; the shifts are walked in date order with one line per weight
(offset order is key order within a weight, as the case walk reads its index), and the shifts and
the members' new clock state are written in bulk.

* Unavailable on a date (on leave, inactive): parked at the start of that date, back at the back of
  the round when available again: they accrue nothing while away (as for cases).
* Skipped for cause (another shift at that time at any station, their own hearing, a provider kind
  the station does not take): nothing is written, they keep their place (key read capped).
* No one eligible: the shift is a gap (``provider_id`` None) with the reasons counted.
* Regenerating a draft supersedes it and first gives its counted turns back.
"""

from __future__ import annotations

import datetime as dt
import heapq
import re
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.consultations_models import Station
from assignment.duty.models import LAWYERS_ONLY_STATIONS, SHIFT_PARTS, DutyRota, DutyShift
from assignment.models import PROVIDER_KINDS, PoolMember, Provider, ProviderLeave, RotationPool
from assignment.roles import actor_id, require_role
from assignment.rotation.pool_clock import Member, _count_turn, _park, _write_members, member_key, owed_cap
from legalaid import audit, clock
from legalaid.db import lock_row
from legalaid.errors import Invalid, NotAllowed, NotFound, say

EXPLAIN_SKIPPED = 20
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
            shift.c.provider_id.in_(provider_ids),
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
            HEARING.c.provider_id.in_(provider_ids),
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


def clash(busy: dict, provider_id: int, day: dt.date, part: str) -> str | None:
    """Why the provider cannot take this half or whole day: another shift, or their hearing."""
    taken = busy.get((provider_id, day))
    if not taken:
        return None
    halves = ("am", "pm") if part == "day" else (part,)
    if any("hearing_" + h in taken for h in halves):
        return "hearing"
    if any(h in taken for h in halves):
        return "other_shift"
    return None


def take(busy: dict, provider_id: int, day: dt.date, part: str) -> None:
    busy.setdefault((provider_id, day), set()).update(("am", "pm") if part == "day" else (part,))


@dataclass(eq=False)
class _Seat(Member):
    kind: str | None = None  # None: a kind the station takes (only the others are read)
    active: bool = True
    version: int = 0


@dataclass
class Line:
    """The pool's present members, one heap per weight in (offset, provider id) order."""

    pool: RotationPool
    heaps: dict[float, list] = field(default_factory=dict)

    def push(self, seat: _Seat) -> None:
        seat.version += 1
        heapq.heappush(
            self.heaps.setdefault(seat.weight, []), (seat.offset, seat.provider_id, seat.version, seat)
        )

    def _stream(self, weight: float, popped: list):
        """Present members of one weight in key order: those at the cap (tied, by provider id),
        then by offset ascending; every entry taken off the heap is kept in ``popped``."""
        heap = self.heaps.get(weight, [])
        cap = owed_cap(weight, self.pool.active_weight)
        threshold = weight * self.pool.clock - cap

        def valid(entry) -> bool:
            seat = entry[3]
            return seat.version == entry[2] and seat.away_since is None

        capped = []
        while heap and heap[0][0] <= threshold:
            entry = heapq.heappop(heap)
            if valid(entry):
                popped.append(entry)
                capped.append(entry[3])
        for seat in sorted(capped, key=lambda s: s.provider_id):
            yield (-cap, seat.provider_id, seat)
        while heap:
            entry = heapq.heappop(heap)
            if not valid(entry):
                continue
            popped.append(entry)
            seat = entry[3]
            yield (-member_key(seat, self.pool.clock), seat.provider_id, seat)

    def walk(self, popped: list):
        streams = [self._stream(w, popped) for w in sorted(self.heaps)]
        return heapq.merge(*streams, key=lambda item: (item[0], item[1]))


@dataclass
class Plan:
    """What generation decided: per shift (date, part) the provider or None and its explanation."""

    shifts: list[dict] = field(default_factory=list)
    changed: dict[int, _Seat] = field(default_factory=dict)


def _load(session: Session, pool: RotationPool, kinds: set[str]) -> dict[int, _Seat]:
    """The pool's members as plain columns (one query, no join), then the few of them who are
    inactive or of a kind the station does not take (a second, small query on the provider)."""
    m, p = PoolMember.__table__, Provider.__table__
    rows = session.execute(
        sa.select(m.c.provider_id, m.c.weight, m.c.turn_offset, m.c.away_since, m.c.away_reason)
        .where(m.c.pool_id == pool.id)
        .order_by(m.c.provider_id)
    ).all()  # one fetch, not a fetch per row
    seats = {pid: _Seat(pid, w, off, away, reason, 0, None, True) for pid, w, off, away, reason in rows}
    # The inactive providers are few (partial index ix_provider_inactive); a pool's kinds are checked
    # against the station's only when it holds a kind the station does not take.
    odd = sa.select(p.c.id, p.c.kind, p.c.active).where(sa.not_(p.c.active))
    if set(pool.provider_kinds or ()) - kinds:
        odd = sa.union(
            odd,
            sa.select(p.c.id, p.c.kind, p.c.active)
            .join(m, m.c.provider_id == p.c.id)
            .where(m.c.pool_id == pool.id, p.c.kind.not_in(sorted(kinds))),
        )
    for pid, kind, active in session.execute(odd).all():
        seat = seats.get(pid)
        if seat is not None:
            seat.kind, seat.active = kind, active
    return seats


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


def _update_availability(
    pool: RotationPool, seats: dict[int, _Seat], away: set[int], unavailable: set[int], line: Line, plan: Plan
) -> None:
    """As ``pool_clock._update_availability`` for one date, in memory: the parked members available
    again come back first (provider id order), then the present ones unavailable are parked. Only the
    few away or unavailable members are looked at."""
    for pid in sorted(away - unavailable):
        seat = seats[pid]
        pool.active_weight += seat.weight
        key = min(member_key(seat, seat.away_since), seat.weight / pool.active_weight - 1.0)
        seat.offset = seat.weight * pool.clock - key
        seat.away_since = seat.away_reason = None
        away.discard(pid)
        line.push(seat)
        plan.changed[pid] = seat
    for pid in sorted(unavailable - away):
        seat = seats.get(pid)
        if seat is not None:
            _park(pool, seat, "on_leave" if seat.active else "inactive")
            away.add(pid)
            plan.changed[pid] = seat


def plan_month(
    pool: RotationPool,
    seats: dict[int, _Seat],
    wanted: list[tuple[dt.date, str]],
    kinds: set[str],
    leave: dict[dt.date, set[int]],
    busy: dict,
) -> Plan:
    """Pick a provider per shift in date order. Pure: reads and changes only its arguments."""
    plan, line = Plan(), Line(pool)
    for seat in seats.values():  # one heapify per weight rather than a push per member
        if seat.away_since is None:
            seat.version += 1
            line.heaps.setdefault(seat.weight, []).append((seat.offset, seat.provider_id, seat.version, seat))
    for heap in line.heaps.values():
        heapq.heapify(heap)
    away = {pid for pid, seat in seats.items() if seat.away_since is not None}
    inactive = {pid for pid, seat in seats.items() if not seat.active}
    order = sorted(range(len(wanted)), key=lambda i: (wanted[i][0], SHIFT_PARTS.index(wanted[i][1]), i))
    picked: dict[int, dict] = {}
    current = None
    for i in order:
        day, part = wanted[i]
        if day != current:
            unavailable = inactive | {pid for pid in leave.get(day, ()) if pid in seats}
            _update_availability(pool, seats, away, unavailable, line, plan)
            current = day
        popped: list = []
        skipped, reasons, chosen = [], Counter(), None
        for neg_key, _pid, seat in line.walk(popped):
            wrong_kind = seat.kind is not None and seat.kind not in kinds
            reason = "kind" if wrong_kind else clash(busy, seat.provider_id, day, part)
            if reason is None:
                chosen = (seat, -neg_key)
                break
            reasons[reason] += 1
            if len(skipped) < EXPLAIN_SKIPPED:
                skipped.append(
                    {"provider_id": seat.provider_id, "reason": reason, "deficit": round(-neg_key, 4)}
                )
        for entry in popped:
            if chosen is None or entry[3] is not chosen[0]:
                heapq.heappush(line.heaps[entry[3].weight], entry)
        explanation = {"pool_id": pool.id, "skipped": skipped, "reasons": dict(reasons), "away": len(away)}
        if chosen is None:
            picked[i] = {"provider_id": None, "explanation": {**explanation, "gap": True}, "turn": None}
            continue
        seat, key = chosen
        turn = _count_turn(pool, seat, 1.0 / pool.active_weight)
        line.push(seat)
        take(busy, seat.provider_id, day, part)
        plan.changed[seat.provider_id] = seat
        explanation["picked"] = {"provider_id": seat.provider_id, "deficit": round(key, 4)}
        picked[i] = {"provider_id": seat.provider_id, "explanation": explanation, "turn": turn}
    plan.shifts = [{"on_date": wanted[i][0], "part": wanted[i][1], **picked[i]} for i in order]
    return plan


def _supersede(
    session: Session, rota: DutyRota, pool: RotationPool, seats: dict[int, _Seat], plan: Plan
) -> None:
    """A draft regenerated: its counted turns are given back (as a conflict decline undoes a turn)."""
    rota.status = "superseded"
    for shift in session.scalars(
        sa.select(DutyShift)
        .where(DutyShift.rota_id == rota.id, DutyShift.counted.is_(True))
        .order_by(DutyShift.id.desc())
    ):
        seat = seats.get(shift.provider_id) if shift.provider_id else None
        if seat is None or rota.pool_id != pool.id:
            continue
        pool.clock -= shift.clock_step
        seat.offset -= shift.offset_step
        seat.turns -= 1
        seat.version += 1  # stale heap entries, if any
        plan.changed[seat.provider_id] = seat
    session.flush()


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
    seats, plan = _load(session, pool, kinds), Plan()
    if live is not None:
        live = lock_row(session, DutyRota, live.id)
        if live.status == "published":
            raise NotAllowed(
                say("The rota of %(month)s is published; change it by swaps or reassignment.", month=month)
            )
        _supersede(session, live, pool, seats, plan)
    members = sa.select(PoolMember.provider_id).where(PoolMember.pool_id == pool.id).scalar_subquery()
    busy = busy_parts(session, members, first, last)
    leave = _leave_days(session, pool, first, last)
    outcome = plan_month(pool, seats, shifts, kinds, leave, busy)
    plan.changed.update(outcome.changed)
    rota = DutyRota(
        station_id=station.id, month=month, pool_id=pool.id, status="draft", created_by=actor_id(actor)
    )
    session.add(rota)
    session.flush()
    session.execute(
        sa.insert(DutyShift),
        [
            {
                "rota_id": rota.id,
                "station_id": station.id,
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
            for s in outcome.shifts
        ],
    )
    _write_members(session, pool.id, list(plan.changed.values()))
    gaps = sum(1 for s in outcome.shifts if s["provider_id"] is None)
    summary = {"station_id": station.id, "month": month, "pool_id": pool.id, "shifts": len(shifts)}
    summary.update(gaps=gaps, superseded=live.id if live is not None else None)
    audit.record(session, actor, "duty_rota.generated", "duty_rota", rota.id, after=summary)
    return rota
