"""People's words for the case vocabulary (DESIGN.md §2), translated; one place for every page."""

from __future__ import annotations

from flask_babel import gettext as _


def case_type_label(case_type: str) -> str:
    return {
        "criminal": _("Criminal"),
        "civil": _("Civil"),
        "administrative": _("Administrative"),
        "non_litigation": _("Non-litigation"),
    }.get(case_type, case_type)
