"""The admin's users pages: a list that is paged, sorted and filtered; a new lawyer's login linked to
their panel record found by name or organisation; roles, a temporary password, disabling (asked first,
signs them out everywhere) and enabling again, each audited; the admin's home page."""

from __future__ import annotations

import sqlalchemy as sa

from legalaid.db import db
from legalaid.models import ApiToken, AuditEntry, User
from tests.conftest import PASSWORD


def _user(app, username):
    with app.app_context():
        return db.session.scalar(sa.select(User).where(User.username == username))


def _actions(app, user_id):
    with app.app_context():
        return db.session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.object_type == "user", AuditEntry.object_id == user_id)
            .order_by(AuditEntry.id)
        ).all()


def test_users_list_is_paged_filtered_and_sorted(app, as_role, make_user):
    app.config["USERS_PER_PAGE"] = 5
    for i in range(12):
        make_user(roles=("finance",) if i % 2 else ("supervisor",), username=f"zz{i:02d}")
    admin = as_role("admin")
    first = admin.get("/admin/users").get_data(as_text=True)
    assert "Page 1 of 3" in first and 'id="next-users"' in first
    last = admin.get("/admin/users?page=3").get_data(as_text=True)
    assert "Page 3 of 3" in last
    finance = admin.get("/admin/users?role=finance").get_data(as_text=True)
    assert "6 users" in finance and "zz01" in finance and "zz00" not in finance
    found = admin.get("/admin/users?q=zz1").get_data(as_text=True)
    assert "zz10" in found and "zz11" in found and "zz09" not in found
    newest = admin.get("/admin/users?sort=created&q=zz").get_data(as_text=True)
    assert newest.index("zz11") < newest.index("zz10")
    assert admin.get("/admin/users?page=nope").status_code == 422


def test_a_new_lawyer_gets_a_login_linked_to_their_panel_record(
    app, as_role, make_organization, make_provider
):
    firm = make_organization(name="明德律师事务所")
    provider_id = make_provider(name="李磊", organization_id=firm)
    make_provider(name="王芳")
    admin = as_role("admin")
    by_org = admin.get("/admin/users?provider_q=明德").get_data(as_text=True)
    assert f'<option value="{provider_id}">李磊 · 明德律师事务所</option>' in by_org
    assert "王芳" not in by_org
    response = admin.post(
        "/admin/users",
        data={
            "username": "lilei",
            "password": "Long-enough-1",
            "roles": ["provider"],
            "provider_id": str(provider_id),
        },
    )
    assert response.status_code in (302, 303)
    lilei = _user(app, "lilei")
    assert lilei.provider_id == provider_id and lilei.roles == ["provider"]
    listed = admin.get("/admin/users?q=lilei").get_data(as_text=True)
    assert "李磊" in listed
    # The same record cannot get a second login.
    again = admin.post(
        "/admin/users",
        data={
            "username": "li2",
            "password": "Long-enough-1",
            "roles": ["provider"],
            "provider_id": str(provider_id),
        },
    )
    assert again.status_code == 422 and _user(app, "li2") is None


def test_admin_edits_roles_links_the_panel_and_sets_a_temporary_password(
    app, client, as_role, make_user, make_provider
):
    uid = make_user(roles=("coordinator",), username="chen")
    provider_id = make_provider(name="陈律师")
    admin = as_role("admin")
    page = admin.get(f"/admin/users/{uid}")
    assert page.status_code == 200 and "Coordinator" in page.get_data(as_text=True)

    assert admin.post(f"/admin/users/{uid}/roles", data={"roles": []}).status_code == 422
    admin.post(f"/admin/users/{uid}/roles", data={"roles": ["coordinator", "provider"]})
    admin.post(f"/admin/users/{uid}/provider", data={"provider_id": str(provider_id)})
    admin.post(f"/admin/users/{uid}/profile", data={"display_name": "陈静", "email": "chen@example.cn"})
    chen = _user(app, "chen")
    assert chen.roles == ["coordinator", "provider"] and chen.provider_id == provider_id
    assert (chen.display_name, chen.email) == ("陈静", "chen@example.cn")

    client.post("/api/v1/session", json={"username": "chen", "password": PASSWORD})
    assert client.get("/api/v1/session").status_code == 200
    short = admin.post(f"/admin/users/{uid}/password", data={"password": "short", "confirm": "short"})
    assert short.status_code == 422
    response = admin.post(
        f"/admin/users/{uid}/password", data={"password": "Temporary-123", "confirm": "Temporary-123"}
    )
    assert response.status_code in (302, 303)
    assert client.get("/api/v1/session").status_code == 401  # their old session ended
    signed_in = client.post("/api/v1/session", json={"username": "chen", "password": "Temporary-123"})
    assert signed_in.status_code == 200
    assert _actions(app, uid)[-4:] == [
        "user.set_roles",
        "user.link_provider",
        "user.update",
        "user.reset_password",
    ]
    history = admin.get(f"/admin/users/{uid}").get_data(as_text=True)
    assert "Temporary password set" in history and "Roles changed" in history


def test_disabling_asks_first_signs_out_and_revokes_tokens_and_enabling_undoes_it(
    app, client, as_role, make_user, runner
):
    uid = make_user(roles=("finance",), username="wu")
    client.post("/api/v1/session", json={"username": "wu", "password": PASSWORD})
    token = client.post("/api/v1/tokens").get_json()["token"]
    admin = as_role("admin")
    asked = admin.post(f"/admin/users/{uid}/disable")
    assert asked.status_code == 200 and 'id="confirm-yes"' in asked.get_data(as_text=True)
    assert _user(app, "wu").active
    admin.post(f"/admin/users/{uid}/disable", data={"confirmed": "yes"})
    assert not _user(app, "wu").active
    assert client.get("/api/v1/session").status_code == 401
    bearer = app.test_client().get("/api/v1/session", headers={"Authorization": f"Bearer {token}"})
    assert bearer.status_code == 401
    with app.app_context():
        assert db.session.scalar(sa.select(ApiToken.revoked_at).where(ApiToken.user_id == uid)) is not None

    page = admin.get(f"/admin/users/{uid}").get_data(as_text=True)
    assert 'id="enable-user"' in page and 'id="disable-user"' not in page
    assert admin.post(f"/admin/users/{uid}/enable").status_code in (302, 303)
    assert _user(app, "wu").active
    assert client.post("/api/v1/session", json={"username": "wu", "password": PASSWORD}).status_code == 200
    assert _actions(app, uid)[-2:] == ["user.disable", "user.enable"]

    assert runner.invoke(args=["users", "disable", "wu"]).exit_code == 0
    result = runner.invoke(args=["users", "enable", "wu"])
    assert result.exit_code == 0 and "wu enabled" in result.output and _user(app, "wu").active
    assert runner.invoke(args=["users", "enable", "wu"]).exit_code != 0  # already enabled


def test_an_admin_cannot_disable_themselves(app, as_role):
    admin = as_role("admin")
    me = db.session  # noqa: F841 - the page names the signed-in user
    with app.app_context():
        uid = db.session.scalar(
            sa.select(User.id).where(User.username.like("admin%")).order_by(User.id.desc())
        )
    assert 'id="disable-user"' not in admin.get(f"/admin/users/{uid}").get_data(as_text=True)
    admin.post(f"/admin/users/{uid}/disable", data={"confirmed": "yes"})
    with app.app_context():
        assert db.session.get(User, uid).active


def test_users_pages_are_for_admins_only(as_role, make_user):
    uid = make_user(roles=("finance",))
    coordinator = as_role("coordinator")
    assert coordinator.get(f"/admin/users/{uid}").status_code == 403
    assert coordinator.post(f"/admin/users/{uid}/enable").status_code == 403
    assert as_role("admin").get("/admin/users/999999").status_code == 404


def test_the_admins_home_shows_what_needs_attention_and_every_admin_page(as_role, make_user, make_provider):
    make_user(roles=("provider",), username="unlinked-lawyer")
    make_provider(name="没有账号的律师")
    admin = as_role("admin")
    home = admin.get("/").get_data(as_text=True)
    assert 'id="admin-attention"' in home and "unlinked-lawyer" in home
    assert "1 lawyer or adviser taking cases has no login" in home
    for link in ("/admin/users", "/admin/rules", "/admin/providers", "/admin/pools", "/admin/panel-import"):
        assert f'href="{link}' in home, link
    assert 'id="admin-recent"' in home and "User created" in home
    assert "Nothing is waiting for you today." not in home


def test_the_api_lists_users_paged_filtered_and_sorted_and_patches_one(
    app, as_role, make_user, make_provider
):
    for i in range(4):
        make_user(roles=("finance",), username=f"api-fin{i}")
    uid = make_user(roles=("coordinator",), username="api-coord")
    provider_id = make_provider()
    admin = as_role("admin")
    page = admin.get("/api/v1/users?role=finance&per_page=3&page=2").get_json()
    assert page["total"] == 4 and [u["username"] for u in page["items"]] == ["api-fin3"]
    assert admin.get("/api/v1/users?q=API-COORD").get_json()["items"][0]["id"] == uid
    newest = admin.get("/api/v1/users?sort=created&q=api-").get_json()["items"]
    assert newest[0]["username"] == "api-coord"
    assert admin.get("/api/v1/users?role=pope").status_code == 422

    changed = admin.patch(
        f"/api/v1/users/{uid}", json={"roles": ["coordinator", "provider"], "provider_id": provider_id}
    )
    assert changed.status_code == 200
    assert (changed.get_json()["roles"], changed.get_json()["provider_id"]) == (
        ["coordinator", "provider"],
        provider_id,
    )
    assert admin.patch(f"/api/v1/users/{uid}", json={"active": False}).get_json()["active"] is False
    assert admin.get("/api/v1/users?active=false").get_json()["total"] == 1
    assert admin.patch(f"/api/v1/users/{uid}", json={"active": True}).get_json()["active"] is True
    assert admin.patch(f"/api/v1/users/{uid}", json={"roles": []}).status_code == 422
    for loose in (0, 1, "false", "yes"):  # JSON true or false only, as the OpenAPI document says
        for key in ("active", "must_change_password"):
            assert admin.patch(f"/api/v1/users/{uid}", json={key: loose}).status_code == 422, (key, loose)
    assert admin.get("/api/v1/users?active=false").get_json()["total"] == 0  # none went through
    assert admin.patch("/api/v1/users/999999", json={"active": False}).status_code == 404
    assert as_role("coordinator").get("/api/v1/users").status_code == 403
    assert _actions(app, uid)[-4:] == ["user.set_roles", "user.link_provider", "user.disable", "user.enable"]
