"""The subsidy amount: the dated rate table, grade multipliers, termination, extras (DESIGN.md §4).

Computed in Decimal and rounded half-up to the fen once; money is integer fen everywhere else.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from assignment.labels import CASE_TYPE_LABELS
from assignment.models import Assignment, Case, Provider
from assignment.roles import actor_id, require_role
from legalaid import audit, clock
from legalaid.db import lock_row
from legalaid.errors import Invalid, NotAllowed, NotFound, labelled, say
from supervision.subsidies.labels import PROVIDER_KIND_LABELS, STAGE_LABELS
from supervision.subsidies.models import (
    RATE_CASE_TYPES,
    RATE_PROVIDER_KINDS,
    RATE_STAGES,
    Subsidy,
    SubsidyRate,
)
from supervision.subsidies.prerequisites import ClosingFacts, ScoreFacts

# Defaults of DESIGN.md §4; each may be changed through the SUBSIDY_RULES setting.
DEFAULT_RULES = {
    # 优秀 1.2, 良好 1.1, 合格 1.0, 不合格 0.5
    "grade_multipliers": {"excellent": "1.2", "good": "1.1", "pass": "1.0", "fail": "0.5"},
    # Law art. 48: a terminated case is still paid, pro-rated.
    "terminated_ratio": "0.5",
    # Possible life imprisonment or death: criminal rates × 1.5 (Putian Hanjiang 2016).
    "serious_sentence_factor": "1.5",
    # Extras, added after the multipliers: each related case of a group matter, and handling a case
    # outside the provider's own area (travel).
    "related_case_fen": 20000,
    "related_cases_max": 10,
    "cross_region_fen": 20000,
    # Who receives the transfer: the provider, or the provider's organisation.
    "payee": "provider",
}

# The seeded rate table (yuan → fen), from Putian Hanjiang 2016 and Tianchang 2020.
DEFAULT_RATES_YUAN = {
    ("criminal", "investigation"): 800,
    ("criminal", "prosecution"): 1000,
    ("criminal", "trial"): 1200,
    ("civil", ""): 1200,
    ("administrative", ""): 1200,
    ("non_litigation", ""): 800,
}
DEFAULT_RATES_FROM = dt.date(2000, 1, 1)

ADMIN = ("admin",)


def declare_rules(app) -> None:
    from flask_babel import lazy_gettext as _l

    from legalaid import rules as rules_config

    rules_config.declare(
        app,
        "SUBSIDY_RULES",
        DEFAULT_RULES,
        _l("Subsidies: multipliers, extras and payee"),
        check=lambda name, value: (
            "must be provider or organization"
            if name == "payee" and value not in ("provider", "organization")
            else None
        ),
    )


def rules() -> dict:
    return {**DEFAULT_RULES, **current_app.config.get("SUBSIDY_RULES", {})}


def rate_stage(case: Case) -> str:
    return (case.stage or "trial") if case.case_type == "criminal" else ""


def rate_in_force(
    session: Session, case_type: str, stage: str, provider_kind: str, on: dt.date
) -> SubsidyRate:
    rate = session.scalars(
        sa.select(SubsidyRate)
        .where(
            SubsidyRate.case_type == case_type,
            SubsidyRate.stage == stage,
            SubsidyRate.provider_kind == provider_kind,
            SubsidyRate.effective_from <= on,
        )
        .order_by(SubsidyRate.effective_from.desc())
        .limit(1)
    ).first()
    if rate is None:
        raise NotAllowed(
            say(
                "No subsidy rate for %(case_type)s %(stage)s cases handled by a %(kind)s on %(day)s; "
                "an administrator must add one.",
                case_type=labelled(case_type, CASE_TYPE_LABELS),
                stage=labelled(stage, STAGE_LABELS) if stage else "",
                kind=labelled(provider_kind, PROVIDER_KIND_LABELS),
                day=on,
            )
        )
    return rate


def _extras(case: Case, provider: Provider, r: dict) -> list[dict]:
    extras = []
    related = min(max((case.group_size or 1) - 1, 0), int(r["related_cases_max"]))
    if related and r["related_case_fen"]:
        extras.append(
            {"code": "related_cases", "count": related, "fen": related * int(r["related_case_fen"])}
        )
    home = provider.organization.area if provider.organization else None
    if home and case.intake_point and home != case.intake_point and r["cross_region_fen"]:
        extras.append({"code": "cross_region", "fen": int(r["cross_region_fen"])})
    return extras


def compute_subsidy(
    session: Session, case: Case, assignment: Assignment, closing: ClosingFacts, score: ScoreFacts
) -> tuple[int, dict]:
    """The amount in fen and its breakdown: base rate × serious-sentence factor × grade multiplier
    × termination ratio, plus extras; a confirmed took-money veto pays nothing (Law art. 20)."""
    r = rules()
    provider = assignment.provider
    assigned_on = clock.local_date(assignment.assigned_at)
    stage = rate_stage(case)
    rate = rate_in_force(session, case.case_type, stage, provider.kind, assigned_on)
    serious = case.case_type == "criminal" and case.max_sentence in ("life", "death")
    serious_factor = Decimal(str(r["serious_sentence_factor"])) if serious else Decimal(1)
    grade_multiplier = Decimal(str(r["grade_multipliers"][score.grade]))
    terminated_ratio = Decimal(str(r["terminated_ratio"])) if closing.terminated else Decimal(1)
    extras = _extras(case, provider, r)
    exact = Decimal(rate.amount_fen) * serious_factor * grade_multiplier * terminated_ratio
    exact += sum((Decimal(e["fen"]) for e in extras), Decimal(0))
    if score.took_money_confirmed:
        exact = Decimal(0)
    amount = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    breakdown = {
        "rate_id": rate.id,
        "rate_effective_from": rate.effective_from.isoformat(),
        "case_type": case.case_type,
        "stage": stage,
        "provider_kind": provider.kind,
        "assigned_on": assigned_on.isoformat(),
        "base_fen": rate.amount_fen,
        "serious_sentence_factor": str(serious_factor),
        "grade": score.grade,
        "grade_multiplier": str(grade_multiplier),
        "terminated": closing.terminated,
        "terminated_ratio": str(terminated_ratio),
        "extras": extras,
        "took_money_veto": score.took_money_confirmed,
        "exact_fen": str(exact),
        "amount_fen": amount,
    }
    return amount, breakdown


CRIMINAL_STAGES = ("investigation", "prosecution", "trial")
DUTY_STAGES = ("half_day", "day")  # a duty shift: a morning or an afternoon, or a whole day


def stage_problem(case_type: str, stage: str):
    """Why ``stage`` does not go with ``case_type`` (None: it does): criminal rates per stage, duty
    rates per half or whole day (issue 14), the other case types none."""
    if case_type == "duty":
        return None if stage in DUTY_STAGES else say("Duty rates are per half day or whole day.")
    if (case_type == "criminal") != (stage in CRIMINAL_STAGES) or (case_type != "criminal" and stage):
        return say("Criminal rates need a stage; other case types have none.")
    return None


def add_rate(
    session: Session,
    actor,
    *,
    case_type: str,
    provider_kind: str,
    effective_from: dt.date,
    amount_fen: int,
    stage: str | None = None,
    note: str | None = None,
) -> SubsidyRate:
    """A new rate from a date. Rates already used stay as they were, and frozen subsidies keep their
    amount (a mistaken rate not used yet can be corrected or withdrawn)."""
    require_role(actor, *ADMIN)
    stage = stage or ""
    problems: dict[str, list[str]] = {}
    if case_type not in RATE_CASE_TYPES:
        problems["case_type"] = [say("Unknown case type.")]
    if provider_kind not in RATE_PROVIDER_KINDS:
        problems["provider_kind"] = [say("Unknown provider kind.")]
    if stage not in RATE_STAGES or stage_problem(case_type, stage):
        problems["stage"] = [stage_problem(case_type, stage) or say("Unknown stage.")]
    if not isinstance(amount_fen, int) or amount_fen < 0:
        problems["amount_fen"] = [say("A whole, non-negative number of fen.")]
    if problems:
        raise Invalid(say("The rate is not valid."), fields=problems)
    exists = session.scalar(
        sa.select(SubsidyRate.id).where(
            SubsidyRate.case_type == case_type,
            SubsidyRate.stage == stage,
            SubsidyRate.provider_kind == provider_kind,
            SubsidyRate.effective_from == effective_from,
        )
    )
    if exists:
        raise Invalid(
            say("A rate for these cases already starts on that date."),
            fields={"effective_from": [say("Already taken; choose another date.")]},
        )
    rate = SubsidyRate(
        case_type=case_type,
        stage=stage,
        provider_kind=provider_kind,
        effective_from=effective_from,
        amount_fen=amount_fen,
        note=note,
        created_by=actor_id(actor),
    )
    session.add(rate)
    session.flush()
    audit.record(
        session,
        actor,
        "subsidy_rate.add",
        "subsidy_rate",
        rate.id,
        None,
        {
            "case_type": case_type,
            "stage": stage,
            "provider_kind": provider_kind,
            "effective_from": effective_from,
            "amount_fen": amount_fen,
        },
    )
    return rate


def rates_in_use(session: Session, rate_ids) -> set[int]:
    """The rates some frozen subsidy was computed with (its breakdown names the rate): those are kept
    as they are for ever; a change is a new dated rate."""
    ids = sorted(set(rate_ids))
    if not ids:
        return set()
    # One probe per rate (an index on the breakdown's rate on PostgreSQL, migration 0019), never a
    # read of every subsidy's breakdown.
    used = sa.exists().where(Subsidy.breakdown["rate_id"].as_integer() == SubsidyRate.id)
    return set(session.scalars(sa.select(SubsidyRate.id).where(SubsidyRate.id.in_(ids), used)))


def _unused_rate(session: Session, actor, rate_id: int) -> SubsidyRate:
    """The rate, locked, if no subsidy used it yet (404 unknown, 409 used)."""
    require_role(actor, *ADMIN)
    rate = lock_row(session, SubsidyRate, rate_id)
    if rate is None:
        raise NotFound(say("No such rate."))
    if rates_in_use(session, [rate.id]):
        raise NotAllowed(
            say(
                "Subsidies were already computed with this rate, so it stays as it is; "
                "add a new rate from a date instead."
            ),
            code="rate_in_use",
        )
    return rate


def _rate_summary(rate: SubsidyRate) -> dict:
    return {
        "case_type": rate.case_type,
        "stage": rate.stage,
        "provider_kind": rate.provider_kind,
        "effective_from": rate.effective_from,
        "amount_fen": rate.amount_fen,
        "note": rate.note,
    }


def correct_rate(
    session: Session,
    actor,
    rate_id: int,
    *,
    effective_from: dt.date,
    amount_fen: int,
    note: str | None = None,
) -> SubsidyRate:
    """Correct a mistaken rate that no subsidy was computed with yet: its date, amount and note."""
    rate = _unused_rate(session, actor, rate_id)
    if not isinstance(amount_fen, int) or amount_fen < 0:
        raise Invalid(
            say("The rate is not valid."),
            fields={"amount_fen": [say("A whole, non-negative number of fen.")]},
        )
    taken = session.scalar(
        sa.select(SubsidyRate.id).where(
            SubsidyRate.case_type == rate.case_type,
            SubsidyRate.stage == rate.stage,
            SubsidyRate.provider_kind == rate.provider_kind,
            SubsidyRate.effective_from == effective_from,
            SubsidyRate.id != rate.id,
        )
    )
    if taken:
        raise Invalid(
            say("A rate for these cases already starts on that date."),
            fields={"effective_from": [say("Already taken; choose another date.")]},
        )
    before = _rate_summary(rate)
    rate.effective_from, rate.amount_fen, rate.note = effective_from, amount_fen, note
    session.flush()
    audit.record(session, actor, "subsidy_rate.correct", "subsidy_rate", rate.id, before, _rate_summary(rate))
    return rate


def withdraw_rate(session: Session, actor, rate_id: int, reason: str | None = None) -> None:
    """Withdraw a mistaken rate that no subsidy was computed with yet."""
    rate = _unused_rate(session, actor, rate_id)
    before = _rate_summary(rate)
    session.delete(rate)
    session.flush()
    audit.record(session, actor, "subsidy_rate.withdraw", "subsidy_rate", rate_id, before, {"reason": reason})


def rate_table(session: Session) -> list[SubsidyRate]:
    return list(
        session.scalars(
            sa.select(SubsidyRate).order_by(
                SubsidyRate.case_type,
                SubsidyRate.stage,
                SubsidyRate.provider_kind,
                SubsidyRate.effective_from,
            )
        )
    )
