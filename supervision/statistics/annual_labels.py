"""What each figure of the annual report is called and what it counts (shown beside it on the page)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from assignment.consultations_models import CHANNELS
from assignment.consultations_models import OUTCOMES as CONSULTATION_OUTCOMES
from assignment.duty.forms import LEGAL_HELP_LABELS as HELP_WORDS
from assignment.duty.forms import SHIFT_STATUS_LABELS
from assignment.models import CASE_TYPES, SOURCES
from supervision.statistics.annual_figures import CATEGORIES, GRADES, SHIFT_STATUSES

SECTIONS = (
    ("cases", _l("Cases")),
    ("recipients", _l("Recipients")),
    ("consultations", _l("Consultations")),
    ("stations", _l("Stations and duty")),
    ("complaints", _l("Complaints")),
    ("quality", _l("Quality")),
    ("money", _l("Money")),
)

CASE_TYPE_WORDS = {
    "criminal": _l("Criminal cases"),
    "civil": _l("Civil cases"),
    "administrative": _l("Administrative cases"),
    "non_litigation": _l("Non-litigation cases"),
}
SOURCE_WORDS = {
    "application": _l("Cases applied for"),
    "notification": _l("Cases notified by police, procuratorate or court"),
}
CATEGORY_WORDS = {
    "migrant_worker": _l("Migrant workers"),
    "minor": _l("Minors"),
    "elderly": _l("Elderly people"),
    "disabled": _l("Disabled people"),
    "women": _l("Women"),
    "service_member": _l("Service members"),
    "others": _l("Others"),
}
CHANNEL_WORDS = {
    "hotline": _l("by the hotline"),
    "visit": _l("by a visit"),
    "letter": _l("by a letter"),
    "online": _l("online"),
    "workstation": _l("at a workstation"),
}
OUTCOME_WORDS = {
    "answered": _l("answered"),
    "referred": _l("referred elsewhere"),
    "application_guided": _l("guided to apply"),
    "application_registered": _l("application registered"),
    "petition_dissuaded": _l("petition dissuaded"),
}
GRADE_WORDS = {"excellent": _l("excellent"), "good": _l("good"), "pass": _l("pass"), "fail": _l("fail")}
SHIFT_WORDS = SHIFT_STATUS_LABELS  # the duty rota's own words for a shift's state

RECEIVED = _l("counts cases whose application was received in the period")


@dataclass(frozen=True)
class Figure:
    section: str
    label: object
    definition: object
    unit: str = "count"  # count | persons | fen | percent | points


def _figures() -> dict[str, Figure]:
    f: dict[str, Figure] = {"cases.received": Figure("cases", _l("Cases received"), RECEIVED)}
    for t in CASE_TYPES:
        f[f"cases.type.{t}"] = Figure("cases", CASE_TYPE_WORDS[t], RECEIVED)
    for s in SOURCES:
        f[f"cases.source.{s}"] = Figure("cases", SOURCE_WORDS[s], RECEIVED)
    f["cases.green_channel"] = Figure("cases", _l("Green-channel cases"), RECEIVED)
    f["closure.approved"] = Figure(
        "cases", _l("Cases approved"), _l("counts cases received in the period that were approved")
    )
    f["closure.closed"] = Figure(
        "cases",
        _l("Cases approved and closed"),
        _l("counts cases received in the period, approved, and now closed or archived"),
    )
    f["closure.rate"] = Figure(
        "cases", _l("Closure rate"), _l("cases closed or archived over cases approved"), "percent"
    )
    f["closings.ended"] = Figure(
        "cases", _l("Cases ended"), _l("counts closing reports whose case ended in the period")
    )
    persons = _l("counts persons (each applicant of a group case) of cases received in the period")
    f["persons.total"] = Figure("recipients", _l("Recipients"), persons, "persons")
    for c in CATEGORIES:
        f[f"persons.{c}"] = Figure("recipients", CATEGORY_WORDS[c], persons, "persons")
    for c in CATEGORIES:
        f[f"persons.share.{c}"] = Figure(
            "recipients",
            _l("%(category)s: share of recipients", category=CATEGORY_WORDS[c]),
            _l("persons of the category over all recipients (a person may be in several categories)"),
            "percent",
        )
    f["civil.migrant_worker"] = Figure(
        "recipients",
        _l("Civil cases of migrant workers"),
        _l("counts civil cases received in the period whose applicant is a migrant worker"),
    )
    f["civil.migrant_worker_share"] = Figure(
        "recipients",
        _l("Migrant workers' share of civil cases"),
        _l("civil cases of migrant workers over civil cases"),
        "percent",
    )
    consulted = _l("counts consultations that took place in the period")
    f["consultations.total"] = Figure("consultations", _l("Consultations"), consulted)
    for c in CHANNELS:
        f[f"consultations.channel.{c}"] = Figure(
            "consultations", _l("Consultations %(channel)s", channel=CHANNEL_WORDS[c]), consulted
        )
    for o in CONSULTATION_OUTCOMES:
        f[f"consultations.outcome.{o}"] = Figure(
            "consultations", _l("Consultations: %(outcome)s", outcome=OUTCOME_WORDS[o]), consulted
        )
    f["consultations.at_stations"] = Figure("stations", _l("Consultations at stations"), consulted)
    f["stations.taken"] = Figure("stations", _l("Applications taken at stations"), RECEIVED)
    f["stations.forwarded_late"] = Figure(
        "stations",
        _l("Applications forwarded late"),
        _l(
            "counts applications received in the period that reached the centre after the forwarding"
            " limit (3 working days; 24 hours for a detained applicant)"
        ),
    )
    shifts = _l("counts duty shifts on days of the period")
    f["duty.shifts"] = Figure("stations", _l("Duty shifts"), shifts)
    for s in SHIFT_STATUSES:
        f[f"duty.{s}"] = Figure("stations", _l("Duty shifts %(status)s", status=SHIFT_WORDS[s]), shifts)
    helped = _l("sums the legal help recorded at check-out of duty shifts on days of the period")
    for kind, words in HELP_WORDS.items():
        f[f"duty.help.{kind}"] = Figure("stations", _l("Legal help on duty: %(kind)s", kind=words), helped)
    received = _l("counts complaints received in the period")
    f["complaints.received"] = Figure("complaints", _l("Complaints received"), received)
    f["complaints.upheld"] = Figure("complaints", _l("Complaints upheld"), received)
    f["complaints.answered"] = Figure("complaints", _l("Complaints answered"), received)
    f["complaints.answered_in_time"] = Figure(
        "complaints", _l("Complaints answered in time"), _l("of those, answered by the answer-by date")
    )
    f["complaints.in_time_share"] = Figure(
        "complaints",
        _l("Complaints answered in time: share"),
        _l("complaints answered in time over complaints received"),
        "percent",
    )
    scored = _l("counts score files made final in the period")
    f["scores.files"] = Figure("quality", _l("Cases scored"), scored)
    f["scores.average"] = Figure("quality", _l("Average score"), _l("average total of those files"), "points")
    for g in GRADES:
        f[f"scores.grade.{g}"] = Figure("quality", _l("Grade: %(grade)s", grade=GRADE_WORDS[g]), scored)
    held = _l("counts observations of hearings held in the period")
    f["observations.planned"] = Figure("quality", _l("Observations planned"), held)
    f["observations.done"] = Figure("quality", _l("Observations done"), held)
    f["observations.rate"] = Figure(
        "quality", _l("Observations done against planned"), _l("observations done over planned"), "percent"
    )
    due = _l("counts follow-up calls due in the period")
    f["calls.planned"] = Figure("quality", _l("Follow-up calls planned"), due)
    f["calls.done"] = Figure("quality", _l("Follow-up calls done"), due)
    f["calls.rate"] = Figure(
        "quality", _l("Follow-up calls done against planned"), _l("calls done over calls planned"), "percent"
    )
    paid = _l("counts subsidies paid in the period (by the payment date)")
    f["subsidies.paid"] = Figure("money", _l("Subsidies paid"), paid)
    f["subsidies.paid_fen"] = Figure("money", _l("Subsidies paid: amount"), paid, "fen")
    ended = _l("closing reports of cases ended in the period that give the amount")
    f["recovered.cases"] = Figure("money", _l("Cases with an amount recovered"), ended)
    f["recovered.fen"] = Figure(
        "money",
        _l("Amount recovered or obtained for clients"),
        _l("sum of the amounts given at closing"),
        "fen",
    )
    return f


FIGURES = _figures()


def label(key: str):
    return FIGURES[key].label


def definition(key: str):
    return FIGURES[key].definition
