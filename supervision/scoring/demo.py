"""Closing and scoring's part of ``legalaid demo``: closed files with score sheets in every state
(awaiting marking, a draft, second and third marking, final, accepted, under appeal, appeal decided)
and a year of final scores for the quality report."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from assignment.demo import cases_in_progress
from assignment.models import Assignment, Case
from legalaid import clock
from legalaid.demo import on_day
from legalaid.hooks import add_demo_step
from legalaid.models import User, UserRole
from supervision.scoring import appeals, checklists, closing, files, sheets
from supervision.scoring.models import ScoreFile

DEDUCTION_NOTES = [
    "会见笔录缺受援人签名",
    "证据清单未编号",
    "代理词未回应对方主要观点",
    "未及时告知受援人开庭时间",
    "阅卷笔录过于简略",
    "庭前准备不足，质证意见不完整",
]


def _login(session: Session, provider_id: int) -> User:
    user = session.scalars(sa.select(User).where(User.provider_id == provider_id)).first()
    if user is None:
        from legalaid.demo import demo_password_hash

        user = User(
            username=f"provider{provider_id:03d}",
            password_hash=demo_password_hash(),
            provider_id=provider_id,
            role_rows=[UserRole(role="provider")],
        )
        session.add(user)
        session.flush()
    return user


def _close(session: Session, case: Case, rng: random.Random, ended_on: dt.date, late: bool) -> dt.date:
    """Close the case as its provider; answers the day it ended (never before it was assigned)."""
    provider_id = session.scalar(
        sa.select(Assignment.provider_id).where(Assignment.case_id == case.id, Assignment.live.is_(True))
    )
    login = _login(session, provider_id)
    assigned_on = clock.local_date(
        session.scalar(sa.select(Assignment.assigned_at).where(Assignment.case_id == case.id))
    )
    today = clock.today()
    ended_on = min(max(ended_on, assigned_on + dt.timedelta(days=10), case.received_on), today)
    required = closing.required_documents(case.case_type)
    closed_on = min(ended_on + dt.timedelta(days=rng.randint(1, 10)), today)
    with on_day(closed_on, dt.time(15)):  # the file's history reads the day it was closed
        closing.close_case(
            session,
            case,
            login,
            ended_on=ended_on,
            outcome=rng.choice(["judgment", "mediation", "settlement"]),
            documents=required if not late else required[:-1],
            retainer_signed_on=min(assigned_on + dt.timedelta(days=rng.choice([1, 2, 3, 4, 8])), ended_on),
            today=closed_on,
        )
    handed_in_on = min(ended_on + dt.timedelta(days=38), today)
    if late and handed_in_on > ended_on + dt.timedelta(days=30):
        with on_day(handed_in_on, dt.time(11)):
            closing.hand_in_documents(session, case, login, required[-1:], today=handed_in_on)
    return ended_on


def _items(session: Session, case_id: int, rng: random.Random, target: float) -> list[dict]:
    """Points adding up to ``target``: small deductions spread over random items, each with a note."""
    checklist = files.pinned_checklist(session, session.get(ScoreFile, case_id))
    deduct = Decimal(str(round(100 - target, 1)))
    taken = {item.code: Decimal(0) for item in checklist.items}
    order = sorted(checklist.items, key=lambda i: rng.random())
    for cap in (Decimal(rng.randint(1, 6)), Decimal(100)):
        for item in order:
            take = min(deduct, item.max_points - taken[item.code], cap)
            taken[item.code] += take
            deduct -= take
    items = []
    for item in checklist.items:
        entry = {"code": item.code, "points": item.max_points - taken[item.code]}
        if taken[item.code]:
            entry["note"] = rng.choice(DEDUCTION_NOTES)
        elif item.auto:
            entry["note"] = "已核对系统建议分"  # the scorer's own reading may differ from the suggestion
        items.append(entry)
    return items


def _mark(session, case, scorer, rng, target, today, veto=None):
    with on_day(today, dt.time(9 + case.id % 8, case.id * 7 % 60)):  # marked that day
        sheet = sheets.create_score_sheet(
            session,
            case.id,
            scorer,
            items=_items(session, case.id, rng, target),
            vetoes=[veto] if veto else [],
            veto_note="回访核实" if veto else "已核对回访记录",
        )
        return sheets.submit_score_sheet(session, sheet, scorer, today=today)


def build_scoring(session: Session, progress) -> None:
    checklists.seed_default_checklists(session)
    rng = random.Random(4040)
    staff = {u.username: u for u in session.scalars(sa.select(User).where(User.username.like("sup%")))}
    sups = [staff[n] for n in ("sup", "sup2", "sup3") if n in staff]
    assigner = session.scalars(sa.select(User).where(User.username == "coord")).first()
    if len(sups) < 3:
        progress("  skipped: the demo needs the supervisors sup, sup2 and sup3")
        return
    a, b, c = sups
    today = clock.today()
    types = ("civil", "civil", "criminal", "administrative", "non_litigation")
    cases = cases_in_progress(session, rng, 60, assigner, case_types=types, accepted_days_ago=range(60, 401))
    if len(cases) < 14:
        progress("  skipped: not enough cases in progress")
        return

    # A year of history for the quality report: final scores finalised month by month.
    history, current = cases[:46], cases[46:]
    for i, case in enumerate(history):
        finalised = today - dt.timedelta(days=20 + (i * 330) // len(history))
        ended_on = _close(
            session, case, rng, finalised - dt.timedelta(days=rng.randint(10, 25)), late=i % 7 == 0
        )
        finalised = min(max(finalised, ended_on + dt.timedelta(days=5)), today)
        session.get(ScoreFile, case.id).in_sample = False
        target = rng.choice([95, 92, 88, 85, 83, 78, 72, 66, 91, 86])
        _mark(session, case, (a, b, c)[i % 3], rng, target, finalised)
        file = session.get(ScoreFile, case.id)
        if i % 2:
            file.accepted_at = file.finalised_at

    recent = today - dt.timedelta(days=12)
    for i, case in enumerate(current):
        _close(session, case, rng, recent - dt.timedelta(days=i), late=i == 2)
        session.get(ScoreFile, case.id).in_sample = False
    (
        _awaiting_marking,
        draft_file,
        second_file,
        third_file,
        mean_file,
        window_file,
        accepted_file,
        appealed_file,
        upheld_file,
        revised_file,
        veto_file,
        *_more_awaiting_marking,
    ) = current
    sheets.create_score_sheet(session, draft_file.id, a, items=_items(session, draft_file.id, rng, 84))
    _mark(session, second_file, a, rng, 55, today)  # 不合格 → second marker
    session.get(ScoreFile, third_file.id).in_sample = True
    _mark(session, third_file, a, rng, 93, today)
    _mark(session, third_file, b, rng, 79, today)  # 14 apart → third marker
    session.get(ScoreFile, mean_file.id).in_sample = True
    _mark(session, mean_file, b, rng, 86, today - dt.timedelta(days=3))
    _mark(session, mean_file, c, rng, 82, today - dt.timedelta(days=3))  # mean 84.0
    _mark(session, window_file, c, rng, 88, today - dt.timedelta(days=2))
    _mark(session, accepted_file, a, rng, 91, today - dt.timedelta(days=5))
    with on_day(today - dt.timedelta(days=4), dt.time(16)):
        appeals.accept_score(
            session, accepted_file.id, _login(session, session.get(ScoreFile, accepted_file.id).provider_id)
        )
    for file_case, target in ((appealed_file, 74), (upheld_file, 69), (revised_file, 77)):
        _mark(session, file_case, a, rng, target, today - dt.timedelta(days=6))
        login = _login(session, session.get(ScoreFile, file_case.id).provider_id)
        with on_day(today - dt.timedelta(days=4), dt.time(17)):
            appeals.appeal_score(session, file_case.id, login, "庭审表现的扣分与旁听评价不符，请复核。")
    with on_day(today - dt.timedelta(days=1), dt.time(10)):
        appeals.decide_appeal(
            session, upheld_file.id, c, outcome="upheld", reason="扣分有案卷依据，维持原评分。"
        )
        sheet = sheets.create_score_sheet(
            session, revised_file.id, b, items=_items(session, revised_file.id, rng, 83)
        )
        appeals.decide_appeal(
            session, revised_file.id, b, outcome="revised", reason="旁听评价良好，出庭项改判。", sheet=sheet
        )
    _mark(session, veto_file, b, rng, 90, today, veto="stopped_work")
    session.flush()
    counts = dict(
        session.execute(sa.select(ScoreFile.status, sa.func.count()).group_by(ScoreFile.status)).all()
    )
    progress(
        f"  {len(cases)} closed files; score status: "
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    )


def register(app: Flask) -> None:
    add_demo_step(app, "scoring: closed files and score sheets", build_scoring, order=40)
