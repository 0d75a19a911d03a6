"""The duty rota's notices (issue 14): when a station's rota is published each provider on it is told
(inbox, and e-mail through the outbox), and when a shift changes hands by a swap or a reassignment the
provider who takes it is told. Said in the reader's language when read (``messages``: ``duty_rota``,
``duty_shift``). The calendar feed reads the shifts themselves (``calendar.duty_shift_events``)."""

from __future__ import annotations

import sqlalchemy as sa

from legalaid import clock
from legalaid.models import User
from supervision.scheduling.reminders import plan_reminders


def _users(session, provider_ids) -> dict[int, int]:
    rows = session.execute(
        sa.select(User.provider_id, User.id).where(User.provider_id.in_(list(provider_ids)))
    )
    return dict(rows.all())


def on_rota_published(session, rota, provider_ids=(), actor=None, **_extra) -> None:
    from assignment.consultations_models import Station
    from assignment.duty.models import DutyShift

    counts = dict(
        session.execute(
            sa.select(DutyShift.provider_id, sa.func.count())
            .where(DutyShift.rota_id == rota.id, DutyShift.provider_id.is_not(None))
            .group_by(DutyShift.provider_id)
        ).all()
    )
    station = session.get(Station, rota.station_id)
    now = clock.now()
    rows = []
    for provider_id, user_id in _users(session, provider_ids).items():
        params = {"station": station.name, "month": rota.month, "count": counts.get(provider_id, 0)}
        rows.append(
            dict(
                key=f"duty-rota-{rota.id}-{user_id}",
                user_id=user_id,
                kind="duty_rota",
                subject=f"Duty rota {rota.month} at {station.name}: {params['count']} shifts",
                due_at=now,
                link="/my/shifts",
                object_type="duty_rota",
                object_id=rota.id,
                message="duty_rota",
                params=params,
            )
        )
    plan_reminders(session, rows)


def on_shift_changed(session, shift, before_provider_id=None, actor=None, reason=None, **_extra) -> None:
    from assignment.consultations_models import Station

    if shift.provider_id is None:
        return
    station = session.get(Station, shift.station_id)
    params = {"station": station.name, "date": shift.on_date.isoformat(), "part": shift.part}
    rows = [
        dict(
            key=f"duty-shift-{shift.id}-{user_id}-{clock.now().timestamp():.0f}",
            user_id=user_id,
            kind="duty_shift",
            subject=f"Duty shift {params['date']} at {station.name} is yours",
            due_at=clock.now(),
            link="/my/shifts",
            object_type="duty_shift",
            object_id=shift.id,
            message="duty_shift",
            params=params,
        )
        for user_id in _users(session, [shift.provider_id]).values()
    ]
    plan_reminders(session, rows)


def duty_rota_words(p: dict):
    from flask_babel import gettext as _
    from flask_babel import ngettext

    return (
        ngettext(
            "Duty rota %(month)s at %(station)s: %(num)s shift",
            "Duty rota %(month)s at %(station)s: %(num)s shifts",
            p["count"],
            month=p["month"],
            station=p["station"],
        ),
        _("The rota is published; your shifts are under My shifts and in your calendar feed."),
    )


def duty_shift_words(p: dict):
    from flask_babel import gettext as _

    from assignment.duty.forms import PART_LABELS

    return (
        _(
            "Duty shift %(date)s (%(part)s) at %(station)s is yours",
            date=p["date"],
            part=str(PART_LABELS.get(p["part"], p["part"])),
            station=p["station"],
        ),
        _("The shift came to you by an approved swap or a coordinator's reassignment."),
    )


PART_TIMES = {"am": ((9, 0), (12, 0)), "pm": ((14, 0), (17, 0)), "day": ((9, 0), (17, 0))}


def duty_shift_events(session, provider_id: int, since, until) -> list[tuple]:
    """The provider's shifts of published rotas between two moments, for the calendar feed:
    (id, summary, start, end, location, status)."""
    import datetime as dt

    from flask_babel import gettext as _

    from assignment.consultations_models import Station
    from assignment.duty.models import DutyRota, DutyShift

    rows = session.execute(
        sa.select(
            DutyShift.id, DutyShift.on_date, DutyShift.part, DutyShift.status, Station.name, Station.address
        )
        .join(DutyRota, DutyRota.id == DutyShift.rota_id)
        .join(Station, Station.id == DutyShift.station_id)
        .where(
            DutyShift.provider_id == provider_id,
            DutyRota.status == "published",
            DutyShift.on_date >= clock.local_date(since),
            DutyShift.on_date <= clock.local_date(until),
        )
        .order_by(DutyShift.on_date, DutyShift.id)
    ).all()
    events = []
    for shift_id, day, part, status, name, address in rows:
        (h1, m1), (h2, m2) = PART_TIMES[part]
        start, end = clock.local_moment(day, dt.time(h1, m1)), clock.local_moment(day, dt.time(h2, m2))
        summary = _("Duty shift at %(station)s", station=name)
        events.append(
            (
                shift_id,
                summary,
                start,
                end,
                address or name,
                "CANCELLED" if status == "missed" else "CONFIRMED",
            )
        )
    return events
