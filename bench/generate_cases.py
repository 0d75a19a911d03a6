"""Cases and their assignments for bench/generate.py: received over six years, numbered per year and type,
streamed with COPY a chunk at a time."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from generate_common import (
    AREAS,
    CASE_TYPE_SHARE,
    CHARGES,
    COPY_CHUNK,
    FALLBACK_CAUSES,
    FALLBACK_CODES,
    HISTORY_DAYS,
    RECENT_DAYS,
    Schema,
    Timings,
    bulk_load,
    copy_rows,
    person_name,
)
from generate_panel import Panel
from generate_station_cases import applicant_sex, detained

CASE_COLUMNS = [
    "id",
    "number",
    "year",
    "seq",
    "case_type",
    "cause",
    "status",
    "received_on",
    "source",
    "intake_point",
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "applicant_categories",
    "opposing_party",
    "group_size",
    "major",
    "max_sentence",
    "juvenile",
    "stage",
    "green_channel",
    "means_test",
    "decided_on",
    "rejection_reason",
    "paused_days",
    "withdrawn_reason",
    "created_at",
    "applicant_sex",
    "detained",
]
ASSIGNMENT_COLUMNS = [
    "id",
    "case_id",
    "provider_id",
    "pool_id",
    "mode",
    "status",
    "live",
    "reason_code",
    "counted",
    "override",
    "clock_step",
    "assigned_at",
    "respond_by",
    "accepted_at",
    "ended_at",
    "decline_reason_code",
    "explanation",
]


def case_vocabulary():
    try:
        from assignment.intake import CASE_TYPE_CODES, CAUSES, GREEN_CATEGORIES, GREEN_MIGRANT_CAUSES
    except ImportError:
        return (
            FALLBACK_CODES,
            FALLBACK_CAUSES,
            {"disabled", "elderly", "minor"},
            {"wage_arrears", "work_injury"},
        )
    return CASE_TYPE_CODES, list(CAUSES), set(GREEN_CATEGORIES), set(GREEN_MIGRANT_CAUSES)


@dataclass
class History:
    """Generates cases in received order with their assignments, a chunk at a time."""

    rng: random.Random
    panel: Panel
    pool_of: dict[tuple[str, str], int]
    n_cases: int
    now: dt.datetime
    with_assignments: bool
    open_count: dict[int, int] = field(default_factory=dict)
    next_assignment_id: int = 1
    pending_assignments: list[tuple] = field(default_factory=list)

    def __post_init__(self):
        self.codes, self.causes, self.green, self.green_causes = case_vocabulary()
        self.counters: dict[tuple[int, str], int] = {}
        weights = [len(self.panel.everyone_by_area.get(a, [])) for a in AREAS]
        self.area_weights = [w or 1 for w in weights]
        self.start = self.now.date() - dt.timedelta(days=HISTORY_DAYS)
        self.utc = dt.UTC

    def cases(self) -> Iterator[list[tuple]]:
        rng = self.rng
        types, type_weights = list(CASE_TYPE_SHARE), list(CASE_TYPE_SHARE.values())
        done = 0
        while done < self.n_cases:
            n = min(COPY_CHUNK, self.n_cases - done)
            # Received dates rise with the id, as they do in a live system.
            days = sorted(rng.randrange(HISTORY_DAYS) for _ in range(n))
            case_types = rng.choices(types, type_weights, k=n)
            areas = rng.choices(AREAS, self.area_weights, k=n)
            chunk = [
                self._case(done + i + 1, self.start + dt.timedelta(days=days[i]), case_types[i], areas[i])
                for i in range(n)
            ]
            done += n
            yield chunk

    def assignments(self) -> list[tuple]:
        rows, self.pending_assignments = self.pending_assignments, []
        return rows

    def _case(self, case_id: int, received: dt.date, case_type: str, area: str) -> tuple:
        rng = self.rng
        key = (received.year, case_type)
        seq = self.counters[key] = self.counters.get(key, 0) + 1
        criminal = case_type == "criminal"
        served = self.panel.lawyers_by_area if criminal else self.panel.everyone_by_area
        if not served.get(area) and served:  # a small panel: no one there to take it
            area = rng.choice(sorted(served))
        age = (self.now.date() - received).days
        status = self._status(rng, age, criminal)
        cause = rng.choice(CHARGES) if criminal else rng.choice(self.causes)
        categories = (
            [rng.choice(["migrant_worker", "elderly", "disabled", "minor"])] if rng.random() < 0.3 else []
        )
        green = bool(set(categories) & self.green) or (
            "migrant_worker" in categories and not criminal and cause in self.green_causes
        )
        decided = (
            None if status in ("applied", "pending_materials") else received + dt.timedelta(rng.randint(0, 6))
        )
        created_at = dt.datetime.combine(received, dt.time(9), self.utc) + dt.timedelta(
            minutes=rng.randrange(480)
        )
        if self.with_assignments and status in ("assigned", "in_progress", "closed", "archived"):
            self._assign(case_id, case_type, area, status, created_at + dt.timedelta(days=rng.randint(1, 3)))
        return (
            case_id,
            f"{received.year}-{self.codes[case_type]}-{seq:05d}",
            received.year,
            seq,
            case_type,
            cause,
            status,
            received,
            "notification" if criminal and rng.random() < 0.9 else "application",
            area,  # the pools' area key (assignment/rotation/assign.py: case.intake_point)
            person_name(rng),
            f"{rng.randrange(110000, 660000)}{rng.randint(1950, 2008)}{rng.randrange(10**8):08d}",
            f"1{rng.randrange(3, 9)}{rng.randrange(10**9):09d}",
            categories,
            None if criminal else person_name(rng),
            1 if rng.random() < 0.97 else rng.randint(2, 30),
            rng.random() < 0.01,
            "life" if criminal and rng.random() < 0.01 else None,
            criminal and rng.random() < 0.04,
            rng.choice(("investigation", "prosecution", "trial")) if criminal else None,
            green,
            None if criminal else rng.choice(("checked", "checked", "exempt", "waived")),
            decided,
            "不符合经济困难标准" if status == "rejected" else None,
            0,
            "申请人撤回" if status == "withdrawn" else None,
            created_at,
            applicant_sex(case_id),
            detained(case_id, case_type),
        )

    @staticmethod
    def _status(rng: random.Random, age: int, criminal: bool) -> str:
        if age > RECENT_DAYS:
            r = rng.random()
            if criminal:
                return "archived" if r < 0.9 else "closed"
            return (
                "archived" if r < 0.78 else "closed" if r < 0.86 else "rejected" if r < 0.94 else "withdrawn"
            )
        if age < 3:
            return rng.choice(("applied", "accepted", "assigned"))
        if age < 10:
            return rng.choice(("applied", "pending_materials", "accepted", "assigned", "in_progress"))
        return "in_progress" if rng.random() < 0.6 else "closed"

    def _assign(self, case_id: int, case_type: str, area: str, status: str, at: dt.datetime) -> None:
        rng = self.rng
        group = "criminal" if case_type == "criminal" else "other"
        people = (self.panel.lawyers_by_area if group == "criminal" else self.panel.everyone_by_area).get(
            area
        )
        if not people:
            return
        pool_id = self.pool_of.get((group, area))
        rotation = pool_id is not None and rng.random() < 0.9
        mode = "rotation" if rotation else rng.choice(("window", "designated"))
        if rng.random() < 0.05:  # an earlier offer declined or left to expire
            first = rng.choice(people)
            declined = rng.random() < 0.6
            self._row(
                case_id,
                first,
                pool_id if rotation else None,
                mode,
                "declined" if declined else "expired",
                False,
                at,
                ended=at + dt.timedelta(hours=rng.randint(2, 48)),
                decline="unavailable" if declined else None,
            )
            at += dt.timedelta(days=2)
        # The last assignment stays live through closing and archiving, as the service keeps it (the
        # provider still sees the case, its score and subsidy); only an open case counts to the cap.
        open_ = status in ("assigned", "in_progress")
        provider = rng.choice(people)
        if open_:  # respect the cap, as rotation does
            for _ in range(5):
                if self.open_count.get(provider, 0) < self.panel.max_open[provider]:
                    break
                provider = rng.choice(people)
            self.open_count[provider] = self.open_count.get(provider, 0) + 1
        accepted = None if status == "assigned" else at + dt.timedelta(hours=rng.randint(1, 40))
        self._row(  # never ended: an assignment ends only when declined, expired or replaced
            case_id,
            provider,
            pool_id if rotation else None,
            mode,
            "offered" if status == "assigned" else "accepted",
            True,
            at,
            accepted=accepted,
        )

    def _row(
        self,
        case_id,
        provider_id,
        pool_id,
        mode,
        status,
        live,
        at,
        *,
        accepted=None,
        ended=None,
        decline=None,
    ):
        rotation = mode == "rotation"
        explanation = {"picked": {"provider_id": provider_id}, "skipped": [], "next": []} if rotation else {}
        self.pending_assignments.append(
            (
                self.next_assignment_id,
                case_id,
                provider_id,
                pool_id,
                mode,
                status,
                live,
                None if rotation else "client_choice" if mode == "window" else "designated",
                rotation,
                not rotation,
                0.0,
                at,
                at + dt.timedelta(days=2),
                accepted,
                ended,
                decline,
                explanation,
            )
        )
        self.next_assignment_id += 1


def load_history(conn, schema: Schema, history: History, timings: Timings) -> None:
    case_table = schema.table("Case")
    if case_table is None:
        return
    assignment_table = schema.table("Assignment")
    history.with_assignments = assignment_table is not None
    big = [case_table.name] + ([assignment_table.name] if assignment_table is not None else [])
    assignments_written = 0

    # Cases are written while their assignments are kept aside, then assignments in a second COPY
    # (one COPY per connection at a time).
    kept: list[list[tuple]] = []

    def case_chunks():
        for chunk in history.cases():
            kept.append(history.assignments())
            yield chunk

    with bulk_load(conn, big, timings):
        with timings.step(case_table.name, history.n_cases):
            copy_rows(conn, case_table, CASE_COLUMNS, schema, case_chunks(), history.n_cases)
        if assignment_table is not None:
            assignments_written = sum(len(c) for c in kept)
            with timings.step(assignment_table.name, assignments_written):
                copy_rows(
                    conn, assignment_table, ASSIGNMENT_COLUMNS, schema, _drain(kept), assignments_written
                )

    counter_table = schema.table("CaseCounter")
    if counter_table is not None:
        with timings.step(counter_table.name, len(history.counters)):
            conn.execute(
                sa.insert(counter_table),
                [{"year": y, "case_type": t, "last_number": n} for (y, t), n in history.counters.items()],
            )
    if assignments_written and "open_cases" in {c["name"] for c in schema.db_columns.get("provider", [])}:
        with timings.step("provider.open_cases"):
            conn.execute(
                sa.text(
                    "UPDATE provider p SET open_cases = live.n FROM (SELECT a.provider_id, count(*) AS n"
                    " FROM assignment a JOIN legal_case c ON c.id = a.case_id WHERE a.live"
                    " AND c.status IN ('assigned', 'in_progress') GROUP BY a.provider_id) live"
                    " WHERE live.provider_id = p.id"
                )
            )


def _drain(chunks: list[list[tuple]]) -> Iterator[list[tuple]]:
    while chunks:
        yield chunks.pop(0)
