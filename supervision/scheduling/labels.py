"""Scheduling's codes in the reader's language: call purposes, statuses, the client's satisfaction."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext


def purpose_label(purpose: str) -> str:
    return {
        "after_assignment": _("7 days after assignment"),
        "after_hearing": _("3 days after the first hearing"),
        "after_closing": _("7 days after closing"),
    }.get(purpose, purpose)


# Statuses of calls, hearings, observations and red flags ("held": a hearing that has started).
STATUS_LABELS = {
    "planned": _l("planned"),
    "retrying": _l("retrying"),
    "done": _l("done"),
    "unreachable": _l("unreachable"),
    "cancelled": _l("cancelled"),
    "scheduled": _l("scheduled"),
    "held": _l("held"),
    "unassigned": _l("no observer"),
    "reported": _l("reported"),
    "open": _l("open"),
    "confirmed": _l("confirmed"),
    "dismissed": _l("dismissed"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def outbox_count_text(status: str, count: int) -> str:
    """How many e-mails of the outbox are in one state, in words ("16 waiting to be sent")."""
    texts = {
        "pending": ngettext("%(num)s waiting to be sent", "%(num)s waiting to be sent", count),
        "sending": ngettext("%(num)s being sent", "%(num)s being sent", count),
        "sent": ngettext("%(num)s sent", "%(num)s sent", count),
        "failed": ngettext("%(num)s given up", "%(num)s given up", count),
    }
    return texts.get(status, f"{status}: {count}")


# Why an e-mail was not delivered, by the kind of error the mail server gave (the stored error starts
# with its exception's name); the server's own words are shown beside, as they came.
_OUTBOX_ERRORS = (
    (("SMTPRecipientsRefused",), _l("The mail server refused the recipient's address.")),
    (("SMTPSenderRefused",), _l("The mail server refused the service's sender address.")),
    (
        ("SMTPAuthenticationError", "SMTPNotSupportedError"),
        _l("The mail server refused the service's sign-in."),
    ),
    (("SMTPDataError", "SMTPResponseException"), _l("The mail server refused the message.")),
    (
        (
            "SMTPConnectError",
            "SMTPServerDisconnected",
            "ConnectionRefusedError",
            "ConnectionResetError",
            "TimeoutError",
            "gaierror",
            "OSError",
            "socket",
        ),
        _l("The mail server could not be reached."),
    ),
)


def outbox_error_label(last_error: str | None) -> str:
    """Why a given-up e-mail was not sent, in words."""
    kind = (last_error or "").split(":", 1)[0].strip()
    for names, words in _OUTBOX_ERRORS:
        if kind in names:
            return str(words)
    return _("The mail server answered with an error.")


def observer_reason_label(reason: str | None) -> str:
    """Why a supervisor may not observe a hearing (the coordinator's staffing choice)."""
    return {
        "assigned_the_case": _("assigned the case"),
        "own_case": _("the case's own provider"),
        "overlapping_hearing": _("at another hearing then"),
        "day_full": _("already has the day's maximum of observations"),
    }.get(reason or "", reason or "")


def satisfaction_label(value: str | None) -> str:
    return {
        "satisfied": _("satisfied"),
        "basically_satisfied": _("basically satisfied"),
        "unsatisfied": _("unsatisfied"),
    }.get(value or "", "")


def observation_reason_label(reason: str) -> str:
    return {
        "group_case": _("first hearing of a group case"),
        "major_case": _("first hearing of a major case"),
        "life_or_death": _("first hearing of a case with possible life imprisonment or death penalty"),
        "first_case": _("first hearing of the provider's first legal aid case"),
        "yearly": _("the provider has not been observed this year"),
        "sampled": _("drawn in the random sample"),
        "not_sampled": _("not drawn in the random sample"),
    }.get(reason, reason)
