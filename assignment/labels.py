"""People's words for the case vocabulary (DESIGN.md §2), translated: one table for every page and form
(registered as the template global ``case_type_label``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CASE_TYPE_LABELS = {
    "criminal": _l("Criminal"),
    "civil": _l("Civil"),
    "administrative": _l("Administrative"),
    "non_litigation": _l("Non-litigation"),
}


def case_type_label(case_type: str) -> str:
    return str(CASE_TYPE_LABELS.get(case_type, case_type))
