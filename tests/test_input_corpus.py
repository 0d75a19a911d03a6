"""Every API operation answers every class of hostile input with a 4xx and the contract's error body,
never a 500 (API.md "A 500 is a bug; no input may cause one"; issue 10, item 3).

The operations are not listed here: they are read from the app's URL map, and each bad value is put
into every field of the operation's body schema (``body_schema``, set by ``legalaid.api.use_body``)
and of the query-argument schemas the operation reads (found by watching one ordinary request). The
database holds the demo district, so path ids name real rows and a request gets as far as it can.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import Counter
from dataclasses import dataclass, field

import marshmallow as ma
import pytest
import sqlalchemy as sa

from legalaid import create_app
from legalaid.answers import close_head_reader
from legalaid.api import API_PREFIX
from legalaid.db import db
from tests.conftest import ON_POSTGRES, PASSWORD, _config, _reset_to_migrated_state

HUGE_ID = 99_999_999_999  # above a signed 32-bit integer column
HUGE_INT = 10**20  # above a signed 64-bit one
GIANT = "x" * 20_000  # far above every column; a body with it in every field stays below 1 MiB
DEEP = 1000

# Where each path argument's real id comes from.
PATH_ID_TABLES = {
    "assignment_id": "assignment",
    "batch_id": "payment_batch",
    "call_id": "follow_up_call",
    "case_id": "legal_case",
    "checklist_id": "checklist",
    "complaint_id": "complaint",
    "consultation_id": "consultation",
    "flag_id": "red_flag",
    "hearing_id": "hearing",
    "observation_id": "observation",
    "pool_id": "rotation_pool",
    "provider_id": "provider",
    "rota_id": "duty_rota",
    "sheet_id": "score_sheet",
    "shift_id": "duty_shift",
    "station_id": "station",
    "subsidy_id": "subsidy",
    "swap_id": "duty_swap",
    "user_id": "user_account",
}
PATH_TEXT = {"day": "2026-05-01", "month": "2026-05"}


@pytest.fixture(scope="module")
def demo_app(migrated_url, tmp_path_factory):
    """The app on the demo district (built once for this module), with a user holding every role."""
    from legalaid.demo import run_demo
    from legalaid.users import create_user

    if ON_POSTGRES:
        url = migrated_url
    else:
        path = tmp_path_factory.mktemp("corpus") / "demo.sqlite3"
        shutil.copyfile(migrated_url.removeprefix("sqlite:///"), path)
        url = f"sqlite:///{path}"
    app = create_app(_config(url))
    if ON_POSTGRES:
        _reset_to_migrated_state(app)
    with app.app_context():
        run_demo(db.session, progress=lambda *args: None)
        from assignment.models import Organization, Provider

        org = db.session.scalars(sa.select(Organization).order_by(Organization.id)).first()
        provider = Provider(
            name="Corpus Provider", kind="lawyer", organization_id=org.id, practice_since=dt.date(2010, 1, 1)
        )
        db.session.add(provider)
        db.session.flush()
        create_user(
            db.session,
            None,
            "everyone",
            PASSWORD,
            ["admin", "coordinator", "supervisor", "provider", "finance", "desk"],
            provider_id=provider.id,
        )
        db.session.commit()
        ids = {
            arg: db.session.scalar(sa.text(f"SELECT min(id) FROM {table}"))  # noqa: S608 (fixed names)
            for arg, table in PATH_ID_TABLES.items()
        }
    app.config["CORPUS_IDS"] = ids
    yield app
    with app.app_context():
        close_head_reader(app)
        db.session.remove()
        db.engine.dispose()


@dataclass
class Operation:
    method: str
    rule: str
    args: list[str]
    body_schema: type[ma.Schema] | None
    query_schemas: list[type[ma.Schema]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.method} {self.rule}"

    def path(self, ids: dict, **override) -> str:
        path = self.rule
        for arg in self.args:
            value = override.get(arg, ids.get(arg) if arg in PATH_ID_TABLES else PATH_TEXT[arg])
            path = path.replace(f"<int:{arg}>", str(value)).replace(f"<{arg}>", str(value))
        return path


def api_operations(app) -> list[Operation]:
    ops = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(API_PREFIX):
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            unknown = [a for a in rule.arguments if a not in PATH_ID_TABLES and a not in PATH_TEXT]
            assert not unknown, f"{rule.rule}: say where {unknown} comes from in PATH_ID_TABLES"
            ops.append(
                Operation(method, rule.rule, sorted(rule.arguments), getattr(view, "body_schema", None))
            )
    return ops


def sign_in(app, username="everyone"):
    client = app.test_client()
    response = client.post("/api/v1/session", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    return client


@pytest.fixture(scope="module")
def corpus(demo_app):
    """The operations, with the query schemas each one reads (seen on one ordinary request)."""
    ops = api_operations(demo_app)
    client = sign_in(demo_app)
    ids = demo_app.config["CORPUS_IDS"]
    seen: list[type[ma.Schema]] = []
    load = ma.Schema.load

    def watching(self, data, *args, **kwargs):
        if self.unknown == ma.EXCLUDE:  # legalaid.api.query_args; bodies are loaded with RAISE
            seen.append(type(self))
        return load(self, data, *args, **kwargs)

    ma.Schema.load = watching
    try:
        for op in ops:
            if op.method == "GET":
                seen.clear()
                client.get(op.path(ids))
                op.query_schemas = list(dict.fromkeys(seen))
    finally:
        ma.Schema.load = load
    return ops


# --- filling a schema with one kind of bad value -------------------------------------------------


def _kind(f: ma.fields.Field) -> str | None:
    if isinstance(f, ma.fields.String):
        return "string"
    if isinstance(f, ma.fields.Date):
        return "date"
    if isinstance(f, ma.fields.DateTime):
        return "datetime"
    if isinstance(f, ma.fields.Number):
        return "number"
    return None


def fill(schema: type[ma.Schema] | ma.Schema, values: dict[str, object]) -> dict:
    """A body with ``values[kind]`` in every field of that kind (into lists, nested schemas, dicts)."""
    schema = schema() if isinstance(schema, type) else schema
    out = {}
    for name, f in schema.fields.items():
        if f.dump_only:
            continue
        value = _value_for(f, values)
        if value is not None:
            out[f.data_key or name] = value
    return out


def _value_for(f: ma.fields.Field, values: dict):
    if isinstance(f, ma.fields.Nested):
        inner = fill(f.schema, values)
        return ([inner] if f.many else inner) or None
    if isinstance(f, ma.fields.List):
        inner = _value_for(f.inner, values)
        return [inner] if inner is not None else None
    if isinstance(f, ma.fields.Dict):
        inner = _value_for(f.value_field, values) if f.value_field else None
        return {"cause": inner} if inner is not None else None
    return values.get(_kind(f))


def query_fill(op: Operation, values: dict) -> dict:
    out = {}
    for schema in op.query_schemas:
        for name, f in schema().fields.items():
            value = values.get(_kind(f))
            if value is not None:
                out[f.data_key or name] = str(value)
    return out


# --- the classes of bad input ----------------------------------------------------------------------


@dataclass
class Bad:
    """One request: a path override, a query, a raw body and its content type."""

    path: dict = field(default_factory=dict)
    query: str = ""
    body: bytes | None = None
    content_type: str = "application/json"
    expect: tuple[int, ...] = ()


def _json(data) -> bytes:
    return json.dumps(data).encode()  # ensure_ascii: a lone surrogate travels as \ud800


def _strings(op: Operation, value: str) -> list[Bad]:
    out = []
    body = fill(op.body_schema, {"string": value}) if op.body_schema else {}
    out.append(Bad(body=_json(body or {"note": value})))
    query = query_fill(op, {"string": value})
    if query:
        out.append(Bad(query="&".join(f"{k}={_quote(v)}" for k, v in query.items())))
    return out


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def deep_json(op):
    nested = "[" * DEEP + "]" * DEEP
    return [Bad(body=b'{"x": ' + nested.encode() + b"}", expect=(400,))]


def lone_surrogate(op):
    # In the body as the JSON escape \ud800; in the query string as its (invalid) UTF-8 bytes.
    return [*_strings(op, "\ud800"), Bad(query="q=%ED%A0%80", expect=(400,))]


def nul(op):
    return [*_strings(op, "a\x00b"), Bad(query="q=a%00b", expect=(400,))]


def huge_int(op):
    out = []
    if op.body_schema:
        body = fill(op.body_schema, {"number": HUGE_INT})
        if body:
            out.append(Bad(body=_json(body)))
    query = query_fill(op, {"number": 2**63 - 1})
    if query:
        out.append(Bad(query="&".join(f"{k}={v}" for k, v in query.items())))
    return out


def huge_path_id(op):
    ints = [a for a in op.args if a in PATH_ID_TABLES]
    if not ints:
        return []
    return [
        Bad(path={a: HUGE_ID for a in ints}, expect=(404,)),
        Bad(path={a: "9" * 5000 for a in ints}, expect=(404,)),
    ]


def giant_string(op):
    out = []
    if op.body_schema:
        body = fill(op.body_schema, {"string": GIANT})
        if body:
            out.append(Bad(body=_json(body)))
    query = query_fill(op, {"string": "x" * 5000})
    if query:
        out.append(Bad(query="&".join(f"{k}={v}" for k, v in query.items())))
    return out


def absurd_date(op):
    out = []
    for day, moment in (
        ("9999-12-31", "9999-12-31T10:00:00+08:00"),
        ("0001-01-01", "0001-01-01T00:00:00+00:00"),
    ):
        values = {"date": day, "datetime": moment}
        if op.body_schema:
            body = fill(op.body_schema, values)
            if body:
                out.append(Bad(body=_json(body)))
        query = query_fill(op, values)
        if query:
            out.append(Bad(query="&".join(f"{k}={v}" for k, v in query.items())))
        if "day" in op.args:
            out.append(Bad(path={"day": day}))
    return out


def oversize_body(op):
    return [Bad(body=b'{"x": "' + b"x" * (1024 * 1024) + b'"}', expect=(413,))]


def wrong_content_type(op):
    return [
        Bad(body=b"reason=x&username=x", content_type="application/x-www-form-urlencoded"),
        Bad(body=b'{"reason": "x"}', content_type="text/plain"),
    ]


CLASSES = {
    f.__name__: f
    for f in (
        deep_json,
        lone_surrogate,
        nul,
        huge_int,
        huge_path_id,
        giant_string,
        absurd_date,
        oversize_body,
        wrong_content_type,
    )
}


def send(client, op: Operation, ids: dict, bad: Bad):
    path = op.path(ids, **bad.path) + (f"?{bad.query}" if bad.query else "")
    kwargs = {}
    if bad.body is not None:
        kwargs = {"data": bad.body, "content_type": bad.content_type}
    return client.open(path, method=op.method, **kwargs)


def problem(response, bad: Bad) -> str | None:
    """Why this answer breaks the contract, or None."""
    if not 400 <= response.status_code < 500:
        return f"status {response.status_code}"
    if bad.expect and response.status_code not in bad.expect:
        return f"status {response.status_code}, expected {bad.expect}"
    body = response.get_json(silent=True)
    error = body.get("error") if isinstance(body, dict) else None
    if not (
        isinstance(error, dict)
        and isinstance(error.get("code"), str)
        and isinstance(error.get("message"), str)
    ):
        return f"no error body: {response.get_data(as_text=True)[:200]!r}"
    return None


def run_class(app, ops, name, client) -> tuple[int, list[str], Counter]:
    """Send one class to every operation: (operations it applies to, failures, status counts)."""
    ids = app.config["CORPUS_IDS"]
    applied, failures, statuses, with_5xx = 0, [], Counter(), set()
    for op in ops:
        requests = CLASSES[name](op)
        if not requests:
            continue
        applied += 1
        for bad in requests:
            response = send(client, op, ids, bad)
            statuses[response.status_code] += 1
            if response.status_code >= 500:
                with_5xx.add(op.name)
            why = problem(response, bad)
            if why:
                failures.append(
                    f"{op.name} {bad.path or ''}{bad.query[:60]} {(bad.body or b'')[:80]!r}: {why}"
                )
    answers = dict(sorted(statuses.items()))
    print(f"\n{name}: {applied} operations, {len(with_5xx)} with a 5xx, answers {answers}")
    return applied, failures, statuses


@pytest.mark.parametrize("name", list(CLASSES))
def test_every_operation_refuses_bad_input_with_a_4xx(demo_app, corpus, name):
    applied, failures, statuses = run_class(demo_app, corpus, name, sign_in(demo_app))
    assert not failures, f"{len(failures)} answers break the contract:\n" + "\n".join(failures)


@pytest.mark.parametrize("name", list(CLASSES))
def test_sign_in_refuses_bad_input_before_anyone_is_signed_in(demo_app, corpus, name):
    session_ops = [op for op in corpus if op.rule == "/api/v1/session" and op.method == "POST"]
    applied, failures, _statuses = run_class(demo_app, session_ops, name, demo_app.test_client())
    assert not failures, "\n".join(failures)


def test_deep_json_is_refused_everywhere_without_signing_in(demo_app, corpus):
    applied, failures, _statuses = run_class(demo_app, corpus, "deep_json", demo_app.test_client())
    assert applied == len(corpus)
    assert not failures, "\n".join(failures)


def test_the_corpus_reaches_the_query_arguments(corpus):
    """The watch found the query schemas (a corpus that sends nothing proves nothing)."""
    with_query = [op.name for op in corpus if op.query_schemas]
    assert len(with_query) >= 20, with_query
    assert sum(op.body_schema is not None for op in corpus) >= 40


# --- pages: every form post, with the same classes of bad value ---------------------------------------

PAGE_ID_TABLES = {
    **PATH_ID_TABLES,
    "conflict_id": "provider_conflict",
    "leave_id": "provider_leave",
    "material_id": "guidance_material",
    "organization_id": "organization",
    "rate_id": "subsidy_rate",
    "user_id": "user_account",
}
PAGE_TEXT = {"fmt": "csv", "action": "hold", "token": "not-a-token", "month": "2026-05"}
# Signing out or switching the language would end the corpus's own session, not test a form.
PAGE_SKIPPED = {"/logout", "/language"}

PAGE_VALUES = {
    "far_future": {
        "text": GIANT,
        "date": "9999-12-31",
        "datetime": "9999-12-31T23:00",
        "int": str(10**20),
        "float": "1e400",
    },
    "far_past": {
        "text": "x" * 5000,
        "date": "0001-01-01",
        "datetime": "0001-01-01T00:00",
        "int": str(-(10**20)),
        "float": "-1e400",
    },
}


def _page_kind(field) -> str | None:
    from wtforms import fields as wf

    if isinstance(field, wf.FileField | wf.BooleanField | wf.SubmitField):
        return None
    if isinstance(field, wf.DateTimeLocalField):
        return "datetime"
    if isinstance(field, wf.DateField):
        return "date"
    if isinstance(field, wf.IntegerField):
        return "int"
    if isinstance(field, wf.FloatField | wf.DecimalField):
        return "float"
    if isinstance(field, wf.SelectField | wf.RadioField) and getattr(field, "coerce", str) is int:
        return "int"
    return "text"


@pytest.fixture(scope="module")
def page_forms(demo_app):
    """Each page rule's form fields (name, kind), seen by instantiating them on one plain request."""
    from flask_wtf import FlaskForm

    ids = {a: demo_app.config["CORPUS_IDS"].get(a) for a in PATH_ID_TABLES}
    with demo_app.app_context():
        for arg, table in PAGE_ID_TABLES.items():
            if arg not in ids:
                ids[arg] = db.session.scalar(sa.text(f"SELECT min(id) FROM {table}"))  # noqa: S608
    client = sign_in(demo_app)
    seen: dict[str, str] = {}
    init = FlaskForm.__init__

    def watching(self, *args, **kwargs):
        init(self, *args, **kwargs)
        for f in self:
            kind = _page_kind(f)
            if kind and f.name != "csrf_token":
                seen[f.name] = kind

    rules = []
    for rule in sorted(demo_app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.rule.startswith(("/api/", "/static/")) or rule.rule in PAGE_SKIPPED:
            continue
        path = rule.rule
        for arg in rule.arguments:
            value = ids.get(arg) if arg in PAGE_ID_TABLES else PAGE_TEXT[arg]
            path = path.replace(f"<int:{arg}>", str(value)).replace(f"<{arg}>", str(value))
        rules.append((rule, path))
    FlaskForm.__init__ = watching
    try:
        found = {}
        for rule, path in rules:
            seen.clear()
            if "GET" in rule.methods:
                client.get(path)
            if "POST" in rule.methods:
                client.post(path, data={})
            found[rule.rule] = (path, sorted(rule.methods - {"HEAD", "OPTIONS"}), dict(seen))
    finally:
        FlaskForm.__init__ = init
    return found


@pytest.mark.parametrize("variant", list(PAGE_VALUES))
def test_no_page_form_answers_bad_input_with_a_500(demo_app, page_forms, variant):
    client = sign_in(demo_app)
    values = PAGE_VALUES[variant]
    posted, failures = 0, []
    for rule, (path, methods, fields) in page_forms.items():
        if "POST" not in methods or not fields:
            continue
        posted += 1
        data = {name: values[kind] for name, kind in fields.items()}
        response = client.post(path, data=data)
        if response.status_code >= 500:
            failures.append(f"POST {rule}: {response.status_code}")
    print(f"\npages ({variant}): {posted} form posts")
    assert posted >= 25
    assert not failures, "\n".join(failures)


def test_no_page_answers_nul_with_anything_but_a_400(demo_app, page_forms):
    client = sign_in(demo_app)
    failures = []
    for rule, (path, methods, fields) in page_forms.items():
        if "POST" in methods and fields:
            response = client.post(path, data=dict.fromkeys(fields, "a\x00b"))
            if response.status_code != 400:
                failures.append(f"POST {rule}: {response.status_code}")
        if "GET" in methods:
            response = client.get(path + "?q=a%00b")
            if response.status_code != 400:
                failures.append(f"GET {rule}: {response.status_code}")
    assert not failures, "\n".join(failures)
