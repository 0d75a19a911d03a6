"""The marking worklist as a long list (legalaid.listing): the files a supervisor may mark now (or has
a draft on), paged, sorted and filtered, with ``GET /api/v1/score-files`` taking the same order and
filters over every file.

Who may mark is asked in the statement itself (DESIGN.md §4, as ``who_may_mark`` says it for one file):
not a file they assigned, their own or their organisation's; not a stage they already have a sheet
for; not a second or third marking of a file they marked; not an appeal of a file they marked."""

from __future__ import annotations

import marshmallow as ma
import sqlalchemy as sa
from flask import current_app, request
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from marshmallow import validate
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from assignment.labels import case_type_label
from assignment.models import Assignment, Case, Provider
from legalaid import limits, listing
from legalaid.listing import Sorts, contains
from supervision.scoring.labels import status_label
from supervision.scoring.models import CASE_TYPES, ScoreFile, ScoreSheet
from supervision.scoring.schemas import ScoreFileArgs

STAGES = ("open", "second_review", "third_review", "appealed")

SORTS = Sorts(
    {
        "ended_on": ScoreFile.ended_on,
        "case": sa.select(Case.number).where(Case.id == ScoreFile.case_id).scalar_subquery(),
        "provider": sa.select(Provider.name).where(Provider.id == ScoreFile.provider_id).scalar_subquery(),
        "case_type": ScoreFile.case_type,
        "status": ScoreFile.status,
    },
    tie=ScoreFile.case_id,
    default="ended_on",
)
SORT_LABELS = {
    "ended_on": _l("Ended on"),
    "case": _l("Case"),
    "provider": _l("Provider"),
    "case_type": _l("Type"),
    "status": _l("Marking stage"),
}


class ScoreFileListArgs(ScoreFileArgs):
    """``GET /score-files``: status, provider_id, case_type, a case number or provider holding ``q``,
    and the order."""

    q = ma.fields.String(load_default=None, validate=validate.Length(max=100))
    sort = SORTS.field()


class WorklistFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Case number or provider"), validators=[Optional(), Length(max=100)])
    status = SelectField(
        _l("Marking stage"),
        choices=[SelectChoice("", _l("Every stage"))]
        + [SelectChoice(code, LazyString(status_label, code)) for code in STAGES],
        validators=[Optional()],
    )
    case_type = SelectField(
        _l("Type"),
        choices=[SelectChoice("", _l("Every type"))]
        + [SelectChoice(code, LazyString(case_type_label, code)) for code in CASE_TYPES],
        validators=[Optional()],
    )
    sort = SORTS.select()


def filter_files(stmt: sa.Select, args: dict) -> sa.Select:
    """Files narrowed by status, provider, case type and ``q``, then ordered."""
    for key in ("status", "provider_id", "case_type"):
        if args.get(key) is not None:
            stmt = stmt.where(getattr(ScoreFile, key) == args[key])
    q = (args.get("q") or "").strip()
    if q:
        stmt = stmt.where(
            sa.or_(
                ScoreFile.case_id.in_(sa.select(Case.id).where(contains(Case.number, q))),
                ScoreFile.provider_id.in_(sa.select(Provider.id).where(contains(Provider.name, q))),
            )
        )
    return SORTS.apply(stmt, args.get("sort"))


def worklist_statement(actor) -> sa.Select:
    """The files still being marked that ``actor`` may mark (a supervisor: may start the sheet the file
    needs now, or has a draft on it)."""
    stmt = sa.select(ScoreFile).where(
        ScoreFile.status.in_(STAGES),
        ~sa.exists().where(Assignment.case_id == ScoreFile.case_id, Assignment.assigned_by == actor.id),
    )
    if actor.provider_id is not None:
        organization = sa.select(Provider.organization_id).where(Provider.id == actor.provider_id)
        stmt = stmt.where(
            ScoreFile.provider_id != actor.provider_id,
            ScoreFile.organization_id.not_in(organization),
        )
    if not actor.has_role("supervisor"):
        return stmt.order_by(ScoreFile.ended_on, ScoreFile.case_id)

    def mine(*clauses):
        return sa.exists().where(
            ScoreSheet.case_id == ScoreFile.case_id, ScoreSheet.scorer_id == actor.id, *clauses
        )

    role = sa.case(
        (ScoreFile.status == "open", "first"),
        (ScoreFile.status == "second_review", "second"),
        (ScoreFile.status == "third_review", "third"),
        else_="appeal",
    )
    refused = sa.or_(
        mine(ScoreSheet.role == role),
        sa.and_(
            ScoreFile.status.in_(("second_review", "third_review")), mine(ScoreSheet.status == "submitted")
        ),
        sa.and_(ScoreFile.status == "appealed", mine(ScoreSheet.role != "appeal")),
    )
    return stmt.where(sa.or_(~refused, mine(ScoreSheet.status == "draft"))).order_by(
        ScoreFile.ended_on, ScoreFile.case_id
    )


def worklist_counts(session, actor) -> dict[tuple[str, str], int]:
    """How many files of each stage and type the actor may mark (one statement)."""
    stmt = worklist_statement(actor).order_by(None).subquery()
    rows = session.execute(
        sa.select(stmt.c.status, stmt.c.case_type, sa.func.count()).group_by(stmt.c.status, stmt.c.case_type)
    )
    return {(status, case_type): n for status, case_type, n in rows}


def stage_counts(counts: dict[tuple[str, str], int]) -> dict[str, int]:
    """The files of each stage, from ``worklist_counts``."""
    stages = dict.fromkeys(STAGES, 0)
    for (status, _case_type), n in counts.items():
        stages[status] = stages.get(status, 0) + n
    return stages


def worklist_page(session, stmt: sa.Select, args: dict, counts: dict[tuple[str, str], int]) -> listing.Page:
    """One page of the worklist. Unfiltered, or narrowed to a stage or a type, its total is added up
    from ``worklist_counts`` (read already for the page's stage tabs): the files are not counted a
    second time (55,000 files still being marked in a province, each checked against the reader's
    sheets and assignments). Narrowed by text or provider, the page is counted as any list."""
    if any(args.get(key) for key in ("q", "provider_id")):
        return listing.read_page(session, filter_files(stmt, args))
    total = sum(
        n
        for (status, case_type), n in counts.items()
        if args.get("status") in (None, status) and args.get("case_type") in (None, case_type)
    )
    per_page = current_app.config.get("LIST_PAGE_SIZE", listing.PAGE_SIZE)
    pages = max(1, -(-total // per_page))
    page = min(limits.int_arg(request.args, "page", 1, minimum=1), pages)
    rows = list(session.scalars(filter_files(stmt, args).limit(per_page).offset((page - 1) * per_page)))
    return listing.Page(rows, total, page, pages, listing.page_query())
