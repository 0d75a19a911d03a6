"""JSON API of closing and scoring (API.md "Closing, scoring, archive"). Views are thin: validate,
call one service function, commit, dump."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, jsonify, stream_with_context
from flask_login import current_user

from assignment import intake
from legalaid import clock, listing
from legalaid.api import PageArgs, api_blueprint, paginate, query_args, use_body
from legalaid.auth import roles_required
from legalaid.db import db
from legalaid.errors import NotFound, say
from legalaid.models import CASE_STAFF
from legalaid.openapi import BOOLEAN, CSV, INTEGER, JSON, Page, array, obj, page_of, responds, use_query
from supervision.scoring import answer_schemas as answer
from supervision.scoring import appeals, checklists, closing, files, lists, reports, sheets
from supervision.scoring.models import Checklist, ScoreFile
from supervision.scoring.schemas import (
    AppealDecisionSchema,
    AppealSchema,
    CaseTypeArgs,
    ChecklistSchema,
    ClosingSchema,
    DocumentsSchema,
    QualityArgs,
    ScoreSheetSchema,
    dump_checklist,
    dump_closing,
    dump_file,
    dump_sheet,
    number,
)

bp = api_blueprint("scoring_api", __name__)

STAFF = CASE_STAFF


def _english() -> bool:
    return closing._english()


# --- closing (the provider) ---


@bp.get("/closing-documents")
@roles_required()
@use_query(CaseTypeArgs)
@responds(200, answer.CLOSING_DOCUMENTS)
def closing_documents(args):
    """The closing materials (承办材料) a file must hold for a case type, required or optional."""
    items = closing.closing_documents(args["case_type"])
    return jsonify({"items": items, "total": len(items)})


@bp.post("/cases/<int:case_id>/closing")
@roles_required("provider")
@use_body(ClosingSchema)
@responds(200, answer.CASE_CLOSED)
def close_case(case_id, body):
    """The provider reports the case ended and hands in closing materials; the case is closed."""
    case = intake.get_case(db.session, case_id, current_user)
    report = closing.close_case(db.session, case, current_user, **body)
    db.session.commit()
    return jsonify({"case_id": case.id, "status": case.status, **dump_closing(report, case.case_type)})


@bp.post("/cases/<int:case_id>/documents")
@roles_required("provider")
@use_body(DocumentsSchema)
@responds(200, answer.CLOSING)
def hand_in_documents(case_id, body):
    """Closing materials handed in after the closing report (late after 30 days)."""
    case = intake.get_case(db.session, case_id, current_user)
    report = closing.hand_in_documents(db.session, case, current_user, body["documents"])
    db.session.commit()
    return jsonify(dump_closing(report, case.case_type))


@bp.get("/cases/<int:case_id>/closing")
@roles_required(*STAFF, "provider")
@responds(200, answer.CLOSING)
def read_closing(case_id):
    """The closing report, the materials handed in and the 30-day hand-in status."""
    case = intake.get_case(db.session, case_id, current_user)  # staff, or the case's own provider
    report = closing.get_closing(db.session, case_id)
    return jsonify(dump_closing(report, case.case_type))


# --- checklists ---


@bp.get("/checklists/current")
@roles_required()
@use_query(CaseTypeArgs)
@responds(200, answer.CHECKLIST, errors=(404,))
def current_checklist(args):
    """The checklist version in force today for a case type."""
    checklist = checklists.checklist_in_force(db.session, args["case_type"], clock.today())
    if checklist is None:
        raise NotFound(say("No checklist is in force for this case type."))
    return jsonify(dump_checklist(checklist, _english()))


@bp.get("/checklists")
@roles_required("admin", "supervisor")
@responds(200, page_of(answer.CHECKLIST))
def list_checklists():
    """Every checklist version, drafts included, newest first."""
    stmt = sa.select(Checklist).order_by(Checklist.case_type, Checklist.version.desc())
    return jsonify(paginate(db.session, stmt, lambda c: dump_checklist(c, _english())))


@bp.get("/checklists/<int:checklist_id>")
@roles_required("admin", "supervisor")
@responds(200, answer.CHECKLIST)
def read_checklist(checklist_id):
    """One checklist version with its items, guidance and veto items."""
    return jsonify(dump_checklist(checklists.get_checklist(db.session, checklist_id), _english()))


@bp.post("/checklists")
@roles_required("admin")
@use_body(ChecklistSchema)
@responds(201, answer.CHECKLIST, creates="checklist_id")
def draft_checklist(body):
    """Draft a new version; item maximums must add up to exactly 100 (else 422)."""
    checklist = checklists.draft_checklist(db.session, current_user, **body)
    db.session.commit()
    return jsonify(dump_checklist(checklist, _english())), 201


@bp.put("/checklists/<int:checklist_id>")
@roles_required("admin")
@use_body(ChecklistSchema)
@responds(200, answer.CHECKLIST)
def revise_checklist(checklist_id, body):
    """Change a draft version (published versions never change)."""
    checklist = checklists.get_checklist(db.session, checklist_id)
    checklists.revise_checklist_draft(db.session, checklist, current_user, **body)
    db.session.commit()
    return jsonify(dump_checklist(checklist, _english()))


@bp.post("/checklists/<int:checklist_id>/publish")
@roles_required("admin")
@responds(200, answer.CHECKLIST)
def publish_checklist(checklist_id):
    """Publish a draft version; from its effective date it applies to cases ending then."""
    checklist = checklists.publish_checklist(
        db.session, checklists.get_checklist(db.session, checklist_id), current_user
    )
    db.session.commit()
    return jsonify(dump_checklist(checklist, _english()))


# --- score sheets (supervisors) ---


def _sheet_answer(sheet) -> dict:
    return dump_sheet(sheet)


@bp.post("/cases/<int:case_id>/score-sheets")
@roles_required("supervisor")
@use_body(ScoreSheetSchema)
@responds(201, answer.SHEET, creates="sheet_id")
def create_score_sheet(case_id, body):
    """Start a score sheet on a closed file; suggestions are pre-filled, points above a maximum → 422."""
    sheet = sheets.create_score_sheet(db.session, case_id, current_user, **body)
    db.session.commit()
    return jsonify(_sheet_answer(sheet)), 201


@bp.get("/score-sheets/<int:sheet_id>")
@roles_required("supervisor", "admin", "provider")
@responds(200, answer.SHEET)
def read_score_sheet(sheet_id):
    """A score sheet: the scorer's own draft, any submitted sheet for staff, or the provider's final one."""
    sheet, for_provider = files.readable_sheet(db.session, sheet_id, current_user)
    return jsonify(dump_sheet(sheet, for_provider=for_provider))


@bp.put("/score-sheets/<int:sheet_id>")
@roles_required("supervisor")
@use_body(ScoreSheetSchema)
@responds(200, answer.SHEET)
def update_score_sheet(sheet_id, body):
    """Change your draft sheet; items not named keep their points."""
    sheet = sheets.update_score_sheet(db.session, files.get_sheet(db.session, sheet_id), current_user, **body)
    db.session.commit()
    return jsonify(dump_sheet(sheet))


@bp.post("/score-sheets/<int:sheet_id>/submit")
@roles_required("supervisor")
@responds(200, answer.SUBMITTED)
def submit_score_sheet(sheet_id):
    """Submit your sheet; answers the file's score status after it (final, second_review, third_review)."""
    sheet = files.get_sheet(db.session, sheet_id)
    file = sheets.submit_score_sheet(db.session, sheet, current_user)
    db.session.commit()
    final = file.status == "final"
    return jsonify(
        {
            "status": file.status,
            "total": number(file.total if final else sheet.total),
            "grade": file.grade if final else sheet.grade,
            "sheet": dump_sheet(sheet),
        }
    )


# --- the file's score ---


@bp.get("/cases/<int:case_id>/score")
@roles_required("supervisor", "admin", "provider")
@responds(200, answer.SCORE_FILE, errors=(409,))
def read_score(case_id):
    """The file's score: status, total, grade and sheets (the provider sees it once final)."""
    if current_user.has_role("supervisor", "admin"):
        return jsonify(dump_file(files.get_file(db.session, case_id)))
    file = files.own_file(db.session, case_id, current_user)
    if not files.visible_to_provider(file):
        raise NotFound(say("The score of this case is not final yet."))
    return jsonify(dump_file(file, for_provider=True))


@bp.get("/score-files")
@roles_required("supervisor", "admin")
@use_query(lists.ScoreFileListArgs)
@responds(200, Page(obj({"items": array(answer.SCORE_FILE), "total": INTEGER, "total_capped": BOOLEAN})))
def list_score_files(args):
    """Closed files and their score status (?status=open|second_review|third_review|final|appealed),
    by the day they ended; filtered by provider_id, case_type, q (case number or provider); ``sort`` by
    ended_on, case, provider, case_type or status ("-" first: descending). ``total`` counts up to
    10,000 (with ``q``: up to the end of the asked page); past that ``total_capped`` is true."""
    stmt = lists.filter_files(sa.select(ScoreFile).order_by(ScoreFile.ended_on, ScoreFile.case_id), args)
    page = query_args(PageArgs)
    rows = db.session.scalars(stmt.limit(page["per_page"]).offset((page["page"] - 1) * page["per_page"]))
    items = [dump_file(f) for f in rows]
    cap = listing.count_cap(args.get("q"), page["page"] * page["per_page"])
    total, capped = listing.capped_count(db.session, stmt, cap)
    return jsonify({"items": items, "total": total, "total_capped": capped})


@bp.get("/me/scores")
@roles_required("provider")
@responds(200, page_of(answer.SCORE_FILE))
def my_scores():
    """The provider's own final scores (score history)."""
    stmt = (
        sa.select(ScoreFile)
        .where(ScoreFile.provider_id == current_user.provider_id, ScoreFile.status.in_(("final", "appealed")))
        .order_by(ScoreFile.finalised_on.desc(), ScoreFile.case_id.desc())
    )
    return jsonify(paginate(db.session, stmt, lambda f: dump_file(f, for_provider=True)))


@bp.post("/cases/<int:case_id>/score/accept")
@roles_required("provider")
@responds(200, answer.SCORE_FILE)
def accept_score(case_id):
    """The provider accepts the final score and waives the appeal window."""
    file = appeals.accept_score(db.session, case_id, current_user)
    db.session.commit()
    return jsonify(dump_file(file, for_provider=True))


@bp.post("/cases/<int:case_id>/score/appeal")
@roles_required("provider")
@use_body(AppealSchema)
@responds(201, answer.SCORE_FILE)
def appeal_score(case_id, body):
    """The provider appeals the final score within 10 days (after → 409)."""
    file = appeals.appeal_score(db.session, case_id, current_user, body["reason"])
    db.session.commit()
    return jsonify(dump_file(file, for_provider=True)), 201


@bp.post("/cases/<int:case_id>/score/appeal-decision")
@roles_required("supervisor")
@use_body(AppealDecisionSchema)
@responds(200, answer.SCORE_FILE)
def decide_appeal(case_id, body):
    """A supervisor who has not marked the file decides the appeal: upheld, or revised with their sheet."""
    sheet = files.get_sheet(db.session, body["sheet_id"]) if body["sheet_id"] else None
    file = appeals.decide_appeal(
        db.session, case_id, current_user, outcome=body["outcome"], reason=body["reason"], sheet=sheet
    )
    db.session.commit()
    return jsonify(dump_file(file))


# --- quality ---


@bp.get("/reports/quality")
@roles_required("supervisor", "admin")
@use_query(QualityArgs)
@responds(200, answer.QUALITY_REPORT, media=(JSON, CSV))
def quality_report(args):
    """Average score and grade distribution per provider, organisation and month; scorer drift, for
    final scores of ``?from=&to=`` (by default last month and this month up to today). The
    per-provider table is paged (``?page=&per_page=``, ``providers_total``), filtered (``q``: a name
    holding it; ``organization_id``) and sorted (``sort``: average, count, name, organisation, fail;
    "-" first: descending; by default the best average first). ``?format=csv`` streams every
    provider, organisation and scorer."""
    date_from, date_to = reports.default_period(args["date_from"], args["date_to"])
    if args["format"] == "csv":
        return Response(
            stream_with_context(reports.quality_csv_stream(db.session, date_from, date_to)),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=quality.csv"},
        )
    page = query_args(PageArgs)
    report = reports.quality_report(
        db.session,
        date_from,
        date_to,
        organization_id=args["organization_id"],
        q=args["q"],
        sort=args["sort"],
        page=page["page"],
        per_page=page["per_page"],
    )
    return jsonify(reports.jsonable(report))
