"""Who may do what (DESIGN.md §5), operation by operation of the OpenAPI document, for every role.

``ACCESS`` is the expected-answer table, written from DESIGN.md §5 and API.md (not from the code's
decorators): for each operation, the roles that may call it. Each cell of the matrix (operation ×
role) is one request on the demo district, with a body that passes validation, by bearer token:

* a role not listed: exactly 403 (anonymous: 401), never a 2xx;
* ``own`` (a provider, on their own objects only): asked about another provider's case, hearing,
  assignment, score or subsidy, exactly 404 (DESIGN.md §5: "not yours" is "not found");
* a role listed: neither 401 nor 403 (the state may still refuse: 404, 409, 422), never a 5xx.

Refusals are sent first and allowed calls after, so a state change made by an allowed call never
decides a refusal. The table must cover every operation of the document, and every row must match
one, so a new endpoint cannot go unchecked."""

from __future__ import annotations

import datetime as dt
import fnmatch

import pytest
import sqlalchemy as sa

from legalaid import clock
from legalaid.db import db
from legalaid.models import ROLES
from tests.conftest import PASSWORD

STAFF = "admin coordinator supervisor"
ANYONE = "anyone"  # no sign-in needed
SIGNED_IN = "signed-in"  # any role

# (METHOD path glob under /api/v1, who may call it). The first row that matches decides.
ACCESS: list[tuple[str, str]] = [
    # Signing in and out, this document, the list of causes: no one needs to be signed in.
    ("POST /session", ANYONE),
    ("DELETE /session", ANYONE),
    ("GET /openapi.json", ANYONE),
    ("GET /causes", ANYONE),
    # One's own session, tokens, inbox and calendar feed; reference lists every role reads.
    ("GET /session", SIGNED_IN),
    ("POST /tokens", SIGNED_IN),
    ("POST /me/password", SIGNED_IN),
    ("* /me/inbox*", SIGNED_IN),
    ("* /me/calendar-feed", SIGNED_IN),
    ("GET /calendar/days", SIGNED_IN),
    ("GET /closing-documents", SIGNED_IN),
    ("GET /checklists/current", SIGNED_IN),
    # Admin: users, panel, pools, checklists, rates, settings (the working-day calendar).
    ("POST /users", "admin"),
    ("GET /users", "admin"),
    ("PATCH /users/*", "admin"),
    ("POST /organizations", "admin"),
    ("POST /providers", "admin"),
    ("PATCH /providers/*", "admin"),
    ("POST /providers/*/leave", "admin"),
    ("POST /providers/*/conflicts", "admin coordinator"),  # a conflict found while assigning
    ("POST /pools", "admin"),
    ("* /pools/*/members/*", "admin"),
    ("GET /checklists*", "admin supervisor"),  # the versions a supervisor scores against
    ("* /checklists*", "admin"),
    ("GET /subsidy-rates", "admin finance supervisor"),
    ("POST /subsidy-rates", "admin"),
    ("* /calendar/days/*", "admin"),
    # The panel is read by the staff who assign and supervise.
    ("GET /organizations", STAFF),
    ("GET /providers*", STAFF),
    ("GET /pools*", STAFF),
    # Coordinator: register and decide applications, assign; staff read cases.
    ("POST /cases", "coordinator"),
    ("GET /cases", STAFF),
    ("GET /cases/{case_id}", STAFF + " own"),
    ("POST /cases/*/decision", "coordinator"),
    ("POST /cases/*/materials*", "coordinator"),
    ("POST /cases/*/withdraw", "coordinator"),
    ("POST /cases/*/centre-receipt", "coordinator"),  # a station's application reached the centre
    ("POST /cases/*/assignments", "coordinator"),
    ("GET /cases/*/assignments", STAFF),
    ("GET /cases/*/next-in-line", "coordinator"),
    ("POST /cases/*/reassign", "coordinator"),
    ("GET /reports/rotation*", STAFF),
    # Provider: their own assignments (accept, decline).
    ("GET /me/assignments", "provider"),
    ("POST /assignments/*", "own"),
    # Hearings: recorded by the coordinator and the provider; read by staff and the provider.
    ("POST /cases/*/hearings", "coordinator own"),
    ("GET /cases/*/hearings", STAFF + " own"),
    ("GET /hearings", STAFF + " provider"),  # a provider's list holds only their own
    ("GET /hearings/*", STAFF + " own"),
    ("* /hearings/*", "coordinator own"),
    # Supervisor: observe, call, resolve red flags; staff read them and the deadlines.
    ("POST /observations/*/report", "supervisor"),
    ("GET /observations*", STAFF),
    ("POST /follow-ups/*/attempts", "supervisor"),
    ("GET /follow-ups*", STAFF),
    ("GET /me/calls", "supervisor"),
    ("POST /red-flags/*/resolve", "supervisor"),
    ("GET /red-flags", STAFF),
    ("GET /deadlines", STAFF),
    # Closing (the provider), scoring (supervisors; the provider reads, accepts, appeals their own).
    ("POST /cases/*/closing", "own"),
    ("POST /cases/*/documents", "own"),
    ("GET /cases/*/closing", STAFF + " own"),
    ("POST /cases/*/score-sheets", "supervisor"),
    ("GET /score-sheets/*", "supervisor admin own"),
    ("* /score-sheets/*", "supervisor"),
    ("GET /cases/*/score", "supervisor admin own"),
    ("GET /score-files", "supervisor admin"),
    ("GET /me/scores", "provider"),
    ("POST /cases/*/score/accept", "own"),
    ("POST /cases/*/score/appeal", "own"),
    ("POST /cases/*/score/appeal-decision", "supervisor"),
    ("GET /reports/quality", "supervisor admin"),
    # Archive (supervisor; corrections also admin); the archive list is read by staff and finance.
    ("POST /cases/*/archive", "supervisor"),
    ("POST /cases/*/archive/corrections", "supervisor admin"),
    ("GET /archives", STAFF + " finance"),
    # Subsidies: finance reads, batches, exports, confirms; supervisors hold and release.
    ("GET /subsidies", "finance supervisor admin"),
    ("GET /subsidies/*", "finance supervisor admin own"),
    ("GET /me/subsidies", "provider"),
    ("POST /subsidies/*/hold", "supervisor"),
    ("POST /subsidies/*/release", "supervisor"),
    ("POST /subsidies/*/reverse", "finance"),
    ("POST /payment-batches", "finance"),
    ("GET /payment-batches*", "finance admin"),
    ("POST /payment-batches/*", "finance"),
    ("GET /reports/subsidies", "finance admin"),
    # Front desk: the desk and coordinators register consultations and applications from them;
    # supervisors and admins read the register. Stations: the admin keeps them.
    ("POST /consultations", "desk coordinator"),
    ("POST /consultations/*/application", "desk coordinator"),
    ("GET /consultations*", "desk coordinator supervisor admin"),
    # Duty rota: coordinators draw up, publish and change it, approve swaps, record no-shows; staff
    # read it; a provider swaps, checks in and out of their own shifts only.
    ("POST /stations/*/rota", "coordinator"),
    ("POST /duty-pools/*/month", "coordinator"),  # every station of a duty pool at once
    ("GET /stations/*/rota", STAFF),
    ("GET /rota/*", STAFF),
    ("POST /rota/*/publish", "coordinator"),
    ("GET /me/shifts", "provider"),
    ("POST /shifts/*/swap", "own"),
    ("POST /shifts/*/check-*", "own"),
    ("POST /shifts/*", "coordinator"),  # reassign, missed
    ("POST /swaps/*/accept", "own"),
    ("POST /swaps/*/withdraw", "own"),
    ("POST /swaps/*", "coordinator"),  # approve, refuse
    ("POST /stations", "admin"),
    ("GET /stations", STAFF + " desk"),
    ("POST /stations/*/months/*/archive", "coordinator"),  # a month's duty subsidies payable
    ("PATCH /stations/*", "admin"),
    ("GET /stations/figures", STAFF),  # applications taken and forwarded late, per station
    ("GET /stations/*", STAFF + " desk"),
    # Complaints: supervisors handle them; admins read (without the complainant's identity); the
    # provider complained about reads and answers theirs once asked for a statement.
    ("POST /complaints", "supervisor"),
    ("GET /complaints", "supervisor admin"),
    ("GET /complaints/{complaint_id}", "supervisor admin own"),
    ("POST /complaints/*/statement", "own"),
    ("POST /complaints/*", "supervisor"),
    # Files prepared in the background (issue 16): whoever may read the list asks for its file (the
    # body below asks for the archive list); one's own files only, another's is 404 ("not yours").
    ("POST /exports", STAFF + " finance"),
    ("GET /exports*", SIGNED_IN),
    # Statistics: coordinators, supervisors, admins; finance its subsidy figures.
    ("GET /reports/summary", STAFF + " finance"),
    ("GET /reports/annual*", STAFF + " finance"),  # finance: the subsidy figures only
]

MATRIX_ROLES = ("admin", "coordinator", "supervisor", "provider", "finance", "desk", "anonymous")

# Bodies the schema alone cannot make valid (a choice between fields, a value the state needs).
BODIES = {
    "POST /payment-batches": lambda ids: {"subsidy_ids": ids["subsidy_id"][:1]},
    "POST /cases/{case_id}/archive/corrections": lambda ids: {
        "changes": {"cause": "theft"},
        "reason": "Typo",
    },
    "POST /session": lambda ids: {"username": "matrix_admin", "password": PASSWORD},
    "POST /exports": lambda ids: {"kind": "archive_list", "format": "csv"},
}


def rule_for(key: str) -> tuple[str, str] | None:
    for pattern, who in ACCESS:
        if fnmatch.fnmatchcase(key, pattern):
            return pattern, who
    return None


def expected(who: str, role: str) -> str:
    """``allowed``, ``401``, ``403`` or ``404`` for one cell."""
    if who == ANYONE:
        return "allowed"
    if role == "anonymous":
        return "401"
    if who == SIGNED_IN:
        return "allowed"
    roles = who.split()
    if role in roles:
        return "allowed"
    if role == "provider" and "own" in roles:
        return "404"
    return "403"


def operations(document: dict) -> list[tuple[str, str, dict]]:
    """(``METHOD /path`` under /api/v1, path, operation) for every operation of the document."""
    return [
        (f"{method.upper()} {path.removeprefix('/api/v1')}", path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]


# --- requests that pass validation, made from the document ---


def resolve(schema: dict, document: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def example(schema: dict, document: dict, ids: dict, name: str = ""):
    """A value the schema accepts: required properties only, real ids for ``*_id``."""
    schema = resolve(schema, document)
    for combinator in ("allOf", "anyOf", "oneOf"):
        if combinator in schema:
            return example(schema[combinator][0], document, ids, name)
    if "enum" in schema:
        return next(v for v in schema["enum"] if v is not None)
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        return {key: example(properties[key], document, ids, key) for key in schema.get("required", [])}
    if kind == "array":  # one item where one is needed (``subsidy_ids`` → a real ``subsidy_id``)
        item = name.removesuffix("s") + "_id" if name.endswith("_ids") else name
        return [example(schema.get("items", {}), document, ids, item)] if schema.get("minItems") else []
    if kind == "integer":
        if name.endswith("_id") and ids.get(name):
            return ids[name][0]
        return max(schema.get("minimum", 1), 1)
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    if schema.get("format") == "date":
        return clock.today().isoformat()
    if schema.get("format") == "date-time":
        return (clock.now() + dt.timedelta(days=3)).isoformat()
    return "Matrix " + "x" * max(0, schema.get("minLength", 0) - 7)


def request_for(key: str, path: str, operation: dict, document: dict, ids: dict) -> dict:
    url = path
    query = {}
    for parameter in operation.get("parameters", []):
        name = parameter["name"]
        if parameter["in"] == "path":
            value = (
                clock.today().isoformat()
                if name == "day"
                else clock.today().strftime("%Y-%m")
                if name == "month"
                else ids[name][0]
            )
            url = url.replace("{" + name + "}", str(value))
        elif parameter.get("required"):
            query[name] = example(parameter["schema"], document, ids, name)
    body = None
    if key in BODIES:
        body = BODIES[key](ids)
    elif "requestBody" in operation:
        body = example(operation["requestBody"]["content"]["application/json"]["schema"], document, ids)
    return {"path": url, "query_string": query, "json": body}


# --- the district ---


@pytest.fixture
def district(app, make_provider):
    """The demo district, a user per role by bearer token, and ids of objects that belong to another
    provider than the matrix's (who has no case at all)."""
    from legalaid.demo import run_demo
    from legalaid.users import create_user, issue_token
    from supervision.subsidies.models import Subsidy

    with app.app_context():
        run_demo(db.session, progress=lambda message: None)
        db.session.remove()
    own_provider = make_provider()  # after the demo, which gives every provider of its panel a login
    with app.app_context():
        tokens = {}
        for role in MATRIX_ROLES:
            if role == "anonymous" or role not in ROLES:
                continue
            user = create_user(
                db.session,
                None,
                f"matrix_{role}",
                PASSWORD,
                [role],
                provider_id=own_provider if role == "provider" else None,
            )
            tokens[role] = issue_token(db.session, user)
            if role == "admin":  # a file the admin asked for (its thread not started): others get 404
                from legalaid.export_jobs import request_export

                request_export(db.session, user, "archive_list", "csv", {})
        # A subsidy's case has every object a provider could reach: assignment, closing, score.
        subsidy = db.session.scalar(
            sa.select(Subsidy).where(Subsidy.archive_id.is_not(None)).order_by(Subsidy.id)
        )
        ids = {
            "case_id": [subsidy.case_id],
            "subsidy_id": [subsidy.id],
            "assignment_id": [subsidy.assignment_id],
            "provider_id": [subsidy.provider_id],
        }
        tables = {
            "pool_id": "rotation_pool",
            "hearing_id": "hearing",
            "observation_id": "observation",
            "call_id": "follow_up_call",
            "flag_id": "red_flag",
            "checklist_id": "checklist",
            "sheet_id": "score_sheet",
            "batch_id": "payment_batch",
            "consultation_id": "consultation",
            "complaint_id": "complaint",
            "user_id": "user_account",
            "rota_id": "duty_rota",
            "shift_id": "duty_shift",
            "swap_id": "duty_swap",
            "station_id": "station",
            "export_id": "export_job",
        }
        for name, table in tables.items():
            column = db.metadata.tables[table].c.id
            ids[name] = list(db.session.scalars(sa.select(column).order_by(column).limit(1)))
        db.session.commit()
        db.session.remove()
    return tokens, ids


def test_the_table_covers_every_operation_and_every_row_is_used(client):
    keys = [key for key, _path, _op in operations(client.get("/api/v1/openapi.json").get_json())]
    uncovered = [key for key in keys if rule_for(key) is None]
    assert not uncovered, f"operations the access table does not cover: {uncovered}"
    unused = [pattern for pattern, _who in ACCESS if not fnmatch.filter(keys, pattern)]
    assert not unused, f"rows of the access table that match no operation: {unused}"


def test_every_role_gets_what_design_allows(app, district):
    tokens, ids = district
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    cells = []
    for key, path, operation in operations(document):
        _pattern, who = rule_for(key)
        for role in MATRIX_ROLES:
            if role != "anonymous" and role not in tokens:
                continue  # a role this build does not have yet (desk): its column waits for it
            cells.append((expected(who, role), key, path, operation, role))
    # Refusals first: a state change by an allowed call must not decide a refusal.
    cells.sort(key=lambda cell: cell[0] == "allowed")
    violations, succeeded = [], 0
    for want, key, path, operation, role in cells:
        request = request_for(key, path, operation, document, ids)
        headers = {"Authorization": f"Bearer {tokens[role]}"} if role in tokens else {}
        client = app.test_client()  # no cookie carried over: a sign-in must not serve the next cell
        response = client.open(
            request["path"],
            method=key.split()[0],
            query_string=request["query_string"],
            json=request["json"],
            headers=headers,
        )
        # Read it all (a stream ends); a workbook is bytes, shown only if the cell is wrong.
        got, text = response.status_code, response.get_data().decode("utf-8", "replace")
        response.close()
        wrong = (got in (401, 403) or got >= 500) if want == "allowed" else got != int(want)
        succeeded += 200 <= got < 300
        if wrong:
            violations.append(f"{key} as {role}: expected {want}, got {got} {text[:200]}")
    refusals = sum(cell[0] != "allowed" for cell in cells)
    print(
        f"role matrix: {len(cells)} cells ({refusals} refusals, {len(cells) - refusals} allowed, "
        f"{succeeded} answered 2xx), {len(violations)} violations"
    )
    assert not violations, "\n".join(violations)
