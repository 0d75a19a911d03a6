"""Complaint limits on the deadlines page and in the morning digest (DESIGN.md: "Every deadline is on
the deadlines page and in the digest"). The digest goes to those who handle complaints."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from supervision.complaints import services
from supervision.complaints.labels import DEADLINE_LABELS


def due_rows(session: Session, today: dt.date) -> list[dict]:
    """Each open complaint's limit in force that falls today or earlier: no, limit, due, days overdue."""
    return [
        {
            "complaint_id": complaint.id,
            "name": name,
            "label": DEADLINE_LABELS[name],  # lazy: read in the reader's language
            "due_on": due,
            "days_overdue": max((today - due).days, 0),
            "matter": complaint.matter,
        }
        for complaint, name, due in services.open_complaint_deadlines(session, today)
    ]


def plan_complaint_digest(session: Session, today: dt.date, now: dt.datetime, end_of_day: dt.datetime) -> int:
    """Called by the morning sweep (``scheduling.scheduler.plan_morning_reminders``), once a day."""
    from supervision.scheduling import reminders
    from supervision.scheduling.rota import users_with_role

    rows = due_rows(session, today)
    if not rows:
        return 0
    body = "\n".join(f"complaint {r['complaint_id']}  {r['name']}  {r['due_on']}" for r in rows[:200])
    planned = 0
    for user_id in users_with_role(session, *services.HANDLERS):
        planned += reminders.plan_reminder(
            session,
            key=f"complaint-digest:{user_id}:{today}",
            user_id=user_id,
            kind="deadline_digest",
            subject=reminders.in_user_locale(
                session,
                user_id,
                lambda: _("%(count)s complaint limits due today or overdue", count=len(rows)),
            ),
            body=body,
            due_at=now,
            event_at=end_of_day,
            link="/complaints?overdue=y",
            message="complaint_digest",
            params={
                "count": len(rows),
                "lines": [[r["complaint_id"], r["name"], str(r["due_on"])] for r in rows[:200]],
            },
        )
    return planned
