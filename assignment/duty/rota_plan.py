"""The month's rota planned in memory (``rota.generate_rota`` reads and writes around it): the pool's
present members in one line per weight (offset order is key order within a weight, as the case walk
reads its index), walked shift by shift in date order with the rotation's clock arithmetic
(``rotation.pool_clock``). Pure: it reads and changes only its arguments.

The generator may give it only the front of each weight's line (``bounds``: the last member read of
each weight not read whole). Every pick takes the member with the largest key, and within a weight
that is the smallest offset, so a plan that never reaches past a bound is the plan over the whole
pool; one that would (or whose cap could reach members not read) raises ``NeedMore`` and the
generator plans again over every member.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import Counter
from dataclasses import dataclass, field

from assignment.duty.models import SHIFT_PARTS
from assignment.rotation.pool_clock import Member, _count_turn, _park, member_key, owed_cap

EXPLAIN_SKIPPED = 20


class NeedMore(Exception):
    """The plan reached past the members read: plan again over the whole pool."""


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
    """The pool's present members, one heap per weight in (offset, provider id) order. ``bounds``:
    per weight read only in part, the (offset, provider id) of the last member read."""

    pool: object
    heaps: dict[float, list] = field(default_factory=dict)
    bounds: dict[float, tuple[float, int]] = field(default_factory=dict)

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
        bound = self.bounds.get(weight)
        if bound is not None and bound[0] <= threshold:  # members not read may be at the cap too
            raise NeedMore(weight)

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
            if bound is not None and (entry[0], entry[1]) > bound:  # a member not read may come first
                raise NeedMore(weight)
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


def _update_availability(
    pool, seats: dict[int, _Seat], away: set[int], unavailable: set[int], line: Line, plan: Plan
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
    pool,
    seats: dict[int, _Seat],
    wanted: list[tuple[dt.date, str]],
    kinds: set[str],
    leave: dict[dt.date, set[int]],
    busy: dict,
    bounds: dict[float, tuple[float, int]] | None = None,
) -> Plan:
    """Pick a provider per shift in date order. Pure: reads and changes only its arguments.
    ``bounds``: see the module; ``NeedMore`` when the plan would reach past one."""
    plan, line = Plan(), Line(pool, bounds=dict(bounds or {}))
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
