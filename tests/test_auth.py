"""Sign-in, lockout, roles, tokens, CSRF: the foundation's people and roles."""

import pytest

from legalaid import clock
from tests.conftest import PASSWORD


def test_login_success_returns_user_and_roles(client, make_user):
    make_user(roles=("coordinator", "supervisor"), username="chen")
    response = client.post("/api/v1/session", json={"username": "chen", "password": PASSWORD})
    assert response.status_code == 200
    assert response.get_json()["user"]["roles"] == ["coordinator", "supervisor"]
    assert client.get("/api/v1/session").get_json()["user"]["username"] == "chen"


def test_session_cookie_is_httponly_and_samesite_lax(client, make_user):
    make_user(username="chen")
    response = client.post("/api/v1/session", json={"username": "chen", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_failure_is_401_with_error_body(client, make_user):
    make_user(username="chen")
    response = client.post("/api/v1/session", json={"username": "chen", "password": "wrong-password"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "not_authenticated"


def test_disabled_user_cannot_sign_in(client, make_user, runner):
    make_user(username="chen")
    assert runner.invoke(args=["users", "disable", "chen"]).exit_code == 0
    response = client.post("/api/v1/session", json={"username": "chen", "password": PASSWORD})
    assert response.status_code == 401


def test_five_failures_lock_out_for_fifteen_minutes(client, make_user, app):
    make_user(username="chen")
    for _ in range(5):
        assert (
            client.post("/api/v1/session", json={"username": "chen", "password": "nope-nope"}).status_code
            == 401
        )
    # Even the right password is refused while locked out.
    response = client.post("/api/v1/session", json={"username": "chen", "password": PASSWORD})
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "too_many_attempts"
    # From another address the username is not locked.
    other = client.post(
        "/api/v1/session",
        json={"username": "chen", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    assert other.status_code == 200


def test_lockout_expires_after_fifteen_minutes(client, make_user, app):
    import datetime as dt

    import sqlalchemy as sa

    from legalaid.db import db
    from legalaid.models import LoginFailure

    make_user(username="chen")
    for _ in range(5):
        client.post("/api/v1/session", json={"username": "chen", "password": "nope-nope"})
    with app.app_context():
        db.session.execute(sa.update(LoginFailure).values(at=clock.now() - dt.timedelta(minutes=16)))
        db.session.commit()
    assert client.post("/api/v1/session", json={"username": "chen", "password": PASSWORD}).status_code == 200


def test_anonymous_api_request_is_401_json(client):
    response = client.get("/api/v1/session")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "not_authenticated"


def test_role_refusal_is_403_on_the_api(as_role):
    provider_client = as_role("provider")
    response = provider_client.post(
        "/api/v1/users", json={"username": "x", "password": PASSWORD, "roles": ["admin"]}
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_admin_creates_user_through_the_api(as_role):
    admin = as_role("admin")
    response = admin.post(
        "/api/v1/users", json={"username": "fin", "password": PASSWORD, "roles": ["finance"]}
    )
    assert response.status_code == 201
    assert response.get_json()["roles"] == ["finance"]
    again = admin.post("/api/v1/users", json={"username": "fin", "password": PASSWORD, "roles": ["finance"]})
    assert again.status_code == 422 and "username" in again.get_json()["error"]["fields"]


def test_logout_ends_the_session(client, auth, make_user):
    make_user(username="chen")
    auth.login("chen")
    assert auth.logout().status_code == 204
    assert client.get("/api/v1/session").status_code == 401


def test_bearer_token_authenticates_scripts(app, client, auth, make_user):
    make_user(username="script")
    auth.login("script")
    token = client.post("/api/v1/tokens").get_json()["token"]
    fresh = app.test_client()
    response = fresh.get("/api/v1/session", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.get_json()["user"]["username"] == "script"
    assert fresh.get("/api/v1/session", headers={"Authorization": "Bearer la_forged"}).status_code == 401


def test_token_is_stored_hashed(app, client, auth, make_user):
    import sqlalchemy as sa

    from legalaid.db import db
    from legalaid.models import ApiToken

    make_user(username="script")
    auth.login("script")
    token = client.post("/api/v1/tokens").get_json()["token"]
    with app.app_context():
        stored = db.session.scalars(sa.select(ApiToken.token_hash)).all()
    assert token not in stored and len(stored[0]) == 64


def test_pages_redirect_anonymous_users_to_login(client):
    response = client.get("/account")
    assert response.status_code in (302, 303)
    assert "/login" in response.headers["Location"]


def test_page_login_with_csrf_then_home(app, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    make_user(username="chen")
    c = app.test_client()
    page = c.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = c.post("/login", data={"username": "chen", "password": PASSWORD, "csrf_token": token})
    assert response.status_code in (302, 303)
    assert c.get("/").status_code == 200


def test_form_post_without_csrf_token_is_refused(app, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    make_user(username="chen")
    c = app.test_client()
    c.get("/login")
    response = c.post("/login", data={"username": "chen", "password": PASSWORD})
    assert response.status_code == 400
    assert c.get("/api/v1/session").status_code == 401


@pytest.mark.parametrize(
    "roles", [("admin",), ("coordinator",), ("supervisor",), ("provider",), ("finance",)]
)
def test_every_role_has_a_home_page(as_role, roles):
    response = as_role(*roles).get("/")
    assert response.status_code == 200


def test_change_own_password(client, auth, make_user):
    make_user(username="chen")
    auth.login("chen")
    response = client.post(
        "/account",
        data={"current_password": PASSWORD, "new_password": "Another-pass-1", "confirm": "Another-pass-1"},
    )
    assert response.status_code in (302, 303)
    auth.logout()
    assert (
        client.post("/api/v1/session", json={"username": "chen", "password": "Another-pass-1"}).status_code
        == 200
    )


def test_wrong_current_password_changes_nothing(client, auth, make_user):
    make_user(username="chen")
    auth.login("chen")
    response = client.post(
        "/account",
        data={
            "current_password": "not-it-at-all",
            "new_password": "Another-pass-1",
            "confirm": "Another-pass-1",
        },
    )
    assert response.status_code == 422
    auth.logout()
    auth.login("chen")


def test_admin_creates_and_disables_a_user_on_the_page(as_role, app):
    admin = as_role("admin")
    response = admin.post(
        "/admin/users",
        data={"username": "wu", "password": "Long-enough-1", "roles": ["finance", "supervisor"]},
    )
    assert response.status_code in (302, 303)
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "wu" in page
    from legalaid.db import db
    from legalaid.models import User

    with app.app_context():
        user = db.session.query(User).filter_by(username="wu").one()
        assert user.roles == ["finance", "supervisor"]
        uid = user.id
    asked = admin.post(f"/admin/users/{uid}/disable")
    assert asked.status_code == 200 and 'id="confirm-yes"' in asked.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, uid).active is True
    assert admin.post(f"/admin/users/{uid}/disable", data={"confirmed": "yes"}).status_code in (302, 303)
    with app.app_context():
        assert db.session.get(User, uid).active is False


def test_user_page_refuses_bad_input_without_saving(as_role, app):
    admin = as_role("admin")
    response = admin.post("/admin/users", data={"username": "wu", "password": "short", "roles": ["pope"]})
    assert response.status_code == 422
    assert "wu" not in admin.get("/admin/users").get_data(as_text=True).split("<tbody>")[1]


def test_only_admins_manage_users(as_role):
    assert as_role("coordinator").get("/admin/users").status_code == 403


def test_a_disabled_users_session_ends_at_once_on_this_worker(client, auth, make_user, runner):
    make_user(username="chen")
    auth.login("chen")
    assert client.get("/api/v1/session").status_code == 200  # now cached on this worker
    assert runner.invoke(args=["users", "disable", "chen"]).exit_code == 0
    assert client.get("/api/v1/session").status_code == 401


def test_a_disabled_users_session_ends_at_the_next_request_elsewhere(app, client, auth, make_user):
    """Another worker's change is seen at this worker's next request (tests/test_security.py has more)."""
    from legalaid import create_app, users
    from legalaid.db import db
    from tests.conftest import _config

    make_user(username="chen")
    auth.login("chen")
    assert client.get("/api/v1/session").status_code == 200  # now kept by this worker
    other_worker = create_app(_config(app.config["SQLALCHEMY_DATABASE_URI"]))
    with other_worker.app_context():
        users.disable_user(db.session, None, users.get_user_by_name(db.session, "chen"))
        db.session.commit()
        db.engine.dispose()
    assert client.get("/api/v1/session").status_code == 401


def test_revoked_token_stops_working(app, client, auth, make_user, runner):
    make_user(username="script")
    auth.login("script")
    token = client.post("/api/v1/tokens").get_json()["token"]
    fresh = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert fresh.get("/api/v1/session", headers=headers).status_code == 200
    runner.invoke(args=["users", "disable", "script"])  # revokes the user's tokens
    assert fresh.get("/api/v1/session", headers=headers).status_code == 401
