"""The day itself (issue 14 item 4): the provider checks in and out of their shift on its date (the
centre's clock) and logs the legal help given by kind; the coordinator records a no-show, which
counts as the provider's turn (the turn was counted when the rota was generated and is not given
back, as a declined case is not). Also the provider's own shifts."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.duty.models import LEGAL_HELP_KINDS, DutyRota, DutyShift, DutySwap
from assignment.duty.publish import COORDINATORS, get_shift
from assignment.roles import actor_id, require_role
from legalaid import audit, clock
from legalaid.db import lock_row
from legalaid.errors import Invalid, NotAllowed, NotFound, say


def _own_shift(session: Session, actor, shift_id: int) -> DutyShift:
    require_role(actor, "provider")
    shift = get_shift(session, shift_id)
    if shift.provider_id is None or shift.provider_id != getattr(actor, "provider_id", None):
        raise NotFound(say("No such shift."))
    rota = session.get(DutyRota, shift.rota_id)
    if rota.status != "published":
        raise NotFound(say("No such shift."))
    return lock_row(session, DutyShift, shift_id)


def check_in(session: Session, actor, shift_id: int) -> DutyShift:
    shift = _own_shift(session, actor, shift_id)
    if shift.provider_id != getattr(actor, "provider_id", None):
        raise NotAllowed(say("The shift is no longer yours."))
    if shift.status != "planned":
        raise NotAllowed(
            say("The shift is %(status)s; only a planned shift can be checked in.", status=shift.status)
        )
    if shift.on_date != clock.today():
        raise NotAllowed(say("Check in on the day of the shift (%(day)s).", day=shift.on_date.isoformat()))
    shift.status, shift.checked_in_at = "checked_in", clock.now()
    audit.record(
        session,
        actor,
        "duty_shift.checked_in",
        "duty_shift",
        shift.id,
        {"status": "planned"},
        {"status": "checked_in"},
    )
    return shift


def check_out(
    session: Session, actor, shift_id: int, legal_help: dict[str, int], note: str | None
) -> DutyShift:
    shift = _own_shift(session, actor, shift_id)
    if shift.status != "checked_in":
        raise NotAllowed(say("The shift is %(status)s; check in first.", status=shift.status))
    unknown = set(legal_help) - set(LEGAL_HELP_KINDS)
    if unknown or any(n < 0 for n in legal_help.values()):
        raise Invalid(
            say("The legal help is not valid."), fields={"legal_help": [say("Counts by kind, 0 or more.")]}
        )
    counts = {kind: int(legal_help.get(kind, 0)) for kind in LEGAL_HELP_KINDS}
    shift.status, shift.checked_out_at = "done", clock.now()
    shift.legal_help, shift.note = counts, (note or "").strip() or None
    audit.record(
        session, actor, "duty_shift.checked_out", "duty_shift", shift.id,
        before={"status": "checked_in"}, after={"status": "done", "legal_help": counts},
    )  # fmt: skip
    return shift


def mark_missed(session: Session, actor, shift_id: int) -> DutyShift:
    """A no-show (coordinator): the shift counts as the provider's turn all the same."""
    require_role(actor, *COORDINATORS)
    get_shift(session, shift_id)
    shift = lock_row(session, DutyShift, shift_id)
    rota = session.get(DutyRota, shift.rota_id)
    if rota.status != "published" or shift.provider_id is None:
        raise NotAllowed(say("Only a staffed shift of a published rota can be missed."))
    if shift.status != "planned":
        raise NotAllowed(
            say("The shift is %(status)s; only a planned shift can be missed.", status=shift.status)
        )
    if shift.on_date > clock.today():
        raise NotAllowed(say("The shift has not come yet."))
    shift.status, shift.missed_at, shift.missed_by = "missed", clock.now(), actor_id(actor)
    audit.record(
        session,
        actor,
        "duty_shift.missed",
        "duty_shift",
        shift.id,
        {"status": "planned"},
        {"status": "missed"},
    )
    return shift


def my_shifts(
    session: Session, actor, since: dt.date | None = None
) -> tuple[list[DutyShift], list[DutySwap]]:
    """The provider's shifts of published rotas from ``since`` (default: a week ago), and the swaps
    other providers asked of them."""
    require_role(actor, "provider")
    provider_id = getattr(actor, "provider_id", None)
    if provider_id is None:
        return [], []
    since = since or clock.today() - dt.timedelta(days=7)
    shifts = list(
        session.scalars(
            sa.select(DutyShift)
            .join(DutyRota, DutyRota.id == DutyShift.rota_id)
            .where(
                DutyShift.provider_id == provider_id,
                DutyRota.status == "published",
                DutyShift.on_date >= since,
            )
            .order_by(DutyShift.on_date, DutyShift.part, DutyShift.id)
            .limit(200)
        )
    )
    asked = list(
        session.scalars(
            sa.select(DutySwap)
            .where(DutySwap.to_provider_id == provider_id, DutySwap.status == "asked")
            .order_by(DutySwap.asked_at, DutySwap.id)
            .limit(100)
        )
    )
    return shifts, asked
