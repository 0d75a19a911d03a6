"""The race harness (issue 10, "one winner per state change"): every state-changing operation of the
OpenAPI document has a race here. N requests are released together by a barrier, each through its own
Flask test client, thread, app context, session and connection, on the suite's database (SQLite, and
PostgreSQL when ``LEGALAID_TEST_DATABASE_URL`` is set). Each race asserts only 2xx and the expected 4xx
answers (never a 5xx) and exactly the effect one request (or, for creations, each request) should have:
rows, audit entries, turns counted. After every race the audit chain verifies, and a case that took
part can still go forward (its next legal step answers 2xx).

``RACES`` is the table: each entry names the operationIds it covers, its class and how it reaches an
object in the right state. Classes:

* ``transition``: one object, one state change: exactly one 2xx, the rest 409 with the error body; one
  audit entry of that action for that object.
* ``create``: each request makes its own object: all 2xx (or 409 for a lost sequence race), no 5xx,
  as many rows and audit entries as 2xx answers.
* ``unique``: every request asks for the same unique thing: exactly one 201, the rest 409/422.
* ``idempotent``: every request asks for the same resulting state: no 5xx, one resulting row, no
  duplicate children.
* ``mixed``: two transitions of one object against each other (accept against decline, confirm against
  dismiss, …): one story in the audit log and a consistent object.

``test_every_state_changing_operation_has_a_race`` fails when the OpenAPI document gains an operation
the table does not cover, or loses one it names.

The centre (users, a civil pool of three lawyers, a second pool for membership races) is built once per
module; each race builds its own case, subsidy, batch or checklist through the API, so races do not
see each other's objects.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import shutil
import threading
from collections import Counter
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from legalaid import clock, create_app
from legalaid.answers import close_head_reader
from legalaid.audit import verify_chain
from legalaid.db import db
from legalaid.models import AuditEntry
from tests.conftest import ON_POSTGRES, PASSWORD, AuthActions, _config, _reset_to_migrated_state

N = 8
STATE_CHANGING = ("post", "put", "patch", "delete")
_seq = itertools.count(1)


# --- the race itself -----------------------------------------------------------------------------


def race(clients: list, send: Callable) -> list:
    """``send(client, i)`` from every client at once (a barrier releases them); the answers in client
    order. An exception or a 5xx fails the race, with every answer shown."""
    barrier = threading.Barrier(len(clients))
    answers: list = [None] * len(clients)

    def run(i, client):
        try:
            barrier.wait(timeout=60)
            answers[i] = send(client, i)
        except BaseException as exc:  # noqa: BLE001 - reported below
            answers[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    shown = [a if isinstance(a, BaseException) else (a.status_code, _error(a)) for a in answers]
    for answer in answers:
        assert not isinstance(answer, BaseException), shown
        assert answer.status_code < 500, shown
    return answers


def _error(answer) -> str | None:
    body = answer.get_json(silent=True)
    if isinstance(body, dict) and "error" in body:
        return body["error"].get("message")
    return None


def statuses(answers) -> Counter:
    return Counter(a.status_code for a in answers)


def one_winner(answers, success: int, losers: tuple[int, ...] = (409,)) -> int:
    """Exactly one ``success``, every other answer one of ``losers`` with the error body; the winner's
    index."""
    got = statuses(answers)
    assert got[success] == 1 and set(got) <= {success, *losers}, got
    for answer in answers:
        if answer.status_code != success:
            assert {"code", "message"} <= set(answer.get_json()["error"]), answer.get_json()
    return next(i for i, a in enumerate(answers) if a.status_code == success)


def only(answers, allowed: set[int]) -> Counter:
    got = statuses(answers)
    assert set(got) <= allowed, got
    return got


# --- the centre ----------------------------------------------------------------------------------


APPLICANT = {"name": "Li Si", "id_number": "110101199003077571", "phone": "13800000000"}


class Centre:
    """One centre for the module: its people (each with N signed-in clients on demand), pools and
    helpers that bring a fresh case to any stage through the API."""

    def __init__(self, app):
        from legalaid.users import create_user

        self.app = app
        self._clients: dict[str, list] = {}
        with app.app_context():
            for name, roles in [
                ("h_admin", ["admin"]),
                ("h_coord", ["coordinator"]),
                ("h_sup1", ["supervisor"]),
                ("h_sup2", ["supervisor"]),
                ("h_sup3", ["supervisor"]),
                ("h_sup4", ["supervisor"]),
                ("h_fin", ["finance"]),
            ]:
                create_user(db.session, None, name, PASSWORD, roles)
            db.session.commit()
        self.admin = self.one("h_admin")
        self.coord = self.one("h_coord")
        self.fin = self.one("h_fin")
        self.providers = [self.new_provider(f"Civil lawyer {n}") for n in range(3)]
        self.pool = self.new_pool("Civil", ["civil"])
        for pid in self.providers:
            assert self.admin.put(f"/api/v1/pools/{self.pool}/members/{pid}", json={}).status_code == 201
        # A second pool for membership races, so they never change who the civil cases go to.
        self.other_pool = self.new_pool("Criminal", ["criminal"])
        self.supervisor_ids = {
            self.scalar(sa.select(_user().id).where(_user().username == n)): n
            for n in ("h_sup1", "h_sup2", "h_sup3", "h_sup4")
        }
        civil = self.admin.get("/api/v1/checklists/current?case_type=civil").get_json()
        assert "items" in civil, civil
        self.civil_items = [
            {"code": i["code"], "points": i["max_points"], "note": "checked"} for i in civil["items"]
        ]
        docs = self.coord.get("/api/v1/closing-documents?case_type=civil").get_json()["items"]
        self.required_documents = [d["code"] for d in docs if d["required"]]

    # people

    def login(self, username: str):
        client = self.app.test_client()
        AuthActions(client).login(username, PASSWORD)
        return client

    def one(self, username: str):
        return self.many(username, 1)[0]

    def many(self, username: str, n: int = N) -> list:
        """``n`` clients signed in as ``username`` (N workers serving one person at once)."""
        have = self._clients.setdefault(username, [])
        while len(have) < n:
            have.append(self.login(username))
        return have[:n]

    def new_user(self, roles: list[str], provider_id: int | None = None) -> str:
        from legalaid.users import create_user

        username = f"h_user{next(_seq)}"
        with self.app.app_context():
            create_user(db.session, None, username, PASSWORD, roles, provider_id=provider_id)
            db.session.commit()
        return username

    def username(self, user_id: int | None) -> str | None:
        return self.scalar(sa.select(_user().username).where(_user().id == user_id))

    def lawyer(self, provider_id: int) -> str:
        username = f"h_lawyer{provider_id}"
        if self.scalar(sa.select(_user().id).where(_user().username == username)) is None:
            from legalaid.users import create_user

            with self.app.app_context():
                create_user(db.session, None, username, PASSWORD, ["provider"], provider_id=provider_id)
                db.session.commit()
        return username

    # the panel

    def new_organization(self) -> int:
        r = self.admin.post("/api/v1/organizations", json={"name": f"Firm {next(_seq)}", "kind": "law_firm"})
        assert r.status_code == 201, r.get_json()
        return r.get_json()["id"]

    def new_provider(self, name: str | None = None) -> int:
        r = self.admin.post(
            "/api/v1/providers",
            json={
                "name": name or f"Lawyer {next(_seq)}",
                "kind": "lawyer",
                "organization_id": self.new_organization(),
                "practice_since": "2012-03-01",
                "max_open_cases": 500,
            },
        )
        assert r.status_code == 201, r.get_json()
        provider_id = r.get_json()["id"]
        self.lawyer(provider_id)
        return provider_id

    def new_pool(self, name: str, case_types: list[str], area: str | None = None) -> int:
        body = {"name": name, "case_types": case_types, "provider_kinds": ["lawyer"], "area": area}
        r = self.admin.post("/api/v1/pools", json=body)
        assert r.status_code == 201, r.get_json()
        return r.get_json()["id"]

    # reading the database

    def scalar(self, stmt):
        with self.app.app_context():
            return db.session.scalar(stmt)

    def scalars(self, stmt) -> list:
        with self.app.app_context():
            return list(db.session.scalars(stmt))

    def count(self, model, *where) -> int:
        return self.scalar(sa.select(sa.func.count()).select_from(model).where(*where))

    def audit(self, action: str, object_id: int | None = None) -> int:
        where = [AuditEntry.action == action]
        if object_id is not None:
            where.append(AuditEntry.object_id == object_id)
        return self.count(AuditEntry, *where)

    def turns(self, pool_id: int | None = None) -> int:
        from assignment.models import PoolMember

        return self.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(PoolMember.turns), 0)).where(
                PoolMember.pool_id == (pool_id or self.pool)
            )
        )

    def chain_holds(self) -> None:
        with self.app.app_context():
            result = verify_chain(db.session)
        assert result.ok, result

    def status(self, case_id: int) -> str:
        from assignment.models import Case

        return self.scalar(sa.select(Case.status).where(Case.id == case_id))

    def live_assignment(self, case_id: int):
        from assignment.models import Assignment

        with self.app.app_context():
            row = db.session.execute(
                sa.select(Assignment.id, Assignment.provider_id, Assignment.status).where(
                    Assignment.case_id == case_id, Assignment.live.is_(True)
                )
            ).one_or_none()
            return row

    def provider_client(self, case_id: int):
        return self.one(self.lawyer(self.live_assignment(case_id).provider_id))

    def subsidy_of(self, case_id: int):
        from supervision.subsidies.models import Subsidy

        with self.app.app_context():
            return db.session.execute(
                sa.select(Subsidy.id, Subsidy.status, Subsidy.batch_id).where(
                    Subsidy.case_id == case_id,
                    Subsidy.reversal_of_id.is_(None),
                    Subsidy.status != "cancelled",
                )
            ).one_or_none()

    # cases, step by step

    def new_case(self, **extra) -> int:
        body = {
            "case_type": "civil",
            "cause": "contract",
            "received_on": clock.today().isoformat(),
            "applicant": APPLICANT,
            **extra,
        }
        r = self.coord.post("/api/v1/cases", json=body)
        assert r.status_code == 201, r.get_json()
        return r.get_json()["id"]

    def case_in(self, status: str, **extra) -> int:
        """A new case brought to ``status`` by its ordinary steps."""
        order = ["applied", "accepted", "assigned", "in_progress", "closed", "archived"]
        case_id = self.new_case(**extra)
        while self.status(case_id) != status:
            assert order.index(self.status(case_id)) < order.index(status)
            self.forward(case_id)
        return case_id

    def forward(self, case_id: int) -> str:
        """The case's next legal step, which must answer 2xx; the new status. A closed case is taken
        through what archiving needs and archived; an archived one's subsidy is batched, then paid."""
        status = self.status(case_id)
        url = f"/api/v1/cases/{case_id}"
        if status == "applied":
            r = self.coord.post(f"{url}/decision", json={"approved": True, "means_test": "checked"})
        elif status == "pending_materials":
            r = self.coord.post(f"{url}/materials")
        elif status == "accepted":
            r = self.coord.post(f"{url}/assignments", json={"mode": "rotation"})
        elif status == "assigned":
            r = self.provider_client(case_id).post(
                f"/api/v1/assignments/{self.live_assignment(case_id).id}/accept"
            )
        elif status == "in_progress":
            body = {
                "ended_on": clock.today().isoformat(),
                "outcome": "mediation",
                "documents": self.required_documents,
            }
            r = self.provider_client(case_id).post(f"{url}/closing", json=body)
            if r.status_code == 200:
                self.out_of_sample(case_id)
        elif status == "closed":
            self.settle(case_id)
            r = self.one("h_sup1").post(f"{url}/archive")
        elif status == "archived":
            subsidy = self.subsidy_of(case_id)
            if subsidy.status == "payable":
                r = self.fin.post("/api/v1/payment-batches", json={"subsidy_ids": [subsidy.id]})
            elif subsidy.status == "batched":
                r = self.fin.post(
                    f"/api/v1/payment-batches/{subsidy.batch_id}/confirm",
                    json={"bank_reference": f"REF-{next(_seq)}", "paid_on": clock.today().isoformat()},
                )
            elif subsidy.status == "held":
                r = self.one("h_sup1").post(f"/api/v1/subsidies/{subsidy.id}/release", json={"reason": "ok"})
            else:
                assert subsidy.status == "paid", subsidy
                return status
        else:
            assert status in ("withdrawn", "rejected"), status  # the end of the story
            return status
        assert 200 <= r.status_code < 300, (status, r.status_code, r.get_json())
        return self.status(case_id)

    def goes_forward(self, case_id: int, steps: int = 1) -> None:
        for _ in range(steps):
            self.forward(case_id)

    def out_of_sample(self, case_id: int) -> None:
        """No double marking for this file (the 10% sample is a seeded draw): one sheet makes it final."""
        from supervision.scoring.models import ScoreFile

        with self.app.app_context():
            db.session.execute(
                sa.update(ScoreFile).where(ScoreFile.case_id == case_id).values(in_sample=False)
            )
            db.session.commit()

    # what archiving needs

    def hand_in_missing(self, case_id: int) -> None:
        from supervision.scoring.models import ClosingDocument

        have = set(self.scalars(sa.select(ClosingDocument.code).where(ClosingDocument.case_id == case_id)))
        missing = [c for c in self.required_documents if c not in have]
        if missing:
            r = self.provider_client(case_id).post(
                f"/api/v1/cases/{case_id}/documents", json={"documents": missing}
            )
            assert r.status_code == 200, r.get_json()

    def call(self, case_id: int, purpose: str) -> int:
        from supervision.scheduling.models import FollowUpCall

        return self.scalar(
            sa.select(FollowUpCall.id)
            .where(FollowUpCall.case_id == case_id, FollowUpCall.purpose == purpose)
            .order_by(FollowUpCall.id.desc())
            .limit(1)
        )

    def make_after_closing_call(self, case_id: int) -> None:
        from supervision.scheduling.models import FollowUpCall

        call_id = self.call(case_id, "after_closing")
        if self.scalar(sa.select(FollowUpCall.status).where(FollowUpCall.id == call_id)) != "done":
            body = {"reached": True, "satisfaction": "satisfied", "took_money": False}
            r = self.one("h_sup1").post(f"/api/v1/follow-ups/{call_id}/attempts", json=body)
            assert r.status_code == 201, r.get_json()

    def resolve_open_flags(self, case_id: int) -> None:
        from supervision.scheduling.models import RedFlag

        for flag_id in self.scalars(
            sa.select(RedFlag.id).where(RedFlag.case_id == case_id, RedFlag.status == "open")
        ):
            r = self.one("h_sup1").post(
                f"/api/v1/red-flags/{flag_id}/resolve", json={"outcome": "dismissed", "reason": "not so"}
            )
            assert r.status_code == 200, r.get_json()

    def sheet_body(self) -> dict:
        return {"items": self.civil_items, "vetoes": [], "veto_note": "checked the calls"}

    def mark(self, case_id: int) -> None:
        """One more sheet where the file needs one: a draft submitted, or a new sheet by a supervisor
        who has not marked the file."""
        from supervision.scoring.models import ScoreSheet

        with self.app.app_context():
            rows = db.session.execute(
                sa.select(ScoreSheet.id, ScoreSheet.scorer_id, ScoreSheet.status, ScoreSheet.role).where(
                    ScoreSheet.case_id == case_id
                )
            ).all()
        drafts = [r for r in rows if r.status == "draft" and r.role != "appeal"]
        if drafts:
            sheet_id, scorer = drafts[0].id, self.supervisor_ids[drafts[0].scorer_id]
        else:
            marked = {r.scorer_id for r in rows}
            scorer = next(n for i, n in self.supervisor_ids.items() if i not in marked)
            r = self.one(scorer).post(f"/api/v1/cases/{case_id}/score-sheets", json=self.sheet_body())
            assert r.status_code == 201, r.get_json()
            sheet_id = r.get_json()["id"]
        r = self.one(scorer).post(f"/api/v1/score-sheets/{sheet_id}/submit")
        assert r.status_code == 200, r.get_json()

    def final_score(self, case_id: int) -> None:
        while (file := self.score_file(case_id)).status != "final":
            if file.status == "appealed":
                self.decide_appeal(case_id)
            else:
                self.mark(case_id)

    def decide_appeal(self, case_id: int) -> None:
        from supervision.scoring.models import ScoreSheet

        marked = set(self.scalars(sa.select(ScoreSheet.scorer_id).where(ScoreSheet.case_id == case_id)))
        decider = next(n for i, n in self.supervisor_ids.items() if i not in marked)
        r = self.one(decider).post(
            f"/api/v1/cases/{case_id}/score/appeal-decision", json={"outcome": "upheld", "reason": "fair"}
        )
        assert r.status_code == 200, r.get_json()

    def score_file(self, case_id: int):
        from supervision.scoring.models import ScoreFile

        with self.app.app_context():
            return db.session.execute(
                sa.select(
                    ScoreFile.status,
                    ScoreFile.accepted_at,
                    ScoreFile.appeal_decided_at,
                    ScoreFile.appealed_at,
                ).where(ScoreFile.case_id == case_id)
            ).one()

    def settle(self, case_id: int) -> None:
        """Everything archiving needs (DESIGN.md §4): materials, the after-closing call, no open red
        flag, a final score the provider accepted (or whose appeal was decided)."""
        self.hand_in_missing(case_id)
        self.make_after_closing_call(case_id)
        self.resolve_open_flags(case_id)
        self.final_score(case_id)
        file = self.score_file(case_id)
        if file.accepted_at is None and file.appeal_decided_at is None:
            r = self.provider_client(case_id).post(f"/api/v1/cases/{case_id}/score/accept")
            assert r.status_code == 200, r.get_json()

    # money

    def payable_subsidy(self) -> tuple[int, int]:
        case_id = self.case_in("archived")
        subsidy = self.subsidy_of(case_id)
        assert subsidy.status == "payable", subsidy
        return case_id, subsidy.id

    def open_batch(self) -> tuple[int, int, int]:
        case_id, subsidy_id = self.payable_subsidy()
        r = self.fin.post("/api/v1/payment-batches", json={"subsidy_ids": [subsidy_id]})
        assert r.status_code == 201, r.get_json()
        return case_id, subsidy_id, r.get_json()["id"]

    def hearing(self, case_id: int, *, hours_from_now: float = 24 * 14, **extra) -> dict:
        starts = clock.now() + dt.timedelta(hours=hours_from_now)
        r = self.coord.post(
            f"/api/v1/cases/{case_id}/hearings",
            json={"starts_at": starts.isoformat(), "court": "District Court", **extra},
        )
        assert r.status_code == 201, r.get_json()
        return r.get_json()


def _user():
    from legalaid.models import User

    return User


@pytest.fixture(scope="module")
def centre(request, migrated_url, tmp_path_factory):
    if ON_POSTGRES:
        url = migrated_url
    else:
        path = tmp_path_factory.mktemp("race_harness") / "races.sqlite3"
        shutil.copyfile(migrated_url.removeprefix("sqlite:///"), path)
        url = f"sqlite:///{path}"
    app = create_app(_config(url))
    if ON_POSTGRES:
        _reset_to_migrated_state(app)
    yield Centre(app)
    with app.app_context():
        close_head_reader(app)
        db.session.remove()
        db.engine.dispose()


# --- the table -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Race:
    ops: tuple[str, ...]
    kind: str
    run: Callable[[Centre], None]


RACES: dict[str, Race] = {}
KINDS = ("transition", "create", "unique", "idempotent", "mixed")


def races(*ops: str, kind: str):
    """Register a race for the operations ``ops`` (operationIds of the OpenAPI document)."""
    assert kind in KINDS

    def register(fn):
        name = fn.__name__.removeprefix("race_")
        assert name not in RACES
        RACES[name] = Race(ops, kind, fn)
        return fn

    return register


def _ids(answers) -> list[int]:
    return [a.get_json()["id"] for a in answers if 200 <= a.status_code < 300]


# --- session and users ---------------------------------------------------------------------------


@races("shell_api.create_session.post", kind="create")
def race_sign_ins_of_one_user(c: Centre):
    from legalaid.models import UserSession

    username = c.new_user(["coordinator"])
    clients = [c.app.test_client() for _ in range(N)]
    body = {"username": username, "password": PASSWORD}
    answers = race(clients, lambda cl, i: cl.post("/api/v1/session", json=body))
    assert statuses(answers) == {200: N}
    user_id = c.scalar(sa.select(_user().id).where(_user().username == username))
    assert c.count(UserSession, UserSession.user_id == user_id, UserSession.ended_at.is_(None)) == N
    for client in clients:
        assert client.get("/api/v1/session").status_code == 200


@races("shell_api.delete_session.delete", kind="idempotent")
def race_sign_outs_of_one_session(c: Centre):
    from legalaid.models import UserSession

    username = c.new_user(["coordinator"])
    name = c.app.config["SESSION_COOKIE_NAME"]
    cookie = c.login(username).get_cookie(name)
    clients = [c.app.test_client() for _ in range(N)]
    for client in clients:
        client.set_cookie(name, cookie.value)  # one signed-in browser's cookie, sent N times at once
    answers = race(clients, lambda cl, i: cl.delete("/api/v1/session"))
    assert statuses(answers) == {204: N}
    replay = c.app.test_client()
    replay.set_cookie(name, cookie.value)
    assert replay.get("/api/v1/session").status_code == 401
    user_id = c.scalar(sa.select(_user().id).where(_user().username == username))
    assert c.count(UserSession, UserSession.user_id == user_id, UserSession.ended_at.is_(None)) == 0


@races("shell_api.create_token.post", kind="create")
def race_tokens_for_one_user(c: Centre):
    from legalaid.models import ApiToken

    username = c.new_user(["coordinator"])
    answers = race(c.many(username), lambda cl, i: cl.post("/api/v1/tokens"))
    assert statuses(answers) == {201: N}
    user_id = c.scalar(sa.select(_user().id).where(_user().username == username))
    assert c.count(ApiToken, ApiToken.user_id == user_id) == N
    assert len({a.get_json()["token"] for a in answers}) == N


@races("shell_api.change_own_password.post", kind="unique")
def race_changing_ones_own_password(c: Centre):
    """One person's password changed from N signed-in windows at once: the first change wins; the
    others' current password is no longer right (422), and the password changed once."""
    username = c.new_user(["coordinator"])
    body = {"current_password": PASSWORD, "new_password": PASSWORD + "-new"}
    answers = race(c.many(username), lambda cl, i: cl.post("/api/v1/me/password", json=body))
    one_winner(answers, 204, (422,))
    user_id = c.scalar(sa.select(_user().id).where(_user().username == username))
    assert c.audit("user.set_password", user_id) == 1
    assert (
        c.app.test_client()
        .post("/api/v1/session", json={"username": username, "password": PASSWORD + "-new"})
        .status_code
        == 200
    )


@races("shell_api.create_user.post", kind="unique")
def race_users_with_one_name(c: Centre):
    username = f"newcomer{next(_seq)}"
    admins = [c.one(c.new_user(["admin"])) for _ in range(N)]
    body = {"username": username, "password": PASSWORD, "roles": ["coordinator"]}
    answers = race(admins, lambda cl, i: cl.post("/api/v1/users", json=body))
    one_winner(answers, 201, (409, 422))
    assert c.count(_user(), sa.func.lower(_user().username) == username) == 1
    assert c.audit("user.create", _ids(answers)[0]) == 1


@races("shell_api.update_user.patch", kind="idempotent")
def race_disabling_one_user(c: Centre):
    """PATCH states the wanted state: every admin is told the user is disabled; it happened once."""
    username = c.new_user(["finance"])
    user_id = c.scalar(sa.select(_user().id).where(_user().username == username))
    admins = [c.one(c.new_user(["admin"])) for _ in range(N)]
    answers = race(admins, lambda cl, i: cl.patch(f"/api/v1/users/{user_id}", json={"active": False}))
    assert statuses(answers) == {200: N}
    assert all(a.get_json()["active"] is False for a in answers)
    assert c.audit("user.disable", user_id) == 1


# --- the panel -----------------------------------------------------------------------------------


@races("assignment_api.create_organization.post", kind="create")
def race_organizations(c: Centre):
    from assignment.models import Organization

    before = c.count(Organization)
    answers = race(
        c.many("h_admin"),
        lambda cl, i: cl.post("/api/v1/organizations", json={"name": f"Race firm {i}", "kind": "law_firm"}),
    )
    assert statuses(answers) == {201: N}
    assert c.count(Organization) == before + N


@races("assignment_api.create_provider.post", kind="create")
def race_providers(c: Centre):
    from assignment.models import Provider

    org = c.new_organization()
    before = c.count(Provider)

    def send(cl, i):
        body = {
            "name": f"Race lawyer {i}",
            "kind": "lawyer",
            "organization_id": org,
            "practice_since": "2015-01-01",
        }
        return cl.post("/api/v1/providers", json=body)

    answers = race(c.many("h_admin"), send)
    assert statuses(answers) == {201: N}
    assert c.count(Provider) == before + N


@races("assignment_api.update_provider.patch", kind="idempotent")
def race_provider_updates(c: Centre):
    from assignment.models import Provider

    provider_id = c.new_provider()
    answers = race(
        c.many("h_admin"),
        lambda cl, i: cl.patch(f"/api/v1/providers/{provider_id}", json={"max_open_cases": 40 + i % 2}),
    )
    got = only(answers, {200, 409})
    assert got[200] >= 1
    assert c.count(Provider, Provider.id == provider_id) == 1
    assert c.scalar(sa.select(Provider.max_open_cases).where(Provider.id == provider_id)) in (40, 41)
    assert c.audit("provider.update", provider_id) == got[200]


@races("assignment_api.add_leave.post", kind="create")
def race_leaves(c: Centre):
    from assignment.models import ProviderLeave

    provider_id = c.new_provider()  # in no pool: the civil cases' rotation does not change
    start = clock.today() + dt.timedelta(days=30)

    def send(cl, i):
        day = start + dt.timedelta(days=10 * i)
        body = {"from": day.isoformat(), "to": (day + dt.timedelta(days=3)).isoformat()}
        return cl.post(f"/api/v1/providers/{provider_id}/leave", json=body)

    answers = race(c.many("h_admin"), send)
    got = only(answers, {201, 409})
    assert c.count(ProviderLeave, ProviderLeave.provider_id == provider_id) == got[201] >= 1
    assert c.audit("provider.leave", provider_id) == got[201]


@races("assignment_api.declare_conflict.post", kind="create")
def race_conflicts(c: Centre):
    from assignment.models import ProviderConflict

    provider_id = c.new_provider()
    answers = race(
        c.many("h_admin"),
        lambda cl, i: cl.post(
            f"/api/v1/providers/{provider_id}/conflicts", json={"party_name": f"Party {i}"}
        ),
    )
    got = only(answers, {201, 409})
    assert c.count(ProviderConflict, ProviderConflict.provider_id == provider_id) == got[201] >= 1
    assert c.audit("provider.conflict", provider_id) == got[201]


@races("assignment_api.create_pool.post", kind="unique")
def race_overlapping_pools(c: Centre):
    from assignment.models import PoolScope, RotationPool

    area = f"Race area {next(_seq)}"
    body = {"case_types": ["administrative"], "provider_kinds": ["lawyer"], "area": area}
    answers = race(c.many("h_admin"), lambda cl, i: cl.post("/api/v1/pools", json={**body, "name": f"P{i}"}))
    one_winner(answers, 201, (409, 422))
    assert c.count(RotationPool, RotationPool.area == area) == 1
    assert c.count(PoolScope, PoolScope.area_key == area) == 1


@races("assignment_api.put_pool_member.put", kind="idempotent")
def race_pool_member_puts(c: Centre):
    from assignment.models import PoolMember

    provider_id = c.new_provider()
    url = f"/api/v1/pools/{c.other_pool}/members/{provider_id}"
    added = c.audit("pool.member_add", c.other_pool)
    answers = race(c.many("h_admin"), lambda cl, i: cl.put(url, json={"weight": 1.0}))
    got = only(answers, {200, 201, 409})
    assert got[201] == 1, got
    assert c.count(PoolMember, PoolMember.pool_id == c.other_pool, PoolMember.provider_id == provider_id) == 1
    assert c.audit("pool.member_add", c.other_pool) == added + 1


@races("assignment_api.delete_pool_member.delete", kind="transition")
def race_pool_member_deletes(c: Centre):
    from assignment.models import PoolMember

    provider_id = c.new_provider()
    url = f"/api/v1/pools/{c.other_pool}/members/{provider_id}"
    assert c.admin.put(url, json={}).status_code == 201
    removed = c.audit("pool.member_remove", c.other_pool)
    answers = race(c.many("h_admin"), lambda cl, i: cl.delete(url))
    one_winner(answers, 204, (404, 409))
    assert c.count(PoolMember, PoolMember.pool_id == c.other_pool, PoolMember.provider_id == provider_id) == 0
    assert c.audit("pool.member_remove", c.other_pool) == removed + 1
    assert c.admin.put(url, json={}).status_code == 201  # and the provider can join again


# --- intake --------------------------------------------------------------------------------------


@races("assignment_api.register_case.post", kind="create")
def race_registrations(c: Centre):
    from assignment.models import Case

    before = c.count(Case)
    answers = race(
        c.many("h_coord"),
        lambda cl, i: cl.post(
            "/api/v1/cases",
            json={
                "case_type": "civil",
                "cause": "contract",
                "received_on": clock.today().isoformat(),
                "applicant": {**APPLICANT, "name": f"Applicant {i}"},
            },
        ),
    )
    assert statuses(answers) == {201: N}
    assert c.count(Case) == before + N
    numbers = [a.get_json()["number"] for a in answers]
    assert len(set(numbers)) == N  # gapless numbering never hands one number out twice
    for case_id in _ids(answers):
        assert c.audit("case.register", case_id) == 1
    c.goes_forward(_ids(answers)[0])


@races("assignment_api.decide.post", kind="transition")
def race_decisions(c: Centre):
    case_id = c.case_in("applied")

    def send(cl, i):
        body = (
            {"approved": True, "means_test": "checked"} if i % 2 else {"approved": False, "reason": f"r{i}"}
        )
        return cl.post(f"/api/v1/cases/{case_id}/decision", json=body)

    winner = one_winner(race(c.many("h_coord"), send), 200)
    assert c.status(case_id) == ("accepted" if winner % 2 else "rejected")
    assert c.audit("case.decide", case_id) == 1
    c.goes_forward(case_id)


@races("assignment_api.request_materials.post", kind="transition")
def race_materials_requests(c: Centre):
    case_id = c.case_in("applied")
    answers = race(
        c.many("h_coord"),
        lambda cl, i: cl.post(f"/api/v1/cases/{case_id}/materials-request", json={"missing": [f"proof {i}"]}),
    )
    one_winner(answers, 200)
    assert c.status(case_id) == "pending_materials"
    assert c.audit("case.request_materials", case_id) == 1
    c.goes_forward(case_id, 3)  # supplied, decided, assigned


@races("assignment_api.supply_materials.post", kind="transition")
def race_materials_supplied(c: Centre):
    case_id = c.case_in("applied")
    assert (
        c.coord.post(f"/api/v1/cases/{case_id}/materials-request", json={"missing": ["proof"]}).status_code
        == 200
    )
    answers = race(c.many("h_coord"), lambda cl, i: cl.post(f"/api/v1/cases/{case_id}/materials"))
    one_winner(answers, 200)
    assert c.status(case_id) == "applied"
    assert c.audit("case.supply_materials", case_id) == 1
    c.goes_forward(case_id, 2)


@races("assignment_api.withdraw.post", kind="transition")
def race_withdrawals(c: Centre):
    case_id = c.case_in("accepted")
    answers = race(
        c.many("h_coord"),
        lambda cl, i: cl.post(f"/api/v1/cases/{case_id}/withdraw", json={"reason": f"r{i}"}),
    )
    one_winner(answers, 200)
    assert c.status(case_id) == "withdrawn"
    assert c.audit("case.withdraw", case_id) == 1


@races("assignment_api.withdraw.post", "assignment_api.decide.post", kind="mixed")
def race_withdraw_against_decision(c: Centre):
    case_id = c.case_in("applied")

    def send(cl, i):
        if i % 2:
            return cl.post(f"/api/v1/cases/{case_id}/withdraw", json={"reason": "changed mind"})
        return cl.post(f"/api/v1/cases/{case_id}/decision", json={"approved": True, "means_test": "checked"})

    answers = race(c.many("h_coord"), send)
    got = only(answers, {200, 409})
    decided, withdrawn = c.audit("case.decide", case_id), c.audit("case.withdraw", case_id)
    # Approved then withdrawn is a legal story too (an accepted case may still be withdrawn).
    assert decided <= 1 and withdrawn <= 1 and got[200] == decided + withdrawn >= 1
    assert c.status(case_id) == ("withdrawn" if withdrawn else "accepted")
    c.goes_forward(case_id)


# --- assignment ----------------------------------------------------------------------------------


@races("assignment_api.assign.post", kind="transition")
def race_assignments(c: Centre):
    from assignment.models import Assignment

    case_id = c.case_in("accepted")
    turns = c.turns()
    answers = race(
        c.many("h_coord"),
        lambda cl, i: cl.post(f"/api/v1/cases/{case_id}/assignments", json={"mode": "rotation"}),
    )
    one_winner(answers, 201)
    assert c.count(Assignment, Assignment.case_id == case_id) == 1
    assert c.turns() == turns + 1
    assert c.audit("case.assign", case_id) == 1
    c.goes_forward(case_id, 2)  # accepted, closed


@races("assignment_api.accept.post", kind="transition")
def race_accepts(c: Centre):
    case_id = c.case_in("assigned")
    assignment = c.live_assignment(case_id)
    lawyers = c.many(c.lawyer(assignment.provider_id))
    one_winner(race(lawyers, lambda cl, i: cl.post(f"/api/v1/assignments/{assignment.id}/accept")), 200)
    assert c.audit("assignment.accept", assignment.id) == 1
    assert c.subsidy_of(case_id).status == "pending"
    c.goes_forward(case_id)


@races("assignment_api.decline.post", kind="transition")
def race_declines(c: Centre):
    from assignment.models import Assignment

    case_id = c.case_in("assigned")
    assignment = c.live_assignment(case_id)
    turns = c.turns()
    answers = race(
        c.many(c.lawyer(assignment.provider_id)),
        lambda cl, i: cl.post(
            f"/api/v1/assignments/{assignment.id}/decline", json={"reason_code": "unavailable"}
        ),
    )
    one_winner(answers, 200)
    assert c.audit("assignment.decline", assignment.id) == 1
    assert c.count(Assignment, Assignment.case_id == case_id) == 1
    assert c.turns() == turns  # the decline is the turn already counted, not one more per request
    assert c.status(case_id) == "accepted" and c.subsidy_of(case_id) is None
    c.goes_forward(case_id, 2)


@races("assignment_api.accept.post", "assignment_api.decline.post", kind="mixed")
def race_accept_against_decline(c: Centre):
    case_id = c.case_in("assigned")
    assignment = c.live_assignment(case_id)

    def send(cl, i):
        url = f"/api/v1/assignments/{assignment.id}"
        return (
            cl.post(f"{url}/decline", json={"reason_code": "unavailable"})
            if i % 2
            else cl.post(f"{url}/accept")
        )

    one_winner(race(c.many(c.lawyer(assignment.provider_id)), send), 200)
    accepted = c.audit("assignment.accept", assignment.id)
    assert accepted + c.audit("assignment.decline", assignment.id) == 1
    subsidy = c.subsidy_of(case_id)
    assert (subsidy.status if subsidy else None) == ("pending" if accepted else None)
    c.goes_forward(case_id, 1 if accepted else 2)
    assert c.status(case_id) in ("in_progress", "closed")


@races("assignment_api.reassign.post", kind="transition")
def race_reassignments(c: Centre):
    from assignment.models import Assignment

    case_id = c.case_in("in_progress")
    turns = c.turns()
    answers = race(
        c.many("h_coord"),
        lambda cl, i: cl.post(f"/api/v1/cases/{case_id}/reassign", json={"reason": f"complaint {i}"}),
    )
    one_winner(answers, 201)
    assert c.count(Assignment, Assignment.case_id == case_id) == 2
    assert c.turns() == turns + 1
    assert c.audit("case.reassign", case_id) == 1
    c.goes_forward(case_id, 2)  # the new provider accepts, then closes


# --- hearings, observations, calls ---------------------------------------------------------------


@races("scheduling_api.create_hearing.post", kind="create")
def race_hearings(c: Centre):
    from supervision.scheduling.models import FollowUpCall, Hearing, Observation

    case_id = c.case_in("in_progress")
    base = clock.now() + dt.timedelta(days=20)

    def send(cl, i):
        starts = base + dt.timedelta(days=i)
        return cl.post(
            f"/api/v1/cases/{case_id}/hearings", json={"starts_at": starts.isoformat(), "court": "Court"}
        )

    answers = race(c.many("h_coord"), send)
    got = only(answers, {201, 409})
    assert c.count(Hearing, Hearing.case_id == case_id) == got[201] >= 1
    observations = c.scalars(sa.select(Observation.hearing_id).where(Observation.case_id == case_id))
    assert len(observations) == len(set(observations))  # at most one observation per hearing
    calls = c.count(FollowUpCall, FollowUpCall.case_id == case_id, FollowUpCall.purpose == "after_hearing")
    assert calls <= 1  # one call after the first hearing, not one per request
    c.goes_forward(case_id)


@races("scheduling_api.move_hearing.patch", kind="idempotent")
def race_hearing_moves(c: Centre):
    from supervision.scheduling.models import FollowUpCall, Hearing, Observation

    case_id = c.case_in("in_progress")
    hearing = c.hearing(case_id)
    base = clock.now() + dt.timedelta(days=30)
    times = [base + dt.timedelta(days=i) for i in range(N)]
    answers = race(
        c.many("h_coord"),
        lambda cl, i: cl.patch(f"/api/v1/hearings/{hearing['id']}", json={"starts_at": times[i].isoformat()}),
    )
    got = only(answers, {200, 409})
    assert got[200] >= 1
    assert c.audit("hearing.move", hearing["id"]) == got[200]
    with c.app.app_context():
        starts = db.session.scalar(sa.select(Hearing.starts_at).where(Hearing.id == hearing["id"]))
        live = db.session.scalars(
            sa.select(Observation.starts_at).where(
                Observation.hearing_id == hearing["id"], Observation.status.in_(("scheduled", "unassigned"))
            )
        ).all()
    assert starts in times
    assert all(s == starts for s in live) and len(live) <= 1  # the observation moved with the hearing
    assert (
        c.count(FollowUpCall, FollowUpCall.case_id == case_id, FollowUpCall.purpose == "after_hearing") <= 1
    )
    c.goes_forward(case_id)


@races("scheduling_api.cancel_hearing.post", kind="transition")
def race_hearing_cancels(c: Centre):
    case_id = c.case_in("in_progress")
    hearing = c.hearing(case_id)
    answers = race(
        c.many("h_coord"),
        lambda cl, i: cl.post(f"/api/v1/hearings/{hearing['id']}/cancel", json={"reason": f"r{i}"}),
    )
    one_winner(answers, 200)
    assert c.audit("hearing.cancel", hearing["id"]) == 1
    c.hearing(case_id)  # a new one can be recorded
    c.goes_forward(case_id)


@races("scheduling_api.move_hearing.patch", "scheduling_api.cancel_hearing.post", kind="mixed")
def race_hearing_move_against_cancel(c: Centre):
    from supervision.scheduling.models import Hearing, Observation

    case_id = c.case_in("in_progress")
    hearing = c.hearing(case_id)
    later = (clock.now() + dt.timedelta(days=40)).isoformat()

    def send(cl, i):
        if i % 2:
            return cl.post(f"/api/v1/hearings/{hearing['id']}/cancel", json={"reason": "adjourned"})
        return cl.patch(f"/api/v1/hearings/{hearing['id']}", json={"starts_at": later})

    answers = race(c.many("h_coord"), send)
    only(answers, {200, 409})
    assert c.audit("hearing.cancel", hearing["id"]) == 1
    assert c.scalar(sa.select(Hearing.status).where(Hearing.id == hearing["id"])) == "cancelled"
    assert not c.count(
        Observation,
        Observation.hearing_id == hearing["id"],
        Observation.status.in_(("scheduled", "unassigned")),
    )  # a cancelled hearing leaves no observation to staff
    c.goes_forward(case_id)


@races("scheduling_api.report_observation.post", kind="transition")
def race_observation_reports(c: Centre):
    from supervision.scheduling.models import Observation

    case_id = c.case_in("in_progress", major=True)  # a major case's first hearing is observed
    hearing = c.hearing(case_id, hours_from_now=-3)
    observation = hearing["observation"]
    assert observation is not None, hearing
    observer = c.username(observation["observer_id"]) or "h_sup1"
    body = {"preparation": 4, "examination": 4, "argument": 5, "effect": 4, "notes": "well prepared"}
    answers = race(
        c.many(observer), lambda cl, i: cl.post(f"/api/v1/observations/{observation['id']}/report", json=body)
    )
    one_winner(answers, 200)
    assert c.audit("observation.report", observation["id"]) == 1
    assert c.scalar(sa.select(Observation.status).where(Observation.id == observation["id"])) == "reported"
    c.goes_forward(case_id)


@races("scheduling_api.report_observation.post", "scheduling_api.cancel_hearing.post", kind="mixed")
def race_observation_report_against_hearing_cancel(c: Centre):
    from supervision.scheduling.models import Observation

    case_id = c.case_in("in_progress", major=True)
    hearing = c.hearing(case_id, hours_from_now=-3)
    observation = hearing["observation"]
    observer = c.username(observation["observer_id"]) or "h_sup1"
    observers, coordinators = c.many(observer, N // 2), c.many("h_coord", N // 2)
    body = {"preparation": 3, "examination": 3, "argument": 3, "effect": 3}

    def send(cl, i):
        if i % 2:
            return cl.post(f"/api/v1/hearings/{hearing['id']}/cancel", json={"reason": "adjourned"})
        return cl.post(f"/api/v1/observations/{observation['id']}/report", json=body)

    clients = [observers[i // 2] if i % 2 == 0 else coordinators[i // 2] for i in range(N)]
    answers = race(clients, send)
    only(answers, {200, 409})
    reported = sum(1 for i, a in enumerate(answers) if a.status_code == 200 and i % 2 == 0)
    # A hearing that has started is never cancelled (issue 11, item 7): every cancel is refused, and of
    # the observer's reports exactly one is taken.
    assert reported == 1 and c.audit("hearing.cancel", hearing["id"]) == 0
    status = c.scalar(sa.select(Observation.status).where(Observation.id == observation["id"]))
    assert status == "reported"
    c.goes_forward(case_id)


@races("scheduling_api.record_attempt.post", kind="transition")
def race_reached_calls_with_took_money(c: Centre):
    from supervision.scheduling.models import CallAttempt, RedFlag

    case_id = c.case_in("in_progress")
    call_id = c.call(case_id, "after_assignment")
    body = {"reached": True, "satisfaction": "unsatisfied", "took_money": True}
    answers = race(
        c.many("h_sup1"), lambda cl, i: cl.post(f"/api/v1/follow-ups/{call_id}/attempts", json=body)
    )
    one_winner(answers, 201)
    assert c.count(CallAttempt, CallAttempt.call_id == call_id) == 1
    assert c.count(RedFlag, RedFlag.call_id == call_id) == 1
    c.goes_forward(case_id, 2)  # closed, then archived once the red flag is resolved


def _open_red_flag(c: Centre) -> tuple[int, int]:
    from supervision.scheduling.models import RedFlag

    case_id = c.case_in("in_progress")
    call_id = c.call(case_id, "after_assignment")
    body = {"reached": True, "satisfaction": "unsatisfied", "took_money": True}
    assert c.one("h_sup1").post(f"/api/v1/follow-ups/{call_id}/attempts", json=body).status_code == 201
    return case_id, c.scalar(sa.select(RedFlag.id).where(RedFlag.call_id == call_id))


@races("scheduling_api.resolve_red_flag.post", kind="transition")
def race_red_flag_dismissals(c: Centre):
    case_id, flag_id = _open_red_flag(c)
    answers = race(
        c.many("h_sup1"),
        lambda cl, i: cl.post(
            f"/api/v1/red-flags/{flag_id}/resolve", json={"outcome": "dismissed", "reason": "no"}
        ),
    )
    one_winner(answers, 200)
    assert c.audit("red_flag.resolve", flag_id) == 1
    c.goes_forward(case_id, 2)


@races("scheduling_api.resolve_red_flag.post", kind="mixed")
def race_confirm_against_dismiss(c: Centre):
    from supervision.scheduling.models import RedFlag

    case_id, flag_id = _open_red_flag(c)
    outcomes = ["confirmed", "dismissed"]

    def send(cl, i):
        return cl.post(
            f"/api/v1/red-flags/{flag_id}/resolve", json={"outcome": outcomes[i % 2], "reason": f"r{i}"}
        )

    winner = one_winner(race(c.many("h_sup1"), send), 200)
    assert c.scalar(sa.select(RedFlag.status).where(RedFlag.id == flag_id)) == outcomes[winner % 2]
    assert c.audit("red_flag.resolve", flag_id) == 1
    c.goes_forward(case_id, 2)


# --- the calendar, the inbox, the feed -----------------------------------------------------------


def _free_day() -> dt.date:
    return clock.today() + dt.timedelta(days=400 + next(_seq))


@races("scheduling_api.put_calendar_day.put", kind="idempotent")
def race_calendar_day_puts(c: Centre):
    from assignment.models import CalendarDay

    day = _free_day()
    answers = race(
        c.many("h_admin"),
        lambda cl, i: cl.put(f"/api/v1/calendar/days/{day}", json={"working": False, "note": "x"}),
    )
    got = only(answers, {200, 409})
    assert got[200] >= 1
    assert c.count(CalendarDay, CalendarDay.day == day) == 1


@races("scheduling_api.delete_calendar_day.delete", kind="transition")
def race_calendar_day_deletes(c: Centre):
    from assignment.models import CalendarDay

    day = _free_day()
    assert c.admin.put(f"/api/v1/calendar/days/{day}", json={"working": False}).status_code == 200
    cleared = c.audit("calendar.clear_day")
    one_winner(
        race(c.many("h_admin"), lambda cl, i: cl.delete(f"/api/v1/calendar/days/{day}")), 204, (404, 409)
    )
    assert c.count(CalendarDay, CalendarDay.day == day) == 0
    assert c.audit("calendar.clear_day") == cleared + 1


@races("scheduling_api.inbox_read.post", kind="idempotent")
def race_inbox_reads(c: Centre):
    from supervision.scheduling.models import Reminder

    username = c.new_user(["supervisor"])
    user_id = c.scalar(sa.select(_user().id).where(_user().username == username))
    with c.app.app_context():
        for n in range(5):
            db.session.add(
                Reminder(
                    key=f"race-{user_id}-{n}",
                    user_id=user_id,
                    kind="digest",
                    subject=f"Reminder {n}",
                    due_at=clock.now(),
                    status="sent",
                    sent_at=clock.now(),
                )
            )
        db.session.commit()
    answers = race(c.many(username), lambda cl, i: cl.post("/api/v1/me/inbox/read", json={}))
    assert statuses(answers) == {200: N}
    assert sum(a.get_json()["marked"] for a in answers) == 5  # each reminder marked read once
    assert c.count(Reminder, Reminder.user_id == user_id, Reminder.read_at.is_(None)) == 0


@races("scheduling_api.create_feed.post", kind="idempotent")
def race_feed_issues(c: Centre):
    from supervision.scheduling.models import CalendarFeed

    username = c.new_user(["coordinator"])
    user_id = c.scalar(sa.select(_user().id).where(_user().username == username))
    got = only(race(c.many(username), lambda cl, i: cl.post("/api/v1/me/calendar-feed")), {201, 409})
    assert got[201] >= 1
    # "The previous one stops working": one live feed, whoever came last.
    assert c.count(CalendarFeed, CalendarFeed.user_id == user_id, CalendarFeed.revoked_at.is_(None)) == 1
    assert c.audit("calendar_feed.issue") >= got[201]


@races("scheduling_api.revoke_feed.delete", kind="idempotent")
def race_feed_revocations(c: Centre):
    from supervision.scheduling.models import CalendarFeed

    username = c.new_user(["coordinator"])
    user_id = c.scalar(sa.select(_user().id).where(_user().username == username))
    assert c.one(username).post("/api/v1/me/calendar-feed").status_code == 201
    answers = race(c.many(username), lambda cl, i: cl.delete("/api/v1/me/calendar-feed"))
    only(answers, {204, 409})
    assert c.count(CalendarFeed, CalendarFeed.user_id == user_id, CalendarFeed.revoked_at.is_(None)) == 0
    assert c.audit("calendar_feed.revoke", user_id) == 1


# --- closing and scoring -------------------------------------------------------------------------


@races("scoring_api.close_case.post", kind="transition")
def race_closings(c: Centre):
    case_id = c.case_in("in_progress")
    body = {"ended_on": clock.today().isoformat(), "outcome": "mediation", "documents": c.required_documents}
    lawyers = c.many(c.lawyer(c.live_assignment(case_id).provider_id))
    one_winner(race(lawyers, lambda cl, i: cl.post(f"/api/v1/cases/{case_id}/closing", json=body)), 200)
    assert c.audit("case.closed", case_id) == 1
    c.out_of_sample(case_id)
    c.goes_forward(case_id)


@races("scoring_api.hand_in_documents.post", kind="idempotent")
def race_documents_handed_in(c: Centre):
    from supervision.scoring.models import ClosingDocument

    case_id = c.case_in("in_progress")
    body = {
        "ended_on": clock.today().isoformat(),
        "outcome": "mediation",
        "documents": c.required_documents[:-1],
    }
    assert c.provider_client(case_id).post(f"/api/v1/cases/{case_id}/closing", json=body).status_code == 200
    c.out_of_sample(case_id)
    last = c.required_documents[-1]
    lawyers = c.many(c.lawyer(c.live_assignment(case_id).provider_id))
    answers = race(
        lawyers, lambda cl, i: cl.post(f"/api/v1/cases/{case_id}/documents", json={"documents": [last]})
    )
    got = only(answers, {200, 409})
    assert got[200] >= 1
    assert c.count(ClosingDocument, ClosingDocument.case_id == case_id, ClosingDocument.code == last) == 1
    assert c.audit("case.documents_handed_in", case_id) == 1
    c.goes_forward(case_id)


def _closed(c: Centre) -> int:
    case_id = c.case_in("closed")
    c.hand_in_missing(case_id)
    c.make_after_closing_call(case_id)
    return case_id


@races("scoring_api.create_score_sheet.post", kind="unique")
def race_score_sheets(c: Centre):
    from supervision.scoring.models import ScoreSheet

    case_id = _closed(c)
    answers = race(
        c.many("h_sup2"), lambda cl, i: cl.post(f"/api/v1/cases/{case_id}/score-sheets", json=c.sheet_body())
    )
    one_winner(answers, 201, (409, 422))
    assert c.count(ScoreSheet, ScoreSheet.case_id == case_id) == 1
    assert c.audit("score_sheet.created", _ids(answers)[0]) == 1
    c.goes_forward(case_id)


def _draft(c: Centre, case_id: int) -> int:
    r = c.one("h_sup2").post(f"/api/v1/cases/{case_id}/score-sheets", json=c.sheet_body())
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


@races("scoring_api.update_score_sheet.put", kind="idempotent")
def race_score_sheet_updates(c: Centre):
    from supervision.scoring.models import ScoreLine

    case_id = _closed(c)
    sheet_id = _draft(c, case_id)
    items = [{**item, "note": "second look"} for item in c.civil_items]
    answers = race(
        c.many("h_sup2"), lambda cl, i: cl.put(f"/api/v1/score-sheets/{sheet_id}", json={"items": items})
    )
    got = only(answers, {200, 409})
    assert got[200] >= 1
    codes = c.scalars(sa.select(ScoreLine.code).where(ScoreLine.sheet_id == sheet_id))
    assert sorted(codes) == sorted(i["code"] for i in c.civil_items)  # one line per item, no duplicate
    assert c.audit("score_sheet.updated", sheet_id) == got[200]
    c.goes_forward(case_id)


@races("scoring_api.submit_score_sheet.post", kind="transition")
def race_score_sheet_submissions(c: Centre):
    case_id = _closed(c)
    sheet_id = _draft(c, case_id)
    one_winner(race(c.many("h_sup2"), lambda cl, i: cl.post(f"/api/v1/score-sheets/{sheet_id}/submit")), 200)
    assert c.audit("score_sheet.submitted", sheet_id) == 1
    assert c.audit("score.status_changed", case_id) == 1
    assert c.score_file(case_id).status == "final"
    c.goes_forward(case_id)


def _final(c: Centre) -> int:
    case_id = _closed(c)
    c.final_score(case_id)
    return case_id


@races("scoring_api.accept_score.post", kind="transition")
def race_score_acceptances(c: Centre):
    case_id = _final(c)
    lawyers = c.many(c.lawyer(c.live_assignment(case_id).provider_id))
    one_winner(race(lawyers, lambda cl, i: cl.post(f"/api/v1/cases/{case_id}/score/accept")), 200)
    assert c.audit("score.accepted", case_id) == 1
    c.goes_forward(case_id)


@races("scoring_api.appeal_score.post", kind="transition")
def race_score_appeals(c: Centre):
    case_id = _final(c)
    lawyers = c.many(c.lawyer(c.live_assignment(case_id).provider_id))
    answers = race(
        lawyers,
        lambda cl, i: cl.post(f"/api/v1/cases/{case_id}/score/appeal", json={"reason": f"unfair {i}"}),
    )
    one_winner(answers, 201)
    assert c.audit("score.appealed", case_id) == 1
    c.goes_forward(case_id)  # the appeal is decided, then the case archived


@races("scoring_api.accept_score.post", "scoring_api.appeal_score.post", kind="mixed")
def race_score_accept_against_appeal(c: Centre):
    case_id = _final(c)
    lawyers = c.many(c.lawyer(c.live_assignment(case_id).provider_id))

    def send(cl, i):
        if i % 2:
            return cl.post(f"/api/v1/cases/{case_id}/score/appeal", json={"reason": "unfair"})
        return cl.post(f"/api/v1/cases/{case_id}/score/accept")

    answers = race(lawyers, send)
    got = only(answers, {200, 201, 409})
    assert got[200] + got[201] == 1, got
    assert c.audit("score.accepted", case_id) + c.audit("score.appealed", case_id) == 1
    c.goes_forward(case_id)


@races("scoring_api.decide_appeal.post", kind="transition")
def race_appeal_decisions(c: Centre):
    case_id = _final(c)
    r = c.provider_client(case_id).post(f"/api/v1/cases/{case_id}/score/appeal", json={"reason": "unfair"})
    assert r.status_code == 201, r.get_json()
    answers = race(
        c.many("h_sup3"),
        lambda cl, i: cl.post(
            f"/api/v1/cases/{case_id}/score/appeal-decision", json={"outcome": "upheld", "reason": f"r{i}"}
        ),
    )
    one_winner(answers, 200)
    assert c.audit("score.appeal_decided", case_id) == 1
    c.goes_forward(case_id)


# --- checklists ----------------------------------------------------------------------------------


def _checklist_body(c: Centre, **extra) -> dict:
    items = [
        {"code": f"item{n}", "label_zh": f"项目{n}", "label_en": f"Item {n}", "max_points": 25}
        for n in range(4)
    ]
    # non_litigation: no race scores such a case, and a date far ahead keeps today's version in force.
    effective = clock.today() + dt.timedelta(days=300 + next(_seq))
    return {"case_type": "non_litigation", "effective_from": effective.isoformat(), "items": items, **extra}


@races("scoring_api.draft_checklist.post", kind="create")
def race_checklist_drafts(c: Centre):
    from supervision.scoring.models import Checklist

    before = c.count(Checklist, Checklist.case_type == "non_litigation")
    body = _checklist_body(c)
    answers = race(
        c.many("h_admin"), lambda cl, i: cl.post("/api/v1/checklists", json={**body, "name": f"v{i}"})
    )
    got = only(answers, {201, 409})
    assert got[201] >= 1
    assert c.count(Checklist, Checklist.case_type == "non_litigation") == before + got[201]
    versions = c.scalars(sa.select(Checklist.version).where(Checklist.case_type == "non_litigation"))
    assert len(versions) == len(set(versions))


def _checklist_draft(c: Centre) -> int:
    r = c.admin.post("/api/v1/checklists", json=_checklist_body(c))
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


@races("scoring_api.revise_checklist.put", kind="idempotent")
def race_checklist_revisions(c: Centre):
    from supervision.scoring.models import ChecklistItem

    checklist_id = _checklist_draft(c)
    body = _checklist_body(c)
    answers = race(c.many("h_admin"), lambda cl, i: cl.put(f"/api/v1/checklists/{checklist_id}", json=body))
    got = only(answers, {200, 409})
    assert got[200] >= 1
    codes = c.scalars(sa.select(ChecklistItem.code).where(ChecklistItem.checklist_id == checklist_id))
    assert sorted(codes) == [f"item{n}" for n in range(4)]  # the items once, not once per request
    assert c.audit("checklist.revised", checklist_id) == got[200]


@races("scoring_api.publish_checklist.post", kind="transition")
def race_checklist_publications(c: Centre):
    checklist_id = _checklist_draft(c)
    one_winner(
        race(c.many("h_admin"), lambda cl, i: cl.post(f"/api/v1/checklists/{checklist_id}/publish")), 200
    )
    assert c.audit("checklist.published", checklist_id) == 1


# --- archive -------------------------------------------------------------------------------------


def _ready_to_archive(c: Centre) -> int:
    case_id = c.case_in("closed")
    c.settle(case_id)
    return case_id


@races("subsidies_api.archive_case.post", kind="transition")
def race_archivings(c: Centre):
    from supervision.subsidies.models import ArchiveRecord

    case_id = _ready_to_archive(c)
    one_winner(race(c.many("h_sup1"), lambda cl, i: cl.post(f"/api/v1/cases/{case_id}/archive")), 201)
    assert c.count(ArchiveRecord, ArchiveRecord.case_id == case_id) == 1
    assert c.audit("case.archive", case_id) == 1
    assert c.subsidy_of(case_id).status == "payable"
    c.goes_forward(case_id, 2)  # batched, paid


@races("subsidies_api.correct_archived_case.post", kind="create")
def race_archive_corrections(c: Centre):
    from assignment.models import Case

    case_id = c.case_in("archived")
    names = [f"Corrected {i}" for i in range(N)]
    answers = race(
        c.many("h_sup1"),
        lambda cl, i: cl.post(
            f"/api/v1/cases/{case_id}/archive/corrections",
            json={"changes": {"applicant_name": names[i]}, "reason": "typo"},
        ),
    )
    got = only(answers, {200, 409})
    assert got[200] >= 1
    assert c.audit("case.archive_correction", case_id) == got[200]
    assert c.scalar(sa.select(Case.applicant_name).where(Case.id == case_id)) in names
    c.goes_forward(case_id)


@races("subsidies_api.archive_case.post", "subsidies_api.correct_archived_case.post", kind="mixed")
def race_archive_against_correction(c: Centre):
    from supervision.subsidies.models import ArchiveRecord

    case_id = _ready_to_archive(c)

    def send(cl, i):
        if i % 2:
            return cl.post(
                f"/api/v1/cases/{case_id}/archive/corrections",
                json={"changes": {"applicant_phone": "13900000000"}, "reason": "new phone"},
            )
        return cl.post(f"/api/v1/cases/{case_id}/archive")

    answers = race(c.many("h_sup1"), send)
    got = only(answers, {200, 201, 409})
    assert got[201] == 1, got
    assert c.count(ArchiveRecord, ArchiveRecord.case_id == case_id) == 1
    assert c.audit("case.archive_correction", case_id) == got[200]
    c.goes_forward(case_id)


# --- subsidies and payment batches ---------------------------------------------------------------


@races("subsidies_api.hold.post", kind="transition")
def race_holds(c: Centre):
    case_id, subsidy_id = c.payable_subsidy()
    answers = race(
        c.many("h_sup1"),
        lambda cl, i: cl.post(f"/api/v1/subsidies/{subsidy_id}/hold", json={"reason": f"r{i}"}),
    )
    one_winner(answers, 200)
    assert c.audit("subsidy.hold", subsidy_id) == 1
    c.goes_forward(case_id, 3)  # released, batched, paid


@races("subsidies_api.release.post", kind="transition")
def race_releases(c: Centre):
    case_id, subsidy_id = c.payable_subsidy()
    assert (
        c.one("h_sup1").post(f"/api/v1/subsidies/{subsidy_id}/hold", json={"reason": "flag"}).status_code
        == 200
    )
    answers = race(
        c.many("h_sup1"),
        lambda cl, i: cl.post(f"/api/v1/subsidies/{subsidy_id}/release", json={"reason": f"r{i}"}),
    )
    one_winner(answers, 200)
    assert c.audit("subsidy.release", subsidy_id) == 1
    assert c.subsidy_of(case_id).status == "payable"
    c.goes_forward(case_id, 2)


@races("subsidies_api.hold.post", "subsidies_api.release.post", kind="mixed")
def race_hold_against_release(c: Centre):
    case_id, subsidy_id = c.payable_subsidy()

    def send(cl, i):
        return cl.post(
            f"/api/v1/subsidies/{subsidy_id}/{'release' if i % 2 else 'hold'}", json={"reason": "r"}
        )

    answers = race(c.many("h_sup1"), send)
    only(answers, {200, 409})
    holds = sum(1 for i, a in enumerate(answers) if a.status_code == 200 and not i % 2)
    releases = sum(1 for i, a in enumerate(answers) if a.status_code == 200 and i % 2)
    # Each release undid one hold: the story alternates hold, release, hold…
    assert holds - releases in (0, 1) and holds >= 1, (holds, releases)
    assert c.audit("subsidy.hold", subsidy_id) == holds
    assert c.audit("subsidy.release", subsidy_id) == releases
    assert c.subsidy_of(case_id).status == ("held" if holds > releases else "payable")
    c.goes_forward(case_id, 3 if holds > releases else 2)


@races("subsidies_api.create_batch.post", kind="unique")
def race_batches_of_one_subsidy(c: Centre):
    from supervision.subsidies.models import PaymentBatchItem

    case_id, subsidy_id = c.payable_subsidy()
    answers = race(
        c.many("h_fin"), lambda cl, i: cl.post("/api/v1/payment-batches", json={"subsidy_ids": [subsidy_id]})
    )
    one_winner(answers, 201)
    assert c.count(PaymentBatchItem, PaymentBatchItem.subsidy_id == subsidy_id) == 1
    assert c.subsidy_of(case_id).status == "batched"
    c.goes_forward(case_id)


def _confirm(c: Centre, cl, batch_id: int):
    body = {"bank_reference": f"REF-{next(_seq)}", "paid_on": clock.today().isoformat()}
    return cl.post(f"/api/v1/payment-batches/{batch_id}/confirm", json=body)


@races("subsidies_api.confirm.post", kind="transition")
def race_batch_confirmations(c: Centre):
    case_id, subsidy_id, batch_id = c.open_batch()
    one_winner(race(c.many("h_fin"), lambda cl, i: _confirm(c, cl, batch_id)), 200)
    assert c.audit("payment_batch.confirm", batch_id) == 1
    assert c.subsidy_of(case_id).status == "paid"


@races("subsidies_api.cancel.post", kind="transition")
def race_batch_cancellations(c: Centre):
    case_id, subsidy_id, batch_id = c.open_batch()
    answers = race(
        c.many("h_fin"),
        lambda cl, i: cl.post(f"/api/v1/payment-batches/{batch_id}/cancel", json={"reason": "r"}),
    )
    one_winner(answers, 200)
    assert c.audit("payment_batch.cancel", batch_id) == 1
    assert c.subsidy_of(case_id).status == "payable"
    c.goes_forward(case_id, 2)  # batched again, paid


@races("subsidies_api.cancel.post", "subsidies_api.confirm.post", kind="mixed")
def race_batch_cancel_against_confirm(c: Centre):
    case_id, subsidy_id, batch_id = c.open_batch()

    def send(cl, i):
        if i % 2:
            return cl.post(f"/api/v1/payment-batches/{batch_id}/cancel", json={"reason": "wrong"})
        return _confirm(c, cl, batch_id)

    one_winner(race(c.many("h_fin"), send), 200)
    confirmed = c.audit("payment_batch.confirm", batch_id)
    assert confirmed + c.audit("payment_batch.cancel", batch_id) == 1
    assert c.subsidy_of(case_id).status == ("paid" if confirmed else "payable")
    if not confirmed:
        c.goes_forward(case_id, 2)


@races("subsidies_api.reverse.post", kind="unique")
def race_reversals(c: Centre):
    from supervision.subsidies.models import Subsidy

    case_id, subsidy_id = c.payable_subsidy()
    c.goes_forward(case_id, 2)  # batched, paid
    amount = c.scalar(sa.select(Subsidy.amount_fen).where(Subsidy.id == subsidy_id))
    answers = race(
        c.many("h_fin"),
        lambda cl, i: cl.post(f"/api/v1/subsidies/{subsidy_id}/reverse", json={"reason": f"r{i}"}),
    )
    one_winner(answers, 201, (409, 422))
    assert (
        c.scalar(sa.select(sa.func.sum(Subsidy.amount_fen)).where(Subsidy.reversal_of_id == subsidy_id))
        == -amount
    )


@races("subsidies_api.add_rate.post", kind="unique")
def race_rates(c: Centre):
    from supervision.subsidies.models import SubsidyRate

    effective = clock.today() + dt.timedelta(days=200 + next(_seq))
    body = {
        "case_type": "non_litigation",
        "provider_kind": "legal_adviser",
        "effective_from": effective.isoformat(),
        "amount_fen": 70000,
    }
    one_winner(
        race(c.many("h_admin"), lambda cl, i: cl.post("/api/v1/subsidy-rates", json=body)), 201, (409, 422)
    )
    assert c.count(SubsidyRate, SubsidyRate.effective_from == effective) == 1


# --- the front desk ------------------------------------------------------------------------------


def _consultation_body(i: int = 0) -> dict:
    return {
        "channel": "hotline",
        "occurred_at": clock.now().isoformat(),
        "person": {"name": f"Caller {i}", "phone": f"1380000{i:04d}"},
        "cause": "wage_arrears",
        "question": "Unpaid wages",
        "answer": "Told what to bring",
        "outcome": "answered",
    }


@races("consultations_api.register_consultation.post", kind="create")
def race_consultations(c: Centre):
    from assignment.consultations_models import Consultation

    desk = c.new_user(["desk"])
    before = c.count(Consultation)
    answers = race(c.many(desk), lambda cl, i: cl.post("/api/v1/consultations", json=_consultation_body(i)))
    assert statuses(answers) == {201: N}
    assert c.count(Consultation) == before + N
    for consultation_id in _ids(answers):
        assert c.audit("consultation.register", consultation_id) == 1


@races("consultations_api.register_application.post", kind="unique")
def race_applications_from_one_consultation(c: Centre):
    from assignment.consultations_models import Consultation
    from assignment.models import Case

    desk = c.new_user(["desk"])
    r = c.one(desk).post("/api/v1/consultations", json=_consultation_body())
    assert r.status_code == 201, r.get_json()
    consultation_id = r.get_json()["id"]
    cases_before = c.count(Case)
    body = {"applicant": {"id_number": APPLICANT["id_number"]}}
    answers = race(
        c.many(desk),
        lambda cl, i: cl.post(f"/api/v1/consultations/{consultation_id}/application", json=body),
    )
    winner = one_winner(answers, 201, (409,))
    assert c.count(Case) == cases_before + 1
    case_id = answers[winner].get_json()["id"]
    assert c.scalar(sa.select(Consultation.case_id).where(Consultation.id == consultation_id)) == case_id
    assert c.audit("consultation.register_application", consultation_id) == 1
    c.goes_forward(case_id)


@races("consultations_api.create_station.post", kind="unique")
def race_stations_with_one_name(c: Centre):
    from assignment.consultations_models import Station

    name = f"Race station {next(_seq)}"
    answers = race(
        c.many("h_admin"), lambda cl, i: cl.post("/api/v1/stations", json={"name": name, "kind": "court"})
    )
    one_winner(answers, 201, (409, 422))
    assert c.count(Station, Station.name == name) == 1


@races("station_api.update_station.patch", kind="idempotent")
def race_station_updates(c: Centre):
    from assignment.consultations_models import Station

    r = c.admin.post("/api/v1/stations", json={"name": f"Race township {next(_seq)}", "kind": "township"})
    station_id = r.get_json()["id"]
    answers = race(
        c.many("h_admin"),
        lambda cl, i: cl.patch(f"/api/v1/stations/{station_id}", json={"hours": f"9-{16 + i % 2}"}),
    )
    got = only(answers, {200, 409})
    assert got[200] >= 1
    assert c.scalar(sa.select(Station.hours).where(Station.id == station_id)) in ("9-16", "9-17")
    assert c.audit("station.update", station_id) == got[200]


@races("subsidies_api.archive_month.post", kind="transition")
def race_duty_month_archived_twice(c: Centre):
    """Two coordinators archive one station's month: one 200, one 409; each done shift paid once."""
    from assignment.duty.models import DutyRota, DutyShift
    from assignment.models import RotationPool
    from supervision.subsidies.models import DutyMonth, Subsidy

    r = c.admin.post("/api/v1/stations", json={"name": f"Race duty court {next(_seq)}", "kind": "court"})
    station_id, provider_id = r.get_json()["id"], c.new_provider()
    last_month = (clock.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    month = last_month.strftime("%Y-%m")
    with c.app.app_context():
        pool = RotationPool(
            name=f"Race duty pool {next(_seq)}",
            case_types=[],
            provider_kinds=["lawyer"],
            purpose="duty",
            station_id=station_id,
        )
        db.session.add(pool)
        db.session.flush()
        rota = DutyRota(station_id=station_id, month=month, pool_id=pool.id, status="published")
        db.session.add(rota)
        db.session.flush()
        for day, part in ((3, "am"), (4, "day")):
            db.session.add(
                DutyShift(
                    rota_id=rota.id,
                    station_id=station_id,
                    on_date=last_month.replace(day=day),
                    part=part,
                    provider_id=provider_id,
                    status="done",
                )
            )
        db.session.commit()
    url = f"/api/v1/stations/{station_id}/months/{month}/archive"
    one_winner(race(c.many("h_coord"), lambda cl, i: cl.post(url)), 200)
    assert c.count(DutyMonth, DutyMonth.station_id == station_id) == 1
    assert c.count(Subsidy, Subsidy.duty_station_id == station_id) == 2
    assert c.audit("duty_month.archive", station_id) == 1


@races("station_api.centre_receipt.post", kind="transition")
def race_centre_receipts(c: Centre):
    """Two clerks record the centre's receipt of one station's application: one 200, one 409."""
    from assignment.models import Case

    r = c.admin.post("/api/v1/stations", json={"name": f"Race workstation {next(_seq)}", "kind": "township"})
    body = {
        "case_type": "civil",
        "cause": "contract",
        "received_on": clock.today().isoformat(),
        "applicant": APPLICANT,
        "station_id": r.get_json()["id"],
        "station_received_at": (clock.now() - dt.timedelta(hours=2)).isoformat(),
    }
    case_id = c.one("h_coord").post("/api/v1/cases", json=body).get_json()["id"]
    answers = race(
        c.many("h_coord"), lambda cl, i: cl.post(f"/api/v1/cases/{case_id}/centre-receipt", json={})
    )
    one_winner(answers, 200)
    assert c.scalar(sa.select(Case.centre_received_at).where(Case.id == case_id)) is not None
    assert c.audit("case.centre_receipt", case_id) == 1
    c.goes_forward(case_id)


# --- complaints ----------------------------------------------------------------------------------


def _complaint(c: Centre, stage: str = "received", provider_id: int | None = None) -> int:
    """A complaint about a provider (neglect), brought to ``stage`` through the API."""
    sup = c.one("h_sup1")
    provider_id = provider_id or c.providers[0]
    body = {
        "received_on": clock.today().isoformat(),
        "complainant": {"name": "Zhao Lei", "relation": "client"},
        "respondent": {"kind": "provider", "id": provider_id},
        "matter": "neglect",
        "request": "Look into it",
        "facts": "No news for months",
    }
    r = sup.post("/api/v1/complaints", json=body)
    assert r.status_code == 201, r.get_json()
    complaint_id = r.get_json()["id"]
    url = f"/api/v1/complaints/{complaint_id}"
    steps = {
        "accepted": (f"{url}/acceptance", {"accepted": True}),
        "investigating": (
            f"{url}/statement-request",
            {"due_on": (clock.today() + dt.timedelta(days=7)).isoformat()},
        ),
        "decided": (f"{url}/decision", {"outcome": "not_upheld", "findings": "f"}),
    }
    for name in ("accepted", "investigating", "decided"):
        if stage == "received":
            break
        step_url, step_body = steps[name]
        r = sup.post(step_url, json=step_body)
        assert r.status_code == 200, r.get_json()
        if name == stage:
            break
    return complaint_id


@races("complaints_api.register_complaint.post", kind="create")
def race_complaints(c: Centre):
    from supervision.complaints.models import Complaint

    before = c.count(Complaint)
    body = {
        "received_on": clock.today().isoformat(),
        "complainant": {"name": "Zhao Lei", "relation": "applicant"},
        "respondent": {"kind": "centre"},
        "matter": "wrongful_refusal",
        "request": "Reconsider",
        "facts": "Refused",
    }
    answers = race(c.many("h_sup1"), lambda cl, i: cl.post("/api/v1/complaints", json=body))
    assert statuses(answers) == {201: N}
    assert c.count(Complaint) == before + N


@races("complaints_api.decide_acceptance.post", kind="transition")
def race_complaint_acceptance(c: Centre):
    complaint_id = _complaint(c)

    def send(cl, i):
        body = {"accepted": True} if i % 2 else {"accepted": False, "reason": f"no standing {i}"}
        return cl.post(f"/api/v1/complaints/{complaint_id}/acceptance", json=body)

    one_winner(race(c.many("h_sup1"), send), 200)
    assert c.audit("complaint.acceptance", complaint_id) == 1


@races("complaints_api.request_statement.post", kind="transition")
def race_statement_requests(c: Centre):
    complaint_id = _complaint(c, "accepted")
    due = (clock.today() + dt.timedelta(days=5)).isoformat()
    answers = race(
        c.many("h_sup2"),
        lambda cl, i: cl.post(f"/api/v1/complaints/{complaint_id}/statement-request", json={"due_on": due}),
    )
    one_winner(answers, 200)
    assert c.audit("complaint.request_statement", complaint_id) == 1


@races("complaints_api.submit_statement.post", kind="transition")
def race_statements(c: Centre):
    complaint_id = _complaint(c, "investigating")
    lawyer = c.lawyer(c.providers[0])
    answers = race(
        c.many(lawyer),
        lambda cl, i: cl.post(
            f"/api/v1/complaints/{complaint_id}/statement", json={"text": f"statement {i}"}
        ),
    )
    one_winner(answers, 200)
    assert c.audit("complaint.statement", complaint_id) == 1


@races("complaints_api.extend_decision.post", kind="transition")
def race_extensions(c: Centre):
    complaint_id = _complaint(c, "accepted")
    answers = race(
        c.many("h_sup3"),
        lambda cl, i: cl.post(
            f"/api/v1/complaints/{complaint_id}/extension",
            json={
                "reason": f"r{i}",
                "new_decide_by": (clock.today() + dt.timedelta(days=80 + i)).isoformat(),
            },
        ),
    )
    one_winner(answers, 200)
    assert c.audit("complaint.extend", complaint_id) == 1


@races("complaints_api.decide_complaint.post", kind="transition")
def race_complaint_decisions(c: Centre):
    from assignment.models import ProviderLeave

    provider_id = c.new_provider()  # in no pool: the pause changes nobody's rotation
    complaint_id = _complaint(c, "accepted", provider_id=provider_id)

    def send(cl, i):
        body = {"outcome": "upheld_correction", "findings": f"f{i}", "pause_days": 10 + i}
        return cl.post(f"/api/v1/complaints/{complaint_id}/decision", json=body)

    one_winner(race(c.many("h_sup4"), send), 200)
    assert c.audit("complaint.decide", complaint_id) == 1
    assert c.count(ProviderLeave, ProviderLeave.provider_id == provider_id) == 1  # one pause, not eight


@races("complaints_api.answer_complaint.post", kind="transition")
def race_complaint_answers(c: Centre):
    complaint_id = _complaint(c, "decided")
    answers = race(
        c.many("h_sup1"),
        lambda cl, i: cl.post(
            f"/api/v1/complaints/{complaint_id}/answer",
            json={"answered_on": clock.today().isoformat(), "method": ("letter", "phone")[i % 2]},
        ),
    )
    one_winner(answers, 200)
    assert c.audit("complaint.answer", complaint_id) == 1


# --- duty rota (issue 14) ------------------------------------------------------------------------


def _duty_station(c: Centre, n: int = 3) -> dict:
    """A court station with a duty pool of ``n`` new lawyers (each with a login)."""
    from assignment.duty.pools import create_duty_pool
    from assignment.models import Provider
    from assignment.pools import set_pool_member

    r = c.admin.post("/api/v1/stations", json={"name": f"Race court {next(_seq)}", "kind": "court"})
    assert r.status_code == 201, r.get_json()
    station_id = r.get_json()["id"]
    ids = [c.new_provider() for _ in range(n)]
    with c.app.app_context():
        pool = create_duty_pool(
            db.session, None, f"Race duty {next(_seq)}", ["lawyer"], station_id=station_id
        )
        for pid in ids:
            set_pool_member(db.session, pool, db.session.get(Provider, pid), None)
        db.session.commit()
        pool_id = pool.id
    return {"station": station_id, "pool": pool_id, "ids": ids}


def _rota_body(d: dict, shifts: list[tuple[dt.date, str]]) -> dict:
    month = shifts[0][0].strftime("%Y-%m")
    return {
        "month": month,
        "pool_id": d["pool"],
        "shifts": [{"date": s.isoformat(), "part": p} for s, p in shifts],
    }


def _duty_rota(c: Centre, *, publish: bool = True, day: dt.date | None = None) -> tuple[dict, dict]:
    """A station's rota of one morning shift (today by default), published; (station, rota)."""
    d = _duty_station(c)
    r = c.coord.post(
        f"/api/v1/stations/{d['station']}/rota", json=_rota_body(d, [(day or clock.today(), "am")])
    )
    assert r.status_code == 201, r.get_json()
    rota = r.get_json()
    if publish:
        assert c.coord.post(f"/api/v1/rota/{rota['id']}/publish").status_code == 200
    return d, rota


def _duty_swap(c: Centre, stage: str = "asked") -> tuple[dict, dict, int]:
    """A swap of a shift to come, asked (or accepted); (station, shift, swap id)."""
    d, rota = _duty_rota(c, day=clock.today() + dt.timedelta(days=1))
    shift = rota["shifts"][0]
    other = next(pid for pid in d["ids"] if pid != shift["provider_id"])
    asker = c.one(c.lawyer(shift["provider_id"]))
    r = asker.post(f"/api/v1/shifts/{shift['id']}/swap", json={"with_provider_id": other})
    assert r.status_code == 201, r.get_json()
    swap_id = r.get_json()["id"]
    if stage == "accepted":
        assert c.one(c.lawyer(other)).post(f"/api/v1/swaps/{swap_id}/accept").status_code == 200
    return d, shift, swap_id


@races("duty_api.create_rota.post", kind="idempotent")
def race_rota_generations_of_one_month(c: Centre):
    from assignment.duty.models import DutyRota

    d = _duty_station(c)
    days = [clock.today() + dt.timedelta(days=k) for k in range(3)]
    body = _rota_body(d, [(day, "am") for day in days if day.month == days[0].month])
    answers = race(
        c.many("h_coord"), lambda cl, i: cl.post(f"/api/v1/stations/{d['station']}/rota", json=body)
    )
    only(answers, {201, 409})
    live = c.scalars(
        sa.select(DutyRota.id).where(DutyRota.station_id == d["station"], DutyRota.status != "superseded")
    )
    assert len(live) == 1
    # Every superseded draft gave its turns back: the pool counts the live rota's shifts only.
    assert c.turns(d["pool"]) == len(body["shifts"])


@races("duty_api.publish_rota.post", kind="transition")
def race_rota_publications(c: Centre):
    _d, rota = _duty_rota(c, publish=False)
    answers = race(c.many("h_coord"), lambda cl, i: cl.post(f"/api/v1/rota/{rota['id']}/publish"))
    one_winner(answers, 200)
    assert c.audit("duty_rota.published", rota["id"]) == 1


@races("duty_api.ask_swap.post", kind="unique")
def race_swaps_of_one_shift(c: Centre):
    from assignment.duty.models import DutySwap

    d, rota = _duty_rota(c, day=clock.today() + dt.timedelta(days=1))
    shift = rota["shifts"][0]
    other = next(pid for pid in d["ids"] if pid != shift["provider_id"])
    answers = race(
        c.many(c.lawyer(shift["provider_id"])),
        lambda cl, i: cl.post(f"/api/v1/shifts/{shift['id']}/swap", json={"with_provider_id": other}),
    )
    one_winner(answers, 201)
    assert c.count(DutySwap, DutySwap.shift_id == shift["id"]) == 1


@races("duty_api.accept_swap.post", kind="transition")
def race_swap_accepts(c: Centre):
    _d, _shift, swap_id = _duty_swap(c)
    to = c.scalar(sa.text("SELECT to_provider_id FROM duty_swap WHERE id = :i").bindparams(i=swap_id))
    answers = race(c.many(c.lawyer(to)), lambda cl, i: cl.post(f"/api/v1/swaps/{swap_id}/accept"))
    one_winner(answers, 200)
    assert c.audit("duty_swap.accepted", swap_id) == 1


@races("duty_api.approve_swap.post", kind="transition")
def race_swap_approvals(c: Centre):
    from assignment.duty.models import DutyShift

    d, shift, swap_id = _duty_swap(c, "accepted")
    turns = c.turns(d["pool"])
    answers = race(c.many("h_coord"), lambda cl, i: cl.post(f"/api/v1/swaps/{swap_id}/approve"))
    one_winner(answers, 200)
    assert c.audit("duty_swap.approved", swap_id) == 1
    assert (
        c.scalar(sa.select(DutyShift.provider_id).where(DutyShift.id == shift["id"])) != shift["provider_id"]
    )
    assert c.turns(d["pool"]) == turns  # a swap moves no turn


@races("duty_api.refuse_swap.post", kind="transition")
def race_swap_refusals(c: Centre):
    _d, _shift, swap_id = _duty_swap(c, "accepted")
    answers = race(c.many("h_coord"), lambda cl, i: cl.post(f"/api/v1/swaps/{swap_id}/refuse"))
    one_winner(answers, 200)
    assert c.audit("duty_swap.refused", swap_id) == 1


@races("duty_api.withdraw_swap.post", kind="transition")
def race_swap_withdrawals(c: Centre):
    _d, shift, swap_id = _duty_swap(c)
    answers = race(
        c.many(c.lawyer(shift["provider_id"])), lambda cl, i: cl.post(f"/api/v1/swaps/{swap_id}/withdraw")
    )
    one_winner(answers, 200)
    assert c.audit("duty_swap.withdrawn", swap_id) == 1


@races("duty_api.approve_swap.post", "duty_api.refuse_swap.post", kind="mixed")
def race_swap_approve_against_refuse(c: Centre):
    _d, _shift, swap_id = _duty_swap(c, "accepted")
    answers = race(
        c.many("h_coord"), lambda cl, i: cl.post(f"/api/v1/swaps/{swap_id}/{('approve', 'refuse')[i % 2]}")
    )
    one_winner(answers, 200)
    assert c.audit("duty_swap.approved", swap_id) + c.audit("duty_swap.refused", swap_id) == 1


@races("duty_api.reassign_shift.post", kind="transition")
def race_shift_reassignments(c: Centre):
    d, rota = _duty_rota(c, day=clock.today() + dt.timedelta(days=1))
    shift = rota["shifts"][0]
    other = next(pid for pid in d["ids"] if pid != shift["provider_id"])
    answers = race(
        c.many("h_coord"),
        lambda cl, i: cl.post(f"/api/v1/shifts/{shift['id']}/reassign", json={"provider_id": other}),
    )
    one_winner(answers, 200, (409, 422))
    assert c.audit("duty_shift.reassigned", shift["id"]) == 1


@races("duty_api.check_in.post", kind="transition")
def race_check_ins(c: Centre):
    _d, rota = _duty_rota(c)
    shift = rota["shifts"][0]
    answers = race(
        c.many(c.lawyer(shift["provider_id"])),
        lambda cl, i: cl.post(f"/api/v1/shifts/{shift['id']}/check-in"),
    )
    one_winner(answers, 200)
    assert c.audit("duty_shift.checked_in", shift["id"]) == 1


@races("duty_api.check_out.post", kind="transition")
def race_check_outs(c: Centre):
    _d, rota = _duty_rota(c)
    shift = rota["shifts"][0]
    lawyer = c.lawyer(shift["provider_id"])
    assert c.one(lawyer).post(f"/api/v1/shifts/{shift['id']}/check-in").status_code == 200
    answers = race(
        c.many(lawyer),
        lambda cl, i: cl.post(f"/api/v1/shifts/{shift['id']}/check-out", json={"legal_help": {"advice": i}}),
    )
    one_winner(answers, 200)
    assert c.audit("duty_shift.checked_out", shift["id"]) == 1


@races("duty_api.mark_missed.post", kind="transition")
def race_missed_shifts(c: Centre):
    d, rota = _duty_rota(c)
    shift = rota["shifts"][0]
    turns = c.turns(d["pool"])
    answers = race(c.many("h_coord"), lambda cl, i: cl.post(f"/api/v1/shifts/{shift['id']}/missed"))
    one_winner(answers, 200)
    assert c.audit("duty_shift.missed", shift["id"]) == 1
    assert c.turns(d["pool"]) == turns  # a no-show keeps the turn it took


# --- the tests -----------------------------------------------------------------------------------


def state_changing_operations(app) -> set[str]:
    from legalaid.openapi import openapi_document

    with app.app_context():
        document = openapi_document(app)
    return {
        operation["operationId"]
        for item in document["paths"].values()
        for method, operation in item.items()
        if method in STATE_CHANGING
    }


def test_every_state_changing_operation_has_a_race(centre):
    operations = state_changing_operations(centre.app)
    covered = {op for r in RACES.values() for op in r.ops}
    assert not operations - covered, f"operations without a race: {sorted(operations - covered)}"
    assert not covered - operations, (
        f"races for operations that no longer exist: {sorted(covered - operations)}"
    )
    # Every operation has a race of its own besides any mixed one.
    alone = {op for r in RACES.values() if r.kind != "mixed" for op in r.ops}
    assert not operations - alone, sorted(operations - alone)


@pytest.mark.parametrize("name", sorted(RACES), ids=lambda n: f"{RACES[n].kind}-{n}")
def test_race(centre, name):
    RACES[name].run(centre)
    centre.chain_holds()  # DESIGN.md §5: the audit chain verifies after every race
