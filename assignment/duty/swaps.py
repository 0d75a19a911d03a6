"""Swaps (issue 14 item 3): a provider asks another to take their shift, the other accepts, a
coordinator approves. Both must be eligible and free, checked when asked, accepted and again at the
approval under the shift's lock. A swap moves no rotation turn: counts stay as generated."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.duty import signals
from assignment.duty.eligibility import reason_words, why_not
from assignment.duty.models import OPEN_SWAP_STATUSES, DutyRota, DutyShift, DutySwap
from assignment.duty.publish import COORDINATORS, get_shift
from assignment.roles import actor_id, require_role
from legalaid import audit, clock
from legalaid.db import lock_row
from legalaid.errors import Invalid, NotAllowed, NotFound, say


def _own_provider(actor) -> int:
    require_role(actor, "provider")
    provider_id = getattr(actor, "provider_id", None)
    if provider_id is None:
        raise NotFound(say("No such shift."))
    return provider_id


def get_swap(session: Session, swap_id: int) -> DutySwap:
    swap = session.get(DutySwap, swap_id)
    if swap is None:
        raise NotFound(say("No such swap."))
    return swap


def _require_swappable(session: Session, shift: DutyShift) -> None:
    rota = session.get(DutyRota, shift.rota_id)
    if rota.status != "published":
        raise NotAllowed(say("Swaps are for published rotas."))
    if shift.status != "planned" or shift.on_date < clock.today():
        raise NotAllowed(say("Only a planned shift to come can be swapped."))


def ask_swap(session: Session, actor, shift_id: int, with_provider_id: int) -> DutySwap:
    """The provider of the shift asks ``with_provider_id`` to take it (201)."""
    own = _own_provider(actor)
    shift = get_shift(session, shift_id)
    if shift.provider_id != own:
        raise NotFound(say("No such shift."))
    shift = lock_row(session, DutyShift, shift_id)
    if shift.provider_id != own:
        raise NotAllowed(say("The shift is no longer yours."))
    _require_swappable(session, shift)
    if with_provider_id == own:
        raise Invalid(say("Ask another provider."), fields={"with_provider_id": [say("Another provider.")]})
    reason = why_not(session, shift, with_provider_id)
    if reason is not None:
        raise Invalid(
            say("This provider cannot take the shift: %(reason)s.", reason=reason_words(reason)),
            fields={"with_provider_id": [reason_words(reason)]},
        )
    if session.scalar(
        sa.select(DutySwap.id).where(DutySwap.shift_id == shift.id, DutySwap.status.in_(OPEN_SWAP_STATUSES))
    ):
        raise NotAllowed(say("A swap of this shift is already asked."))
    swap = DutySwap(shift_id=shift.id, from_provider_id=own, to_provider_id=with_provider_id, status="asked")
    session.add(swap)
    session.flush()
    audit.record(
        session, actor, "duty_swap.asked", "duty_swap", swap.id,
        after={"shift_id": shift.id, "from": own, "to": with_provider_id},
    )  # fmt: skip
    return swap


def accept_swap(session: Session, actor, swap_id: int) -> DutySwap:
    """The provider asked accepts; a coordinator still approves."""
    own = _own_provider(actor)
    swap = get_swap(session, swap_id)
    if swap.to_provider_id != own:
        raise NotFound(say("No such swap."))
    swap = lock_row(session, DutySwap, swap_id)
    if swap.status != "asked":
        raise NotAllowed(
            say("The swap is %(status)s; only an asked swap can be accepted.", status=swap.status)
        )
    shift = session.get(DutyShift, swap.shift_id)
    _require_swappable(session, shift)
    reason = why_not(session, shift, own)
    if reason is not None:
        raise NotAllowed(say("You cannot take the shift: %(reason)s.", reason=reason_words(reason)))
    swap.status, swap.accepted_at = "accepted", clock.now()
    audit.record(
        session,
        actor,
        "duty_swap.accepted",
        "duty_swap",
        swap.id,
        {"status": "asked"},
        {"status": "accepted"},
    )
    return swap


def withdraw_swap(session: Session, actor, swap_id: int) -> DutySwap:
    """The asking provider takes the request back before it is approved."""
    own = _own_provider(actor)
    swap = get_swap(session, swap_id)
    if swap.from_provider_id != own:
        raise NotFound(say("No such swap."))
    swap = lock_row(session, DutySwap, swap_id)
    if swap.status not in OPEN_SWAP_STATUSES:
        raise NotAllowed(say("The swap is %(status)s already.", status=swap.status))
    before = swap.status
    swap.status, swap.decided_at = "withdrawn", clock.now()
    audit.record(
        session,
        actor,
        "duty_swap.withdrawn",
        "duty_swap",
        swap.id,
        {"status": before},
        {"status": "withdrawn"},
    )
    return swap


def decide_swap(session: Session, actor, swap_id: int, *, approve: bool = True) -> DutySwap:
    """The coordinator approves (the shift changes hands, no turn moves) or refuses an accepted swap."""
    require_role(actor, *COORDINATORS)
    get_swap(session, swap_id)
    swap = lock_row(session, DutySwap, swap_id)
    if swap.status != "accepted" and (approve or swap.status != "asked"):
        raise NotAllowed(
            say("The swap is %(status)s; only an accepted swap can be approved.", status=swap.status)
        )
    before = swap.status
    if not approve:
        swap.status, swap.decided_at, swap.decided_by = "refused", clock.now(), actor_id(actor)
        audit.record(
            session,
            actor,
            "duty_swap.refused",
            "duty_swap",
            swap.id,
            {"status": before},
            {"status": "refused"},
        )
        return swap
    shift = lock_row(session, DutyShift, swap.shift_id)
    if shift.provider_id != swap.from_provider_id:
        raise NotAllowed(say("The shift has changed hands since the swap was asked."))
    _require_swappable(session, shift)
    reason = why_not(session, shift, swap.to_provider_id)
    if reason is not None:
        raise NotAllowed(
            say("The provider can no longer take the shift: %(reason)s.", reason=reason_words(reason))
        )
    shift.provider_id = swap.to_provider_id
    shift.explanation = {
        **(shift.explanation or {}),
        "swapped": {"from": swap.from_provider_id, "swap_id": swap.id},
    }
    swap.status, swap.decided_at, swap.decided_by = "approved", clock.now(), actor_id(actor)
    audit.record(
        session, actor, "duty_swap.approved", "duty_swap", swap.id,
        before={"status": before, "provider_id": swap.from_provider_id},
        after={"status": "approved", "provider_id": swap.to_provider_id, "shift_id": shift.id},
    )  # fmt: skip
    signals.shift_changed.send(
        session, shift=shift, before_provider_id=swap.from_provider_id, actor=actor, reason="swap"
    )
    return swap


def open_swaps(session: Session, shift_ids: list[int]) -> dict[int, DutySwap]:
    if not shift_ids:
        return {}
    rows = session.scalars(
        sa.select(DutySwap).where(DutySwap.shift_id.in_(shift_ids), DutySwap.status.in_(OPEN_SWAP_STATUSES))
    )
    return {s.shift_id: s for s in rows}
