"""Sessions and headers (issue 10, item 5): security headers on every answer, sign-out ends the
session on the server, cookie-signed API writes only from this site and only with JSON, and every
change to who may do what is seen by every worker at its next request."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from legalaid import clock
from tests.conftest import PASSWORD, _config
from tests.subsidies import conftest as subsidy_fixtures

# Archived cases with payable subsidies, for the browser check of the finance queue.
facts = subsidy_fixtures.facts
make_case = subsidy_fixtures.make_case
make_provider_here = subsidy_fixtures.make_provider_here
payable = subsidy_fixtures.payable
staff = subsidy_fixtures.staff
subsidy_of = subsidy_fixtures.subsidy_of

SELF = "http://localhost"  # the Flask test client's origin
FOREIGN = "http://evil.example"


@pytest.fixture
def other_worker(app):
    """A second app on the same database: another gunicorn worker, with its own kept principals."""
    from legalaid import create_app
    from legalaid.answers import close_head_reader
    from legalaid.db import db

    worker = create_app(_config(app.config["SQLALCHEMY_DATABASE_URI"]))
    yield worker
    with worker.app_context():
        close_head_reader(worker)
        db.session.remove()
        db.engine.dispose()


def signed_in(flask_app, username):
    client = flask_app.test_client()
    response = client.post("/api/v1/session", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    return client


def cookie_of(client) -> str:
    return client.get_cookie("session").value


def with_cookie(flask_app, cookie: str):
    """A client that replays a session cookie taken from another one."""
    client = flask_app.test_client()
    client.set_cookie("session", cookie)
    return client


def in_app(flask_app, change):
    """Run ``change(session)`` in ``flask_app`` (as that worker would) and commit."""
    from legalaid.db import db

    with flask_app.app_context():
        change(db.session)
        db.session.commit()


# --- headers ---


def assert_security_headers(response):
    csp = response.headers.get("Content-Security-Policy", "")
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer")


@pytest.fixture
def failing_app(app):
    """The app with a page and an API endpoint that fail (a bug's 500)."""

    def boom():
        raise RuntimeError("a bug")

    app.add_url_rule("/boom", "boom", boom)
    app.add_url_rule("/api/v1/boom", "api_boom", boom)
    return app


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/login", 200),
        ("get", "/", 302),  # to the sign-in page
        ("get", "/static/app.css", 200),
        ("get", "/static/app.js", 200),
        ("get", "/api/v1/openapi.json", 200),
        ("get", "/api/v1/session", 401),
        ("get", "/no-such-page", 404),
        ("get", "/api/v1/no-such-thing", 404),
        ("put", "/api/v1/session", 405),
        ("get", "/boom", 500),
        ("get", "/api/v1/boom", 500),
    ],
)
def test_every_answer_carries_the_security_headers(failing_app, method, path, status):
    failing_app.logger.disabled = True  # the 500's traceback is expected
    response = getattr(failing_app.test_client(), method)(path)
    response.close()  # a static file's answer holds the file open
    assert response.status_code == status
    assert_security_headers(response)


def test_signed_in_pages_and_refusals_carry_them_too(as_role):
    coordinator = as_role("coordinator")
    assert_security_headers(coordinator.get("/"))
    assert_security_headers(coordinator.post("/api/v1/tokens", headers={"Origin": FOREIGN}))
    assert_security_headers(coordinator.get("/admin/users"))  # 403 page


def test_strict_transport_security_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    assert client.get("/login", base_url="https://localhost").headers["Strict-Transport-Security"]


TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def test_no_template_carries_inline_script_handlers_or_styles():
    """The policy runs no inline script or style: behaviours live in legalaid/static/*.js."""
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for pattern in (
            r"<script(?![^>]*\bsrc=)",
            r"\son[a-z]+\s*=",
            r"\sstyle\s*=",
            r"<style",
            "javascript:",
        ):
            found += [f"{path.relative_to(TEMPLATES)}: {m.group(0)!r}" for m in re.finditer(pattern, text)]
    assert found == []


@pytest.mark.browser
def test_page_behaviours_work_under_the_policy(page, login_page, payable, staff, session):
    """The finance queue's "choose all" box runs from legalaid/static/app.js; Chromium reports no
    violation of the policy on the way (an inline script or style would be one)."""
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    payable(2)
    clerk = staff("finance").username
    session.commit()
    login_page(clerk)
    page.goto("/finance/subsidies")
    page.wait_for_load_state()
    boxes = page.locator("input[name=subsidy_ids]")
    assert boxes.count() == 2
    page.check("#choose-all")
    assert all(boxes.nth(i).is_checked() for i in range(2))
    page.uncheck("#choose-all")
    assert not any(boxes.nth(i).is_checked() for i in range(2))
    assert violations == []


# --- sign-out ends the session on the server ---


def test_a_cookie_copied_before_api_sign_out_is_refused_after_it(app, make_user):
    make_user(username="chen")
    client = signed_in(app, "chen")
    copy = cookie_of(client)
    assert with_cookie(app, copy).get("/api/v1/session").status_code == 200
    assert client.delete("/api/v1/session").status_code == 204
    replay = with_cookie(app, copy)
    assert replay.get("/api/v1/session").status_code == 401
    assert replay.post("/api/v1/tokens").status_code == 401
    assert client.get("/api/v1/session").status_code == 401


def test_a_cookie_copied_before_page_sign_out_gets_the_sign_in_page(app, make_user):
    make_user(username="chen")
    client = app.test_client()
    response = client.post("/login", data={"username": "chen", "password": PASSWORD})
    assert response.status_code in (302, 303)
    copy = cookie_of(client)
    assert with_cookie(app, copy).get("/").status_code == 200
    assert client.post("/logout").status_code in (302, 303)
    response = with_cookie(app, copy).get("/")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


def test_sign_out_on_one_worker_ends_the_session_on_another(app, other_worker, make_user):
    make_user(username="chen")
    client = signed_in(app, "chen")
    elsewhere = with_cookie(other_worker, cookie_of(client))
    assert elsewhere.get("/api/v1/session").status_code == 200  # now kept by the other worker
    assert client.delete("/api/v1/session").status_code == 204
    assert elsewhere.get("/api/v1/session").status_code == 401


def test_sign_out_ends_only_that_sign_in(app, make_user):
    make_user(username="chen")
    laptop, phone = signed_in(app, "chen"), signed_in(app, "chen")
    assert laptop.delete("/api/v1/session").status_code == 204
    assert phone.get("/api/v1/session").status_code == 200


def test_sign_in_and_out_are_audited_once(app, make_user):
    import sqlalchemy as sa

    from legalaid.db import db
    from legalaid.models import AuditEntry

    make_user(username="chen")
    client = signed_in(app, "chen")
    copy = cookie_of(client)
    assert client.delete("/api/v1/session").status_code == 204
    assert with_cookie(app, copy).delete("/api/v1/session").status_code == 204  # already ended
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.object_type == "user_session")
            .order_by(AuditEntry.seq)
        ).all()
    assert actions == ["session.start", "session.end"]


def test_a_cookie_without_a_server_session_signs_nobody_in(app, make_user):
    """A cookie signed with the right key but naming no session (as issued before sessions were kept)."""
    uid = make_user(username="chen")
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = str(uid)
        cookie["_fresh"] = True
    assert client.get("/api/v1/session").status_code == 401


# --- cookie-signed API writes: this site only, JSON only ---


@pytest.fixture
def accepted_case(app):
    """An accepted case's id (registered and approved by the system)."""
    from assignment.intake import decide_application, register_case
    from legalaid.db import db

    with app.app_context():
        case = register_case(
            db.session,
            {
                "case_type": "civil",
                "cause": "contract",
                "received_on": clock.today(),
                "applicant": {"name": "Applicant", "id_number": "110101199003077571"},
            },
            None,
        )
        decide_application(db.session, case, None, approved=True, means_test="checked")
        db.session.commit()
        return case.id


def case_status(app, case_id):
    from assignment.models import Case
    from legalaid.db import db

    with app.app_context():
        return db.session.get(Case, case_id).status


def error_code(response):
    return response.get_json()["error"]["code"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": FOREIGN},
        {"Origin": "null"},  # a sandboxed frame or a privacy-stripped origin
        {"Origin": "http://localhost.evil.example"},
        {"Referer": FOREIGN + "/page"},
        {"Origin": FOREIGN, "Referer": SELF + "/"},  # the Origin decides
    ],
)
def test_a_write_from_another_site_is_refused(app, as_role, accepted_case, headers):
    coordinator = as_role("coordinator")
    url = f"/api/v1/cases/{accepted_case}/withdraw"
    response = coordinator.post(url, json={"reason": "asked to"}, headers=headers)
    assert response.status_code == 403 and error_code(response) == "foreign_origin"
    assert case_status(app, accepted_case) == "accepted"


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data"]
)
def test_a_write_that_is_not_json_is_refused_even_empty(app, as_role, accepted_case, content_type):
    """The issue's attack: an empty form body withdrew the case."""
    coordinator = as_role("coordinator")
    url = f"/api/v1/cases/{accepted_case}/withdraw"
    for headers in ({"Origin": SELF}, {}):
        response = coordinator.post(url, data=b"", headers={**headers, "Content-Type": content_type})
        assert response.status_code == 400 and error_code(response) == "unsupported_media_type"
    assert case_status(app, accepted_case) == "accepted"


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": SELF},
        {"Referer": SELF + "/cases/1"},
        {},  # neither: not a browser (a script keeping its own cookie, like contract_smoke.py)
    ],
)
def test_a_json_write_from_this_site_goes_through(app, as_role, accepted_case, headers):
    coordinator = as_role("coordinator")
    url = f"/api/v1/cases/{accepted_case}/withdraw"
    response = coordinator.post(url, json={"reason": "asked to"}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert case_status(app, accepted_case) == "withdrawn"


def test_a_bodiless_write_needs_no_content_type(as_role):
    assert as_role("coordinator").post("/api/v1/tokens", headers={"Origin": SELF}).status_code == 201


def test_the_configured_public_address_is_this_site(app, as_role):
    """Behind a proxy that does not pass the browser's host, LEGALAID_BASE_URL names the site."""
    app.config["BASE_URL"] = "https://legalaid.example.org"
    coordinator = as_role("coordinator")
    ok = coordinator.post("/api/v1/tokens", headers={"Origin": "https://legalaid.example.org"})
    assert ok.status_code == 201
    assert coordinator.post("/api/v1/tokens", headers={"Origin": "https://example.org"}).status_code == 403


def test_sign_in_from_another_site_is_refused(app, make_user):
    make_user(username="chen")
    client = app.test_client()
    body = {"username": "chen", "password": PASSWORD}
    response = client.post("/api/v1/session", json=body, headers={"Origin": FOREIGN})
    assert response.status_code == 403 and error_code(response) == "foreign_origin"
    assert client.get("/api/v1/session").status_code == 401
    response = client.post("/api/v1/session", data=b"", content_type="text/plain", headers={"Origin": SELF})
    assert response.status_code == 400


def test_bearer_token_requests_are_not_affected(app, as_role, accepted_case):
    token = as_role("coordinator").post("/api/v1/tokens").get_json()["token"]
    script = app.test_client()
    headers = {"Authorization": f"Bearer {token}", "Origin": FOREIGN}
    response = script.post(
        f"/api/v1/cases/{accepted_case}/withdraw", json={"reason": "by script"}, headers=headers
    )
    assert response.status_code == 200


def test_page_forms_are_not_affected(as_role):
    """Pages carry CSRF tokens (off in these tests); a same-site form post works as before."""
    coordinator = as_role("coordinator")
    response = coordinator.post("/language", data={"locale": "en"}, headers={"Origin": SELF})
    assert response.status_code in (302, 303)


# --- revocation across workers ---


def test_disabling_a_user_ends_their_sessions_and_tokens_on_every_worker(app, other_worker, make_user):
    from legalaid import users

    make_user(username="chen")
    client = signed_in(app, "chen")
    token = client.post("/api/v1/tokens").get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    elsewhere = with_cookie(other_worker, cookie_of(client))
    script = other_worker.test_client()
    assert elsewhere.get("/api/v1/session").status_code == 200  # both kept by the other worker now
    assert script.get("/api/v1/session", headers=bearer).status_code == 200

    in_app(app, lambda s: users.disable_user(s, None, users.get_user_by_name(s, "chen")))

    assert elsewhere.get("/api/v1/session").status_code == 401
    assert script.get("/api/v1/session", headers=bearer).status_code == 401
    assert script.post("/api/v1/tokens", headers=bearer).status_code == 401


def test_new_roles_apply_at_the_next_request_on_every_worker(app, other_worker, make_user):
    from legalaid import users

    make_user(username="chen", roles=("admin",))
    elsewhere = with_cookie(other_worker, cookie_of(signed_in(app, "chen")))
    new_user = {"username": "wu", "password": PASSWORD, "roles": ["finance"]}
    assert elsewhere.post("/api/v1/users", json=new_user).status_code == 201

    in_app(app, lambda s: users.set_roles(s, None, users.get_user_by_name(s, "chen"), ["coordinator"]))

    assert elsewhere.get("/api/v1/session").get_json()["user"]["roles"] == ["coordinator"]
    refused = elsewhere.post("/api/v1/users", json={**new_user, "username": "zhao"})
    assert refused.status_code == 403


def test_a_revoked_token_is_refused_at_the_next_request_on_every_worker(app, other_worker, make_user):
    import sqlalchemy as sa

    from legalaid import users
    from legalaid.models import ApiToken

    make_user(username="script")
    client = signed_in(app, "script")
    first = client.post("/api/v1/tokens").get_json()["token"]
    second = client.post("/api/v1/tokens").get_json()["token"]
    script = other_worker.test_client()
    for token in (first, second):
        assert script.get("/api/v1/session", headers={"Authorization": f"Bearer {token}"}).status_code == 200

    def revoke_first(session):
        from legalaid.auth import token_digest

        token_id = session.scalar(sa.select(ApiToken.id).where(ApiToken.token_hash == token_digest(first)))
        users.revoke_token(session, None, token_id)

    in_app(app, revoke_first)

    assert script.get("/api/v1/session", headers={"Authorization": f"Bearer {first}"}).status_code == 401
    assert script.get("/api/v1/session", headers={"Authorization": f"Bearer {second}"}).status_code == 200
    assert client.get("/api/v1/session").status_code == 200  # the sign-in itself is not a token


def test_revoking_an_unknown_token_is_404(session):
    from legalaid import users
    from legalaid.errors import NotFound

    with pytest.raises(NotFound):
        users.revoke_token(session, None, 999999)
