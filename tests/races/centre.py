"""The centre every race runs in (tests/races/harness.py): its people, each with N signed-in clients on
demand, a civil pool of three lawyers and a second pool for membership races, and the steps that bring
a fresh case to any stage through the API."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from legalaid import clock
from legalaid.audit import verify_chain
from legalaid.db import db
from legalaid.models import AuditEntry, User
from tests.conftest import PASSWORD, AuthActions
from tests.races.harness import N, seq

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
            self.scalar(sa.select(User.id).where(User.username == n)): n
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

        username = f"h_user{next(seq)}"
        with self.app.app_context():
            create_user(db.session, None, username, PASSWORD, roles, provider_id=provider_id)
            db.session.commit()
        return username

    def username(self, user_id: int | None) -> str | None:
        return self.scalar(sa.select(User.username).where(User.id == user_id))

    def lawyer(self, provider_id: int) -> str:
        username = f"h_lawyer{provider_id}"
        if self.scalar(sa.select(User.id).where(User.username == username)) is None:
            from legalaid.users import create_user

            with self.app.app_context():
                create_user(db.session, None, username, PASSWORD, ["provider"], provider_id=provider_id)
                db.session.commit()
        return username

    # the panel

    def new_organization(self) -> int:
        r = self.admin.post("/api/v1/organizations", json={"name": f"Firm {next(seq)}", "kind": "law_firm"})
        assert r.status_code == 201, r.get_json()
        return r.get_json()["id"]

    def new_provider(self, name: str | None = None) -> int:
        r = self.admin.post(
            "/api/v1/providers",
            json={
                "name": name or f"Lawyer {next(seq)}",
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
                    json={"bank_reference": f"REF-{next(seq)}", "paid_on": clock.today().isoformat()},
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
