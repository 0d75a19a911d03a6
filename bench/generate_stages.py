"""Every stage after the assignment, in proportion, for bench/generate.py (issue 16).

Reads the generated cases with their accepted assignment back from the database (a second connection,
streamed in id order) and writes, a chunk of cases at a time with COPY through the models' column types:

* hearings (about half of the handled cases) and the observations of the sampled ones (≈ 10 %),
  reported when the hearing is past;
* the closing report of every closed or archived case, its score file (final once archived, with a
  first score sheet, a tenth double-marked), the follow-up call after closing and its attempt;
* an archive record for every archived case, numbered ``YYYY-NNNNN`` without gaps in each year (and
  ``archive_counter``), and its subsidy: paid in a confirmed monthly batch when archived over 60 days
  ago, else payable (a tenth in one open batch); a closed case not archived has a pending subsidy;
* consultations (half as many as cases) and complaints (≈ 0.3 % of cases).

Amounts follow the migrated rate table (``subsidy_rate``) and the breakdown has the service's keys.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from decimal import Decimal

import sqlalchemy as sa
from generate_common import AREAS, Progress, Schema, Timings, bulk_load, copy_rows, person_name

from supervision.scoring.closing import required_documents

CHUNK = 20_000
GRADE_MULTIPLIER = {"excellent": "1.2", "good": "1.1", "pass": "1.0", "fail": "0.6"}
OUTCOMES = ["判决", "调解结案", "和解", "撤诉", "裁定"]
COURTS = ["人民法院", "中级人民法院"]
CAUSE_WORDS = [
    ("wage_arrears", "拖欠工资"),
    ("work_injury", "工伤认定"),
    ("labour_contract", "劳动合同"),
    ("traffic_accident", "交通事故赔偿"),
    ("marriage_family", "离婚财产分割"),
]
STAFF = 24  # supervisors who observe, call and mark; one archivist; one finance clerk


def metadata_tables() -> dict[str, sa.Table]:
    """Every model table by name (the service's modules register on the one metadata)."""
    import assignment.consultations_models  # noqa: F401
    import assignment.models  # noqa: F401
    import legalaid.models  # noqa: F401
    import supervision.complaints.models  # noqa: F401
    import supervision.scheduling.models  # noqa: F401
    import supervision.scoring.models  # noqa: F401
    import supervision.subsidies.models  # noqa: F401
    from legalaid.db import db

    return dict(db.metadata.tables)


def grade(total: Decimal) -> str:
    return "excellent" if total >= 90 else "good" if total >= 80 else "pass" if total >= 60 else "fail"


class Stages:
    """Rows of every stage for one chunk of handled cases; counters carry over between chunks."""

    def __init__(self, rng: random.Random, now: dt.datetime, staff: dict, checklists: dict, rates: dict):
        self.rng, self.now, self.today = rng, now, now.date()
        self.staff, self.checklists, self.rates = staff, checklists, rates
        self.ids = dict.fromkeys(
            ("hearing", "observation", "call", "attempt", "sheet", "archive", "subsidy", "complaint"), 0
        )
        self.archive_seq: dict[int, int] = {}
        self.batches: dict[object, dict] = {}  # month (date) or "open" -> batch row
        self.rows: dict[str, list[tuple]] = {}

    def next_id(self, name: str) -> int:
        self.ids[name] += 1
        return self.ids[name]

    def add(self, table: str, row: tuple) -> None:
        self.rows.setdefault(table, []).append(row)

    def take(self) -> dict[str, list[tuple]]:
        rows, self.rows = self.rows, {}
        return rows

    def at(self, day: dt.date, hour: int = 10) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour), dt.UTC) + dt.timedelta(minutes=self.rng.randrange(300))

    def case(self, c) -> None:
        rng = self.rng
        assigned_on = c.assigned_at.date()
        if rng.random() < 0.5:
            self.hearing(c, assigned_on)
        if c.status not in ("closed", "archived"):
            return
        ended = c.ended_at.date() if c.ended_at else min(assigned_on + dt.timedelta(days=90), self.today)
        archived = c.status == "archived"
        # Closed over a month ago: most are ready to archive (the archivist's backlog).
        ready = archived or ((self.today - ended).days > 30 and rng.random() < 0.6)
        complete = min(ended + dt.timedelta(days=rng.randint(3, 25)), self.today) if ready else None
        terminated = rng.random() < 0.03
        self.add(
            "case_closing",
            (
                c.id,
                c.provider_id,
                ended,
                rng.choice(OUTCOMES),
                terminated,
                "client_request" if terminated else None,
                ended + dt.timedelta(days=30),
                complete,
                self.at(ended, 16),
            ),
        )
        total = min(Decimal(100), max(Decimal(40), Decimal(rng.gauss(84, 7)).quantize(Decimal("0.1"))))
        draw = rng.random()
        if ready:
            for code in required_documents(c.case_type):
                self.add("closing_document", (c.id, code, complete, False, self.at(complete, 11)))
        final_on = min(complete + dt.timedelta(days=rng.randint(1, 10)), self.today) if ready else None
        checklist = self.checklists.get(c.case_type)
        final = ready and checklist is not None
        self.add(
            "score_file",
            (
                c.id,
                c.case_type,
                c.provider_id,
                c.organization_id,
                ended,
                checklist,
                draw,
                draw < 0.1,
                "final" if final else "open",
                total if final else None,
                grade(total) if final else None,
                False,
                self.at(final_on, 15) if final else None,
                final_on if final else None,
                final_on + dt.timedelta(days=10) if final else None,  # the appeal window
                self.at(final_on, 17) if final and rng.random() < 0.7 else None,  # accepted at once
            ),
        )
        if final:
            scorers = rng.sample(self.staff["supervisors"], 2)
            for role, scorer in (("first", scorers[0]), ("second", scorers[1]))[: 2 if draw < 0.1 else 1]:
                submitted = self.at(final_on, 11)
                self.add(
                    "score_sheet",
                    (self.next_id("sheet"), c.id, checklist, scorer, role, "submitted", total, grade(total))
                    + ([], {}, submitted, submitted, submitted),
                )
        call_day = ended + dt.timedelta(days=7)
        done = ready and call_day < self.today
        call_id = self.next_id("call")
        caller = rng.choice(self.staff["supervisors"])
        self.add(
            "follow_up_call",
            (
                call_id,
                f"{c.id}:after_closing:{c.assignment_id}",
                c.id,
                c.assignment_id,
                c.provider_id,
                "after_closing",
                call_day,
                caller,
                "done" if done else "planned",
                c.applicant_name,
                c.applicant_phone,
                self.at(call_day, 9) if done else None,
                self.at(ended, 17),
            ),
        )
        if done:
            satisfaction = rng.choices(["satisfied", "basically_satisfied", "unsatisfied"], [85, 12, 3])[0]
            self.add(
                "call_attempt",
                (self.next_id("attempt"), call_id, caller, self.at(call_day, 9), True, satisfaction, False),
            )
        if archived:
            self.archive(c, complete or ended, total if final else None)
        else:
            self.add(
                "subsidy",
                (self.next_id("subsidy"), c.id, c.assignment_id, c.provider_id, "pending")
                + (None, None, None, None, None, None, None, self.at(ended, 17), None),
            )

    def hearing(self, c, assigned_on: dt.date) -> None:
        rng = self.rng
        starts = self.at(assigned_on + dt.timedelta(days=rng.randint(15, 90)), 9)
        ends = starts + dt.timedelta(hours=rng.choice([2, 3, 4]))
        draw = rng.random()
        observe = draw < 0.1
        hearing_id = self.next_id("hearing")
        area = c.intake_point or AREAS[0]
        self.add(
            "hearing",
            (hearing_id, c.id, c.provider_id, starts, ends, f"{area}{rng.choice(COURTS)}")
            + (f"第{rng.randint(1, 12)}法庭", "scheduled", observe)
            + ("sampled" if observe else "not_sampled", draw, 0.1, self.at(assigned_on, 14)),
        )
        if not observe:
            return
        past = ends < self.now
        ratings = tuple(rng.randint(3, 5) for _ in range(4)) if past else (None,) * 4
        observer = rng.choice(self.staff["supervisors"])
        self.add(
            "observation",
            (self.next_id("observation"), hearing_id, c.id, c.provider_id, observer)
            + ("reported" if past else "scheduled", "sampled", starts, ends, *ratings)
            + (ends + dt.timedelta(hours=2) if past else None, observer if past else None)
            + (self.at(assigned_on, 14),),
        )

    def archive(self, c, complete: dt.date, total: Decimal | None) -> None:
        rng = self.rng
        archived_on = min(complete + dt.timedelta(days=rng.randint(5, 30)), self.today)
        year = archived_on.year
        seq = self.archive_seq[year] = self.archive_seq.get(year, 0) + 1
        archive_id = self.next_id("archive")
        self.add(
            "archive_record",
            (archive_id, c.id, year, seq, f"{year}-{seq:05d}", archived_on, self.at(archived_on, 15))
            + (self.staff["archivist"],),
        )
        assigned_on = c.assigned_at.date()
        stage = (c.stage or "trial") if c.case_type == "criminal" else ""
        rate_id, effective, base = self.rate(c.case_type, stage, c.provider_kind, assigned_on)
        g = grade(total) if total is not None else "pass"
        amount = int((Decimal(base) * Decimal(GRADE_MULTIPLIER[g])).quantize(Decimal(1)))
        breakdown = {
            "rate_id": rate_id,
            "rate_effective_from": effective.isoformat(),
            "case_type": c.case_type,
            "stage": stage,
            "provider_kind": c.provider_kind,
            "assigned_on": assigned_on.isoformat(),
            "base_fen": base,
            "serious_sentence_factor": "1",
            "grade": g,
            "grade_multiplier": GRADE_MULTIPLIER[g],
            "terminated": False,
            "terminated_ratio": "1",
            "extras": [],
            "took_money_veto": False,
            "exact_fen": str(amount),
            "amount_fen": amount,
        }
        age = (self.today - archived_on).days
        if age > 60:
            month = archived_on.replace(day=1)
            status, batch = "paid", self.batch(month, (month + dt.timedelta(days=62)).replace(day=10))
        elif rng.random() < 0.1:
            status, batch = "batched", self.batch("open", None)
        else:
            status, batch = "payable", None
        subsidy_id = self.next_id("subsidy")
        paid_on = batch["paid_on"] if status == "paid" else None
        self.add(
            "subsidy",
            (subsidy_id, c.id, c.assignment_id, c.provider_id, status, amount, breakdown, archive_id)
            + (archived_on, batch["id"] if batch else None, paid_on)
            + (batch["bank_reference"] if status == "paid" else None, self.at(archived_on, 15))
            + (self.at(archived_on, 15),),
        )
        if batch:
            batch["count"] += 1
            batch["total_fen"] += amount
            self.add(
                "payment_batch_item", (batch["id"], subsidy_id, amount, "paid" if paid_on else "pending")
            )

    def batch(self, key, paid_on: dt.date | None) -> dict:
        if key not in self.batches:
            if paid_on is not None and paid_on > self.today:
                paid_on = self.today
            created = self.at(paid_on - dt.timedelta(days=5) if paid_on else self.today, 9)
            self.batches[key] = {
                "id": len(self.batches) + 1,
                "status": "confirmed" if paid_on else "open",
                "count": 0,
                "total_fen": 0,
                "payee_mode": "provider",
                "created_at": created,
                "created_by": self.staff["finance"],
                "bank_reference": f"BANK-{key:%Y%m}" if paid_on else None,
                "paid_on": paid_on,
                "confirmed_at": self.at(paid_on, 16) if paid_on else None,
                "confirmed_by": self.staff["finance"] if paid_on else None,
                "failed_count": 0,
            }
        return self.batches[key]

    def rate(self, case_type: str, stage: str, kind: str, on: dt.date) -> tuple[int, dt.date, int]:
        options = self.rates.get((case_type, stage, kind)) or self.rates.get((case_type, "", kind))
        if not options:
            return 0, on, 150_000
        best = options[0]
        for option in options:  # sorted by effective_from
            if option[1] <= on:
                best = option
        return best

    def complaint(self, c) -> None:
        rng = self.rng
        received = c.assigned_at.date() + dt.timedelta(days=rng.randint(5, 60))
        if received >= self.today:
            return
        answered = (self.today - received).days > 60
        self.add(
            "complaint",
            (self.next_id("complaint"), received, c.applicant_name, "applicant", c.applicant_phone)
            + ("provider", c.organization_id, c.provider_id, c.id, rng.choice(["neglect", "other"]))
            + ("请求中心调查承办人员的工作情况", "申请人称承办人员长期未联系，未告知案件进展。")
            + ("answered" if answered else "received", received + dt.timedelta(days=5))
            + (received + dt.timedelta(days=4) if answered else None,)
            + ("not_upheld" if answered else None, received + dt.timedelta(days=40) if answered else None)
            + (received + dt.timedelta(days=45) if answered else None, "phone" if answered else None)
            + (self.at(received, 10),),
        )


COLUMNS = {
    "hearing": "id case_id provider_id starts_at ends_at court room status observe observation_reason "
    "sample_draw sample_rate recorded_at",
    "observation": "id hearing_id case_id provider_id observer_id status reason starts_at ends_at "
    "preparation examination argument effect reported_at reported_by created_at",
    "case_closing": "case_id provider_id ended_on outcome terminated termination_ground documents_due_on "
    "documents_complete_on reported_at",
    "closing_document": "case_id code handed_in_on late recorded_at",
    "score_file": "case_id case_type provider_id organization_id ended_on checklist_id sample_draw in_sample "
    "status total grade veto finalised_at finalised_on appeal_by accepted_at",
    "score_sheet": "id case_id checklist_id scorer_id role status total grade vetoes suggestions created_at "
    "updated_at submitted_at",
    "follow_up_call": "id key case_id assignment_id provider_id purpose due_on caller_id status callee_name "
    "phone done_at created_at",
    "call_attempt": "id call_id by_id at reached satisfaction took_money",
    "archive_record": "id case_id year seq number archived_on archived_at archived_by",
    "subsidy": "id case_id assignment_id provider_id status amount_fen breakdown archive_id archived_on "
    "batch_id paid_on bank_reference created_at computed_at",
    "payment_batch_item": "batch_id subsidy_id amount_fen outcome",
    "complaint": "id received_on complainant_name complainant_relation complainant_phone respondent_kind "
    "respondent_organization_id respondent_provider_id case_id matter request facts status accept_by "
    "accepted_on outcome decided_on answered_on answer_method created_at",
    "consultation": "id occurred_at channel answered_by person_name person_phone person_categories cause "
    "question answer duration_s outcome created_at",
}
# Parents first (foreign keys are dropped during the load anyway, and checked when re-added).
ORDER = list(COLUMNS)

HANDLED = sa.text(
    "SELECT c.id, c.status, c.case_type, c.stage, c.intake_point, c.applicant_name, c.applicant_phone, "
    "a.id AS assignment_id, a.provider_id, a.assigned_at, a.ended_at, p.kind AS provider_kind, "
    "p.organization_id FROM legal_case c JOIN assignment a ON a.case_id = c.id AND a.status = 'accepted' "
    "JOIN provider p ON p.id = a.provider_id ORDER BY c.id"
)


def staff_users(conn: sa.Connection, tables: dict[str, sa.Table]) -> dict:
    """Supervisors, an archivist and a finance clerk (no password: they never sign in)."""
    users, roles = tables["user_account"], tables["user_role"]
    names = [f"gen-supervisor-{i}" for i in range(1, STAFF + 1)] + ["gen-coordinator", "gen-finance"]
    ids = (
        conn.execute(
            sa.insert(users).returning(users.c.id, sort_by_parameter_order=True),
            [{"username": n, "password_hash": "!", "active": True} for n in names],
        )
        .scalars()
        .all()
    )
    role_of = ["supervisor"] * STAFF + ["coordinator", "finance"]
    conn.execute(sa.insert(roles), [{"user_id": i, "role": r} for i, r in zip(ids, role_of, strict=True)])
    return {"supervisors": ids[:STAFF], "archivist": ids[STAFF], "finance": ids[STAFF + 1]}


def load_stages(engine, conn, schema: Schema, rng, now: dt.datetime, timings: Timings) -> None:
    tables = metadata_tables()
    missing = [name for name in [*ORDER, "payment_batch", "archive_counter"] if name not in schema.db_tables]
    if missing:
        print(f"skipping the later stages: the migrations do not create {', '.join(missing)} yet")
        return
    staff = staff_users(conn, tables)
    checklists = dict(
        conn.execute(
            sa.text(
                "SELECT DISTINCT ON (case_type) case_type, id FROM checklist WHERE status = 'published' "
                "AND effective_from <= :today ORDER BY case_type, effective_from DESC, version DESC"
            ),
            {"today": now.date()},
        ).all()
    )
    rates: dict = {}
    for r in conn.execute(
        sa.text(
            "SELECT id, case_type, stage, provider_kind, effective_from, amount_fen FROM subsidy_rate "
            "ORDER BY effective_from"
        )
    ):
        rates.setdefault((r.case_type, r.stage, r.provider_kind), []).append(
            (r.id, r.effective_from, r.amount_fen)
        )
    stages = Stages(rng, now, staff, checklists, rates)
    total = conn.scalar(sa.text("SELECT count(*) FROM assignment WHERE status = 'accepted'")) or 0
    n_cases = conn.scalar(sa.text("SELECT count(*) FROM legal_case")) or 0
    written: dict[str, int] = {}
    progress = Progress("stages (cases)", total)
    with bulk_load(conn, [*ORDER, "payment_batch"], timings), engine.connect() as reader:
        conn.commit()  # the dropped keys' locks, before the reader touches the cases
        with timings.step("stages (hearings … subsidies)"):
            result = reader.execution_options(stream_results=True, yield_per=CHUNK).execute(HANDLED)
            for chunk in result.partitions(CHUNK):
                for c in chunk:
                    stages.case(c)
                    if rng.random() < 0.003:
                        stages.complaint(c)
                write(conn, schema, tables, stages.take(), written)
                progress.add(len(chunk))
            progress.finish()
        with timings.step("consultation"):
            consultations(conn, schema, tables, rng, now, n_cases // 2, staff, written)
        batch_rows = sorted(stages.batches.values(), key=lambda b: b["id"])
        if batch_rows:
            conn.execute(sa.insert(tables["payment_batch"]), batch_rows)
    if stages.archive_seq:
        conn.execute(
            sa.insert(tables["archive_counter"]),
            [{"year": y, "last_number": n} for y, n in sorted(stages.archive_seq.items())],
        )
    for name, n in written.items():
        timings.rows[name] = timings.rows.get(name, 0) + n
        timings.seconds.setdefault(name, 0.0)
    timings.rows["payment_batch"] = len(batch_rows)
    timings.seconds.setdefault("payment_batch", 0.0)


def write(conn, schema, tables, rows: dict[str, list[tuple]], written: dict[str, int]) -> None:
    for name in ORDER:
        if rows.get(name):
            copy_rows(conn, tables[name], COLUMNS[name].split(), schema, [rows[name]], 0, show=False)
            written[name] = written.get(name, 0) + len(rows[name])


def consultations(conn, schema, tables, rng, now, n: int, staff, written) -> None:
    start = now.date() - dt.timedelta(days=6 * 365)
    channels = ["hotline", "visit", "online", "letter", "workstation"]
    outcomes = ["answered", "answered", "answered", "referred", "application_guided"]
    done = 0
    progress = Progress("consultation", n)

    def chunks() -> Iterator[list[tuple]]:
        nonlocal done
        while done < n:
            size = min(CHUNK, n - done)
            days = sorted(rng.randrange(6 * 365) for _ in range(size))
            chunk = []
            for i in range(size):
                at = dt.datetime.combine(start + dt.timedelta(days=days[i]), dt.time(1), dt.UTC)
                at += dt.timedelta(minutes=rng.randrange(540))
                cause, words = rng.choice(CAUSE_WORDS)
                anonymous = rng.random() < 0.2
                chunk.append(
                    (
                        done + i + 1,
                        at,
                        rng.choice(channels),
                        rng.choice(staff["supervisors"]),
                        None if anonymous else person_name(rng),
                        None if anonymous else f"1{rng.randrange(3, 9)}{rng.randrange(10**9):09d}",
                        ["migrant_worker"] if rng.random() < 0.2 else [],
                        cause,
                        f"咨询{words}问题，{rng.choice(AREAS)}，希望了解如何维权。",
                        f"告知{words}的办理途径和所需材料。",
                        rng.randint(60, 1200),
                        rng.choice(outcomes),
                        at,
                    )
                )
            done += size
            progress.add(size)
            yield chunk

    copy_rows(conn, tables["consultation"], COLUMNS["consultation"].split(), schema, chunks(), n, show=False)
    progress.finish()
    written["consultation"] = n
