"""Shared by the generator's modules (bench/generate.py): the vocabulary, progress lines and timings,
the schema (models ∩ migrated database) and the two ways of writing (Core INSERT batches, COPY)."""

from __future__ import annotations

import contextlib
import random
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa

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


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    return rng.choice(SURNAMES) + given


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
