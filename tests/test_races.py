"""One winner per state change (DESIGN.md §3, issue 10): N requests released together by a barrier,
through HTTP, each in its own thread, session and connection. Exactly one has its effect (rows, audit
entries, turns counted); the others get 409 with the error body, never 500 or a second effect; after
every race the case can still go forward. Runs on the suite's database: SQLite, and PostgreSQL when
``LEGALAID_TEST_DATABASE_URL`` is set (CI runs both)."""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from legalaid import clock
from legalaid.audit import verify_chain
from legalaid.db import db
from tests.conftest import PASSWORD, AuthActions
from tests.races.harness import one_winner, race  # the harness's one barrier and verdict

N = 8
APPLICANT = {"name": "Zhang San", "id_number": "110101199003077571", "phone": "13800000000"}


def audit_count(app, action: str, object_id: int | None = None) -> int:
    from legalaid.models import AuditEntry

    with app.app_context():
        stmt = sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
        if object_id is not None:
            stmt = stmt.where(AuditEntry.object_id == object_id)
        return db.session.scalar(stmt)


def chain_holds(app) -> bool:
    with app.app_context():
        return verify_chain(db.session).ok


@pytest.fixture
def world(app, as_role, make_user):
    """Three lawyers in a civil pool, a coordinator, a supervisor, and a helper that signs in N
    clients as one user (N workers serving the same person at once)."""
    admin = as_role("admin")
    org_ids = [
        admin.post("/api/v1/organizations", json={"name": f"Firm {n}", "kind": "law_firm"}).get_json()["id"]
        for n in range(3)
    ]
    providers = []
    for n, org in enumerate(org_ids):
        r = admin.post(
            "/api/v1/providers",
            json={
                "name": f"Lawyer {n}",
                "kind": "lawyer",
                "organization_id": org,
                "practice_since": "2012-03-01",
            },
        )
        providers.append(r.get_json()["id"])
    pool = admin.post(
        "/api/v1/pools", json={"name": "Civil", "case_types": ["civil"], "provider_kinds": ["lawyer"]}
    ).get_json()["id"]
    for pid in providers:
        assert admin.put(f"/api/v1/pools/{pool}/members/{pid}", json={}).status_code == 201
    users = {
        pid: make_user(roles=("provider",), username=f"lawyer{pid}", provider_id=pid) for pid in providers
    }
    make_user(roles=("coordinator",), username="coord")
    make_user(roles=("supervisor",), username="super")

    def clients(username, n=N):
        out = []
        for _ in range(n):
            c = app.test_client()
            AuthActions(c).login(username, PASSWORD)
            out.append(c)
        return out

    coord = clients("coord", 1)[0]

    def assigned_case():
        case = coord.post(
            "/api/v1/cases",
            json={
                "case_type": "civil",
                "cause": "contract",
                "received_on": clock.today().isoformat(),
                "applicant": APPLICANT,
            },
        ).get_json()
        assert (
            coord.post(
                f"/api/v1/cases/{case['id']}/decision", json={"approved": True, "means_test": "checked"}
            ).status_code
            == 200
        )
        assignment = coord.post(
            f"/api/v1/cases/{case['id']}/assignments", json={"mode": "rotation"}
        ).get_json()
        return case["id"], assignment

    return {
        "admin": admin,
        "coord": coord,
        "clients": clients,
        "providers": providers,
        "users": users,
        "pool": pool,
        "assigned_case": assigned_case,
    }


def _live_subsidies(app, case_id: int) -> list:
    from supervision.subsidies.models import Subsidy

    with app.app_context():
        return db.session.scalars(
            sa.select(Subsidy.status).where(Subsidy.case_id == case_id, Subsidy.status != "cancelled")
        ).all()


def _goes_forward(world, case_id: int) -> None:
    """Whatever won, the case can still be assigned and accepted."""
    coord = world["coord"]
    shown = coord.get(f"/api/v1/cases/{case_id}").get_json()
    if shown["status"] == "accepted":
        r = coord.post(f"/api/v1/cases/{case_id}/assignments", json={"mode": "rotation"})
        assert r.status_code == 201, r.get_json()
        assignment = r.get_json()
        lawyer = world["clients"](f"lawyer{assignment['provider_id']}", 1)[0]
        assert lawyer.post(f"/api/v1/assignments/{assignment['id']}/accept").status_code == 200
    assert coord.get(f"/api/v1/cases/{case_id}").get_json()["status"] == "in_progress"


def test_eight_accepts_of_one_assignment_accept_it_once(app, world):
    case_id, assignment = world["assigned_case"]()
    lawyers = world["clients"](f"lawyer{assignment['provider_id']}")
    answers = race(lawyers, lambda c, i: c.post(f"/api/v1/assignments/{assignment['id']}/accept"))
    one_winner(answers, 200)
    assert audit_count(app, "assignment.accept", assignment["id"]) == 1
    assert _live_subsidies(app, case_id) == ["pending"]
    assert chain_holds(app)


def test_accept_against_decline_leaves_one_story(app, world):
    case_id, assignment = world["assigned_case"]()
    lawyers = world["clients"](f"lawyer{assignment['provider_id']}")

    def send(client, i):
        url = f"/api/v1/assignments/{assignment['id']}"
        if i % 2:
            return client.post(f"{url}/decline", json={"reason_code": "unavailable"})
        return client.post(f"{url}/accept")

    answers = race(lawyers, send)
    assert sorted(a.status_code for a in answers)[:1] == [200]
    assert Counter(a.status_code for a in answers) == {200: 1, 409: N - 1}
    accepted = audit_count(app, "assignment.accept", assignment["id"])
    declined = audit_count(app, "assignment.decline", assignment["id"])
    assert accepted + declined == 1
    # An accepted assignment has its pending subsidy; a declined one leaves none behind.
    assert _live_subsidies(app, case_id) == (["pending"] if accepted else [])
    _goes_forward(world, case_id)
    assert chain_holds(app)


def test_eight_reassignments_replace_the_provider_once(app, world):
    from assignment.models import Assignment, PoolMember

    case_id, assignment = world["assigned_case"]()
    coords = world["clients"]("coord")
    answers = race(
        coords, lambda c, i: c.post(f"/api/v1/cases/{case_id}/reassign", json={"reason": f"complaint {i}"})
    )
    one_winner(answers, 201)
    with app.app_context():
        rows = db.session.scalars(sa.select(Assignment).where(Assignment.case_id == case_id)).all()
        assert len(rows) == 2 and Counter(a.status for a in rows) == {"replaced": 1, "offered": 1}
        turns = db.session.scalar(
            sa.select(sa.func.sum(PoolMember.turns)).where(PoolMember.pool_id == world["pool"])
        )
        assert turns == 2  # the first pick and the one replacement, not one per request
    assert audit_count(app, "case.reassign", case_id) == 1
    assert chain_holds(app)


def test_a_reassignment_after_the_last_one_is_a_new_request(app, world):
    case_id, _ = world["assigned_case"]()
    coord = world["coord"]
    assert coord.post(f"/api/v1/cases/{case_id}/reassign", json={"reason": "ill"}).status_code == 201
    assert coord.post(f"/api/v1/cases/{case_id}/reassign", json={"reason": "ill again"}).status_code == 201


def test_eight_closings_close_the_case_once(app, world):
    case_id, assignment = world["assigned_case"]()
    lawyer = world["clients"](f"lawyer{assignment['provider_id']}", 1)[0]
    assert lawyer.post(f"/api/v1/assignments/{assignment['id']}/accept").status_code == 200
    lawyers = world["clients"](f"lawyer{assignment['provider_id']}")
    body = {"ended_on": clock.today().isoformat(), "outcome": "mediation", "documents": []}
    answers = race(lawyers, lambda c, i: c.post(f"/api/v1/cases/{case_id}/closing", json=body))
    one_winner(answers, 200)
    assert audit_count(app, "case.closed", case_id) == 1
    assert world["coord"].get(f"/api/v1/cases/{case_id}").get_json()["status"] == "closed"
    assert chain_holds(app)


def test_eight_users_with_one_name_make_one_user(app, world):
    admins = []
    for n in range(N):
        username = f"admin_race{n}"
        from legalaid.users import create_user

        with app.app_context():
            create_user(db.session, None, username, PASSWORD, ["admin"])
            db.session.commit()
        c = app.test_client()
        AuthActions(c).login(username, PASSWORD)
        admins.append(c)
    body = {"username": "newcomer", "password": PASSWORD, "roles": ["coordinator"]}
    answers = race(admins, lambda c, i: c.post("/api/v1/users", json=body))
    statuses = Counter(a.status_code for a in answers)
    assert statuses[201] == 1 and set(statuses) <= {201, 409, 422}, statuses
    assert chain_holds(app)


def _reached_call(world, case_id):
    supervisor = world["clients"]("super", 1)[0]
    calls = supervisor.get(f"/api/v1/follow-ups?case_id={case_id}").get_json()["items"]
    assert calls, "accepting plans the follow-up calls"
    return calls[0]["id"]


def test_eight_reached_calls_with_took_money_raise_one_red_flag(app, world):
    from supervision.scheduling.models import CallAttempt, RedFlag

    case_id, assignment = world["assigned_case"]()
    lawyer = world["clients"](f"lawyer{assignment['provider_id']}", 1)[0]
    assert lawyer.post(f"/api/v1/assignments/{assignment['id']}/accept").status_code == 200
    call_id = _reached_call(world, case_id)
    supervisors = world["clients"]("super")
    body = {"reached": True, "satisfaction": "unsatisfied", "took_money": True}
    answers = race(supervisors, lambda c, i: c.post(f"/api/v1/follow-ups/{call_id}/attempts", json=body))
    one_winner(answers, 201)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(CallAttempt.call_id == call_id)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).where(RedFlag.call_id == call_id)) == 1
    assert chain_holds(app)


def test_confirm_against_dismiss_of_one_red_flag_resolves_it_once(app, world):
    from supervision.scheduling.models import RedFlag

    case_id, assignment = world["assigned_case"]()
    lawyer = world["clients"](f"lawyer{assignment['provider_id']}", 1)[0]
    assert lawyer.post(f"/api/v1/assignments/{assignment['id']}/accept").status_code == 200
    call_id = _reached_call(world, case_id)
    supervisor = world["clients"]("super", 1)[0]
    body = {"reached": True, "satisfaction": "unsatisfied", "took_money": True}
    assert supervisor.post(f"/api/v1/follow-ups/{call_id}/attempts", json=body).status_code == 201
    with app.app_context():
        flag_id = db.session.scalar(sa.select(RedFlag.id).where(RedFlag.call_id == call_id))
    supervisors = world["clients"]("super")
    outcomes = ["confirmed", "dismissed"]

    def send(client, i):
        return client.post(
            f"/api/v1/red-flags/{flag_id}/resolve", json={"outcome": outcomes[i % 2], "reason": f"r{i}"}
        )

    answers = race(supervisors, send)
    one_winner(answers, 200)
    winner = next(i for i, a in enumerate(answers) if a.status_code == 200)
    with app.app_context():
        assert db.session.get(RedFlag, flag_id).status == outcomes[winner % 2]
    assert audit_count(app, "red_flag.resolve", flag_id) == 1
    assert chain_holds(app)


@pytest.mark.parametrize("how", ["declined", "replaced"])
def test_a_former_assignee_no_longer_reads_the_case(app, world, how):
    case_id, assignment = world["assigned_case"]()
    lawyer = world["clients"](f"lawyer{assignment['provider_id']}", 1)[0]
    assert lawyer.get(f"/api/v1/cases/{case_id}").status_code == 200
    if how == "declined":
        r = lawyer.post(
            f"/api/v1/assignments/{assignment['id']}/decline", json={"reason_code": "unavailable"}
        )
    else:
        assert lawyer.post(f"/api/v1/assignments/{assignment['id']}/accept").status_code == 200
        r = world["coord"].post(f"/api/v1/cases/{case_id}/reassign", json={"reason": "client's complaint"})
    assert r.status_code in (200, 201)
    assert lawyer.get(f"/api/v1/cases/{case_id}").status_code == 404
    assert lawyer.get(f"/api/v1/cases/{case_id}/hearings").status_code == 404


def test_the_provider_who_closed_the_case_still_reads_it(app, world):
    case_id, assignment = world["assigned_case"]()
    lawyer = world["clients"](f"lawyer{assignment['provider_id']}", 1)[0]
    assert lawyer.post(f"/api/v1/assignments/{assignment['id']}/accept").status_code == 200
    body = {"ended_on": clock.today().isoformat(), "outcome": "mediation", "documents": []}
    assert lawyer.post(f"/api/v1/cases/{case_id}/closing", json=body).status_code == 200
    assert lawyer.get(f"/api/v1/cases/{case_id}").get_json()["status"] == "closed"
