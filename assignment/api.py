"""JSON API of the panel, cases and assignment (API.md "Panel" and "Cases and assignment").

Views are thin: validate the body, call one service function, commit, dump."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, jsonify
from flask_login import current_user

from assignment import answer_schemas as answer
from assignment import intake, panel, panel_lists, pools, queries, reports, rotation
from assignment.models import Assignment, Case, PoolMember, RotationPool
from assignment.schemas import (
    AssignSchema,
    CaseCreateSchema,
    CaseListArgs,
    CaseReadArgs,
    ConflictSchema,
    DecisionSchema,
    DeclineSchema,
    LeaveSchema,
    MaterialsRequestSchema,
    OrganizationSchema,
    PoolMemberSchema,
    PoolSchema,
    ProviderCreateSchema,
    ProviderUpdateSchema,
    ReassignSchema,
    RotationReportArgs,
    WithdrawSchema,
    dump_assignment,
    dump_case,
    dump_case_summary,
    dump_leave,
    dump_member,
    dump_organization,
    dump_pool,
    dump_provider,
)
from legalaid import audit, clock, listing
from legalaid.answers import cached_json
from legalaid.api import PageArgs, api_blueprint, paginate, query_args, use_body
from legalaid.auth import roles_required
from legalaid.db import db
from legalaid.models import CASE_STAFF
from legalaid.openapi import (
    BOOLEAN,
    CSV,
    INTEGER,
    STRING,
    Page,
    array,
    no_content,
    nullable,
    obj,
    page_of,
    responds,
    use_query,
)

bp = api_blueprint("assignment_api", __name__)

STAFF = CASE_STAFF


# --- panel (admin) ---


@bp.post("/organizations")
@roles_required("admin")
@use_body(OrganizationSchema)
@responds(201, answer.ORGANIZATION)
def create_organization(body):
    """Add an organisation (law firm, legal service office, the centre)."""
    org = panel.create_organization(
        db.session,
        body["name"],
        body["kind"],
        current_user,
        area=body["area"],
        bank_account=body["bank_account"],
        bank_name=body["bank_name"],
    )
    db.session.commit()
    return jsonify(dump_organization(org)), 201


@bp.get("/organizations")
@roles_required(*STAFF)
@use_query(panel_lists.OrganizationListArgs)
@responds(200, page_of(answer.ORGANIZATION))
def list_organizations(args):
    """The organisations of the panel, by name; filtered by kind and q (name or area); ``sort`` by name,
    kind, area or id ("-" first: descending)."""
    return jsonify(paginate(db.session, panel_lists.organizations_statement(args), dump_organization))


@bp.post("/providers")
@roles_required("admin")
@use_body(ProviderCreateSchema)
@responds(201, answer.PROVIDER, creates="provider_id")
def create_provider(body):
    """Add a provider to the panel."""
    provider = panel.create_provider(db.session, body, current_user)
    db.session.commit()
    return jsonify(dump_provider(provider)), 201


@bp.get("/providers")
@roles_required(*STAFF)
@use_query(panel_lists.ProviderListArgs)
@responds(200, page_of(answer.PROVIDER))
def list_providers(args):
    """The panel (bank accounts masked), by name; filtered by kind, organization_id, active and q (name
    or organisation); ``sort`` by name, organization, kind, open_cases, practice_since, active or id."""
    return jsonify(paginate(db.session, panel_lists.providers_statement(args), dump_provider))


@bp.get("/providers/<int:provider_id>")
@roles_required(*STAFF)
@responds(200, answer.PROVIDER)
def read_provider(provider_id):
    """One provider (bank account masked)."""
    return jsonify(dump_provider(panel.get_provider(db.session, provider_id)))


@bp.patch("/providers/<int:provider_id>")
@roles_required("admin")
@use_body(ProviderUpdateSchema)
@responds(200, answer.PROVIDER)
def update_provider(provider_id, body):
    """Change a provider's panel record; ``"active": false`` takes them out of rotation."""
    provider = panel.update_provider(
        db.session, panel.get_provider(db.session, provider_id), body, current_user
    )
    db.session.commit()
    return jsonify(dump_provider(provider))


@bp.post("/providers/<int:provider_id>/leave")
@roles_required("admin")
@use_body(LeaveSchema)
@responds(201, answer.LEAVE)
def add_leave(provider_id, body):
    """Record a leave period (both days included)."""
    provider = panel.get_provider(db.session, provider_id)
    leave = panel.add_leave(db.session, provider, body["from_"], body["to"], current_user, note=body["note"])
    db.session.commit()
    return jsonify(dump_leave(leave)), 201


@bp.post("/providers/<int:provider_id>/conflicts")
@roles_required("admin", "coordinator")
@use_body(ConflictSchema)
@responds(201, answer.CONFLICT)
def declare_conflict(provider_id, body):
    """Record a party the provider has a conflict of interest with."""
    provider = panel.get_provider(db.session, provider_id)
    conflict = panel.declare_conflict(
        db.session, provider, body["party_name"], current_user, note=body["note"]
    )
    db.session.commit()
    return jsonify({"id": conflict.id, "provider_id": provider.id, "party_name": conflict.party_name}), 201


@bp.post("/pools")
@roles_required("admin")
@use_body(PoolSchema)
@responds(201, answer.POOL, creates="pool_id")
def create_pool(body):
    """Define a rotation pool; one overlapping an existing pool is refused (422)."""
    pool = pools.create_pool(
        db.session, body["name"], body["case_types"], body["provider_kinds"], current_user, area=body["area"]
    )
    db.session.commit()
    return jsonify(dump_pool(pool)), 201


@bp.get("/pools")
@roles_required(*STAFF)
@responds(200, page_of(answer.POOL))
def list_pools():
    """The rotation pools."""
    return jsonify(paginate(db.session, sa.select(RotationPool).order_by(RotationPool.id), dump_pool))


@bp.get("/pools/<int:pool_id>")
@roles_required(*STAFF)
@responds(200, answer.POOL_WITH_MEMBERS)
def read_pool(pool_id):
    """A pool with its members."""
    pool = pools.get_pool(db.session, pool_id)
    members = db.session.scalars(
        sa.select(PoolMember).where(PoolMember.pool_id == pool.id).order_by(PoolMember.provider_id)
    )
    return jsonify({**dump_pool(pool), "members": [dump_member(m) for m in members]})


@bp.put("/pools/<int:pool_id>/members/<int:provider_id>")
@roles_required("admin")
@use_body(PoolMemberSchema)
@responds(200, answer.MEMBER, also=(201,))
def put_pool_member(pool_id, provider_id, body):
    """Add a provider to a pool (201) or change their weight (200)."""
    pool = pools.get_pool(db.session, pool_id)
    provider = panel.get_provider(db.session, provider_id)
    member, created = pools.set_pool_member(db.session, pool, provider, current_user, weight=body["weight"])
    db.session.commit()
    return jsonify(dump_member(member)), 201 if created else 200


@bp.delete("/pools/<int:pool_id>/members/<int:provider_id>")
@roles_required("admin")
@responds(204)
def delete_pool_member(pool_id, provider_id):
    """Take a provider out of a pool."""
    pool = pools.get_pool(db.session, pool_id)
    pools.remove_pool_member(db.session, pool, panel.get_provider(db.session, provider_id), current_user)
    db.session.commit()
    return no_content()


# --- cases (coordinator) ---


@bp.get("/causes")
@responds(200, answer.CAUSES)
def list_causes():
    """The causes of non-criminal cases, with labels (criminal cases give the charge as text)."""
    items = [{"code": code, "label": en, "label_zh": zh} for code, (en, zh) in intake.CAUSES.items()]
    return jsonify({"items": items, "total": len(items)})


@bp.post("/cases")
@roles_required("coordinator")
@use_body(CaseCreateSchema)
@responds(201, answer.CASE, creates="case_id")
def register_case(body):
    """Register an application, or a notified criminal case (starts accepted)."""
    case = intake.register_case(db.session, body, current_user)
    db.session.commit()
    return jsonify(dump_case(case)), 201


@bp.get("/cases")
@roles_required(*STAFF)
@use_query(CaseListArgs)
@responds(
    200,
    Page(
        obj(
            {"items": array(answer.CASE_SUMMARY), "total": INTEGER, "total_capped": BOOLEAN},
            {"next": nullable(STRING)},
        )
    ),
)
def list_cases(args):
    """Cases, green channel first; applicant ID numbers masked to the last 4 characters. ``total``
    counts up to 10,000 (with ``q``: up to the end of the asked page); past that ``total_capped`` is
    true: there are more (a count of a million cases on every request took 75–85 ms, issue 16).
    ``next`` is the place after the page (null on the last): ``?after=`` it reads the following page
    along the list's index however deep (``page`` is then not used; ``total`` counts from there)."""
    after = intake.case_cursor(args.pop("after", None))
    stmt = intake.case_list_statement(**args, after=after)
    page = query_args(PageArgs)
    per_page, offset = page["per_page"], (page["page"] - 1) * page["per_page"]
    if after is not None:  # keyset: the page after that place, and the rest is counted from there
        offset = 0
    # A deep page: its ids are counted off the list's index (index-only), then only they are read;
    # one more than the page, so a deep page need not be counted again (listing.page_total).
    ids = stmt.with_only_columns(Case.id).limit(per_page + 1).offset(offset).scalar_subquery()
    rows = list(db.session.scalars(stmt.where(Case.id.in_(ids))))
    cap = listing.count_cap(args.get("q"), offset + per_page)
    counted = listing.page_total(db.session, stmt, offset, per_page, len(rows), cap)
    total, capped = counted or listing.capped_count(db.session, stmt, cap)
    items = [dump_case_summary(case) for case in rows[:per_page]]
    following = intake.cursor_of(rows[per_page - 1]) if len(rows) > per_page else None
    return jsonify({"items": items, "total": total, "total_capped": capped, "next": following})


@bp.get("/cases/<int:case_id>")
@roles_required(*STAFF, "provider")
@use_query(CaseReadArgs)
@responds(200, answer.CASE)
def read_case(case_id, args):
    """A case with its status, deadlines and current assignment. ``?reveal=id_number`` shows a
    coordinator the full ID number (audited)."""
    case = intake.get_case(db.session, case_id, current_user)
    reveal = args["reveal"] == "id_number" and current_user.has_role("coordinator")
    if reveal:
        audit.record(db.session, current_user, "case.view_id_number", "case", case.id)
        db.session.commit()
    return jsonify(dump_case(case, full_id=reveal))


def _case_for_change(case_id):
    return intake.get_case(db.session, case_id, current_user, for_update=True)


@bp.post("/cases/<int:case_id>/decision")
@roles_required("coordinator")
@use_body(DecisionSchema)
@responds(200, answer.CASE)
def decide(case_id, body):
    """Approve (with the means-test basis) or reject (with a written reason)."""
    case = intake.decide_application(db.session, _case_for_change(case_id), current_user, **body)
    db.session.commit()
    return jsonify(dump_case(case))


@bp.post("/cases/<int:case_id>/materials-request")
@roles_required("coordinator")
@use_body(MaterialsRequestSchema)
@responds(200, answer.CASE)
def request_materials(case_id, body):
    """One notice listing every missing item; the decision clock pauses."""
    case = intake.request_materials(
        db.session, _case_for_change(case_id), body["missing"], current_user, supply_by=body["supply_by"]
    )
    db.session.commit()
    return jsonify(dump_case(case))


@bp.post("/cases/<int:case_id>/materials")
@roles_required("coordinator")
@responds(200, answer.CASE)
def supply_materials(case_id):
    """The missing materials arrived: back to applied, the clock resumes."""
    case = intake.supply_materials(db.session, _case_for_change(case_id), current_user)
    db.session.commit()
    return jsonify(dump_case(case))


@bp.post("/cases/<int:case_id>/withdraw")
@roles_required("coordinator")
@use_body(WithdrawSchema)
@responds(200, answer.CASE)
def withdraw(case_id, body):
    """The applicant withdraws."""
    case = intake.withdraw_case(db.session, _case_for_change(case_id), current_user, reason=body["reason"])
    db.session.commit()
    return jsonify(dump_case(case))


@bp.post("/cases/<int:case_id>/assignments")
@roles_required("coordinator")
@use_body(AssignSchema)
@responds(201, answer.ASSIGNMENT_MADE, creates="assignment_id")
def assign(case_id, body):
    """Assign by rotation, within the window of the next 5, or designated (an override)."""
    case = intake.get_case(db.session, case_id, current_user)
    if body["mode"] == "window":
        assignment = rotation.assign_within_window(
            db.session, case, body["provider_id"], body["reason_code"], current_user
        )
    elif body["mode"] == "designated":
        assignment = rotation.assign_designated(
            db.session, case, body["provider_id"], body["reason"], current_user
        )
    else:
        assignment = rotation.assign_by_rotation(db.session, case, current_user)
    db.session.commit()
    return jsonify(dump_assignment(assignment)), 201


@bp.get("/cases/<int:case_id>/assignments")
@roles_required(*STAFF)
@responds(200, page_of(answer.ASSIGNMENT))
def case_assignments(case_id):
    """Every assignment of a case, newest first."""
    case = intake.get_case(db.session, case_id, current_user)
    stmt = sa.select(Assignment).where(Assignment.case_id == case.id).order_by(Assignment.id.desc())
    return jsonify(paginate(db.session, stmt, dump_assignment))


@bp.get("/cases/<int:case_id>/next-in-line")
@roles_required("coordinator")
@responds(200, answer.NEXT_IN_LINE, errors=(409,))
def next_in_line(case_id):
    """The next 5 eligible members: the window a coordinator may choose from."""
    items = rotation.next_in_line(db.session, intake.get_case(db.session, case_id, current_user))
    db.session.commit()  # members found unavailable on the way are parked
    return jsonify({"items": items, "total": len(items)})


@bp.post("/cases/<int:case_id>/reassign")
@roles_required("coordinator")
@use_body(ReassignSchema)
@responds(201, answer.ASSIGNMENT_MADE, creates="assignment_id")
def reassign(case_id, body):
    """Replace the provider (with a reason); the replacement is picked by rotation."""
    case = intake.get_case(db.session, case_id, current_user)
    assignment = rotation.reassign_case(
        db.session, case, body["reason"], current_user, asked_at=clock.asked_at()
    )
    db.session.commit()
    return jsonify(dump_assignment(assignment)), 201


# --- the provider's side ---


@bp.get("/me/assignments")
@roles_required("provider")
@responds(200, page_of(answer.MY_ASSIGNMENT))
def my_assignments():
    """The signed-in provider's own assignments, with case summary, deadlines and why them."""
    args = query_args(PageArgs)
    provider_id = current_user.provider_id
    if provider_id is None:
        return jsonify({"items": [], "total": 0})

    def build() -> dict:
        items, total = queries.my_assignments_page(db.session, provider_id, args["page"], args["per_page"])
        return {
            "items": [dump_assignment(a, with_case=True, with_candidates=False) for a in items],
            "total": total,
        }

    # Built once per state change, not per request (legalaid.answers); deadline states follow the date.
    return cached_json(("me/assignments", provider_id, args["page"], args["per_page"], clock.today()), build)


@bp.post("/assignments/<int:assignment_id>/accept")
@roles_required("provider")
@responds(200, answer.MY_ASSIGNMENT)
def accept(assignment_id):
    """Accept your assignment: the case is in progress."""
    assignment = rotation.get_assignment(db.session, assignment_id, current_user)
    rotation.accept_assignment(db.session, assignment, current_user)
    db.session.commit()
    return jsonify(dump_assignment(assignment, with_case=True))


@bp.post("/assignments/<int:assignment_id>/decline")
@roles_required("provider")
@use_body(DeclineSchema)
@responds(200, answer.ASSIGNMENT)
def decline(assignment_id, body):
    """Decline your assignment (conflict, unavailable, other): the case returns to accepted."""
    assignment = rotation.get_assignment(db.session, assignment_id, current_user)
    rotation.decline_assignment(db.session, assignment, body["reason_code"], current_user, note=body["note"])
    db.session.commit()
    return jsonify(dump_assignment(assignment))


# --- fairness report ---


def _report(args):
    pool = pools.get_pool(db.session, args["pool_id"])
    return reports.rotation_report(db.session, pool, args["from_"], args["to"])


@bp.get("/reports/rotation")
@roles_required(*STAFF)
@use_query(RotationReportArgs)
@responds(200, answer.ROTATION_REPORT, errors=(404,))
def rotation_report(args):
    """Counts vs expected share per member, spread, top-decile ratio, overrides, declines."""
    return jsonify(_report(args))


@bp.get("/reports/rotation.csv")
@roles_required(*STAFF)
@use_query(RotationReportArgs)
@responds(200, media=(CSV,), errors=(404,))
def rotation_report_csv(args):
    """The fairness report as CSV."""
    report = _report(args)
    audit.record(db.session, current_user, "report.export", "rotation_pool", report["pool_id"])
    db.session.commit()
    return Response(
        reports.rotation_report_csv(report),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=rotation-{report['pool_id']}.csv"},
    )
