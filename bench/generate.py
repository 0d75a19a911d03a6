"""Fill a database with a province-sized panel and its case history, fast.

    python bench/generate.py [--providers 10000] [--cases 1000000] [--database-url URL]

The schema comes from the migrations (``legalaid db upgrade``); a PostgreSQL database named
``bench_*`` (default ``bench_data``) is dropped and created first, any other database must have empty
panel and case tables. Tables and columns are read from the models (``Provider.__table__`` …) and
intersected with what the migrated database has, so a model column without its migration yet is
left out with a warning, and a table the models or the migrations do not have yet is skipped.

Small tables go in with Core ``INSERT … VALUES`` batches (executemany with insertmanyvalues); cases
and assignments are streamed with PostgreSQL ``COPY``. For the big tables, secondary indexes and
foreign keys are dropped during the load and re-created from their own definitions afterwards (the
usual bulk-load recipe; the rows are consistent by construction and re-adding a foreign key checks
every row). Ids are given explicitly and the sequences moved past them at the end.

What it makes: ``--providers`` providers (≈85 % lawyers in law firms, the rest legal advisers in
legal service offices, a few lawyers at each area's centre) in ``--providers / 33`` organisations over
16 areas; per area a criminal pool (lawyers) and a civil/administrative/non-litigation pool (everyone);
``--cases`` cases received over the last six years, numbered per year and type, most of them
closed or archived, with their assignments (≈5 % after a declined or expired offer), the live ones
counted in ``provider.open_cases`` and the numbering in ``case_counter``. Then every later stage
(hearings, observations, closings, score files and sheets, calls, archive records, subsidies, paid
batches, consultations, complaints: ``bench/generate_stages.py``). JSON columns are written through
their column types (once); a case's ``intake_point`` is its area, the pools' area key.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import random
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import benchdb
import sqlalchemy as sa

from legalaid import clock

AREAS = [
    f"{name}市"
    for name in [
        "江城",
        "云山",
        "平湖",
        "青川",
        "长宁",
        "安平",
        "临河",
        "白石",
        "东岭",
        "南浦",
        "西陵",
        "北原",
        "清源",
        "石门",
        "宁远",
        "金沙",
    ]
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超华平刚桂英辉鹏玲飞兰霞婷雪琳晨凯浩宇轩然博文"
FIRM_WORDS = [
    "明德",
    "正衡",
    "中和",
    "天平",
    "公信",
    "至诚",
    "守正",
    "博雅",
    "衡达",
    "君合",
    "信达",
    "汇理",
    "恒泰",
    "立言",
    "同心",
    "崇法",
]
CHARGES = [
    "盗窃罪",
    "故意伤害罪",
    "诈骗罪",
    "危险驾驶罪",
    "抢劫罪",
    "寻衅滋事罪",
    "走私、贩卖、运输、制造毒品罪",
    "交通肇事罪",
    "帮助信息网络犯罪活动罪",
    "非法拘禁罪",
]
# Used when assignment/intake.py is not importable; the generator prefers the module's own tables.
FALLBACK_CAUSES = [
    "wage_arrears",
    "work_injury",
    "labour_contract",
    "traffic_accident",
    "marriage_family",
    "other",
]
FALLBACK_CODES = {"criminal": "XS", "civil": "MS", "administrative": "XZ", "non_litigation": "FS"}
CASE_TYPE_SHARE = {"criminal": 0.45, "civil": 0.44, "administrative": 0.03, "non_litigation": 0.08}
HISTORY_DAYS = 6 * 365
RECENT_DAYS = 120  # cases received in the last RECENT_DAYS may still be open
COPY_CHUNK = 20_000
ORG_KINDS = ("centre", "law_firm", "legal_service_office")
INSERT_BATCH = 5_000
BANKS = ["中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "交通银行", "招商银行"]


# -- timing and progress ---------------------------------------------------------------------------


class Progress:
    """``table  n/total  pct  rows/s``, redrawn at most twice a second (every 10 % when not a tty)."""

    def __init__(self, label: str, total: int):
        self.label, self.total, self.done = label, max(total, 1), 0
        self.start = self.last = time.monotonic()
        self.tty = sys.stderr.isatty()
        self.next_pct = 10

    def add(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        pct = 100 * self.done / self.total
        if (self.tty and now - self.last >= 0.5) or (not self.tty and pct >= self.next_pct):
            self.last = now
            self.next_pct = int(pct // 10) * 10 + 10
            self._draw(now, end="\r" if self.tty else "\n")

    def finish(self) -> float:
        now = time.monotonic()
        if self.tty or self.next_pct <= 100:  # not yet drawn at 100 %
            self._draw(now, end="\n")
        return now - self.start

    def _draw(self, now: float, end: str) -> None:
        rate = self.done / max(now - self.start, 1e-9)
        print(
            f"  {self.label:<22} {self.done:>10,}/{self.total:<10,} {100 * self.done / self.total:5.1f}%"
            f"  {rate:>9,.0f} rows/s",
            end=end,
            file=sys.stderr,
            flush=True,
        )


@dataclass
class Timings:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @contextlib.contextmanager
    def step(self, name: str, rows: int = 0):
        start = time.monotonic()
        yield
        self.seconds[name] = self.seconds.get(name, 0.0) + time.monotonic() - start
        self.rows[name] = self.rows.get(name, 0) + rows

    def report(self, total: float) -> None:
        print(f"\n{'step':<34} {'rows':>11} {'seconds':>8} {'rows/s':>9}")
        for name, seconds in self.seconds.items():
            rows = self.rows.get(name, 0)
            rate = f"{rows / seconds:>9,.0f}" if rows and seconds else f"{'':>9}"
            print(f"{name:<34} {rows:>11,} {seconds:>8.1f} {rate}")
        print(f"{'total':<34} {sum(self.rows.values()):>11,} {total:>8.1f}")


# -- the schema: models ∩ migrated database --------------------------------------------------------


class Schema:
    """The model tables the generator fills, limited to what the migrated database has."""

    def __init__(self, engine: sa.Engine):
        from assignment import models

        self.models = models
        inspector = sa.inspect(engine)
        self.db_tables = set(inspector.get_table_names())
        self.db_columns = {name: inspector.get_columns(name) for name in self.db_tables}
        self._columns: dict = {}

    def table(self, model_name: str) -> sa.Table | None:
        """The model's Table, or None (with the reason printed) when the model or its migration is missing."""
        model = getattr(self.models, model_name, None)
        if model is None:
            print(f"skipping {model_name}: no such model in assignment/models.py yet")
            return None
        table = model.__table__
        if table.name not in self.db_tables:
            print(f"skipping {table.name} ({model_name}): the migrations do not create it yet")
            return None
        return table

    def columns(self, table: sa.Table, produced: Iterable[str]) -> tuple[list[str], dict]:
        """Columns to write: produced by the generator, in the model and in the database; plus the
        constant model defaults (``default=0.0``) of the database's other NOT NULL columns.

        Refuses when the database requires a column the generator cannot fill."""
        produced = list(produced)
        key = (table.name, tuple(produced))
        if key not in self._columns:
            self._columns[key] = self._columns_of(table, produced)
        return self._columns[key]

    def _columns_of(self, table: sa.Table, produced: list[str]) -> tuple[list[str], dict]:
        in_db = {c["name"]: c for c in self.db_columns[table.name]}
        unknown = [name for name in produced if name not in table.c]
        if unknown:
            print(f"  note: {table.name}: the model has no {', '.join(unknown)} any more; left out")
        missing = [name for name in produced if name in table.c and name not in in_db]
        if missing:
            print(f"  note: {table.name}: no migration yet for {', '.join(missing)}; left out")
        constants, required = {}, []
        for name, col in in_db.items():
            if name in produced or col["nullable"] or col.get("default") is not None:
                continue
            default = table.c[name].default if name in table.c else None
            if default is not None and default.is_scalar:
                constants[name] = default.arg
            else:
                required.append(name)
        if constants:
            print(f"  note: {table.name}: {', '.join(constants)} filled with the model's default")
        if required:
            raise SystemExit(
                f"{table.name}: the database requires {', '.join(required)}, which generate.py does not "
                "fill yet; add them to its row builder"
            )
        return [name for name in produced if name in table.c and name in in_db], constants


# -- writing ---------------------------------------------------------------------------------------


def insert_batches(conn: sa.Connection, table: sa.Table, rows: list[dict], produced: list[str], schema):
    """Core INSERT … VALUES, INSERT_BATCH rows per statement (insertmanyvalues)."""
    columns, constants = schema.columns(table, produced)
    progress = Progress(table.name, len(rows))
    statement = sa.insert(table)
    for start in range(0, len(rows), INSERT_BATCH):
        batch = rows[start : start + INSERT_BATCH]
        conn.execute(statement, [{**constants, **{c: row[c] for c in columns}} for row in batch])
        progress.add(len(batch))
    return progress.finish()


def copy_rows(
    conn: sa.Connection, table: sa.Table, produced: list[str], schema, chunks, total: int, show: bool = True
):
    """Stream ``chunks`` (lists of tuples over ``produced``) into ``table`` with COPY (``show``: a
    progress line of its own)."""
    keep, constants = schema.columns(table, produced)
    indexes = [produced.index(name) for name in keep]
    whole = indexes == list(range(len(produced))) and not constants
    extra = tuple(constants.values())
    # Every value goes through its column's own type, as the service's writes do (a JSON column's
    # list is encoded once, by sa.JSON; UTCDateTime stores UTC): COPY bypasses SQLAlchemy otherwise.
    processors = [
        (i, proc)
        for i, proc in enumerate(_bind_processor(table.c[name].type, conn.dialect) for name in keep)
        if proc is not None
    ]
    progress = Progress(table.name, total) if show else None
    column_list = ", ".join(f'"{name}"' for name in [*keep, *constants])
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f'COPY "{table.name}" ({column_list}) FROM STDIN') as copy:
        for chunk in chunks:
            for row in chunk:
                values = row if whole else (*(row[i] for i in indexes), *extra)
                if processors:
                    values = list(values)
                    for i, proc in processors:
                        if values[i] is not None:
                            values[i] = proc(values[i])
                copy.write_row(values)
            if progress:
                progress.add(len(chunk))
    return progress.finish() if progress else 0.0


def _bind_processor(column_type, dialect):
    """The column type's bind processing for this dialect; None when values pass as they are."""
    impl = column_type.dialect_impl(dialect)
    return impl.bind_processor(dialect)


@contextlib.contextmanager
def bulk_load(conn: sa.Connection, tables: list[str], timings: Timings):
    """Drop secondary indexes and foreign keys of ``tables`` during the load; re-create them after.

    Primary keys and unique constraints stay (they are the data's own checks)."""
    names = tuple(tables)
    indexes = conn.execute(
        sa.text(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename IN :t AND i.schemaname = "
            "current_schema() AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
        ).bindparams(sa.bindparam("t", expanding=True)),
        {"t": list(names)},
    ).all()
    foreign_keys = conn.execute(
        sa.text(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c WHERE c.contype = 'f' "
            "AND (c.conrelid::regclass::text IN :t OR c.confrelid::regclass::text IN :t)"
        ).bindparams(sa.bindparam("t", expanding=True)),
        {"t": list(names)},
    ).all()
    for table, name, _ in foreign_keys:
        conn.exec_driver_sql(f'ALTER TABLE "{table.strip(chr(34))}" DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    with timings.step("re-create indexes"):
        for _, definition in indexes:
            conn.exec_driver_sql(definition)
    with timings.step("re-add foreign keys (checked)"):
        for table, name, definition in foreign_keys:
            conn.exec_driver_sql(f'ALTER TABLE "{table.strip(chr(34))}" ADD CONSTRAINT "{name}" {definition}')


# -- the panel -------------------------------------------------------------------------------------


@dataclass
class Panel:
    organizations: list[dict] = field(default_factory=list)
    providers: list[dict] = field(default_factory=list)
    lawyers_by_area: dict[str, list[int]] = field(default_factory=dict)
    everyone_by_area: dict[str, list[int]] = field(default_factory=dict)
    max_open: dict[int, int] = field(default_factory=dict)


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    return rng.choice(SURNAMES) + given


def build_panel(rng: random.Random, n_providers: int, n_organizations: int, now: dt.datetime) -> Panel:
    panel = Panel()
    centres = len(AREAS)
    rest = max(n_organizations - centres, 2)
    offices = max(rest // 5, 1)
    firms = rest - offices
    orgs: list[tuple[str, str]] = [("centre", area) for area in AREAS]
    orgs += [("law_firm", AREAS[i % len(AREAS)]) for i in range(firms)]
    orgs += [("legal_service_office", AREAS[i % len(AREAS)]) for i in range(offices)]
    created = now - dt.timedelta(days=HISTORY_DAYS + 30)
    for org_id, (kind, area) in enumerate(orgs, 1):
        if kind == "centre":
            name = f"{area}法律援助中心"
        elif kind == "law_firm":
            name = f"{area}{rng.choice(FIRM_WORDS)}律师事务所（第{org_id}所）"
        else:
            name = f"{area}第{org_id}法律服务所"
        panel.organizations.append(
            {"id": org_id, "name": name, "kind": kind, "area": area, "created_at": created}
        )

    # Firm sizes are skewed (a few large firms); centres keep a handful of staff lawyers.
    ids_of = {kind: [o["id"] for o in panel.organizations if o["kind"] == kind] for kind in ORG_KINDS}
    firm_ids, office_ids, centre_ids = ids_of["law_firm"], ids_of["legal_service_office"], ids_of["centre"]
    firm_weights = [rng.lognormvariate(0, 0.9) for _ in firm_ids]
    n_centre = min(len(centre_ids) * 5, n_providers // 20)
    n_advisers = int((n_providers - n_centre) * 0.15)
    n_firm = n_providers - n_centre - n_advisers
    homes = (
        [rng.choice(centre_ids) for _ in range(n_centre)]
        + rng.choices(firm_ids, firm_weights, k=n_firm)
        + [rng.choice(office_ids) for _ in range(n_advisers)]
    )
    area_of = {o["id"]: o["area"] for o in panel.organizations}
    offices_set = set(office_ids)
    today = now.date()
    for provider_id, org_id in enumerate(homes, 1):
        kind = "legal_adviser" if org_id in offices_set else "lawyer"
        area = area_of[org_id]
        max_open = rng.choice([8, 10, 10, 12, 15]) if kind == "lawyer" else rng.choice([5, 6, 8])
        panel.providers.append(
            {
                "id": provider_id,
                "name": person_name(rng),
                "kind": kind,
                "organization_id": org_id,
                "practice_since": today - dt.timedelta(days=rng.randint(200, 30 * 365)),
                "max_open_cases": max_open,
                "active": rng.random() > 0.03,
                "prior_legal_aid_cases": rng.choice([0, 0, 3, 10, 25, 60]),
                "phone": f"13{rng.randrange(10**9):09d}",
                "email": f"p{provider_id}@panel.example.cn",
                "created_at": created,
                # Python values: the JSON column type encodes them once, as the service does.
                "specialties": rng.sample(list(CASE_TYPE_SHARE), rng.randint(1, 2)),
                "areas": [area],
                "bank_account_stored": f"62220{provider_id:014d}",
                "bank_name": rng.choice(BANKS),
                "open_cases": 0,
            }
        )
        panel.max_open[provider_id] = max_open
        panel.everyone_by_area.setdefault(area, []).append(provider_id)
        if kind == "lawyer":
            panel.lawyers_by_area.setdefault(area, []).append(provider_id)
    return panel


def load_panel(conn, schema: Schema, panel: Panel, timings: Timings) -> tuple[bool, bool]:
    """Organisations and providers; returns whether each was loaded."""
    org_table = schema.table("Organization")
    if org_table is None:
        return False, False
    with timings.step("organization", len(panel.organizations)):
        insert_batches(conn, org_table, panel.organizations, list(panel.organizations[0]), schema)
    provider_table = schema.table("Provider")
    if provider_table is None:
        return True, False
    with timings.step("provider", len(panel.providers)):
        insert_batches(conn, provider_table, panel.providers, list(panel.providers[0]), schema)
    return True, True


# -- pools -----------------------------------------------------------------------------------------


def load_pools(
    conn, schema: Schema, panel: Panel, now: dt.datetime, timings: Timings
) -> dict[tuple[str, str], int]:
    """Per area a criminal pool (lawyers) and a pool for the other case types (everyone), at their
    starting state (clock 0, every member weight 1 and offset 0). Returns (case kind, area) → pool id."""
    pool_table = schema.table("RotationPool")
    if pool_table is None:
        return {}
    pools, scopes, members = [], [], []
    pool_of: dict[tuple[str, str], int] = {}
    other_types = [t for t in CASE_TYPE_SHARE if t != "criminal"]
    for area in AREAS:
        for group, case_types, kinds, people in (
            ("criminal", ["criminal"], ["lawyer"], panel.lawyers_by_area.get(area, [])),
            ("other", other_types, ["lawyer", "legal_adviser"], panel.everyone_by_area.get(area, [])),
        ):
            pool_id = len(pools) + 1
            label = "刑事" if group == "criminal" else "民事行政"
            pools.append(
                {
                    "id": pool_id,
                    "name": f"{area}{label}轮派",
                    "case_types": case_types,
                    "provider_kinds": kinds,
                    "area": area,
                    "clock": 0.0,
                    "active_weight": float(len(people)),
                    "weights": [1.0],
                    "created_at": now - dt.timedelta(days=HISTORY_DAYS),
                }
            )
            pool_of[(group, area)] = pool_id
            for case_type in case_types:
                scopes.append(
                    {"id": len(scopes) + 1, "pool_id": pool_id, "case_type": case_type, "area_key": area}
                )
            for provider_id in people:
                members.append(
                    {
                        "pool_id": pool_id,
                        "provider_id": provider_id,
                        "weight": 1.0,
                        "turn_offset": 0.0,
                        "turns": 0,
                        "joined_at": now - dt.timedelta(days=HISTORY_DAYS),
                    }
                )
    for model_name, rows in (("RotationPool", pools), ("PoolScope", scopes), ("PoolMember", members)):
        table = pool_table if model_name == "RotationPool" else schema.table(model_name)
        if table is None:
            continue
        with timings.step(table.name, len(rows)):
            insert_batches(conn, table, rows, list(rows[0]), schema)
    return pool_of


# -- cases and assignments -------------------------------------------------------------------------

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
        live = status in ("assigned", "in_progress")
        provider = rng.choice(people)
        if live:  # respect the cap, as rotation does
            for _ in range(5):
                if self.open_count.get(provider, 0) < self.panel.max_open[provider]:
                    break
                provider = rng.choice(people)
            self.open_count[provider] = self.open_count.get(provider, 0) + 1
        accepted = None if status == "assigned" else at + dt.timedelta(hours=rng.randint(1, 40))
        ended = (
            None
            if live
            else min(at + dt.timedelta(days=rng.randint(30, 300)), self.now - dt.timedelta(days=2))
        )
        self._row(
            case_id,
            provider,
            pool_id if rotation else None,
            mode,
            "offered" if status == "assigned" else "accepted",
            live,
            at,
            accepted=accepted,
            ended=ended,
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
                    "UPDATE provider p SET open_cases = live.n FROM (SELECT provider_id, count(*) AS n "
                    "FROM assignment WHERE live GROUP BY provider_id) live WHERE live.provider_id = p.id"
                )
            )


def _drain(chunks: list[list[tuple]]) -> Iterator[list[tuple]]:
    while chunks:
        yield chunks.pop(0)


SEQUENCED_TABLES = (
    "organization",
    "provider",
    "rotation_pool",
    "pool_scope",
    "legal_case",
    "assignment",
    "user_account",
    "hearing",
    "observation",
    "follow_up_call",
    "call_attempt",
    "score_sheet",
    "archive_record",
    "payment_batch",
    "subsidy",
    "consultation",
    "complaint",
)


def finish(conn: sa.Connection, schema: Schema, timings: Timings) -> None:
    """Move each id sequence past the explicit ids; refresh the planner's statistics."""
    with timings.step("sequences and ANALYZE"):
        for table in SEQUENCED_TABLES:
            if table in schema.db_tables:
                conn.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f'(SELECT coalesce(max(id), 0) + 1 FROM "{table}"), false)'
                    )
                )
        conn.commit()
        # VACUUM too: the visibility map lets counts and lists use index-only scans, as on a live
        # database that autovacuum keeps.
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")


def refuse_unless_empty(conn: sa.Connection, schema: Schema) -> None:
    for table in ("organization", "provider", "legal_case", "assignment"):
        if table in schema.db_tables and conn.scalar(sa.text(f'SELECT EXISTS (SELECT 1 FROM "{table}")')):
            raise SystemExit(f"{table} already has rows; use an empty database or one named bench_*")


def generate(
    url: str,
    *,
    providers: int,
    cases: int,
    organizations: int | None = None,
    seed: int = 2026,
    prepare: bool = True,
) -> Timings:
    """Fill the database at ``url``: the panel, pools, cases and assignments, then every later stage
    (bench/generate_stages.py). ``prepare=False`` takes the schema as it is (tests: already migrated)."""
    import generate_stages

    n_orgs = organizations or max(providers // 33, len(AREAS) + 5)
    timings = Timings()
    if prepare:
        with timings.step("schema (legalaid db upgrade)"):
            benchdb.prepare(url, benchdb.app_environment(url))

    from legalaid.config import database_url

    engine = sa.create_engine(database_url(url, "."), insertmanyvalues_page_size=INSERT_BATCH)
    schema = Schema(engine)
    now = clock.now().replace(microsecond=0)
    rng = random.Random(seed)
    try:
        with engine.connect() as conn:
            refuse_unless_empty(conn, schema)
            conn.exec_driver_sql("SET synchronous_commit = off")
            with timings.step("build panel in memory"):
                panel = build_panel(rng, providers, n_orgs, now)
            _, providers_loaded = load_panel(conn, schema, panel, timings)
            pool_of = load_pools(conn, schema, panel, now, timings) if providers_loaded else {}
            conn.commit()
            if providers_loaded and cases:
                history = History(rng, panel, pool_of, cases, now, with_assignments=True)
                load_history(conn, schema, history, timings)
                conn.commit()
                generate_stages.load_stages(engine, conn, schema, rng, now, timings)
                conn.commit()
            finish(conn, schema, timings)
    finally:
        engine.dispose()
    return timings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--organizations", type=int, help="default: providers / 33")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="default: $DATABASE_URL, else a fresh local bench_data")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    if not 20 <= args.providers <= 1_000_000 or not 0 <= args.cases <= 20_000_000:
        parser.error("--providers 20…1,000,000 and --cases 0…20,000,000")
    url = benchdb.database_url(args.database_url, "bench_data")
    if not benchdb.libpq_url(url).startswith("postgresql://"):
        parser.error("generate.py writes with PostgreSQL COPY; give a PostgreSQL DATABASE_URL")
    started = time.monotonic()
    print(f"database: {url}  ({'recreated' if benchdb.is_bench_owned(url) else 'must be empty'})")
    timings = generate(
        url, providers=args.providers, cases=args.cases, organizations=args.organizations, seed=args.seed
    )
    timings.report(time.monotonic() - started)


if __name__ == "__main__":
    main()
