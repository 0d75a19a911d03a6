"""Every API operation answers every class of hostile input with a 4xx and the contract's error body,
never a 500 (API.md "A 500 is a bug; no input may cause one"; issue 10, item 3).

The operations are not listed here: they are read from the app's URL map, and each bad value is put
into every field of the operation's body schema (``body_schema``, set by ``legalaid.api.use_body``)
and of the query-argument schemas the operation reads (found by watching one ordinary request). The
database holds the demo district, so path ids name real rows and a request gets as far as it can. The
classes of bad input and how each is put into an operation: tests/bad_input.py.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter

import marshmallow as ma
import pytest
import sqlalchemy as sa

from legalaid import create_app
from legalaid.answers import close_head_reader
from legalaid.db import db
from tests.bad_input import CLASSES, GIANT, PATH_ID_TABLES, api_operations, problem, send
from tests.conftest import ON_POSTGRES, PASSWORD, _config, _reset_to_migrated_state


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
