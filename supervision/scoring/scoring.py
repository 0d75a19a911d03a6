"""Score sheets and the file's review flow (DESIGN.md §4 "Scoring"): marking, second and third
marking, the final score, the provider's acceptance or appeal, and the appeal decision."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment import intake, labels
from assignment.deadlines import limits
from assignment.models import Assignment, Provider
from assignment.roles import require_role
from legalaid import audit, clock
from legalaid.db import lock_for_update
from legalaid.errors import Invalid, NotAllowed, NotFound, say
from supervision import signals
from supervision.scoring import rules
from supervision.scoring.closing import get_closing, hand_in_status
from supervision.scoring.defaults import (
    AUTO_HAND_IN,
    AUTO_HEARING,
    AUTO_RED_FLAG,
    AUTO_RETAINER,
)
from supervision.scoring.models import Checklist, ScoreFile, ScoreLine, ScoreSheet

# Which sheet a file's status calls for next.
ROLE_FOR_STATUS = {"open": "first", "second_review": "second", "third_review": "third", "appealed": "appeal"}


# --- lookups -------------------------------------------------------------------------------------


def get_file(session: Session, case_id: int, *, lock: bool = False) -> ScoreFile:
    stmt = sa.select(ScoreFile).where(ScoreFile.case_id == case_id)
    file = session.scalars(lock_for_update(stmt) if lock else stmt).one_or_none()
    if file is None:
        case = intake.get_case(session, case_id)  # 404 for an unknown case
        raise NotAllowed(
            say(
                "The case is %(status)s; only a closed case's file is scored.",
                status=labels.case_status(case.status),
            )
        )
    return file


def get_sheet(session: Session, sheet_id: int) -> ScoreSheet:
    sheet = session.get(ScoreSheet, sheet_id)
    if sheet is None:
        raise NotFound(say("There is no such score sheet."))
    return sheet


def readable_sheet(session: Session, sheet_id: int, actor) -> tuple[ScoreSheet, bool]:
    """A score sheet as ``actor`` may read it, and whether they read it as the provider: their own sheet,
    any submitted sheet for supervisors and admins, the provider's submitted sheets once the score is
    theirs to see. Anything else is 'not found' (DESIGN.md §5)."""
    sheet = get_sheet(session, sheet_id)
    if sheet.scorer_id == actor.id or (actor.has_role("supervisor", "admin") and sheet.status == "submitted"):
        return sheet, False
    file = sheet.file
    if (
        actor.provider_id is not None
        and actor.provider_id == file.provider_id
        and visible_to_provider(file)
        and sheet.status == "submitted"
    ):
        return sheet, True
    raise NotFound(say("There is no such score sheet."))


def own_file(session: Session, case_id: int, actor, *, lock: bool = False) -> ScoreFile:
    """A provider's own file; another provider's is 'not found' (DESIGN.md §5)."""
    stmt = sa.select(ScoreFile).where(ScoreFile.case_id == case_id)
    file = session.scalars(lock_for_update(stmt) if lock else stmt).one_or_none()
    if file is None or actor is None or actor.provider_id != file.provider_id:
        raise NotFound(say("There is no such case."))
    return file


def visible_to_provider(file: ScoreFile) -> bool:
    """The provider reads the score once it is final (and through and after an appeal)."""
    return file.status in ("final", "appealed")


def pinned_checklist(session: Session, file: ScoreFile) -> Checklist:
    """The version pinned when the case closed; if none was in force then, the one in force now."""
    if file.checklist is not None:
        return file.checklist
    from supervision.scoring.checklists import checklist_in_force

    checklist = checklist_in_force(session, file.case_type, file.ended_on)
    if checklist is None:
        raise NotAllowed(
            say(
                "No %(case_type)s checklist was in force on %(day)s; publish one first.",
                case_type=file.case_type,
                day=file.ended_on,
            )
        )
    file.checklist_id = checklist.id
    file.checklist = checklist
    return checklist


# --- who may mark --------------------------------------------------------------------------------


def scorer_exclusions(session: Session, files: list[ScoreFile], actor) -> dict[int, str]:
    """For each of ``files`` the actor may not mark, why (by case id). DESIGN.md §4: no one scores a
    file they assigned, their own, or one from their own organisation. Three queries for any number
    of files (the marking worklist reads a page of them at once)."""
    case_ids = [f.case_id for f in files]
    if not case_ids:
        return {}
    assigned = set(
        session.scalars(
            sa.select(Assignment.case_id).where(
                Assignment.case_id.in_(case_ids), Assignment.assigned_by == actor.id
            )
        )
    )
    organization_id = (
        session.scalar(sa.select(Provider.organization_id).where(Provider.id == actor.provider_id))
        if actor.provider_id is not None
        else None
    )
    why: dict[int, str] = {}
    for file in files:
        if file.case_id in assigned:
            why[file.case_id] = say("You assigned this case, so you may not score it.")
        elif actor.provider_id is not None and actor.provider_id == file.provider_id:
            why[file.case_id] = say("This is your own case, so you may not score it.")
        elif organization_id is not None and organization_id == file.organization_id:
            why[file.case_id] = say("The case was handled by your own organisation, so you may not score it.")
    return why


def scorer_exclusion(session: Session, file: ScoreFile, actor) -> str | None:
    """Why ``actor`` may not mark this file, or None (``scorer_exclusions`` for one file)."""
    return scorer_exclusions(session, [file], actor).get(file.case_id)


def markers(file: ScoreFile) -> set[int]:
    """Supervisors who have a sheet on the file other than an appeal sheet."""
    return {s.scorer_id for s in file.sheets if s.role != "appeal"}


def marking_refusal(session: Session, file: ScoreFile, actor) -> str | None:
    """Why the actor cannot start the sheet the file needs now, or None."""
    role = ROLE_FOR_STATUS.get(file.status)
    if role is None:
        return say("The file's score is final; there is nothing left to mark.")
    excluded = scorer_exclusion(session, file, actor)
    if excluded:
        return excluded
    mine = [s for s in file.sheets if s.scorer_id == actor.id]
    if any(s.role == role for s in mine):
        return say("You already have a sheet for this stage of the file.")
    if role in ("second", "third") and any(s.status == "submitted" for s in mine):
        return say("A second or third marker must be someone who has not marked this file.")
    if role == "appeal" and actor.id in markers(file):
        return say("An appeal goes to a supervisor who has not marked this file.")
    return None


# --- suggestions -----------------------------------------------------------------------------------


def _scheduling_function(name: str):
    """The scheduling capability's read functions, while that module is still being built."""
    try:
        from supervision.scheduling import services
    except ModuleNotFoundError as exc:
        if exc.name not in ("supervision.scheduling", "supervision.scheduling.services"):
            raise
        return None
    return getattr(services, name, None)


def hearing_ratings(session: Session, case_id: int) -> list[dict]:
    fn = _scheduling_function("hearing_ratings")
    return list(fn(session, case_id)) if fn else []


def red_flags(session: Session, case_id: int) -> list:
    fn = _scheduling_function("red_flags")
    return list(fn(session, case_id)) if fn else []


def _reason(key: str, **params) -> dict:
    return {"key": key, "params": rules_jsonable(params)}


def rules_jsonable(params: dict) -> dict:
    return {
        k: (v.isoformat() if isinstance(v, dt.date) else str(v) if isinstance(v, Decimal) else v)
        for k, v in params.items()
    }


def suggest_scores(
    session: Session, file: ScoreFile, checklist: Checklist, today: dt.date | None = None
) -> dict:
    """Scores the rules can judge, each with its reason: ``{"items": {code: {"points", "reason"}},
    "vetoes": {code: reason}}``. The scorer may override any of them with a note."""
    today = today or clock.today()
    closing = get_closing(session, file.case_id)
    items: dict[str, dict] = {}
    for item in checklist.items:
        suggestion = None
        if item.auto == AUTO_RETAINER:
            suggestion = _retainer_suggestion(session, file, closing, item.max_points)
        elif item.auto == AUTO_HAND_IN:
            suggestion = _hand_in_suggestion(closing, file.case_type, item.max_points, today)
        elif item.auto == AUTO_HEARING:
            suggestion = _hearing_suggestion(session, file.case_id, item.max_points)
        if suggestion is not None:
            items[item.code] = {"points": str(suggestion[0]), "reason": suggestion[1]}
    vetoes: dict[str, dict] = {}
    for veto in checklist.veto_items:
        if veto.auto == AUTO_RED_FLAG:
            # DESIGN.md §4: "took money" on a follow-up call sets the veto until resolved.
            flags = [
                f
                for f in red_flags(session, file.case_id)
                if getattr(f, "kind", None) == "took_money"
                and getattr(f, "status", None) in ("open", "confirmed")
            ]
            if flags:
                vetoes[veto.code] = _reason("red_flag", status=flags[0].status)
    return {"items": items, "vetoes": vetoes}


def _retainer_suggestion(session: Session, file: ScoreFile, closing, max_points: Decimal):
    # Procedure rules 2023 art. 27: the retainer is signed within 5 days of assignment.
    if closing.retainer_signed_on is None:
        return None
    assigned_at = session.scalar(
        sa.select(Assignment.assigned_at)
        .where(Assignment.case_id == file.case_id, Assignment.provider_id == file.provider_id)
        .order_by(Assignment.assigned_at.desc())
        .limit(1)
    )
    if assigned_at is None:
        return None
    assigned_on = clock.local_date(assigned_at)
    days = (closing.retainer_signed_on - assigned_on).days
    allowed = limits()["retainer_days"]
    if days <= allowed:
        return max_points, _reason(
            "retainer_on_time", signed_on=closing.retainer_signed_on, assigned_on=assigned_on
        )
    return Decimal(0), _reason(
        "retainer_late",
        signed_on=closing.retainer_signed_on,
        assigned_on=assigned_on,
        days=days - allowed,
    )


def _hand_in_suggestion(closing, case_type: str, max_points: Decimal, today: dt.date):
    # Local guides: closing materials complete within 30 days of the case ending; late costs half.
    status = hand_in_status(closing, case_type, today)
    if status["complete"] and not status["late"]:
        return max_points, _reason(
            "hand_in_on_time", complete_on=status["complete_on"], due_on=status["due_on"]
        )
    if status["complete"]:
        return rules.round_tenth(Decimal(max_points) / 2), _reason(
            "hand_in_late", complete_on=status["complete_on"], days=status["days_late"]
        )
    return Decimal(0), _reason(
        "hand_in_missing", missing=", ".join(status["missing"]), due_on=status["due_on"]
    )


def _hearing_suggestion(session: Session, case_id: int, max_points: Decimal):
    # The four observation ratings (1..5) scale the hearing item: mean / 5 × maximum.
    ratings = [
        Decimal(r[k])
        for r in hearing_ratings(session, case_id)
        for k in ("preparation", "examination", "argument", "effect")
        if r.get(k) is not None
    ]
    if not ratings:
        return None
    mean = sum(ratings) / len(ratings)
    points = rules.round_tenth(Decimal(max_points) * mean / 5)
    return points, _reason(
        "hearing_ratings", observations=len(ratings) // 4 or 1, mean=rules.round_tenth(mean)
    )


# --- marking -------------------------------------------------------------------------------------


def _points(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        points = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal("NaN")
    return points


def _fill_lines(
    sheet: ScoreSheet, checklist: Checklist, items: list[dict] | None, keep_existing: bool
) -> None:
    """Put the scorer's points on the sheet; items not given keep their value or the suggestion.
    Points outside 0..max, with more than one decimal, or unknown codes are refused (422)."""
    given = {}
    problems: dict[str, list[str]] = {}
    for i, entry in enumerate(items or []):
        code = entry.get("code")
        item = checklist.item(code) if code else None
        if item is None or item.kind != "item":
            problems[f"items.{i}.code"] = [say("Not an item of this checklist: %(code)s.", code=code)]
            continue
        points = _points(entry.get("points"))
        na = bool(entry.get("na"))
        if na and points is not None:
            problems[f"items.{i}.points"] = [say("An item marked N/A has no points.")]
        elif points is not None and (
            not points.is_finite()
            or points < 0
            or points > item.max_points
            or not rules.has_one_decimal(points)
        ):
            problems[f"items.{i}.points"] = [
                say(
                    "Between 0 and %(most)s for %(code)s, at most one decimal.",
                    most=item.max_points,
                    code=code,
                )
            ]
        given[code] = {"points": points, "na": na, "note": (entry.get("note") or "").strip() or None}
    if problems:
        raise Invalid(say("Some points are not valid."), fields=problems)
    suggested = sheet.suggestions.get("items", {})
    existing = {ln.code: ln for ln in sheet.lines}
    for position, item in enumerate(checklist.items, 1):
        line = existing.get(item.code)
        if line is None:
            line = ScoreLine(code=item.code, position=position)
            sheet.lines.append(line)
            if item.code in suggested:
                line.points = Decimal(suggested[item.code]["points"])
        if item.code in given:
            line.points, line.na, line.note = (
                given[item.code]["points"],
                given[item.code]["na"],
                given[item.code]["note"],
            )
        elif not keep_existing and item.code not in suggested:
            line.points, line.na, line.note = None, False, None


def _set_vetoes(
    sheet: ScoreSheet, checklist: Checklist, vetoes: list[str] | None, veto_note: str | None
) -> None:
    if vetoes is None:
        return
    known = {v.code for v in checklist.veto_items}
    unknown = [v for v in vetoes if v not in known]
    if unknown:
        raise Invalid(
            say("Unknown veto item."),
            fields={
                "vetoes": [say("Not a veto item of this checklist: %(codes)s.", codes=", ".join(unknown))]
            },
        )
    sheet.vetoes = list(dict.fromkeys(vetoes))
    sheet.veto_note = (veto_note or "").strip() or None


def _recompute(sheet: ScoreSheet, checklist: Checklist) -> None:
    by_code = {i.code: i for i in checklist.items}
    try:
        sheet.total = rules.sheet_total((by_code[ln.code].max_points, ln.points, ln.na) for ln in sheet.lines)
    except ValueError as exc:
        raise Invalid(
            say("At least one item must apply; they cannot all be N/A."),
            fields={"items": [say("All items are N/A.")]},
        ) from exc
    sheet.grade = rules.grade_for(sheet.total, bool(sheet.vetoes), checklist.grade_bands)


def _sheet_summary(sheet: ScoreSheet) -> dict:
    return {
        "case_id": sheet.case_id,
        "role": sheet.role,
        "status": sheet.status,
        "total": sheet.total,
        "grade": sheet.grade,
        "vetoes": sheet.vetoes,
        "lines": {
            ln.code: ("N/A" if ln.na else str(ln.points) if ln.points is not None else None)
            for ln in sheet.lines
        },
    }


def create_score_sheet(
    session: Session,
    case_id: int,
    actor,
    *,
    items: list[dict] | None = None,
    vetoes: list[str] | None = None,
    veto_note: str | None = None,
    today: dt.date | None = None,
) -> ScoreSheet:
    """A supervisor starts marking a closed file; the rules' suggestions are pre-filled."""
    require_role(actor, "supervisor")
    file = get_file(session, case_id, lock=True)
    refusal = marking_refusal(session, file, actor)
    if refusal:
        raise NotAllowed(refusal, code="not_allowed")
    checklist = pinned_checklist(session, file)
    suggestions = suggest_scores(session, file, checklist, today)
    sheet = ScoreSheet(
        case_id=file.case_id,
        checklist_id=checklist.id,
        scorer_id=actor.id,
        role=ROLE_FOR_STATUS[file.status],
        status="draft",
        suggestions=suggestions,
        vetoes=list(suggestions["vetoes"]),
        total=Decimal(0),
        grade="fail",
    )
    _fill_lines(sheet, checklist, items, keep_existing=True)
    _set_vetoes(sheet, checklist, vetoes, veto_note)
    _recompute(sheet, checklist)
    sheet.file = file
    session.add(sheet)
    session.flush()
    audit.record(session, actor, "score_sheet.created", "score_sheet", sheet.id, after=_sheet_summary(sheet))
    return sheet


def _own_draft(sheet: ScoreSheet, actor) -> None:
    if actor is None or sheet.scorer_id != actor.id:
        raise NotFound(say("There is no such score sheet."))
    if sheet.status != "draft":
        raise NotAllowed(say("This sheet has been submitted and can no longer change."))


def update_score_sheet(
    session: Session,
    sheet: ScoreSheet,
    actor,
    *,
    items: list[dict] | None = None,
    vetoes: list[str] | None = None,
    veto_note: str | None = None,
) -> ScoreSheet:
    """The scorer changes their draft; totals and grade follow."""
    _own_draft(sheet, actor)
    checklist = sheet.file.checklist or pinned_checklist(session, sheet.file)
    before = _sheet_summary(sheet)
    _fill_lines(sheet, checklist, items, keep_existing=True)
    _set_vetoes(sheet, checklist, vetoes, veto_note)
    _recompute(sheet, checklist)
    sheet.updated_at = clock.now()
    session.flush()
    audit.record(
        session,
        actor,
        "score_sheet.updated",
        "score_sheet",
        sheet.id,
        before=before,
        after=_sheet_summary(sheet),
    )
    return sheet


def _check_complete(sheet: ScoreSheet, checklist: Checklist) -> None:
    """A submitted sheet scores every item (or marks it N/A), explains every deduction and every
    change to a suggested score, and explains its vetoes."""
    problems: dict[str, list[str]] = {}
    suggested = sheet.suggestions.get("items", {})
    for item in checklist.items:
        line = sheet.line(item.code)
        key = f"items.{item.code}"
        if line is None or (line.points is None and not line.na):
            problems[key] = [say("Give points or mark the item N/A.")]
            continue
        if line.na or line.note:
            continue
        if line.points < item.max_points:
            problems[key] = [say("Explain the deduction in a note.")]
        elif item.code in suggested and Decimal(suggested[item.code]["points"]) != line.points:
            problems[key] = [say("Explain in a note why you changed the suggested score.")]
    suggested_vetoes = set(sheet.suggestions.get("vetoes", {}))
    if (sheet.vetoes or suggested_vetoes - set(sheet.vetoes)) and not sheet.veto_note:
        problems["veto_note"] = [say("Explain the veto items you set or cleared.")]
    if problems:
        raise Invalid(say("The sheet is not complete."), fields=problems)


def submit_score_sheet(session: Session, sheet: ScoreSheet, actor, today: dt.date | None = None) -> ScoreFile:
    """Submit a sheet and move the file on: second marking for a fail or a sampled file, a third
    marker beyond a 10-point gap, else the score is final (DESIGN.md §4 "Review flow")."""
    today = today or clock.today()
    _own_draft(sheet, actor)
    file = get_file(session, sheet.case_id, lock=True)
    if sheet.role == "appeal":
        raise NotAllowed(say("An appeal sheet is submitted with the appeal decision."))
    if ROLE_FOR_STATUS.get(file.status) != sheet.role:
        raise NotAllowed(
            say(
                "The file is now %(status)s; this %(role)s sheet can no longer be submitted.",
                status=file.status,
                role=sheet.role,
            )
        )
    excluded = scorer_exclusion(session, file, actor)
    if excluded:
        raise NotAllowed(excluded)
    checklist = sheet.file.checklist or pinned_checklist(session, file)
    _recompute(sheet, checklist)
    _check_complete(sheet, checklist)
    sheet.status = "submitted"
    sheet.submitted_at = clock.now()
    before = {"status": file.status}
    veto = bool(sheet.vetoes)
    if sheet.role == "first":
        if sheet.grade == "fail" or file.in_sample:
            file.status = "second_review"
        else:
            _finalise(file, sheet.total, sheet.grade, veto, today)
    elif sheet.role == "second":
        first = file.submitted("first")[0]
        gap = abs(first.total - sheet.total)
        if gap > rules.setting("second_marking_gap") or bool(first.vetoes) != veto:
            file.status = "third_review"
        else:
            mean = rules.mean_total(first.total, sheet.total)
            _finalise(file, mean, rules.grade_for(mean, veto, checklist.grade_bands), veto, today)
    else:  # third: the third marker's sheet decides
        _finalise(file, sheet.total, sheet.grade, veto, today)
    session.flush()
    audit.record(
        session, actor, "score_sheet.submitted", "score_sheet", sheet.id, after=_sheet_summary(sheet)
    )
    audit.record(
        session,
        actor,
        "score.status_changed",
        "score_file",
        file.case_id,
        before=before,
        after={"status": file.status, "total": file.total, "grade": file.grade},
    )
    if file.status == "final":
        signals.score_finalised.send(session, case=intake.get_case(session, file.case_id), actor=actor)
    return file


def _finalise(file: ScoreFile, total: Decimal, grade: str, veto: bool, today: dt.date) -> None:
    file.status = "final"
    file.total = total
    file.grade = grade
    file.veto = veto
    file.finalised_at = clock.now()
    file.finalised_on = today
    file.appeal_by = today + dt.timedelta(days=rules.setting("appeal_days"))


# --- the provider's answer and the appeal ------------------------------------------------------


def accept_score(session: Session, case_id: int, actor) -> ScoreFile:
    """The provider accepts the final score, waiving the 10-day appeal window."""
    file = own_file(session, case_id, actor, lock=True)
    if file.status != "final":
        raise NotAllowed(say("Only a final score can be accepted."))
    if file.accepted_at is not None:
        raise NotAllowed(say("You have already accepted this score."))
    if file.appeal_decided_at is not None:
        raise NotAllowed(say("The appeal has been decided; the score is settled."))
    file.accepted_at = clock.now()
    session.flush()
    audit.record(
        session,
        actor,
        "score.accepted",
        "score_file",
        file.case_id,
        after={"total": file.total, "grade": file.grade},
    )
    return file


def appeal_score(
    session: Session, case_id: int, actor, reason: str, today: dt.date | None = None
) -> ScoreFile:
    """The provider appeals a final score within 10 days; it goes to a supervisor who has not marked it."""
    today = today or clock.today()
    file = own_file(session, case_id, actor, lock=True)
    if not (reason or "").strip():
        raise Invalid(say("Give the reason for the appeal."), fields={"reason": [say("Required.")]})
    if file.status == "appealed":
        raise NotAllowed(say("This score is already under appeal."))
    if file.status != "final":
        raise NotAllowed(say("Only a final score can be appealed."))
    if file.accepted_at is not None:
        raise NotAllowed(say("You accepted this score, which waived the appeal."))
    if file.appeal_decided_at is not None:
        raise NotAllowed(say("This score has already been appealed; the decision is final."))
    if today > file.appeal_by:
        raise NotAllowed(
            say(
                "The %(days)s-day appeal window closed on %(day)s.",
                days=rules.setting("appeal_days"),
                day=file.appeal_by.isoformat(),
            )
        )
    file.status = "appealed"
    file.appealed_at = clock.now()
    file.appeal_reason = reason.strip()
    session.flush()
    audit.record(
        session,
        actor,
        "score.appealed",
        "score_file",
        file.case_id,
        before={"status": "final"},
        after={"status": "appealed", "reason": file.appeal_reason},
    )
    return file


def decide_appeal(
    session: Session,
    case_id: int,
    actor,
    *,
    outcome: str,
    reason: str,
    sheet: ScoreSheet | None = None,
    today: dt.date | None = None,
) -> ScoreFile:
    """A supervisor who has not marked the file decides the appeal: the score is upheld, or revised
    by their own appeal sheet. The outcome is final."""
    today = today or clock.today()
    require_role(actor, "supervisor")
    file = get_file(session, case_id, lock=True)
    if file.status != "appealed":
        raise NotAllowed(say("This score is not under appeal."))
    excluded = scorer_exclusion(session, file, actor)
    if excluded:
        raise NotAllowed(excluded)
    if actor.id in markers(file):
        raise NotAllowed(say("An appeal goes to a supervisor who has not marked this file."))
    if not (reason or "").strip():
        raise Invalid(say("Give the reasons for the decision."), fields={"reason": [say("Required.")]})
    before = {"status": file.status, "total": file.total, "grade": file.grade}
    if outcome == "revised":
        if sheet is None or sheet.case_id != file.case_id or sheet.role != "appeal":
            raise Invalid(
                say("A revised score needs your appeal sheet."),
                fields={"sheet_id": [say("Your appeal sheet for this case.")]},
            )
        _own_draft(sheet, actor)
        checklist = pinned_checklist(session, file)
        _recompute(sheet, checklist)
        _check_complete(sheet, checklist)
        sheet.status = "submitted"
        sheet.submitted_at = clock.now()
        file.total, file.grade, file.veto = sheet.total, sheet.grade, bool(sheet.vetoes)
    elif outcome != "upheld":
        raise Invalid(
            say("The outcome is upheld or revised."), fields={"outcome": [say("One of: upheld, revised.")]}
        )
    file.status = "final"
    file.appeal_outcome = outcome
    file.appeal_decision = reason.strip()
    file.appeal_decided_at = clock.now()
    file.appeal_decided_by = actor.id
    session.flush()
    audit.record(
        session,
        actor,
        "score.appeal_decided",
        "score_file",
        file.case_id,
        before=before,
        after={
            "status": "final",
            "outcome": outcome,
            "total": file.total,
            "grade": file.grade,
            "reason": file.appeal_decision,
        },
    )
    signals.score_finalised.send(session, case=intake.get_case(session, file.case_id), actor=actor)
    return file


def score_settled(file: ScoreFile | None, today: dt.date | None = None) -> bool:
    """Final and no longer appealable: accepted, appeal decided, or the 10-day window passed
    (DESIGN.md §4 "What archiving needs")."""
    if file is None or file.status != "final":
        return False
    today = today or clock.today()
    return file.accepted_at is not None or file.appeal_decided_at is not None or today > file.appeal_by
