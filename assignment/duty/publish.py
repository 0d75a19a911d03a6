"""A rota from draft to published, and the coordinator's changes to a shift: reassigning it (before
or after publishing) and reading a rota. After publishing a shift's provider changes only by an
approved swap (``swaps``) or a reassignment here, both audited."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.duty import signals
from assignment.duty.eligibility import reason_words, why_not
from assignment.duty.models import DutyRota, DutyShift
from assignment.roles import actor_id, require_role
from legalaid import audit, clock
from legalaid.db import lock_row
from legalaid.errors import Invalid, NotAllowed, NotFound, say

COORDINATORS = ("coordinator",)


def get_rota(session: Session, rota_id: int) -> DutyRota:
    rota = session.get(DutyRota, rota_id)
    if rota is None:
        raise NotFound(say("No such rota."))
    return rota


def rota_shifts(session: Session, rota_id: int) -> list[DutyShift]:
    return list(
        session.scalars(
            sa.select(DutyShift)
            .where(DutyShift.rota_id == rota_id)
            .order_by(DutyShift.on_date, DutyShift.part, DutyShift.id)
        )
    )


def live_rota(session: Session, station_id: int, month: str) -> DutyRota | None:
    return session.scalar(
        sa.select(DutyRota).where(
            DutyRota.station_id == station_id, DutyRota.month == month, DutyRota.status != "superseded"
        )
    )


def publish_rota(session: Session, actor, rota_id: int) -> DutyRota:
    """Draft → published: the providers are told and the shifts join their calendar feed."""
    require_role(actor, *COORDINATORS)
    get_rota(session, rota_id)
    rota = lock_row(session, DutyRota, rota_id)
    if rota.status != "draft":
        raise NotAllowed(say("The rota is %(status)s; only a draft can be published.", status=rota.status))
    rota.status, rota.published_at, rota.published_by = "published", clock.now(), actor_id(actor)
    providers = sorted(
        set(
            session.scalars(
                sa.select(DutyShift.provider_id).where(
                    DutyShift.rota_id == rota.id, DutyShift.provider_id.is_not(None)
                )
            )
        )
    )
    audit.record(
        session, actor, "duty_rota.published", "duty_rota", rota.id,
        before={"status": "draft"}, after={"status": "published", "providers": len(providers)},
    )  # fmt: skip
    signals.rota_published.send(session, rota=rota, provider_ids=providers, actor=actor)
    return rota


def get_shift(session: Session, shift_id: int) -> DutyShift:
    shift = session.get(DutyShift, shift_id)
    if shift is None:
        raise NotFound(say("No such shift."))
    return shift


def reassign_shift(session: Session, actor, shift_id: int, provider_id: int) -> DutyShift:
    """The coordinator gives a shift (or fills a gap) to another eligible, free provider. The new
    provider's turn is not counted (a designated change, as a designated assignment)."""
    require_role(actor, *COORDINATORS)
    get_shift(session, shift_id)
    shift = lock_row(session, DutyShift, shift_id)
    rota = lock_row(session, DutyRota, shift.rota_id)
    if rota.status == "superseded" or shift.status != "planned":
        raise NotAllowed(say("Only a planned shift of a live rota can be reassigned."))
    if shift.on_date < clock.today():
        raise NotAllowed(say("The shift is past."))
    if provider_id == shift.provider_id:
        raise Invalid(say("The shift is theirs already."), fields={"provider_id": [say("Another provider.")]})
    reason = why_not(session, shift, provider_id)
    if reason is not None:
        raise Invalid(
            say("This provider cannot take the shift: %(reason)s.", reason=reason_words(reason)),
            fields={"provider_id": [reason_words(reason)]},
        )
    before = shift.provider_id
    shift.provider_id = provider_id
    shift.explanation = {**(shift.explanation or {}), "reassigned": {"from": before, "by": actor_id(actor)}}
    audit.record(
        session, actor, "duty_shift.reassigned", "duty_shift", shift.id,
        before={"provider_id": before}, after={"provider_id": provider_id},
    )  # fmt: skip
    if rota.status == "published":
        signals.shift_changed.send(
            session, shift=shift, before_provider_id=before, actor=actor, reason="reassigned"
        )
    return shift
