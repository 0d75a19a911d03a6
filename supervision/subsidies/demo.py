"""The subsidies' part of ``legalaid demo`` (after scoring's): archived files, payable, batched and
paid subsidies, a held one and a reversal, all made through the service functions."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from assignment.models import Case
from legalaid import clock
from legalaid.demo import on_day
from legalaid.errors import DomainError
from legalaid.hooks import add_demo_step
from legalaid.models import User, UserRole


def _first_user(session: Session, role: str, preferred: str) -> User | None:
    user = session.scalar(sa.select(User).where(User.username == preferred))
    if user is not None and user.has_role(role):
        return user
    return session.scalar(
        sa.select(User).join(UserRole).where(UserRole.role == role).order_by(User.id).limit(1)
    )


def _make_after_closing_calls(session: Session, supervisor: User, case_ids: list[int]) -> None:
    """Most files' satisfaction call has been made by now (scheduling's demo ran before closing)."""
    try:
        from supervision.scheduling.models import FollowUpCall
        from supervision.scheduling.services import record_call_attempt
    except ImportError:
        return
    calls = session.scalars(
        sa.select(FollowUpCall)
        .where(
            FollowUpCall.case_id.in_(case_ids),
            FollowUpCall.purpose == "after_closing",
            FollowUpCall.status.in_(("planned", "retrying")),
        )
        .order_by(FollowUpCall.id)
    ).all()
    for i, call in enumerate(calls):
        if i % 7 == 6:
            continue  # a few are still to be made: those files wait
        try:
            with session.begin_nested():
                record_call_attempt(
                    session, supervisor, call, reached=True, satisfaction="satisfied", took_money=False
                )
        except DomainError:
            pass


def _archive_day(session: Session, case_id: int) -> dt.date:
    """A file is archived after its score settles (the appeal window closed), on a day of the last three
    weeks (the demo's backlog, cleared lately), not all on the day the demo is loaded: the subsidies
    then wait days, not months, as a real centre's do."""
    from supervision.scoring.models import ScoreFile

    file = session.get(ScoreFile, case_id)
    settled = file.accepted_at or (file.finalised_at and file.finalised_at + dt.timedelta(days=11))
    lately = clock.today() - dt.timedelta(days=21 - case_id % 18)
    return max(clock.local_date(settled) + dt.timedelta(days=1), lately) if settled else clock.today()


def build_subsidies(session: Session, progress) -> None:
    from supervision.subsidies.archive import archive_case, archive_missing
    from supervision.subsidies.batches import confirm_batch, create_payment_batch
    from supervision.subsidies.models import Subsidy
    from supervision.subsidies.subsidies import hold_subsidy, reverse_subsidy

    supervisor = _first_user(session, "supervisor", "sup")
    clerk = _first_user(session, "finance", "finance")
    if supervisor is None or clerk is None:
        progress("  no supervisor or finance login; subsidies skipped")
        return
    archived = 0
    closed = session.scalars(sa.select(Case).where(Case.status == "closed").order_by(Case.id)).all()
    _make_after_closing_calls(session, supervisor, [c.id for c in closed])
    for case in closed:
        if archive_missing(session, case):
            continue
        try:
            with session.begin_nested(), on_day(_archive_day(session, case.id), dt.time(14)):
                archive_case(session, supervisor, case.id)
            archived += 1
        except DomainError as exc:
            progress(f"  case {case.number} not archived: {exc.message}")
    session.commit()
    # Oldest first: the first batch took the files archived earliest, the open one the latest.
    payable = list(
        session.execute(
            sa.select(Subsidy.id, Subsidy.archived_on)
            .where(Subsidy.status == "payable")
            .order_by(Subsidy.archived_on, Subsidy.id)
        )
    )
    progress(f"  {archived} files archived, {len(payable)} subsidies payable")
    if len(payable) < 4:
        return
    ids = [row.id for row in payable]
    archived_on = {row.id: row.archived_on or clock.today() for row in payable}
    held, to_pay, to_batch = ids[0], ids[1 : len(ids) // 2], ids[len(ids) // 2 :][:5]
    # Each step on its own day after the files it takes were archived (never at the load moment).
    with on_day(archived_on[held] + dt.timedelta(days=1), dt.time(11)):
        hold_subsidy(session, supervisor, held, "客户投诉待核实")
    batch_day = max(archived_on[i] for i in to_pay) + dt.timedelta(days=1)
    with on_day(batch_day, dt.time(9, 30)):
        paid_batch = create_payment_batch(session, clerk, to_pay)
    paid_on = batch_day + dt.timedelta(days=2)  # a bank pays a batch on or after the day it is made
    failed = to_pay[-1:] if len(to_pay) > 2 else []
    with on_day(paid_on, dt.time(16)):
        confirm_batch(
            session,
            clerk,
            paid_batch.id,
            bank_reference=f"ICBC-{min(paid_on, clock.today()):%Y%m%d}-0001",
            paid_on=min(paid_on, clock.today()),
            failed_ids=failed,
        )
    with on_day(paid_on + dt.timedelta(days=3), dt.time(10, 15)):
        reverse_subsidy(session, clerk, to_pay[0], "重复计算关联案件补贴", 10000)
    open_batch = None
    if to_batch:
        with on_day(max(archived_on[i] for i in to_batch) + dt.timedelta(days=1), dt.time(15)):
            open_batch = create_payment_batch(session, clerk, to_batch)
    session.commit()
    waiting = f"batch {open_batch.id} awaiting the bank, " if open_batch else ""
    progress(
        f"  batch {paid_batch.id} paid ({len(to_pay) - len(failed)} subsidies, "
        f"{len(failed)} rejected by the bank), {waiting}one held, one reversal"
    )


def register(app: Flask) -> None:
    add_demo_step(
        app, "subsidies: archived files, payment batches, a hold and a reversal", build_subsidies, order=50
    )
