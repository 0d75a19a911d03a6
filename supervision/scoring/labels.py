"""Closing and scoring in people's words: grades, statuses, sheet roles, outcomes, grounds, items and
the reasons the rules suggest a score (the pages' label tables)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from supervision.scoring import closing
from supervision.scoring.defaults import CLOSING_DOCUMENTS


def grade_label(grade: str | None) -> str:
    if not grade:
        return ""
    # One word in the reader's language (优秀 / Excellent), never both side by side.
    return {"excellent": _("Excellent"), "good": _("Good"), "pass": _("Pass"), "fail": _("Fail")}.get(
        grade, grade
    )


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


def auto_label(code: str | None) -> str:
    """The rule that suggests an item's score (a checklist's "Suggested by" column)."""
    return {
        "retainer_timeliness": _("Retainer signed within 5 days"),
        "hand_in_timeliness": _("Closing materials handed in on time"),
        "hearing_observation": _("Hearing observation ratings"),
        "red_flag": _("Took-money red flag"),
    }.get(code or "", code or "")


def reason_text(reason: dict | None) -> str:
    """The sentence for a suggestion's reason (stored as a key and parameters, translated here)."""
    if not reason:
        return ""
    p = reason.get("params", {})
    if reason.get("key") == "hearing_ratings":
        return ngettext(
            "Hearing observation ratings: mean %(mean)s of 5 over %(num)s observation.",
            "Hearing observation ratings: mean %(mean)s of 5 over %(num)s observations.",
            int(p.get("observations") or 1),
            mean=p.get("mean"),
        )
    if reason.get("key") == "hand_in_missing":
        p = {**p, "missing": ", ".join(material_label(c) for c in str(p.get("missing", "")).split(", ") if c)}
    if reason.get("key") == "red_flag":
        p = {**p, "status": _("confirmed") if p.get("status") == "confirmed" else _("not yet resolved")}
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
        "red_flag": _l("A follow-up call raised a took-money red flag (%(status)s)."),
    }
    text = texts.get(reason.get("key"))
    if text is None:
        return reason.get("key", "")
    try:
        return str(text) % p
    except (KeyError, TypeError, ValueError):
        return str(text)


def material_label(code: str) -> str:
    """A closing material's name in the reader's language, whatever the case type."""
    for known, zh, en, _needs in CLOSING_DOCUMENTS:
        if known == code:
            return en if closing._english() else zh
    return code


def document_label(case_type: str, code: str) -> str:
    for d in closing.closing_documents(case_type):
        if d["code"] == code:
            return d["label"]
    return code
