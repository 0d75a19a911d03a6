"""Archiving and subsidy release: no payment before the file is archived, every payment exactly once.

``archive.py`` files cases; ``rates.py`` computes amounts; ``subsidies.py`` is the subsidy lifecycle;
``batches.py`` pays them; ``exports.py`` writes the files; ``api.py`` and ``views.py`` are thin."""

from __future__ import annotations

from flask import Flask

from assignment import signals as assignment_signals


def _on_assignment_accepted(session, assignment, actor=None, **_):
    from supervision.subsidies.subsidies import create_pending_subsidy

    create_pending_subsidy(session, actor, assignment)


def _on_assignment_ended(session, assignment, reason=None, actor=None, **_):
    if reason != "reassigned":
        return
    from supervision.subsidies.reasons import REASSIGNED, coded
    from supervision.subsidies.subsidies import cancel_subsidy

    cancel_subsidy(session, actor, assignment, coded(REASSIGNED, assignment_id=assignment.id))


def _red_flag_hold(flag) -> str:
    """The hold's stored reason: a code and the flag (``reasons``), put into words when read."""
    from supervision.subsidies.reasons import RED_FLAG_TOOK_MONEY, coded

    return coded(RED_FLAG_TOOK_MONEY, flag_id=flag.id)


def _on_red_flag_raised(session, flag, actor=None, **_):
    """The subsidy is held until a supervisor resolves the flag (DESIGN.md §4 "Follow-up calls")."""
    from supervision.subsidies.subsidies import hold_case_subsidy

    hold_case_subsidy(session, actor, flag.case_id, _red_flag_hold(flag), by_service=True)


def _on_red_flag_resolved(session, flag, actor=None, **_):
    """Dismissed: the hold is lifted. Confirmed: lifted too while the file is not archived, because the
    amount computed at archiving is then 0 (a confirmed took-money veto pays nothing)."""
    import sqlalchemy as sa

    from supervision.subsidies.models import Subsidy
    from supervision.subsidies.reasons import RED_FLAG_TOOK_MONEY, WORDS
    from supervision.subsidies.subsidies import release_subsidy

    # This flag's hold; a hold stored before codes reads as the English words (any flag of the case).
    this_flag = (_red_flag_hold(flag), str(WORDS[RED_FLAG_TOOK_MONEY]))
    held = session.scalar(
        sa.select(Subsidy).where(
            Subsidy.case_id == flag.case_id, Subsidy.status == "held", Subsidy.hold_reason.in_(this_flag)
        )
    )
    if held is None or (flag.status == "confirmed" and held.held_from != "pending"):
        return  # a confirmed flag on an archived file: the subsidy stays held for the supervisors
    from supervision.subsidies.reasons import RED_FLAG_RESOLVED, coded

    reason = coded(RED_FLAG_RESOLVED, flag_id=flag.id, outcome=flag.status)
    release_subsidy(session, actor, held.id, reason, by_service=True)


def connect_signals() -> None:
    from supervision import signals

    assignment_signals.assignment_accepted.connect(_on_assignment_accepted)
    assignment_signals.assignment_ended.connect(_on_assignment_ended)
    signals.red_flag_raised.connect(_on_red_flag_raised)
    signals.red_flag_resolved.connect(_on_red_flag_resolved)


def register(app: Flask) -> None:
    from legalaid import exempt_from_csrf
    from supervision.subsidies import api, archive, cli, demo, views, views_duty  # noqa: F401  (archive: guard)

    connect_signals()
    from supervision.subsidies import rates

    rates.declare_rules(app)
    app.register_blueprint(api.bp)
    exempt_from_csrf(app, api.bp)
    views.register(app)
    views_duty.register(app)
    cli.register(app)
    demo.register(app)
    from supervision.subsidies import duty_demo

    duty_demo.register(app)  # after the duty rota's demo (issue 14)
    from legalaid.hooks import add_export_kind
    from supervision.subsidies.exports import archive_export_kind

    add_export_kind(app, archive_export_kind())
