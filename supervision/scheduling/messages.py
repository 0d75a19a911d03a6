"""What a reminder says, put into words when it is read: a reminder stores a message code and its
facts (``Reminder.message``, ``Reminder.params``), and the inbox and the e-mail say it in the reader's
language. A reminder without a code (planned before codes were stored) is shown with its stored text."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from flask_babel import ngettext

from supervision.scheduling.labels import purpose_label
from supervision.scheduling.rules import local_time_text


def _when(value: str) -> str:
    return local_time_text(dt.datetime.fromisoformat(value))


def _deadline_label(name: str) -> str:
    from supervision.scheduling.deadlines import DEADLINES

    return str(DEADLINES.get(name, name))


def _state_label(state: str) -> str:
    return _("overdue") if state == "overdue" else _("due today")


def _observation(p: dict) -> tuple[str, str]:
    when = _when(p["starts_at"])
    return (
        _(
            "Hearing observation %(when)s: case %(number)s at %(court)s",
            when=when,
            number=p["number"],
            court=p["court"],
        ),
        _(
            "You observe the hearing of case %(number)s on %(when)s at %(court)s %(room)s.",
            number=p["number"],
            when=when,
            court=p["court"],
            room=p.get("room") or "",
        ),
    )


def _unstaffed(p: dict) -> tuple[str, str]:
    return (
        _(
            "No supervisor is free to observe the hearing of case %(number)s on %(when)s",
            number=p["number"],
            when=_when(p["starts_at"]),
        ),
        "",
    )


def _red_flag(p: dict) -> tuple[str, str]:
    return _("Red flag on case %(number)s: the client says money was taken", number=p["number"]), ""


def _call_list(p: dict) -> tuple[str, str]:
    lines = p.get("lines") or []
    return (
        ngettext("%(num)s follow-up call to make today", "%(num)s follow-up calls to make today", len(lines)),
        "\n".join(f"{number}  {purpose_label(purpose)}  {due}" for number, purpose, due in lines),
    )


def _deadline_digest(p: dict) -> tuple[str, str]:
    lines = p.get("lines") or []
    return (
        ngettext(
            "%(num)s deadline due today or overdue", "%(num)s deadlines due today or overdue", p["count"]
        ),
        "\n".join(
            f"{number}  {_deadline_label(name)}  {due}  ({_state_label(state)})"
            for number, name, due, state in lines
        ),
    )


def _deadline_overdue(p: dict) -> tuple[str, str]:
    return (
        _(
            "Case %(number)s: deadline passed (%(deadline)s, due %(due)s)",
            number=p["number"],
            deadline=_deadline_label(p["name"]),
            due=p["due"],
        ),
        "",
    )


def _complaint_digest(p: dict) -> tuple[str, str]:
    from supervision.complaints.labels import DEADLINE_LABELS

    lines = p.get("lines") or []
    return (
        ngettext(
            "%(num)s complaint limit due today or overdue",
            "%(num)s complaint limits due today or overdue",
            p["count"],
        ),
        "\n".join(
            _("Complaint %(id)s", id=complaint_id) + f"  {DEADLINE_LABELS.get(name, name)}  {due}"
            for complaint_id, name, due in lines
        ),
    )


MESSAGES = {
    "observation": _observation,
    "observation_unstaffed": _unstaffed,
    "red_flag": _red_flag,
    "call_list": _call_list,
    "deadline_digest": _deadline_digest,
    "deadline_overdue": _deadline_overdue,
    "complaint_digest": _complaint_digest,
    "duty_rota": lambda p: _duty("duty_rota_words", p),
    "duty_shift": lambda p: _duty("duty_shift_words", p),
}


def _duty(name: str, p: dict) -> tuple[str, str]:
    from supervision.scheduling import duty_notices

    return getattr(duty_notices, name)(p)


def words(message: str | None, params: dict | None, subject: str, body: str) -> tuple[str, str]:
    """Subject and body in the current language; the stored text when the code is unknown or its facts
    do not fit (an older row)."""
    say = MESSAGES.get(message or "")
    if say is None or params is None:
        return subject, body or ""
    try:
        return say(params)
    except (KeyError, TypeError, ValueError):
        return subject, body or ""


def reminder_words(reminder) -> tuple[str, str]:
    return words(reminder.message, reminder.params, reminder.subject, reminder.body)
