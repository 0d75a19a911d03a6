"""The fairness report of a duty pool (``assignment.reports.rotation_report``): each member's counted
turns are the shifts the rotation gave them in the pool's live rotas. A shift keeps its turn with the
provider it was picked for when a swap or a reassignment moves it (a swap moves no turn), and a missed
shift stays counted (DESIGN.md "Workstations and duty rota")."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.duty.models import DutyRota, DutyShift
from assignment.models import RotationPool


def duty_turns(
    session: Session, pool: RotationPool, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> dict[int, int]:
    where = [DutyRota.pool_id == pool.id, DutyRota.status != "superseded", DutyShift.counted.is_(True)]
    if date_from:
        where.append(DutyShift.on_date >= date_from)
    if date_to:
        where.append(DutyShift.on_date <= date_to)
    counts: Counter = Counter()
    for provider_id, explanation in session.execute(
        sa.select(DutyShift.provider_id, DutyShift.explanation)
        .join(DutyRota, DutyRota.id == DutyShift.rota_id)
        .where(*where)
    ):
        picked = ((explanation or {}).get("picked") or {}).get("provider_id", provider_id)
        if picked is not None:
            counts[picked] += 1
    return dict(counts)
