"""Complaints in ``legalaid demo``: one in every state, and one upheld against a demo lawyer (whose
login the demo prints), who is paused in every pool for 15 days; another demo lawyer is asked for a
statement and sees it on their complaints page."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from assignment.deadlines import due_date
from legalaid import clock
from legalaid.hooks import add_demo_step
from supervision.complaints import services
from supervision.complaints.models import Complaint

STORIES = [
    # (days ago received, stage, complainant, relation, matter, request, facts)
    (1, "received", "赵磊", "applicant", "wrongful_refusal", "请求重新审查我的法律援助申请",
     "申请被驳回，工作人员没有说明理由。"),
    (9, "received", "钱红", "client", "other", "请求中心答复咨询记录", "多次致电12348未获答复。"),
    (20, "not_accepted", "孙伟", "interested", "other", "要求撤换对方当事人的律师",
     "对方的法律援助律师态度强硬。"),
    (12, "accepted", "李娟", "client", "wrongful_assignment", "请求更换承办律师",
     "指派的律师擅长刑事，不熟悉劳动争议。"),
    (18, "investigating", "周明", "client", "neglect", "请求督促律师尽快立案",
     "签约一个多月，律师未去法院立案，电话不接。"),
    (30, "statement_given", "吴芳", "applicant", "leaked_privacy", "请求调查个人信息泄露",
     "我的身份证复印件被发到了工友群。"),
    (40, "decided", "郑强", "client", "neglect", "请求调查律师不作为", "开庭前律师未与我沟通。"),
    (60, "answered", "王丽", "client", "other", "请求解释补贴标准", "对援助事项有疑问。"),
    (75, "upheld", "陈静", "client", "neglect", "请求更换律师并追究责任",
     "律师三个月未联系，错过了举证期限。"),
]  # fmt: skip


def build_complaints(session: Session, progress) -> None:
    from legalaid.models import User, UserRole

    sup = session.scalars(sa.select(User).where(User.username == "sup")).one()
    lawyers = session.scalars(
        sa.select(User.provider_id)
        .join(UserRole)
        .where(UserRole.role == "provider")
        .order_by(User.id)
        .limit(3)
    ).all()
    today = clock.today()
    for days_ago, stage, name, relation, matter, request, facts in STORIES:
        about_lawyer = matter in ("neglect", "leaked_privacy", "wrongful_assignment")
        provider_id = None
        if about_lawyer:
            provider_id = (
                lawyers[0]
                if stage == "upheld"
                else lawyers[1]
                if stage in ("investigating", "statement_given")
                else lawyers[2]
            )
        received = today - dt.timedelta(days=days_ago)
        complaint = services.register_complaint(
            session,
            {
                "received_on": received,
                "complainant": {"name": name, "relation": relation, "phone": "139" + f"{days_ago:08d}"},
                "respondent": {"kind": "provider", "id": provider_id} if provider_id else {"kind": "centre"},
                "matter": matter,
                "request": request,
                "facts": facts,
            },
            sup,
        )
        _walk(session, sup, complaint, stage, received)
    progress(f"  {len(STORIES)} complaints in every state, one upheld against a demo lawyer")


def _walk(session: Session, sup, complaint: Complaint, stage: str, received: dt.date) -> None:
    if stage == "received":
        return
    if stage == "not_accepted":
        services.decide_acceptance(
            session, complaint.id, sup, accepted=False, reason="投诉人与援助事项无利害关系，不具备投诉资格。"
        )
        return
    services.decide_acceptance(session, complaint.id, sup, accepted=True)
    # As it happened: accepted two days after receipt, the 45 days counted from then.
    complaint.accepted_on = min(received + dt.timedelta(days=2), clock.today())
    complaint.decide_by = due_date(session, "complaint_decision", complaint.accepted_on)
    if stage == "accepted":
        return
    if complaint.respondent_provider_id:
        services.request_statement(session, complaint.id, sup, due_on=clock.today() + dt.timedelta(days=7))
    if stage == "statement_given":
        complaint.statement, complaint.statement_on = "已向当事人道歉，并删除了群内信息。", clock.today()
    if stage in ("investigating", "statement_given"):
        return
    outcome = "upheld_correction" if stage == "upheld" else "not_upheld"
    services.decide_complaint(
        session,
        complaint.id,
        sup,
        outcome=outcome,
        findings="经调查，律师三个月未与当事人联系，责令改正并暂停轮候15日。"
        if stage == "upheld"
        else "经调查，投诉事项不成立。",
        pause_days=15 if stage == "upheld" else None,
    )
    if stage in ("answered", "upheld"):
        services.answer_complaint(session, complaint.id, sup, answered_on=clock.today(), method="phone")


def register(app: Flask) -> None:
    add_demo_step(app, "complaints: one in every state", build_complaints, order=60)
