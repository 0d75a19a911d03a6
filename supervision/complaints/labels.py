"""People's words for the complaint vocabulary (DESIGN.md §2), translated."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from legalaid.errors import Labelled, labelled

STATUS_LABELS = {
    "received": _l("received"),
    "accepted": _l("accepted for handling"),
    "not_accepted": _l("not accepted"),
    "investigating": _l("under investigation"),
    "decided": _l("decided"),
    "answered": _l("answered"),
}
MATTER_LABELS = {
    "wrongful_acceptance": _l("wrongful acceptance"),
    "wrongful_refusal": _l("wrongful refusal"),
    "wrongful_assignment": _l("wrongful assignment"),
    "neglect": _l("neglecting or stopping the work"),
    "took_money": _l("taking money or property"),
    "leaked_privacy": _l("leaking secrets or privacy"),
    "other": _l("other"),
}
RELATION_LABELS = {"applicant": _l("applicant"), "client": _l("client"), "interested": _l("interested party")}
RESPONDENT_LABELS = {
    "centre": _l("the centre"),
    "organization": _l("an organisation"),
    "provider": _l("a provider"),
}
OUTCOME_LABELS = {
    "not_upheld": _l("not upheld"),
    "upheld_education": _l("upheld: criticism and education"),
    "upheld_correction": _l("upheld: ordered to correct"),
    "referred_for_discipline": _l("upheld: referred for discipline"),
}
METHOD_LABELS = {
    "letter": _l("by letter"),
    "phone": _l("by phone"),
    "in_person": _l("in person"),
    "electronic": _l("by e-mail or message"),
}
DEADLINE_LABELS = {
    "complaint_acceptance": _l("Accept or refuse the complaint"),
    "complaint_decision": _l("Decide the complaint"),
    "complaint_answer": _l("Answer the complainant"),
}
LABELS = {
    "status": STATUS_LABELS,
    "matter": MATTER_LABELS,
    "relation": RELATION_LABELS,
    "respondent": RESPONDENT_LABELS,
    "outcome": OUTCOME_LABELS,
    "method": METHOD_LABELS,
    "deadline": DEADLINE_LABELS,
}


def status_label(code: str) -> Labelled:
    return labelled(code, STATUS_LABELS)


def label(kind: str, code: str | None) -> str:
    if code is None:
        return ""
    return str(LABELS[kind].get(code, code))
