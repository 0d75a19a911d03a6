"""Supervisors in rotation for a duty (``observation``, ``call``): the one who has waited longest since
their last turn goes next, ties to the lowest user id. A supervisor skipped for a reason of one
hearing (a clash, they assigned the case) keeps their place and goes first next time."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from legalaid.db import is_sqlite
from legalaid.models import User, UserRole
from supervision.scheduling.models import RotaCounter, SupervisorTurn


def _insert(session: Session, model):
    if is_sqlite(session):
        from sqlalchemy.dialects.sqlite import insert
    else:
        from sqlalchemy.dialects.postgresql import insert
    return insert(model)


def supervisors(session: Session) -> list[int]:
    """Every active supervisor's user id."""
    return list(
        session.scalars(
            sa.select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == "supervisor", User.active.is_(True))
            .order_by(User.id)
        )
    )


def users_with_role(session: Session, *roles: str) -> list[int]:
    return list(
        session.scalars(
            sa.select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role.in_(roles), User.active.is_(True))
            .distinct()
            .order_by(User.id)
        )
    )


def _next_seq(session: Session, duty: str) -> int:
    # Two picks at once must not both read the same order: bumping the duty's counter locks its row
    # until commit (PostgreSQL; SQLite already holds the write lock), so picks queue here.
    # Core statements on the tables (no ORM objects of these tables are ever loaded): no ORM
    # bulk-DML machinery for a one-row write.
    counter = RotaCounter.__table__
    seq = session.execute(_bump_statement(), {"b_duty": duty}).scalar()
    if seq is None:
        session.execute(_insert(session, counter).values(duty=duty, last_seq=0).on_conflict_do_nothing())
        seq = session.execute(_bump_statement(), {"b_duty": duty}).scalar_one()
    return seq


# The statements of every pick are built once, with bound parameters: building one costs several
# times what executing its cached compiled form does.
@cache
def _bump_statement():
    counter = RotaCounter.__table__
    return (
        sa.update(counter)
        .where(counter.c.duty == sa.bindparam("b_duty"))
        .values(last_seq=counter.c.last_seq + 1)
        .returning(counter.c.last_seq)
    )


@cache
def _order_statement():
    return (
        sa.select(User.id, User.provider_id, User.locale)
        .join(UserRole, UserRole.user_id == User.id)
        .outerjoin(
            SupervisorTurn,
            (SupervisorTurn.user_id == User.id) & (SupervisorTurn.duty == sa.bindparam("duty")),
        )
        .where(UserRole.role == "supervisor", User.active.is_(True))
        .order_by(sa.func.coalesce(SupervisorTurn.last_seq, 0), User.id)
    )


@cache
def _turn_statement(sqlite: bool):
    if sqlite:
        from sqlalchemy.dialects.sqlite import insert
    else:
        from sqlalchemy.dialects.postgresql import insert
    turn = SupervisorTurn.__table__
    return insert(turn).on_conflict_do_update(
        index_elements=["user_id", "duty"],
        set_={"last_seq": sa.bindparam("b_last_seq"), "turns": turn.c.turns + 1},
    )


class Pick(NamedTuple):
    user_id: int | None
    skipped: list[dict]
    locale: str | None = None  # the picked supervisor's language, for their reminders


def pick_supervisor(
    session: Session,
    duty: str,
    skip: Callable[[int], str | None] = lambda user_id: None,
    *,
    own_provider_id: int | None = None,
) -> Pick:
    """The next supervisor for ``duty`` for whom ``skip`` gives no reason (never one whose own provider
    record is ``own_provider_id``), and who was passed over before them with the reason. Takes the
    turn (commits with the caller's transaction)."""
    seq = _next_seq(session, duty)
    order = session.execute(_order_statement(), {"duty": duty})
    skipped: list[dict] = []
    for user_id, provider_id, locale in order:
        reason = (
            "own_case" if own_provider_id is not None and provider_id == own_provider_id else skip(user_id)
        )
        if reason is None:
            _record_turn(session, duty, user_id, seq)
            return Pick(user_id, skipped, locale)
        skipped.append({"user_id": user_id, "reason": reason})
    return Pick(None, skipped)


def _record_turn(session: Session, duty: str, user_id: int, seq: int) -> None:
    session.execute(
        _turn_statement(is_sqlite(session)),
        {"user_id": user_id, "duty": duty, "last_seq": seq, "turns": 1, "b_last_seq": seq},
    )
