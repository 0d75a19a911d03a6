"""The panel's part of ``legalaid demo``: a district's firms, offices and about 60 providers."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from flask import Flask
from sqlalchemy.orm import Session

from assignment.models import Organization, Provider
from legalaid import clock
from legalaid.hooks import add_demo_step

AREAS = ["城关街道", "东城街道", "西湖镇", "南山镇", "北岭乡"]
BANKS = ["中国工商银行城关支行", "中国农业银行东城支行", "中国建设银行西湖支行", "农村商业银行南山支行"]
LAW_FIRMS = ["明德律师事务所", "正衡律师事务所", "中和律师事务所", "天平律师事务所"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "华",
    "建国",
    "志强",
    "海燕",
    "春梅",
    "晓东",
    "文博",
    "子涵",
    "国平",
    "立新",
    "红梅",
    "德明",
]


def _names(rng: random.Random, n: int) -> list[str]:
    seen: set[str] = set()
    while len(seen) < n:
        seen.add(rng.choice(SURNAMES) + rng.choice(GIVEN))
    return sorted(seen, key=lambda s: rng.random())


def build_panel(session: Session, progress) -> None:
    from assignment.panel import seal_bank_account
    from legalaid.demo import demo_password_hash
    from legalaid.models import User, UserRole

    rng = random.Random(2026)
    today = clock.today()
    firms = [
        Organization(name=n, kind="law_firm", area=AREAS[i % len(AREAS)]) for i, n in enumerate(LAW_FIRMS)
    ]
    offices = [
        Organization(
            name=f"{AREAS[i % len(AREAS)]}第{i // len(AREAS) + 1}法律服务所",
            kind="legal_service_office",
            area=AREAS[i % len(AREAS)],
        )
        for i in range(15)
    ]
    centre = Organization(name="县法律援助中心", kind="centre", area=AREAS[0])
    session.add_all([*firms, *offices, centre])
    session.flush()
    names = iter(_names(rng, 70))
    providers: list[Provider] = []
    for firm in firms:
        for _ in range(rng.randint(7, 9)):
            years = rng.choice([1, 2, 3, 4, 6, 8, 12, 15, 20])
            providers.append(
                Provider(
                    name=next(names),
                    kind="lawyer",
                    organization_id=firm.id,
                    practice_since=today - dt.timedelta(days=365 * years + rng.randint(0, 300)),
                    max_open_cases=rng.choice([8, 10, 12, 15]),
                    prior_legal_aid_cases=rng.choice([0, 3, 10, 25]),
                )
            )
    for office in offices:
        for _ in range(2):
            providers.append(
                Provider(
                    name=next(names),
                    kind="legal_adviser",
                    organization_id=office.id,
                    practice_since=today - dt.timedelta(days=365 * rng.randint(1, 15)),
                    max_open_cases=rng.choice([5, 6, 8]),
                    prior_legal_aid_cases=rng.choice([0, 5, 12]),
                )
            )
    providers.append(
        Provider(
            name=next(names),
            kind="lawyer",
            organization_id=centre.id,
            practice_since=today - dt.timedelta(days=365 * 10),
            max_open_cases=15,
            prior_legal_aid_cases=40,
        )
    )
    # Every provider's subsidy is paid to their own account (a payment batch needs one for each).
    banks = random.Random(6222)
    for provider in providers:
        provider.bank_name = banks.choice(BANKS)
        provider.bank_account_stored = seal_bank_account(f"6222{banks.randint(10**14, 10**15 - 1)}")
    session.add_all(providers)
    session.flush()
    pw = demo_password_hash()
    for i, provider in enumerate(providers, 1):
        prefix = "lawyer" if provider.kind == "lawyer" else "adviser"
        session.add(
            User(
                username=f"{prefix}{i:02d}",
                password_hash=pw,
                display_name=provider.name,
                provider_id=provider.id,
                email=f"{prefix}{i:02d}@demo.legalaid.local",
                role_rows=[UserRole(role="provider")],
            )
        )
    session.flush()
    progress(f"  {len(firms)} law firms, {len(offices)} legal service offices, {len(providers)} providers")


CIVIL_CAUSES = [
    ("wage_arrears", 40),
    ("work_injury", 18),
    ("labour_contract", 8),
    ("traffic_accident", 8),
    ("marriage_family", 8),
    ("maintenance", 5),
    ("personal_injury", 5),
    ("medical_dispute", 3),
    ("contract", 3),
    ("inheritance", 2),
]
CHARGES = ["盗窃罪", "故意伤害罪", "诈骗罪", "危险驾驶罪", "寻衅滋事罪", "故意杀人罪"]
EMPLOYERS = ["某建筑劳务有限公司", "某电子厂", "某物流公司", "某餐饮管理公司", "某装饰工程队"]


def build_pools_and_cases(session: Session, progress) -> None:
    """Three pools and a year of cases (~90% civil, mostly migrant workers' wage and injury claims),
    in every state up to in_progress, assigned through the real rotation service."""
    import sqlalchemy as sa

    from assignment.intake import (
        decide_application,
        register_case,
        request_materials,
        waiver_ground,
        withdraw_case,
    )
    from assignment.pools import create_pool, set_pool_member
    from assignment.rotation import accept_assignment, assign_by_rotation, decline_assignment
    from legalaid.errors import NotAllowed
    from legalaid.models import User

    rng = random.Random(2027)
    today = clock.today()
    coord = session.scalars(sa.select(User).where(User.username == "coord")).one()
    providers = session.scalars(sa.select(Provider).order_by(Provider.id)).all()
    pools = [
        create_pool(session, "民事轮候池", ["civil"], ["lawyer", "legal_adviser"], None),
        create_pool(session, "刑事轮候池", ["criminal"], ["lawyer"], None),
        create_pool(
            session,
            "行政与非诉轮候池",
            ["administrative", "non_litigation"],
            ["lawyer", "legal_adviser"],
            None,
        ),
    ]
    for pool in pools:
        for provider in providers:
            if provider.kind in pool.provider_kinds:
                weight = 0.5 if provider.max_open_cases <= 6 else 1.0  # part-time advisers
                set_pool_member(session, pool, provider, None, weight=weight)
    causes = [c for c, n in CIVIL_CAUSES for _ in range(n)]
    n_cases, counts = 320, {"assigned": 0}
    previous_criminal = []
    started, machine_started = clock.now(), clock.machine_now()
    try:
        for i in range(n_cases):
            received = today - dt.timedelta(days=int(365 * (n_cases - i) / n_cases))
            # Each case is handled on its own days, so its history, deadlines and the charts spread over
            # the year: received in office hours, decided that day, assigned and accepted a day or two on.
            days_ago = (today - received).days
            at_desk = clock.local_moment(received, dt.time(8, 30)) + dt.timedelta(minutes=rng.randint(0, 480))
            clock.travel_to(min(at_desk, started))
            roll = rng.random()
            case_type = (
                "civil"
                if roll < 0.9
                else "criminal"
                if roll < 0.95
                else rng.choice(["administrative", "non_litigation"])
            )
            data = {
                "case_type": case_type,
                "received_on": received,
                "intake_point": rng.choice(AREAS),
                "applicant": {
                    "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                    "id_number": f"4301{rng.randint(10**13, 10**14 - 1)}",
                    "phone": f"138{rng.randint(10**7, 10**8 - 1)}",
                    "categories": [],
                },
            }
            if case_type == "civil":
                data["cause"] = rng.choice(causes)
                if data["cause"] in ("wage_arrears", "work_injury", "labour_contract"):
                    data["applicant"]["categories"] = ["migrant_worker"]
                    data["opposing_party"] = rng.choice(EMPLOYERS)
                    data["group_size"] = rng.choice([1, 1, 1, 1, 3, 12])
                elif rng.random() < 0.2:
                    data["applicant"]["categories"] = [
                        rng.choice(["elderly", "disabled", "domestic_violence"])
                    ]
            elif case_type == "criminal":
                data["cause"] = rng.choice(CHARGES)
                data["source"] = "notification"
                data["juvenile"] = rng.random() < 0.15
                data["max_sentence"] = "life" if data["cause"] == "故意杀人罪" else None
                if previous_criminal and rng.random() < 0.4:
                    data["previous_case_id"] = previous_criminal.pop(0)
                    data["stage"] = "trial"
                else:
                    data["stage"] = rng.choice(["investigation", "prosecution", "trial"])
            else:
                data["cause"] = (
                    "administrative_act"
                    if case_type == "administrative"
                    else rng.choice(["contract", "other"])
                )
            case = register_case(session, data, coord)
            fate = rng.random()
            if case.status == "applied":
                # Left undecided: received this past week (decide within 7 days, so one or two are
                # overdue); missing materials asked for within the 15 days allowed to supply them.
                if days_ago <= 8 and fate < 0.5:
                    continue
                if days_ago <= 14 and fate < 0.65:
                    request_materials(session, case, ["收入状况证明", "劳动关系证明"], coord, on=received)
                    continue
                if fate < 0.05:
                    decide_application(
                        session, case, coord, approved=False, reason="经济状况不符合标准", on=received
                    )
                    continue
                if fate < 0.08:
                    withdraw_case(session, case, coord, reason="申请人撤回")
                    continue
                basis = "waived" if waiver_ground(case) else "checked"
                decide_application(session, case, coord, approved=True, means_test=basis, on=received)
            if days_ago <= 3 and rng.random() < 0.4:
                continue  # accepted, waiting for assignment (assign within 3 days)
            clock.travel_to(min(at_desk + dt.timedelta(days=rng.choice([0, 1, 1, 2]), hours=1), started))
            try:
                assignment = assign_by_rotation(session, case, coord)
            except NotAllowed:
                continue
            counts["assigned"] += 1
            actor = type("DemoProvider", (), {"id": None, "provider_id": assignment.provider_id})()
            if rng.random() < 0.04:
                decline_assignment(session, assignment, rng.choice(["conflict", "unavailable"]), actor)
                try:
                    assignment = assign_by_rotation(session, case, coord)
                except NotAllowed:
                    continue
            # Offered in the past two days and not answered yet (answer within 2 days); the rest accepted
            # within hours.
            if not (clock.now() > started - dt.timedelta(days=2) and rng.random() < 0.5):
                clock.travel_to(min(clock.now() + dt.timedelta(hours=rng.randint(2, 30)), started))
                accept_assignment(session, assignment, None)
                if case.case_type == "criminal" and case.stage != "trial":
                    previous_criminal.append(case.id)
            session.commit()
    finally:  # back to the centre's own time
        clock.travel_to(started + (clock.machine_now() - machine_started))
    session.commit()
    progress(f"  3 rotation pools, {n_cases} cases over a year ({counts['assigned']} assigned by rotation)")


# What a top-up case is about, per type (criminal cases name the charge).
TOP_UP_CAUSES = {
    "civil": "wage_arrears",
    "administrative": "administrative_act",
    "non_litigation": "labour_contract",
    "criminal": "盗窃罪",
}


def cases_in_progress(
    session: Session,
    rng: random.Random,
    want: int,
    assigner,
    *,
    case_types: Sequence[str] = ("civil",),
    accepted_days_ago: Sequence[int] = (7,),
) -> list:
    """Cases in progress for the supervision demos (hearings, calls, closing): those this demo left
    with an accepted live assignment, topped up with new ones when there are fewer than ``want``. A
    top-up case is numbered by the intake's counter, counts in its provider's open cases, and is
    accepted through the real transition (audited; calls and the pending subsidy follow from it)."""
    import sqlalchemy as sa

    from assignment.intake import case_number
    from assignment.models import Assignment, Case
    from assignment.rotation import accept_assignment
    from legalaid.demo import on_day

    live = sa.and_(Assignment.case_id == Case.id, Assignment.live.is_(True))
    cases = list(
        session.scalars(
            sa.select(Case)
            .join(Assignment, live)
            .where(Case.status == "in_progress", Assignment.status == "accepted")
            .order_by(Case.id)
            .limit(want)
        )
    )
    providers = list(
        session.scalars(sa.select(Provider).where(Provider.kind == "lawyer").order_by(Provider.id))
    )
    while len(cases) < want and providers:
        case_type = rng.choice(case_types)
        criminal = case_type == "criminal"
        accepted = clock.now() - dt.timedelta(days=rng.choice(accepted_days_ago))
        seq, number = case_number(session, accepted.year, case_type)
        case = Case(
            number=number,
            year=accepted.year,
            seq=seq,
            case_type=case_type,
            cause=TOP_UP_CAUSES[case_type],
            status="assigned",
            received_on=accepted.date() - dt.timedelta(days=5),
            applicant_name=rng.choice("王李张刘陈杨赵黄")
            + rng.choice(["某", "小", "建"])
            + rng.choice("明华强丽军"),
            applicant_id_number=f"3301{rng.randint(10**13, 10**14 - 1)}",
            applicant_phone=f"138{rng.randint(10**7, 10**8 - 1)}",
            contact_name="家属 " + rng.choice("王李张") if criminal else None,
            contact_phone=f"139{rng.randint(10**7, 10**8 - 1)}" if criminal else None,
            stage="trial" if criminal else None,
            group_size=12 if rng.random() < 0.1 else 1,
            major=rng.random() < 0.1,
            decided_on=accepted.date() - dt.timedelta(days=2),
        )
        session.add(case)
        session.flush()
        provider = rng.choice(providers)
        assignment = Assignment(
            case_id=case.id,
            provider_id=provider.id,
            mode="rotation",
            status="offered",
            live=True,
            assigned_by=getattr(assigner, "id", None),
            assigned_at=accepted - dt.timedelta(hours=20),
            respond_by=accepted + dt.timedelta(days=1),
            explanation={},
        )
        session.add(assignment)
        provider.open_cases += 1
        session.flush()
        with on_day(accepted):  # the acceptance's history reads its own day
            accept_assignment(session, assignment, None, now=accepted)
        cases.append(case)
    return cases


def register(app: Flask) -> None:
    add_demo_step(app, "panel: organisations and providers", build_panel, order=10)
    add_demo_step(app, "intake: pools and a year of cases", build_pools_and_cases, order=20)
    from assignment.consultations_demo import build_front_desk

    add_demo_step(app, "front desk: stations and a year of consultations", build_front_desk, order=25)
    from assignment.duty import demo as duty_demo

    duty_demo.register(app)
