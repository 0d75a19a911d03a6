"""The OpenAPI document is precise enough to check answers against (issue 10): every operation with
its parameters, body, real success status and schema, its errors, and who may call it."""

from __future__ import annotations

import inspect
import re

import pytest

from legalaid.api import API_PREFIX

PUBLIC = {
    "POST /api/v1/session",
    "DELETE /api/v1/session",
    "GET /api/v1/openapi.json",
    "GET /api/v1/causes",
}


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").get_json()


def api_views(app):
    """(``METHOD /path``, view) for every operation under /api/v1."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(API_PREFIX):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                yield f"{method} {rule.rule}", app.view_functions[rule.endpoint]


def source_of(view) -> str:
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    return inspect.getsource(view)


def returned_statuses(source: str) -> set[int]:
    """The success statuses a view's ``return`` statements give (jsonify alone: 200)."""
    statuses: set[int] = set()
    for line in re.findall(r"^\s*return\b.*(?:\n\s+.*)*", source, re.MULTILINE):
        if "no_content()" in line:
            statuses.add(204)
            continue
        found = [int(code) for code in re.findall(r"\b(2\d\d)\b", line)]
        statuses.update(found or [200])
    return statuses


def test_every_operation_declares_its_answer(app):
    undeclared = [key for key, view in api_views(app) if getattr(view, "answer", None) is None]
    assert not undeclared, f"add @responds(...) to {undeclared}"


def test_documented_success_statuses_are_what_the_views_return(app, document):
    mismatched = []
    for key, view in api_views(app):
        method, path = key.split(" ", 1)
        path = re.sub(r"<(?:[^<>:]+:)?([^<>:]+)>", r"{\1}", path)
        documented = {
            int(s) for s in document["paths"][path][method.lower()]["responses"] if s.startswith("2")
        }
        returned = returned_statuses(source_of(view))
        if documented != returned:
            mismatched.append(f"{key}: documented {sorted(documented)}, returned {sorted(returned)}")
    assert not mismatched, "\n".join(mismatched)


def test_query_arguments_are_declared_not_read_by_hand(app):
    """A view reads its query string through ``@use_query`` (or a paged answer's ?page=/per_page=),
    so the document lists every query parameter."""
    by_hand = []
    for key, view in api_views(app):
        source = source_of(view)
        if "request.args" in source or re.search(r"query_args\((?!PageArgs\))", source):
            by_hand.append(key)
    assert not by_hand, f"use @use_query(Schema) in {by_hand}"


def test_creates_answer_201_and_deletes_204(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            success = {s for s in operation["responses"] if s.startswith("2")}
            if method == "delete":
                assert success == {"204"}, (method, path)
                assert "content" not in operation["responses"]["204"]
            if method == "post" and path in ("/api/v1/cases", "/api/v1/users", "/api/v1/payment-batches"):
                assert success == {"201"}, path


def test_a_204_answer_has_no_body_and_no_content_type(client):
    response = client.delete("/api/v1/session")
    assert response.status_code == 204
    assert response.data == b""
    assert "Content-Type" not in response.headers


def test_the_error_schema_requires_the_error_with_its_code_and_message(document):
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert set(error["properties"]["error"]["required"]) == {"code", "message"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)


def test_security_schemes_and_the_public_operations(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerToken"] == {**schemes["bearerToken"], "type": "http", "scheme": "bearer"}
    assert schemes["sessionCookie"]["in"] == "cookie"
    assert document["security"] == [{"bearerToken": []}, {"sessionCookie": []}]
    public = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if operation.get("security") == []:
                public.add(f"{method.upper()} {path}")
                # Only signing in answers 401 (wrong username or password).
                assert ("401" in operation["responses"]) == (path == "/api/v1/session" and method == "post")
            else:
                assert "401" in operation["responses"], (method, path)
    assert public == PUBLIC


def test_parameters_are_documented(document):
    cases = document["paths"]["/api/v1/cases"]["get"]
    query = {p["name"]: p for p in cases["parameters"] if p["in"] == "query"}
    assert {"status", "case_type", "q", "green_channel", "page", "per_page"} <= set(query)
    assert query["per_page"]["schema"]["maximum"] == 500
    report = document["paths"]["/api/v1/reports/rotation"]["get"]
    query = {p["name"]: p for p in report["parameters"] if p["in"] == "query"}
    assert query["pool_id"]["required"] is True and {"from", "to"} <= set(query)
    case = document["paths"]["/api/v1/cases/{case_id}"]["get"]
    (path_id,) = [p for p in case["parameters"] if p["in"] == "path"]
    assert path_id["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
    # A query parameter is text or absent, never null.
    assert all(
        "nullable" not in p["schema"] and None not in p["schema"].get("enum", [])
        for operations in document["paths"].values()
        for operation in operations.values()
        for p in operation["parameters"]
        if p["in"] == "query"
    )


def test_success_schemas_name_the_promised_fields(document):
    schemas = document["components"]["schemas"]
    assert {"id", "number", "status", "green_channel"} <= set(schemas["CaseSummary"]["required"])
    created = document["paths"]["/api/v1/cases"]["post"]["responses"]["201"]
    assert created["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Case"}
    assert {"id", "total_fen", "count"} <= set(schemas["PaymentBatch"]["required"])
    assert {"members", "spread", "top_decile_ratio", "overrides"} <= set(
        schemas["RotationReport"]["required"]
    )
    export = document["paths"]["/api/v1/payment-batches/{batch_id}/export"]["get"]["responses"]["200"]
    assert set(export["content"]) == {
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }


def test_a_body_is_required_only_when_a_field_is(document):
    assert document["paths"]["/api/v1/cases"]["post"]["requestBody"]["required"] is True
    patch = document["paths"]["/api/v1/providers/{provider_id}"]["patch"]
    assert patch["requestBody"]["required"] is False


def test_a_create_links_to_the_operations_on_what_it_made(document):
    links = document["paths"]["/api/v1/cases"]["post"]["responses"]["201"]["links"]
    assert links["assignment_api.read_case.get"]["parameters"] == {"case_id": "$response.body#/id"}
    assert "scheduling_api.create_hearing.post" in links
    batch = document["paths"]["/api/v1/payment-batches"]["post"]["responses"]["201"]["links"]
    assert {"subsidies_api.confirm.post", "subsidies_api.cancel.post"} <= set(batch)
