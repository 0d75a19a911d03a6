"""The fairness report of a rotation pool (DESIGN.md §4 "Fairness report")."""

from __future__ import annotations

import datetime as dt
import math

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.models import Assignment, PoolMember, Provider, RotationPool
from legalaid import clock
from legalaid.exports import csv_text

TOP_DECILE_LIMIT = 3.0  # Texas Indigent Defense Commission: top 10% ≤ 3× their representative share


def _bounds(
    date_from: dt.date | None, date_to: dt.date | None
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Local calendar days (the centre's time zone) as UTC instants, ``to`` included."""
    start = clock.day_bounds(date_from)[0] if date_from else None
    end = clock.day_bounds(date_to)[1] if date_to else None
    return start, end


def rotation_report(
    session: Session, pool: RotationPool, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> dict:
    """Counted turns per member vs their expected share (total × weight / total weight), the
    max−min spread, the top decile's share against their representative share, overrides, and
    declines and overrides per coordinator."""
    start, end = _bounds(date_from, date_to)
    period = [Assignment.pool_id == pool.id]
    if start:
        period.append(Assignment.assigned_at >= start)
    if end:
        period.append(Assignment.assigned_at < end)
    # One pass over the pool's assignments in the period (issue 16): per provider, the counted turns;
    # per coordinator, their overrides and declines (the coordinator kept only on those rows, so the
    # groups stay one per member, plus one per coordinator and member they overrode or had declined).
    override, declined = Assignment.override.is_(True), Assignment.status == "declined"
    coordinator = sa.case((sa.or_(override, declined), Assignment.assigned_by))
    tallies = session.execute(
        sa.select(
            Assignment.provider_id,
            coordinator,
            sa.func.count().filter(Assignment.counted.is_(True)),
            sa.func.count().filter(override),
            sa.func.count().filter(declined),
        )
        .where(*period)
        .group_by(Assignment.provider_id, coordinator)
    ).all()
    if pool.purpose == "duty":  # a duty pool's turns are its rotas' shifts (assignment/duty)
        from assignment.duty.reports import duty_turns

        counts = duty_turns(session, pool, date_from, date_to)
    else:
        counts = {}
        for pid, _uid, counted, _o, _d in tallies:
            if counted:
                counts[pid] = counts.get(pid, 0) + counted
    members = session.execute(
        sa.select(PoolMember.provider_id, PoolMember.weight, Provider.name)
        .join(Provider, Provider.id == PoolMember.provider_id)
        .where(PoolMember.pool_id == pool.id)
        .order_by(PoolMember.provider_id)
    ).all()
    total = sum(counts.values())
    total_weight = sum(w for _pid, w, _n in members) or 1.0
    rows = [
        {
            "provider_id": pid,
            "name": name,
            "weight": weight,
            "count": counts.get(pid, 0),
            "expected": round(total * weight / total_weight, 2),
        }
        for pid, weight, name in members
    ]
    spread = max((r["count"] for r in rows), default=0) - min((r["count"] for r in rows), default=0)
    top_decile_ratio = 0.0
    if rows and total:
        k = max(1, math.ceil(len(rows) / 10))
        top = sorted((r["count"] for r in rows), reverse=True)[:k]
        top_decile_ratio = round((sum(top) / total) / (k / len(rows)), 3)

    per_coordinator: dict = {}
    for _pid, uid, _c, overridden, declines in tallies:
        if overridden or declines:
            before = per_coordinator.get(uid, (0, 0))
            per_coordinator[uid] = (before[0] + overridden, before[1] + declines)
    ordered = sorted(per_coordinator.items(), key=lambda item: (item[0] is None, item[0] or 0))
    overrides = [{"coordinator_id": uid, "count": n} for uid, (n, _d) in ordered if n]
    declines = [{"coordinator_id": uid, "count": d} for uid, (_n, d) in ordered if d]
    return {
        "pool_id": pool.id,
        "from": date_from.isoformat() if date_from else None,
        "to": date_to.isoformat() if date_to else None,
        "total": total,
        "members": rows,
        "spread": spread,
        "top_decile_ratio": top_decile_ratio,
        "top_decile_within_limit": top_decile_ratio <= TOP_DECILE_LIMIT,
        "overrides": sum(o["count"] for o in overrides),
        "overrides_by_coordinator": overrides,
        "declines_by_coordinator": declines,
    }


def rotation_report_csv(report: dict) -> str:
    rows: list[list] = [["provider_id", "name", "weight", "count", "expected"]]
    rows += [[r["provider_id"], r["name"], r["weight"], r["count"], r["expected"]] for r in report["members"]]
    rows += [
        [],
        ["spread", report["spread"]],
        ["top_decile_ratio", report["top_decile_ratio"]],
        ["overrides", report["overrides"]],
    ]
    return csv_text(rows)  # names are neutralised there (a name may start a spreadsheet formula)
