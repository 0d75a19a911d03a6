"""Shared fixtures. The database is SQLite in a temporary folder, or PostgreSQL when
``LEGALAID_TEST_DATABASE_URL`` names one (CI gives each run a fresh database).

The schema is made once per test session by the Alembic migrations (never ``create_all``); each test
then starts from the freshly migrated state: SQLite copies a migrated template file; PostgreSQL
deletes every row (25x cheaper than TRUNCATE for a few rows in 40 tables) and puts back the rows the
migrations seed (checklists, rates, the audit chain head).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import shutil
import tempfile
import threading

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from hypothesis import settings
from werkzeug.serving import make_server

from legalaid import clock, create_app
from legalaid.answers import close_head_reader
from legalaid.db import db
from tests.seeded_rows import SEEDED_ROWS  # one dict for every copy of this module (see there)

# Property tests explore new histories on every local run; in CI they replay a fixed set, so a
# submission is never red by chance (a counterexample found locally is fixed, then kept as a test).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

# The centre's clock for the whole suite: today by default, or the day LEGALAID_TEST_TODAY names (CI runs
# the suite again on 31 December of a leap year), always at 10:00 at the centre so no test straddles
# midnight. Set at import, before test modules compute their dates.
TEST_TODAY = dt.date.fromisoformat(os.environ.get("LEGALAID_TEST_TODAY") or clock.today().isoformat())
clock.travel_to(TEST_TODAY)


@pytest.fixture(autouse=True)
def centre_clock():
    """Each test starts on TEST_TODAY at 10:00 at the centre; a test may ``travel_to`` another day."""
    clock.travel_to(TEST_TODAY)
    yield clock
    clock.travel_to(TEST_TODAY)


# Files prepared in the background (legalaid.export_jobs) go to a folder of this test run, not the
# source tree's instance folder.
EXPORT_FOLDER = tempfile.mkdtemp(prefix="legalaid-exports-")

PG_URL = os.environ.get("LEGALAID_TEST_DATABASE_URL")
ON_POSTGRES = bool(PG_URL)
PASSWORD = "Test-passw0rd"


def _config(url: str, **extra) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast in tests; production uses scrypt
        "BABEL_DEFAULT_LOCALE": "en",
        "WTF_CSRF_ENABLED": False,  # on in the tests about CSRF and for the live server
        "EXPORT_FOLDER": EXPORT_FOLDER,
        **extra,
    }


def database_url_for_tests(tmp_path_factory) -> str:
    from legalaid.config import database_url

    if ON_POSTGRES:
        return database_url(PG_URL, "")
    return f"sqlite:///{tmp_path_factory.getbasetemp() / 'template.sqlite3'}"


@pytest.fixture(scope="session")
def migrated_url(tmp_path_factory):
    """A database brought to the newest revision by the migrations, once per test session."""
    url = database_url_for_tests(tmp_path_factory)
    app = create_app(_config(url))
    with app.app_context():
        if ON_POSTGRES:
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        if ON_POSTGRES:
            with db.engine.connect() as conn:
                for table in db.metadata.sorted_tables:
                    rows = [dict(r) for r in conn.execute(sa.select(table)).mappings()]
                    if rows:
                        SEEDED_ROWS[table.name] = rows
        db.engine.dispose()
    return url


def _reset_to_migrated_state(app) -> None:
    with app.app_context(), db.engine.begin() as conn:
        tables = db.metadata.sorted_tables
        for table in reversed(tables):
            conn.execute(table.delete())
        for table in tables:
            if table.name in SEEDED_ROWS:
                conn.execute(table.insert(), SEEDED_ROWS[table.name])


@pytest.fixture
def database_url(migrated_url, tmp_path):
    if ON_POSTGRES:
        return migrated_url
    path = tmp_path / "test.sqlite3"
    shutil.copyfile(migrated_url.removeprefix("sqlite:///"), path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(database_url):
    """The app on an empty, migrated database."""
    app = create_app(_config(database_url))
    if ON_POSTGRES:
        _reset_to_migrated_state(app)
    yield app
    from legalaid.export_jobs import wait_for_exports

    wait_for_exports(app)  # a file still being written reads the database this teardown closes
    with app.app_context():
        close_head_reader(app)
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    """The database session inside an app context, for calling service functions directly."""
    with app.app_context():
        yield db.session
        db.session.rollback()


_counter = itertools.count(1)


@pytest.fixture
def make_user(app):
    """make_user(roles=("coordinator",), username=None, provider_id=None) -> user id."""

    def make(roles=("coordinator",), username=None, provider_id=None, password=PASSWORD, **extra):
        from legalaid.users import create_user

        with app.app_context():
            user = create_user(
                db.session,
                None,
                username or f"user{next(_counter)}",
                password,
                list(roles),
                provider_id=provider_id,
                **extra,
            )
            db.session.commit()
            return user.id

    return make


@pytest.fixture
def make_person(session):
    """make_person(*roles, provider_id=None, username=None, email=None) -> User, committed, in the
    test's ``session`` (for service-level tests that pass the user as the actor)."""
    from legalaid.users import create_user

    def make(*roles, provider_id=None, username=None, email=None):
        roles = roles or ("supervisor",)
        user = create_user(
            session,
            None,
            username or f"{roles[0]}{next(_counter)}",
            PASSWORD,
            list(roles),
            provider_id=provider_id,
            email=email,
        )
        session.commit()
        return user

    return make


@pytest.fixture
def make_organization(app):
    def make(name=None, kind="law_firm", area=None):
        from assignment.models import Organization

        with app.app_context():
            org = Organization(name=name or f"Firm {next(_counter)}", kind=kind, area=area)
            db.session.add(org)
            db.session.commit()
            return org.id

    return make


@pytest.fixture
def make_provider(app, make_organization):
    """make_provider(kind="lawyer", years=5, organization_id=None, **fields) -> provider id."""

    def make(kind="lawyer", years=5, organization_id=None, **fields):
        from assignment.models import Provider

        with app.app_context():
            provider = Provider(
                name=fields.pop("name", f"Provider {next(_counter)}"),
                kind=kind,
                organization_id=organization_id
                or make_organization(kind="law_firm" if kind == "lawyer" else "legal_service_office"),
                practice_since=clock.today() - dt.timedelta(days=int(365.25 * years) + 1),
                **fields,
            )
            db.session.add(provider)
            db.session.commit()
            return provider.id

    return make


CASE_STAGES = ("applied", "accepted", "assigned", "in_progress", "closed")


@pytest.fixture
def make_case_at():
    """The one case factory: ``make_case_at(session, stage="in_progress", ...) -> Case`` (flushed, not
    committed), built through the service functions, stage by stage:

    * ``applied``: ``intake.register_case`` (``intake``: more of its input, e.g. ``max_sentence``);
    * ``accepted``: approved by ``intake.decide_application`` (on ``decided_on``);
    * ``assigned``: offered to ``provider_id`` (required from here on), as the rotation's write leaves it
      (the pick itself is the rotation's tests' business; ``tests/assignment``);
    * ``in_progress``: accepted through ``rotation.accept_assignment``, which announces it to the other
      capabilities; ``announce=False`` accepts quietly and calls only the ``receivers`` given, for a
      capability's tests that keep the others' receivers out;
    * ``closed``: ``closing.close_case`` by the provider's login ``closed_by`` (one is made if none).

    ``columns`` are set on the case row after intake (facts a test states, e.g. ``major``); ``actor``
    registers and decides (``None``: the system)."""
    from assignment.intake import decide_application, register_case
    from assignment.models import Assignment, Provider
    from assignment.rotation import accept_assignment

    def make(
        session,
        stage="in_progress",
        *,
        case_type="civil",
        provider_id=None,
        actor=None,
        intake=None,
        columns=None,
        decided_on=None,
        assigned_by=None,
        assigned_at=None,
        respond_by=None,
        accepted_at=None,
        announce=True,
        receivers=(),
        closed_by=None,
        ended_on=None,
    ):
        if stage not in CASE_STAGES:
            raise ValueError(f"stage {stage!r}: one of {CASE_STAGES}")
        reached = CASE_STAGES.index(stage)
        intake = dict(intake or {})
        data = {
            "case_type": case_type,
            "cause": intake.pop("cause", "theft" if case_type == "criminal" else "contract"),
            "received_on": intake.pop("received_on", clock.today()),
            "applicant": intake.pop(
                "applicant", {"name": f"Applicant {next(_counter)}", "id_number": "110101199003077571"}
            ),
            **intake,
        }
        case = register_case(session, data, actor)
        if reached >= CASE_STAGES.index("accepted") and case.status == "applied":
            decide_application(session, case, actor, approved=True, means_test="checked", on=decided_on)
        for name, value in (columns or {}).items():
            setattr(case, name, value)
        session.flush()
        if reached < CASE_STAGES.index("assigned"):
            return case
        if provider_id is None:
            raise ValueError("a case assigned or beyond needs provider_id")
        at = assigned_at or clock.now() - dt.timedelta(days=1)
        assignment = Assignment(
            case_id=case.id,
            provider_id=provider_id,
            mode="rotation",
            status="offered",
            live=True,
            assigned_by=assigned_by,
            assigned_at=at,
            respond_by=respond_by or max(at, clock.now()) + dt.timedelta(days=1),
            explanation={},
        )
        session.add(assignment)
        session.get(Provider, provider_id).open_cases += 1
        case.status = "assigned"
        session.flush()
        if reached < CASE_STAGES.index("in_progress"):
            return case
        if announce:
            accept_assignment(session, assignment, None, now=accepted_at)
        else:
            assignment.status, assignment.accepted_at = "accepted", accepted_at or at
            case.status = "in_progress"
            for receive in receivers:
                receive(session, assignment=assignment, actor=None)
        session.flush()
        if reached < CASE_STAGES.index("closed"):
            return case
        from legalaid.users import create_user
        from supervision.scoring.closing import close_case, required_documents

        if closed_by is None:
            closed_by = create_user(
                session, None, f"provider{next(_counter)}", PASSWORD, ["provider"], provider_id=provider_id
            )
        close_case(
            session,
            case,
            closed_by,
            ended_on=ended_on or clock.today() - dt.timedelta(days=5),
            outcome="judgment",
            documents=required_documents(case_type),
        )
        session.flush()
        return case

    return make


class AuthActions:
    """Sign in through the API on a test client: ``auth.login("coord")``."""

    def __init__(self, client):
        self.client = client

    def login(self, username, password=PASSWORD):
        response = self.client.post("/api/v1/session", json={"username": username, "password": password})
        assert response.status_code == 200, response.get_json()
        return response

    def logout(self):
        return self.client.delete("/api/v1/session")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def as_role(app, make_user):
    """as_role("coordinator") -> a test client signed in as a new user with that role."""

    def sign_in(*roles, provider_id=None):
        username = f"{roles[0]}{next(_counter)}"
        make_user(roles=roles, username=username, provider_id=provider_id)
        c = app.test_client()
        AuthActions(c).login(username)
        return c

    return sign_in


@pytest.fixture
def count_queries(app):
    """``with count_queries() as q: ...`` then ``q.count``: pins N+1 regressions."""

    @contextlib.contextmanager
    def counting():
        class Counter:
            count = 0
            statements: list[str] = []

        def before(conn, cursor, statement, *args):
            if (
                not statement.lstrip()
                .upper()
                .startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"))
            ):
                Counter.count += 1
                Counter.statements.append(statement)

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", before)
        try:
            yield Counter
        finally:
            sa.event.remove(engine, "before_cursor_execute", before)

    return counting


@pytest.fixture
def live_server(app):
    """The app served by a real HTTP server in a thread, CSRF on; yields its base URL."""
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


CHROMIUM = os.environ.get("LEGALAID_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_instance():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Debian's Chromium is required at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser_instance, live_server):
    """A fresh browser page (own cookies); ``page.goto(live_server + "/login")``."""
    context = browser_instance.new_context(locale="en-GB", base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def login_page(page):
    """Sign in through the real login form: ``login_page("coord")``."""

    def sign_in(username, password=PASSWORD):
        page.goto("/login")
        page.fill("#username", username)
        page.fill("#password", password)
        page.click("#sign-in")
        page.wait_for_url(lambda url: "/login" not in url)
        return page

    return sign_in
