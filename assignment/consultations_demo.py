"""The front desk's part of ``legalaid demo``: four stations and a year of consultations in a district
centre's proportions (most by the 12348 hotline; causes led by wages, work injury and family matters;
about one in ten becomes an application, linked to the demo's cases)."""

from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment import consultations, stations
from assignment.consultations_models import Consultation
from assignment.demo import GIVEN, SURNAMES
from assignment.models import Case
from legalaid import audit, clock

STATIONS = [
    ("新桥镇法律援助工作站", "township", "新桥镇", "周一至周五 8:30–17:00"),
    ("区人民法院法律援助工作站", "court", "城关街道", "工作日 9:00–17:00"),
    ("区看守所值班律师工作站", "detention_centre", "东城街道", "工作日 9:00–16:30"),
    ("区劳动人事争议仲裁院工作站", "labour_arbitration", "城关街道", "周一、三、五 9:00–12:00"),
]
CHANNEL_WEIGHTS = [("hotline", 70), ("visit", 20), ("online", 4), ("letter", 3), ("workstation", 3)]
CAUSE_WEIGHTS = [
    ("wage_arrears", 28),
    ("work_injury", 14),
    ("marriage_family", 14),
    ("labour_contract", 8),
    ("traffic_accident", 8),
    ("maintenance", 5),
    ("inheritance", 5),
    ("personal_injury", 4),
    ("criminal_defence", 3),
    ("consumer", 3),
    ("contract", 3),
    ("property", 2),
    ("medical_dispute", 2),
    ("administrative_act", 1),
]
OUTCOME_WEIGHTS = [("answered", 66), ("application_guided", 16), ("referred", 15), ("petition_dissuaded", 3)]
REFERRALS = [
    "区劳动人事争议仲裁院",
    "区人民法院",
    "区信访局",
    "区市场监督管理局",
    "区妇联",
    "交警大队事故处理中队",
]
QUESTIONS = {
    "wage_arrears": (
        "工地老板拖欠三个月工资不给，怎么办？",
        "告知可申请劳动仲裁及法律援助，农民工讨薪免经济困难审查。",
    ),
    "work_injury": ("在厂里干活受伤，老板不给报工伤。", "告知工伤认定申请时限和所需材料，可申请法律援助。"),
    "marriage_family": ("想离婚，孩子抚养权怎么判？", "解释离婚诉讼程序及子女抚养的一般原则。"),
    "labour_contract": ("公司不签劳动合同就辞退我，能要补偿吗？", "告知未签合同双倍工资及经济补偿的规定。"),
    "traffic_accident": (
        "被车撞了，对方保险公司不赔。",
        "告知交通事故赔偿项目与诉讼时效，建议先做伤残鉴定。",
    ),
    "maintenance": ("子女不给赡养费，老人怎么维权？", "解释赡养义务，可起诉要求支付赡养费。"),
    "inheritance": ("父亲去世没留遗嘱，房子怎么分？", "解释法定继承顺序和份额。"),
    "personal_injury": ("被邻居打伤，医药费谁出？", "告知人身损害赔偿范围，保留病历和报警记录。"),
    "criminal_defence": ("家人被刑拘了，能请法律援助律师吗？", "告知申请条件及看守所值班律师的帮助。"),
    "consumer": ("网购商品有质量问题，商家不退。", "告知七日无理由退货及投诉渠道。"),
    "contract": ("借钱给朋友不还，有借条。", "告知民间借贷诉讼和诉讼时效。"),
    "property": ("邻居占用我家宅基地。", "告知先申请村委会调解，再考虑诉讼。"),
    "medical_dispute": ("手术后出现并发症，医院有责任吗？", "告知医疗损害鉴定和病历封存。"),
    "administrative_act": ("房屋被认定违建要拆，怎么办？", "告知行政复议和行政诉讼的期限。"),
}
N_CONSULTATIONS = 1500


def _pick(rng: random.Random, weights: list[tuple[str, int]]) -> str:
    return rng.choices([k for k, _ in weights], [w for _, w in weights])[0]


def _phone(rng: random.Random) -> str:
    return "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))


def build_front_desk(session: Session, progress) -> None:
    from legalaid.models import User

    rng = random.Random(2028)
    desk = session.scalars(sa.select(User).where(User.username == "desk")).one()
    desk_stations = [
        stations.create_station(session, {"name": n, "kind": k, "area": a, "hours": h}, None)
        for n, k, a, h in STATIONS
    ]
    today = clock.today()
    callers: list[tuple[str | None, str]] = []  # some people call again
    for i in range(N_CONSULTATIONS):
        day = today - dt.timedelta(days=int(365 * (N_CONSULTATIONS - i) / N_CONSULTATIONS))
        if day.weekday() >= 5 and rng.random() < 0.8:
            day -= dt.timedelta(days=day.weekday() - 4)  # the hotline is quiet at weekends
        at = clock.local_moment(day, dt.time(8 + rng.randrange(9), rng.randrange(60)))
        if at > clock.now():
            at = clock.now() - dt.timedelta(minutes=N_CONSULTATIONS - i)
        channel = _pick(rng, CHANNEL_WEIGHTS)
        cause = _pick(rng, CAUSE_WEIGHTS)
        outcome = _pick(rng, OUTCOME_WEIGHTS)
        if callers and rng.random() < 0.15:
            name, phone = rng.choice(callers)
        else:
            anonymous = rng.random() < 0.2
            name = None if anonymous else rng.choice(SURNAMES) + rng.choice(GIVEN)
            phone = _phone(rng)
            callers.append((name, phone))
        question, answer = QUESTIONS[cause]
        categories = (
            ["migrant_worker"] if cause in ("wage_arrears", "work_injury") and rng.random() < 0.7 else []
        )
        if rng.random() < 0.08:
            categories.append("elderly")
        consultations.register_consultation(
            session,
            {
                "channel": channel,
                "occurred_at": at,
                "station_id": rng.choice(desk_stations).id if channel == "workstation" else None,
                "person": {
                    "name": name,
                    "phone": phone if channel != "letter" else None,
                    "categories": categories,
                },
                "cause": cause,
                "question": question,
                "answer": answer,
                "duration_s": 60 + rng.randrange(900) if channel == "hotline" else None,
                "outcome": outcome,
                "referred_to": rng.choice(REFERRALS) if outcome == "referred" else None,
            },
            desk,
        )
    linked = _link_applications(session, rng, desk)
    progress(
        f"  {len(desk_stations)} stations, {N_CONSULTATIONS + linked} consultations"
        f" ({linked} became applications)"
    )


def _link_applications(session: Session, rng: random.Random, desk) -> int:
    """About one consultation in ten became an application: the demo's applications that came by
    the desk get the consultation they came from (the same day, the applicant's name and phone)."""
    cases = session.scalars(
        sa.select(Case).where(Case.source == "application", Case.case_type != "criminal").order_by(Case.id)
    ).all()
    chosen = [c for c in cases if rng.random() < 0.5]
    for case in chosen:
        question, answer = QUESTIONS.get(case.cause, QUESTIONS["contract"])
        consultation = Consultation(
            occurred_at=min(clock.local_moment(case.received_on, dt.time(9, rng.randrange(60))), clock.now()),
            channel="visit" if rng.random() < 0.6 else "hotline",
            answered_by=desk.id,
            person_name=case.applicant_name,
            person_phone=consultations.normalise_phone(case.applicant_phone),
            person_categories=list(case.applicant_categories or []),
            cause=case.cause if case.cause in consultations.CONSULTATION_CAUSES else "other",
            question=question,
            answer=answer,
            outcome="application_registered",
            case_id=case.id,
        )
        session.add(consultation)
        session.flush()
        audit.record(
            session, desk, "consultation.register_application", "consultation", consultation.id, None,
            {"outcome": consultation.outcome, "case_id": case.id},
        )  # fmt: skip
    return len(chosen)
