"""Marking a file: a supervisor's score sheet from draft to submitted, and where each submission
moves the file (second marking, third marking, the final score; DESIGN.md §4 "Review flow")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from assignment import intake
from assignment.roles import require_role
from legalaid import audit, clock
from legalaid.errors import Invalid, NotAllowed, NotFound, say
from supervision import signals
from supervision.scoring import rules
from supervision.scoring.files import get_file, pinned_checklist
from supervision.scoring.models import Checklist, ScoreFile, ScoreLine, ScoreSheet
from supervision.scoring.suggestions import suggest_scores
from supervision.scoring.vetoes import confirmed_took_money
from supervision.scoring.who_may_mark import ROLE_FOR_STATUS, marking_refusal, scorer_exclusion


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


def recompute(sheet: ScoreSheet, checklist: Checklist) -> None:
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
    recompute(sheet, checklist)
    sheet.file = file
    session.add(sheet)
    session.flush()
    audit.record(session, actor, "score_sheet.created", "score_sheet", sheet.id, after=_sheet_summary(sheet))
    return sheet


def own_draft(sheet: ScoreSheet, actor) -> None:
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
    own_draft(sheet, actor)
    checklist = sheet.file.checklist or pinned_checklist(session, sheet.file)
    before = _sheet_summary(sheet)
    _fill_lines(sheet, checklist, items, keep_existing=True)
    _set_vetoes(sheet, checklist, vetoes, veto_note)
    recompute(sheet, checklist)
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


def check_complete(sheet: ScoreSheet, checklist: Checklist) -> None:
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
    own_draft(sheet, actor)
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
    recompute(sheet, checklist)
    check_complete(sheet, checklist)
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
    if file.status == "final" and confirmed_took_money(session, file.case_id):
        # A confirmed took-money report fails the score whatever the sheets say (DESIGN.md §4).
        file.veto, file.grade = True, "fail"
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
