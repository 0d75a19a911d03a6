"""People's words for the case vocabulary (DESIGN.md §2), translated: one table for every page and form
(registered as the template global ``case_type_label``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from legalaid.errors import Labelled, labelled

CASE_TYPE_LABELS = {
    "criminal": _l("Criminal"),
    "civil": _l("Civil"),
    "administrative": _l("Administrative"),
    "non_litigation": _l("Non-litigation"),
}


def case_type_label(case_type: str) -> str:
    return str(CASE_TYPE_LABELS.get(case_type, case_type))


CASE_STATUS_LABELS = {
    "applied": _l("applied"),
    "pending_materials": _l("awaiting materials"),
    "accepted": lazy_pgettext("case status", "accepted"),  # approved for legal aid, not yet assigned
    "assigned": _l("assigned"),
    "in_progress": _l("in progress"),
    "closed": _l("closed"),
    "archived": _l("archived"),
    "rejected": _l("rejected"),
    "withdrawn": _l("withdrawn"),
}

ASSIGNMENT_STATUS_LABELS = {
    "offered": _l("awaiting acceptance"),
    "accepted": _l("accepted"),
    "declined": _l("declined"),
    "expired": _l("not answered in time"),
    "replaced": _l("replaced"),
}


def case_status(code: str) -> Labelled:
    """A case status in a message: the code in English (the API, the tests), its label on a page."""
    return labelled(code, CASE_STATUS_LABELS)


def assignment_status(code: str) -> Labelled:
    return labelled(code, ASSIGNMENT_STATUS_LABELS)


def case_type(code: str) -> Labelled:
    return labelled(code, CASE_TYPE_LABELS)
