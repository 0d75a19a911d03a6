"""Races for sessions, users and the panel: organizations, providers, leave, conflicts, pools
(the table and its rules: tests/races/harness.py)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from legalaid import clock
from legalaid.models import User
from tests.conftest import PASSWORD
from tests.races.centre import Centre
from tests.races.harness import N, created_ids, one_winner, only, race, races, seq, statuses

# --- session and users ---------------------------------------------------------------------------


@races("shell_api.create_session.post", kind="create")
def race_sign_ins_of_one_user(c: Centre):
    from legalaid.models import UserSession

    username = c.new_user(["coordinator"])
    clients = [c.app.test_client() for _ in range(N)]
    body = {"username": username, "password": PASSWORD}
    answers = race(clients, lambda cl, i: cl.post("/api/v1/session", json=body))
    assert statuses(answers) == {200: N}
    user_id = c.scalar(sa.select(User.id).where(User.username == username))
    assert c.count(UserSession, UserSession.user_id == user_id, UserSession.ended_at.is_(None)) == N
    for client in clients:
        assert client.get("/api/v1/session").status_code == 200


@races("shell_api.delete_session.delete", kind="idempotent")
def race_sign_outs_of_one_session(c: Centre):
    from legalaid.models import UserSession

    username = c.new_user(["coordinator"])
    name = c.app.config["SESSION_COOKIE_NAME"]
    cookie = c.login(username).get_cookie(name)
    clients = [c.app.test_client() for _ in range(N)]
    for client in clients:
        client.set_cookie(name, cookie.value)  # one signed-in browser's cookie, sent N times at once
    answers = race(clients, lambda cl, i: cl.delete("/api/v1/session"))
    assert statuses(answers) == {204: N}
    replay = c.app.test_client()
    replay.set_cookie(name, cookie.value)
    assert replay.get("/api/v1/session").status_code == 401
    user_id = c.scalar(sa.select(User.id).where(User.username == username))
    assert c.count(UserSession, UserSession.user_id == user_id, UserSession.ended_at.is_(None)) == 0


@races("shell_api.create_token.post", kind="create")
def race_tokens_for_one_user(c: Centre):
    from legalaid.models import ApiToken

    username = c.new_user(["coordinator"])
    answers = race(c.many(username), lambda cl, i: cl.post("/api/v1/tokens"))
    assert statuses(answers) == {201: N}
    user_id = c.scalar(sa.select(User.id).where(User.username == username))
    assert c.count(ApiToken, ApiToken.user_id == user_id) == N
    assert len({a.get_json()["token"] for a in answers}) == N


@races("shell_api.change_own_password.post", kind="unique")
def race_changing_ones_own_password(c: Centre):
    """One person's password changed from N signed-in windows at once: the first change wins; the
    others' current password is no longer right (422), and the password changed once."""
    username = c.new_user(["coordinator"])
    body = {"current_password": PASSWORD, "new_password": PASSWORD + "-new"}
    answers = race(c.many(username), lambda cl, i: cl.post("/api/v1/me/password", json=body))
    one_winner(answers, 204, (422,))
    user_id = c.scalar(sa.select(User.id).where(User.username == username))
    assert c.audit("user.set_password", user_id) == 1
    assert (
        c.app.test_client()
        .post("/api/v1/session", json={"username": username, "password": PASSWORD + "-new"})
        .status_code
        == 200
    )


@races("shell_api.create_user.post", kind="unique")
def race_users_with_one_name(c: Centre):
    username = f"newcomer{next(seq)}"
    admins = [c.one(c.new_user(["admin"])) for _ in range(N)]
    body = {"username": username, "password": PASSWORD, "roles": ["coordinator"]}
    answers = race(admins, lambda cl, i: cl.post("/api/v1/users", json=body))
    one_winner(answers, 201, (409, 422))
    assert c.count(User, sa.func.lower(User.username) == username) == 1
    assert c.audit("user.create", created_ids(answers)[0]) == 1


@races("shell_api.update_user.patch", kind="idempotent")
def race_disabling_one_user(c: Centre):
    """PATCH states the wanted state: every admin is told the user is disabled; it happened once."""
    username = c.new_user(["finance"])
    user_id = c.scalar(sa.select(User.id).where(User.username == username))
    admins = [c.one(c.new_user(["admin"])) for _ in range(N)]
    answers = race(admins, lambda cl, i: cl.patch(f"/api/v1/users/{user_id}", json={"active": False}))
    assert statuses(answers) == {200: N}
    assert all(a.get_json()["active"] is False for a in answers)
    assert c.audit("user.disable", user_id) == 1


# --- the panel -----------------------------------------------------------------------------------


@races("assignment_api.create_organization.post", kind="create")
def race_organizations(c: Centre):
    from assignment.models import Organization

    before = c.count(Organization)
    answers = race(
        c.many("h_admin"),
        lambda cl, i: cl.post("/api/v1/organizations", json={"name": f"Race firm {i}", "kind": "law_firm"}),
    )
    assert statuses(answers) == {201: N}
    assert c.count(Organization) == before + N


@races("assignment_api.create_provider.post", kind="create")
def race_providers(c: Centre):
    from assignment.models import Provider

    org = c.new_organization()
    before = c.count(Provider)

    def send(cl, i):
        body = {
            "name": f"Race lawyer {i}",
            "kind": "lawyer",
            "organization_id": org,
            "practice_since": "2015-01-01",
        }
        return cl.post("/api/v1/providers", json=body)

    answers = race(c.many("h_admin"), send)
    assert statuses(answers) == {201: N}
    assert c.count(Provider) == before + N


@races("assignment_api.update_provider.patch", kind="idempotent")
def race_provider_updates(c: Centre):
    from assignment.models import Provider

    provider_id = c.new_provider()
    answers = race(
        c.many("h_admin"),
        lambda cl, i: cl.patch(f"/api/v1/providers/{provider_id}", json={"max_open_cases": 40 + i % 2}),
    )
    got = only(answers, {200, 409})
    assert got[200] >= 1
    assert c.count(Provider, Provider.id == provider_id) == 1
    assert c.scalar(sa.select(Provider.max_open_cases).where(Provider.id == provider_id)) in (40, 41)
    assert c.audit("provider.update", provider_id) == got[200]


@races("assignment_api.add_leave.post", kind="create")
def race_leaves(c: Centre):
    from assignment.models import ProviderLeave

    provider_id = c.new_provider()  # in no pool: the civil cases' rotation does not change
    start = clock.today() + dt.timedelta(days=30)

    def send(cl, i):
        day = start + dt.timedelta(days=10 * i)
        body = {"from": day.isoformat(), "to": (day + dt.timedelta(days=3)).isoformat()}
        return cl.post(f"/api/v1/providers/{provider_id}/leave", json=body)

    answers = race(c.many("h_admin"), send)
    got = only(answers, {201, 409})
    assert c.count(ProviderLeave, ProviderLeave.provider_id == provider_id) == got[201] >= 1
    assert c.audit("provider.leave", provider_id) == got[201]


@races("assignment_api.declare_conflict.post", kind="create")
def race_conflicts(c: Centre):
    from assignment.models import ProviderConflict

    provider_id = c.new_provider()
    answers = race(
        c.many("h_admin"),
        lambda cl, i: cl.post(
            f"/api/v1/providers/{provider_id}/conflicts", json={"party_name": f"Party {i}"}
        ),
    )
    got = only(answers, {201, 409})
    assert c.count(ProviderConflict, ProviderConflict.provider_id == provider_id) == got[201] >= 1
    assert c.audit("provider.conflict", provider_id) == got[201]


@races("assignment_api.create_pool.post", kind="unique")
def race_overlapping_pools(c: Centre):
    from assignment.models import PoolScope, RotationPool

    area = f"Race area {next(seq)}"
    body = {"case_types": ["administrative"], "provider_kinds": ["lawyer"], "area": area}
    answers = race(c.many("h_admin"), lambda cl, i: cl.post("/api/v1/pools", json={**body, "name": f"P{i}"}))
    one_winner(answers, 201, (409, 422))
    assert c.count(RotationPool, RotationPool.area == area) == 1
    assert c.count(PoolScope, PoolScope.area_key == area) == 1


@races("assignment_api.put_pool_member.put", kind="idempotent")
def race_pool_member_puts(c: Centre):
    from assignment.models import PoolMember

    provider_id = c.new_provider()
    url = f"/api/v1/pools/{c.other_pool}/members/{provider_id}"
    added = c.audit("pool.member_add", c.other_pool)
    answers = race(c.many("h_admin"), lambda cl, i: cl.put(url, json={"weight": 1.0}))
    got = only(answers, {200, 201, 409})
    assert got[201] == 1, got
    assert c.count(PoolMember, PoolMember.pool_id == c.other_pool, PoolMember.provider_id == provider_id) == 1
    assert c.audit("pool.member_add", c.other_pool) == added + 1


@races("assignment_api.delete_pool_member.delete", kind="transition")
def race_pool_member_deletes(c: Centre):
    from assignment.models import PoolMember

    provider_id = c.new_provider()
    url = f"/api/v1/pools/{c.other_pool}/members/{provider_id}"
    assert c.admin.put(url, json={}).status_code == 201
    removed = c.audit("pool.member_remove", c.other_pool)
    answers = race(c.many("h_admin"), lambda cl, i: cl.delete(url))
    one_winner(answers, 204, (404, 409))
    assert c.count(PoolMember, PoolMember.pool_id == c.other_pool, PoolMember.provider_id == provider_id) == 0
    assert c.audit("pool.member_remove", c.other_pool) == removed + 1
    assert c.admin.put(url, json={}).status_code == 201  # and the provider can join again
