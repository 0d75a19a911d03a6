"""Who may take one shift outside generation (a swap, a reassignment): in the rota's duty pool, of a
kind the station takes, active, not on leave that day, and free (no other shift at that time, no
hearing of their own)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.consultations_models import Station
from assignment.duty.models import DutyRota, DutyShift
from assignment.duty.rota import allowed_kinds, busy_parts
from assignment.duty.rota_plan import clash
from assignment.models import PoolMember, Provider, ProviderLeave, RotationPool
from legalaid.errors import say

WORDS = {
    "not_member": say("not in the station's duty pool"),
    "kind": say("a kind of provider this station does not take"),
    "inactive": say("not active"),
    "on_leave": say("on leave that day"),
    "other_shift": say("on another shift at that time"),
    "hearing": say("has a hearing of their own at that time"),
    "unknown": say("no such provider"),
}


def why_not(session: Session, shift: DutyShift, provider_id: int) -> str | None:
    """The reason code ``provider_id`` cannot take ``shift``, or None."""
    provider = session.get(Provider, provider_id)
    if provider is None:
        return "unknown"
    rota = session.get(DutyRota, shift.rota_id)
    pool = session.get(RotationPool, rota.pool_id)
    station = session.get(Station, shift.station_id)
    member = session.scalar(
        sa.select(PoolMember.provider_id).where(
            PoolMember.pool_id == pool.id, PoolMember.provider_id == provider_id
        )
    )
    if member is None:
        return "not_member"
    if provider.kind not in allowed_kinds(pool, station):
        return "kind"
    if not provider.active:
        return "inactive"
    on_leave = session.scalar(
        sa.select(ProviderLeave.id).where(
            ProviderLeave.provider_id == provider_id,
            ProviderLeave.starts_on <= shift.on_date,
            ProviderLeave.ends_on >= shift.on_date,
        )
    )
    if on_leave is not None:
        return "on_leave"
    busy = busy_parts(session, [provider_id], shift.on_date, shift.on_date, skip_shift=shift.id)
    return clash(busy, provider_id, shift.on_date, shift.part)


def reason_words(code: str):
    return WORDS.get(code, WORDS["unknown"])
