"""The panel's part of ``legalaid demo``: a district's firms, offices and about 60 providers."""

from __future__ import annotations

import datetime as dt
import random

from flask import Flask
from sqlalchemy.orm import Session

from assignment.models import Organization, Provider
from legalaid.hooks import add_demo_step

AREAS = ["城关街道", "东城街道", "西湖镇", "南山镇", "北岭乡"]
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
    from legalaid.demo import demo_password_hash
    from legalaid.models import User, UserRole

    rng = random.Random(2026)
    today = dt.date.today()
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


def register(app: Flask) -> None:
    add_demo_step(app, "panel: organisations and providers", build_panel, order=10)
