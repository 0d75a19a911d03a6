"""Issue 11 item 5: "must change password at next sign-in". An admin who sets a temporary password
(page or API) requires, by default, that its holder picks their own; until they do, every page leads to
the change-password page and the API answers 403 ``password_change_required``, except signing in and
out and the change itself. Every user has the change-password page. Each step is audited."""

from __future__ import annotations

import sqlalchemy as sa

from legalaid.db import db
from legalaid.models import AuditEntry, User
from tests.conftest import PASSWORD, AuthActions

TEMPORARY = "Temporary-pass-1"
OWN = "My-own-pass-22"


def _user(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id)


def _audit(app, user_id):
    with app.app_context():
        return [
            (e.action, e.before, e.after)
            for e in db.session.scalars(
                sa.select(AuditEntry)
                .where(AuditEntry.object_type == "user", AuditEntry.object_id == user_id)
                .order_by(AuditEntry.id)
            )
        ]


def _reset_on_page(admin, user_id, **extra):
    data = {"password": TEMPORARY, "confirm": TEMPORARY, **extra}
    return admin.post(f"/admin/users/{user_id}/password", data=data)


def test_admin_page_offers_the_requirement_ticked(as_role, make_user):
    uid = make_user(roles=("supervisor",), username="wang")
    html = as_role("admin").get(f"/admin/users/{uid}").get_data(as_text=True)
    assert '<input checked id="must_change" name="must_change" type="checkbox" value="y">' in html


def test_reset_on_the_page_requires_a_change_and_blocks_every_other_page(app, as_role, make_user):
    uid = make_user(roles=("supervisor",), username="wang")
    admin = as_role("admin")
    response = _reset_on_page(admin, uid, must_change="y")
    assert response.status_code in (302, 303)
    assert _user(app, uid).must_change_password is True
    assert "Must be changed at the next sign-in" in admin.get(f"/admin/users/{uid}").get_data(as_text=True)

    person = app.test_client()
    answer = person.post(
        "/login", data={"username": "wang", "password": TEMPORARY, "next": "/supervision/calls"}
    )
    assert answer.status_code in (302, 303)
    assert "/account/password" in answer.headers["Location"]
    for path in ("/", "/account", "/supervision/calls", "/cases"):
        blocked = person.get(path)
        assert blocked.status_code in (302, 303), path
        assert "/account/password" in blocked.headers["Location"], path
    page = person.get("/account/password")
    assert page.status_code == 200
    assert 'id="password-change-required"' in page.get_data(as_text=True)

    # The new password must differ from the temporary one and follow the rules.
    same = person.post(
        "/account/password",
        data={"current_password": TEMPORARY, "new_password": TEMPORARY, "confirm": TEMPORARY},
    )
    assert same.status_code == 422
    short = person.post(
        "/account/password", data={"current_password": TEMPORARY, "new_password": "short", "confirm": "short"}
    )
    assert short.status_code == 422
    wrong = person.post(
        "/account/password", data={"current_password": "not-it-at-all", "new_password": OWN, "confirm": OWN}
    )
    assert wrong.status_code == 422
    assert _user(app, uid).must_change_password is True

    done = person.post(
        "/account/password?next=/supervision/calls",
        data={"current_password": TEMPORARY, "new_password": OWN, "confirm": OWN},
    )
    assert done.status_code in (302, 303)
    assert done.headers["Location"].endswith("/supervision/calls")
    assert _user(app, uid).must_change_password is False
    assert person.get("/").status_code == 200

    actions = _audit(app, uid)
    assert ("user.reset_password", {"must_change_password": False}, {"must_change_password": True}) in actions
    assert ("user.set_password", {"must_change_password": True}, {"must_change_password": False}) in actions


def test_reset_without_the_requirement_lets_them_straight_in(app, as_role, make_user):
    uid = make_user(roles=("supervisor",), username="wang")
    _reset_on_page(as_role("admin"), uid)  # the box left unticked
    assert _user(app, uid).must_change_password is False
    person = app.test_client()
    AuthActions(person).login("wang", TEMPORARY)
    assert person.get("/").status_code == 200


def test_api_answers_403_until_the_password_is_changed(app, as_role, make_user):
    uid = make_user(roles=("coordinator",), username="li")
    admin = as_role("admin")
    response = admin.patch(f"/api/v1/users/{uid}", json={"password": TEMPORARY})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["must_change_password"] is True

    person = app.test_client()
    signed_in = AuthActions(person).login("li", TEMPORARY)
    assert signed_in.get_json()["user"]["must_change_password"] is True
    assert person.get("/api/v1/session").status_code == 200
    refused = person.get("/api/v1/cases")
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "password_change_required"
    assert person.post("/api/v1/tokens").status_code == 403

    bad = person.post("/api/v1/me/password", json={"current_password": TEMPORARY, "new_password": "x"})
    assert bad.status_code == 422 and "new_password" in bad.get_json()["error"]["fields"]
    same = person.post("/api/v1/me/password", json={"current_password": TEMPORARY, "new_password": TEMPORARY})
    assert same.status_code == 422
    wrong = person.post("/api/v1/me/password", json={"current_password": "nope-nope", "new_password": OWN})
    assert wrong.status_code == 422 and "current_password" in wrong.get_json()["error"]["fields"]
    assert person.post("/api/v1/me/password", json=[]).status_code in (400, 422)

    ok = person.post("/api/v1/me/password", json={"current_password": TEMPORARY, "new_password": OWN})
    assert ok.status_code == 204
    assert person.get("/api/v1/cases").status_code == 200
    assert person.get("/api/v1/session").get_json()["user"]["must_change_password"] is False


def test_api_can_require_or_waive_the_change_alone_and_reset_without_it(app, as_role, make_user):
    uid = make_user(roles=("coordinator",), username="li")
    admin = as_role("admin")
    assert admin.patch(f"/api/v1/users/{uid}", json={"must_change_password": True}).status_code == 200
    assert _user(app, uid).must_change_password is True
    assert admin.patch(f"/api/v1/users/{uid}", json={"must_change_password": False}).status_code == 200
    assert _user(app, uid).must_change_password is False
    response = admin.patch(
        f"/api/v1/users/{uid}", json={"password": TEMPORARY, "must_change_password": False}
    )
    assert response.status_code == 200 and response.get_json()["must_change_password"] is False
    assert admin.patch(f"/api/v1/users/{uid}", json={"password": "short"}).status_code == 422
    assert admin.patch(f"/api/v1/users/{uid}", json={"must_change_password": "maybe"}).status_code == 422
    actions = [a for a, _b, _c in _audit(app, uid)]
    assert actions.count("user.require_password_change") == 2
    assert "user.reset_password" in actions


def test_only_an_admin_sets_the_requirement(as_role, make_user):
    uid = make_user(roles=("coordinator",), username="li")
    assert (
        as_role("coordinator").patch(f"/api/v1/users/{uid}", json={"must_change_password": True}).status_code
        == 403
    )


def test_every_user_has_the_change_password_page(app, client, auth, make_user):
    make_user(roles=("finance",), username="zhao")
    auth.login("zhao")
    page = client.get("/account/password")
    assert page.status_code == 200
    assert 'id="password-change-required"' not in page.get_data(as_text=True)
    assert 'action="/account/password"' in client.get("/account").get_data(as_text=True)
    done = client.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": OWN, "confirm": OWN}
    )
    assert done.status_code in (302, 303) and done.headers["Location"].endswith("/account")
    auth.logout()
    auth.login("zhao", OWN)


def test_signing_out_stays_possible_while_a_change_is_required(app, as_role, make_user):
    uid = make_user(roles=("finance",), username="zhao")
    as_role("admin").patch(f"/api/v1/users/{uid}", json={"password": TEMPORARY})
    person = app.test_client()
    AuthActions(person).login("zhao", TEMPORARY)
    out = person.post("/logout")
    assert out.status_code in (302, 303) and "/login" in out.headers["Location"]
    assert person.get("/api/v1/session").status_code == 401


def test_an_admin_changes_their_own_password_with_the_current_one_not_by_a_reset(app, as_role):
    admin = as_role("admin")
    me = admin.get("/api/v1/session").get_json()["user"]["id"]
    for body in ({"password": TEMPORARY}, {"must_change_password": True}):
        refused = admin.patch(f"/api/v1/users/{me}", json=body)
        assert refused.status_code == 409, body
    assert _user(app, me).must_change_password is False
    assert admin.get("/api/v1/users").status_code == 200


def test_a_user_created_on_the_page_changes_the_initial_password_first(app, as_role):
    admin = as_role("admin")
    form = admin.get("/admin/users").get_data(as_text=True)
    assert '<input checked id="must_change" name="must_change" type="checkbox" value="y">' in form
    data = {"username": "li", "password": TEMPORARY, "roles": ["coordinator"], "must_change": "y"}
    assert admin.post("/admin/users", data=data).status_code in (302, 303)
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "li"))
        assert user.must_change_password is True
        assert (
            db.session.scalar(
                sa.select(AuditEntry.after).where(
                    AuditEntry.action == "user.create", AuditEntry.object_id == user.id
                )
            )["must_change_password"]
            is True
        )
    person = app.test_client()
    answer = person.post("/login", data={"username": "li", "password": TEMPORARY})
    assert "/account/password" in answer.headers["Location"]
    unticked = {"username": "zhao", "password": TEMPORARY, "roles": ["coordinator"]}
    assert admin.post("/admin/users", data=unticked).status_code in (302, 303)
    with app.app_context():
        assert db.session.scalar(sa.select(User.must_change_password).where(User.username == "zhao")) is False
