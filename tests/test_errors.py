"""The error contract of API.md: one body shape, the right status, never a 500 or HTML for bad input."""

import pytest

from legalaid.errors import NotAllowed, NotFound


def assert_error(response, status, code=None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    error = response.get_json()["error"]
    assert error["message"]
    if code:
        assert error["code"] == code
    return error


def test_malformed_json_is_400(as_role):
    admin = as_role("admin")
    response = admin.post("/api/v1/users", data="{oops", headers={"Content-Type": "application/json"})
    assert_error(response, 400, "malformed_json")


def test_json_that_is_not_an_object_is_400(as_role):
    assert_error(as_role("admin").post("/api/v1/users", json=[1, 2]), 400)


def test_body_that_is_not_json_is_400(as_role):
    response = as_role("admin").post(
        "/api/v1/users", data="username=x", content_type="application/x-www-form-urlencoded"
    )
    assert_error(response, 400)


def test_validation_failure_is_422_with_fields(as_role):
    error = assert_error(
        as_role("admin").post("/api/v1/users", json={"username": "x", "roles": ["pope"]}), 422, "invalid"
    )
    assert set(error["fields"]) >= {"password", "roles.0"}


def test_unknown_field_is_422(as_role):
    response = as_role("admin").post(
        "/api/v1/users",
        json={"username": "x", "password": "Long-enough-1", "roles": ["admin"], "colour": "red"},
    )
    assert "colour" in assert_error(response, 422)["fields"]


def test_wrong_types_are_422_not_500(as_role):
    response = as_role("admin").post(
        "/api/v1/users", json={"username": 5, "password": None, "roles": "admin", "provider_id": "seven"}
    )
    assert set(assert_error(response, 422)["fields"]) >= {"username", "password", "roles", "provider_id"}


def test_unknown_path_is_404_json(client):
    assert_error(client.get("/api/v1/no-such-thing"), 404, "not_found")


def test_wrong_method_is_405_json(client):
    assert_error(client.put("/api/v1/session"), 405, "method_not_allowed")


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (NotAllowed("The case is already archived."), 409, "not_allowed"),
        (NotFound("No such case."), 404, "not_found"),
    ],
)
def test_domain_errors_map_to_their_status(app, client, error, status, code):
    def raising_view():
        raise error

    app.add_url_rule("/api/v1/_raise", "raise", raising_view)
    assert_error(client.get("/api/v1/_raise"), status, code)


def test_a_bug_is_a_500_with_the_error_body_and_no_traceback(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken_view():
        raise RuntimeError("secret internals")

    app.add_url_rule("/api/v1/_broken", "broken", broken_view)
    response = client.get("/api/v1/_broken")
    assert_error(response, 500, "internal_error")
    assert "secret internals" not in response.get_data(as_text=True)


def test_page_errors_are_pages_not_json(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "text/html" in response.content_type


def test_openapi_lists_the_shell_endpoints(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert {"/api/v1/session", "/api/v1/users", "/api/v1/tokens"} <= set(doc["paths"])
    assert "requestBody" in doc["paths"]["/api/v1/users"]["post"]
