"""``legalaid demo``: a realistic demo district, built by the shell's step and each area's steps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.orm import Session

from legalaid import clock
from legalaid.hooks import registry
from legalaid.models import User, UserRole

DEMO_PASSWORD = "demo-pass-2026"

# The centre's own staff; providers' logins are added by the panel's demo step.
STAFF = [
    ("admin", ["admin"], "系统管理员 Admin"),
    ("coord", ["coordinator"], "受理指派员 陈静"),
    ("coord2", ["coordinator"], "受理指派员 刘洋"),
    ("sup", ["supervisor"], "质量监督员 王敏"),
    ("sup2", ["supervisor"], "质量监督员 赵磊"),
    ("sup3", ["supervisor"], "质量监督员 孙丽"),
    ("sup4", ["supervisor", "coordinator"], "中心副主任 周强"),
    ("finance", ["finance"], "财务 吴芳"),
    ("desk", ["desk"], "前台接待 李娜"),
]


class DemoRefused(Exception):
    pass


@contextmanager
def on_day(day: dt.date | dt.datetime, at: dt.time = dt.time(10)) -> Iterator[None]:
    """Write a demo step as if on ``day`` (at ``at`` at the centre; a moment as given), never later than
    now: histories, deadlines and charts then spread over the demo year instead of all reading the
    moment the demo was loaded. The centre's clock runs on from where it was afterwards."""
    started, machine_started = clock.now(), clock.machine_now()
    moment = day if isinstance(day, dt.datetime) else clock.local_moment(day, at)
    clock.travel_to(min(moment, started))
    try:
        yield
    finally:
        clock.travel_to(started + (clock.machine_now() - machine_started))


def demo_password_hash() -> str:
    """One hash for every demo login (they share the demo password); hashing 70 is slow."""
    from legalaid.users import hash_password

    return hash_password(DEMO_PASSWORD)


def _staff_step(session: Session, progress) -> None:
    pw = demo_password_hash()
    for username, roles, name in STAFF:
        session.add(
            User(
                username=username,
                password_hash=pw,
                display_name=name,
                email=f"{username}@demo.legalaid.local",
                role_rows=[UserRole(role=r) for r in roles],
            )
        )
    session.flush()
    progress(f"  {len(STAFF)} staff logins")


def run_demo(session: Session, progress=print) -> list[tuple[str, str]]:
    if session.scalar(sa.select(sa.func.count()).select_from(User)):
        raise DemoRefused("The database already has users; the demo only fills an empty database.")
    steps = [("staff", _staff_step, 0)] + [(s.name, s.run, s.order) for s in registry().demo_steps]
    steps.sort(key=lambda s: s[2])
    for i, (name, run, _order) in enumerate(steps, 1):
        progress(f"[{i}/{len(steps)}] {name}…")
        run(session, progress)
        session.commit()
    progress("Demo data ready.")
    return demo_logins(session)


def demo_logins(session: Session | None = None) -> list[tuple[str, str]]:
    from legalaid.db import db

    session = session or db.session
    staff = [u for u, _r, _n in STAFF]
    rows = session.scalars(sa.select(User).where(User.username.in_(staff))).all()
    logins = sorted(((u.username, ", ".join(u.roles)) for u in rows), key=lambda r: staff.index(r[0]))
    providers = session.scalars(
        sa.select(User).join(UserRole).where(UserRole.role == "provider").order_by(User.id).limit(3)
    ).all()
    return logins + [(u.username, "provider") for u in providers]
