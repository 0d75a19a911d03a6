"""Closing and scoring in people's words: grades, statuses, sheet roles, outcomes, grounds, items and
the reasons the rules suggest a score (the pages' label tables)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from supervision.scoring import closing
from supervision.scoring.defaults import GRADE_LABELS_ZH


def grade_label(grade: str | None) -> str:
    if not grade:
        return ""
    english = {"excellent": _("Excellent"), "good": _("Good"), "pass": _("Pass"), "fail": _("Fail")}[grade]
    return f"{GRADE_LABELS_ZH[grade]} {english}" if not closing._english() else english


def status_label(status: str) -> str:
    return {
        "open": _("Awaiting marking"),
        "second_review": _("Second marking"),
        "third_review": _("Third marking"),
        "final": _("Final"),
        "appealed": _("Under appeal"),
        "draft": _("Draft"),
        "submitted": _("Submitted"),
        "published": _("Published"),
    }.get(status, status)


def role_label(role: str) -> str:
    return {
        "first": _("First marker"),
        "second": _("Second marker"),
        "third": _("Third marker"),
        "appeal": _("Appeal reviewer"),
    }.get(role, role)


def outcome_label(outcome: str) -> str:
    return {
        "judgment": _("Judgment"),
        "ruling": _("Ruling"),
        "mediation": _("Mediation"),
        "settlement": _("Settlement"),
        "arbitration_award": _("Arbitration award"),
        "withdrawal": _("Withdrawal"),
        "non_prosecution": _("Non-prosecution"),
        "agreement": _("Agreement reached"),
        "other": _("Other"),
    }.get(outcome, outcome)


def ground_label(ground: str | None) -> str:
    return {
        "means_changed": _("The client's means no longer qualify"),
        "improper_purpose": _("Legal aid used for an improper purpose"),
        "own_counsel": _("The client instructed their own lawyer"),
        "client_request": _("The client asked to end legal aid"),
        "other_statutory": _("Another ground the law provides"),
    }.get(ground or "", ground or "")


def item_label(entry) -> str:
    return entry.label_en if closing._english() else entry.label_zh


def reason_text(reason: dict | None) -> str:
    """The sentence for a suggestion's reason (stored as a key and parameters, translated here)."""
    if not reason:
        return ""
    p = reason.get("params", {})
    texts = {
        "retainer_on_time": _l(
            "Retainer signed on %(signed_on)s, within 5 days of the assignment on %(assigned_on)s."
        ),
        "retainer_late": _l(
            "Retainer signed on %(signed_on)s, %(days)s days after the 5-day limit "
            "(assigned %(assigned_on)s)."
        ),
        "hand_in_on_time": _l("Materials complete on %(complete_on)s, within the limit (%(due_on)s)."),
        "hand_in_late": _l("Materials complete on %(complete_on)s, %(days)s days after the 30-day limit."),
        "hand_in_missing": _l("Still missing: %(missing)s (due %(due_on)s)."),
        "hearing_ratings": _l(
            "Hearing observation ratings: mean %(mean)s of 5 over %(observations)s observation(s)."
        ),
        "red_flag": _l("A follow-up call raised a took-money red flag (%(status)s)."),
    }
    text = texts.get(reason.get("key"))
    if text is None:
        return reason.get("key", "")
    try:
        return str(text) % p
    except (KeyError, TypeError, ValueError):
        return str(text)


def document_label(case_type: str, code: str) -> str:
    for d in closing.closing_documents(case_type):
        if d["code"] == code:
            return d["label"]
    return code
