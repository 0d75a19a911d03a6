"""The OpenAPI document of /api/v1, read from the views themselves.

Each view carries what the document says of it: ``use_body`` (legalaid.api) its request body,
``use_query`` its query string, ``responds`` its success answer (status, schema, media types) and any
error statuses its service adds, ``roles_required`` (legalaid.auth) whether it needs a signed-in user
and a role. Nothing here lists endpoints by hand, so a new view is documented by its own decorators,
and tests/test_openapi.py refuses one that has none.

Answers are JSON Schema (the OpenAPI 3.0 dialect): an answer lists the fields API.md promises as
``required`` and allows more (``additionalProperties`` stays open), so adding a field never breaks a
client, while a missing or mistyped promised field fails the response check (tests/contract).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import marshmallow as ma
from flask import Flask, Response, current_app

from legalaid.api import API_PREFIX, PageArgs, query_args

JSON = "application/json"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# PostgreSQL's integer: every id column and path id is within it (a larger id is unknown: 404).
MAX_ID = 2**31 - 1


# --- what a view declares ---


def use_query(schema_cls: type[ma.Schema]):
    """Validate the query string with ``schema_cls`` (422 on bad values, unknown names ignored) and
    pass the loaded arguments as ``args``; the document lists the schema's fields as parameters."""

    def decorate(view):
        # A paged answer's ?page= and ?per_page= are checked even where a file answer ignores them.
        paged = isinstance(getattr(getattr(view, "answer", None), "schema", None), Page)

        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if paged:
                query_args(PageArgs)
            kwargs["args"] = query_args(schema_cls)
            return view(*args, **kwargs)

        wrapper.query_schema = schema_cls
        return wrapper

    return decorate


@dataclass(frozen=True)
class Answer:
    """A view's success answer as the document states it."""

    status: int
    schema: dict | None
    media: tuple[str, ...] = (JSON,)
    also: tuple[int, ...] = ()
    errors: frozenset[int] = field(default_factory=frozenset)
    path: dict[str, dict] = field(default_factory=dict)
    creates: str | None = None


def responds(
    status: int,
    schema: dict | None = None,
    *,
    media: Iterable[str] = (JSON,),
    also: Iterable[int] = (),
    errors: Iterable[int] = (),
    path: dict[str, dict] | None = None,
    creates: str | None = None,
):
    """Declare the success answer: ``@responds(201, CASE)``; ``@responds(204)`` has no body.

    ``also``: other success statuses (a PUT that creates answers 201, else 200). ``errors``: error
    statuses the service adds to those the document derives (see ``error_statuses``), e.g. 403 from a
    role check made in the service, 404 for an id given in the query. ``path``: the schema of a path
    parameter that is not an id (``{"day": DATE}``). ``creates``: the path parameter the answer's
    ``id`` fills (``"case_id"``): the document links the answer to every operation on that object,
    as a client would go on (OpenAPI links; schemathesis follows them in its stateful phase)."""

    answer = Answer(status, schema, tuple(media), tuple(also), frozenset(errors), dict(path or {}), creates)

    def decorate(view):
        view.answer = answer
        return view

    return decorate


# --- building blocks of answer schemas ---

STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}
BOOLEAN = {"type": "boolean"}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
ID = {"type": "integer", "minimum": 1}
ANY_OBJECT = {"type": "object"}


def nullable(schema: dict) -> dict:
    """``schema`` or null (a named schema is wrapped in ``allOf``, as OpenAPI 3.0 needs)."""
    if isinstance(schema, Named):
        return {"allOf": [schema], "nullable": True}
    return {**schema, "nullable": True}


def one_of(values: Iterable[str], *, null: bool = False) -> dict:
    schema = {"type": "string", "enum": list(values)}
    return nullable(schema) if null else schema


def array(items: dict) -> dict:
    return {"type": "array", "items": items}


def obj(required: dict | None = None, optional: dict | None = None) -> dict:
    """An object with ``required`` fields (always present) and ``optional`` ones (present for some
    audiences or states); other fields are allowed."""
    required = required or {}
    schema: dict = {"type": "object", "properties": {**required, **(optional or {})}}
    if required:
        schema["required"] = list(required)
    return schema


class Named(dict):
    """A schema published under ``#/components/schemas/<name>`` and referenced from the answers."""

    def __init__(self, name: str, schema: dict):
        super().__init__(schema)
        self.name = name


def named(name: str, schema: dict) -> Named:
    return Named(name, schema)


class Page(dict):
    """A list answer ``{"items": [...], "total": N}`` read with ``?page=`` and ``?per_page=``."""


def page_of(item: dict, *, capped: bool = False) -> Page:
    """``capped``: ``total`` counts to 10,000 at most and ``total_capped`` says there are more."""
    if capped:
        return Page(obj({"items": array(item), "total": INTEGER, "total_capped": BOOLEAN}))
    return Page(obj({"items": array(item), "total": INTEGER}))


def items_of(item: dict) -> dict:
    """A list answer in one piece (no paging): ``{"items": [...], "total": N}``."""
    return obj({"items": array(item), "total": INTEGER})


ERROR = named(
    "Error",
    obj(
        {
            "error": obj(
                {"code": STRING, "message": STRING},
                {"fields": {"type": "object", "additionalProperties": array(STRING)}},
            )
        }
    ),
)

USER = named(
    "User",
    obj(
        {"id": ID, "username": STRING, "roles": array(STRING)},
        {
            "display_name": nullable(STRING),
            "provider_id": nullable(ID),
            "locale": nullable(STRING),
            "active": BOOLEAN,
            "must_change_password": BOOLEAN,
        },
    ),
)

SIGNED_IN_USER = obj({"user": USER})

TOKEN = obj({"token": STRING})

OPENAPI = obj({"openapi": STRING, "paths": ANY_OBJECT})


def no_content() -> Response:
    """A 204 answer: no body, so no Content-Type either (RFC 9110 §15.3.5), as the document says."""
    response = current_app.response_class(status=204)
    response.headers.remove("Content-Type")
    return response


# --- the document ---

SECURITY_SCHEMES = {
    "bearerToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "A token from POST /api/v1/tokens: `Authorization: Bearer <token>`.",
    },
    "sessionCookie": {
        "type": "apiKey",
        "in": "cookie",
        "name": "session",
        "description": "The session cookie set by POST /api/v1/session.",
    },
}
SIGNED_IN = [{"bearerToken": []}, {"sessionCookie": []}]
PUBLIC: list = []

ERROR_DESCRIPTIONS = {
    400: "Malformed request: a body that is not a JSON object, or text that is not UTF-8 or holds NUL.",
    401: "Not signed in.",
    403: "Your role does not allow this.",
    404: "Unknown, or not yours.",
    409: "Not allowed in the current state (the message says why).",
    413: "The body is too large.",
    415: "The body is not application/json.",
    422: "Validation failed (`fields` names the fields at fault).",
    429: "Too many attempts.",
}
WRITES = {"post", "put", "patch", "delete"}


def is_public(view) -> bool:
    """Views without ``roles_required`` (sign-in, sign-out, the causes, this document) need no one."""
    return not hasattr(view, "roles")


def error_statuses(view, method: str, path_params: list[str]) -> set[int]:
    """The error statuses an operation can answer, by what the view declares:

    any request → 400 (a path or query that is not UTF-8 text, or holds NUL: legalaid.limits); a body →
    413, 415, 422; a query schema or a paged list → 422; signed in → 401; a role list → 403; an id
    in the path → 404; a state change by a signed-in user → 409 (the current state, or a concurrent
    change that won); plus the ``errors`` of ``responds``."""
    answer: Answer | None = getattr(view, "answer", None)
    statuses = {400, *(answer.errors if answer else ())}
    if getattr(view, "body_schema", None) is not None:
        statuses |= {400, 413, 415, 422}
    if getattr(view, "query_schema", None) is not None or (answer and isinstance(answer.schema, Page)):
        statuses.add(422)
    if not is_public(view):
        statuses.add(401)
        if view.roles:
            statuses.add(403)
        if method in WRITES:
            statuses.add(409)
    if path_params:
        statuses.add(404)
    return statuses


def _openapi_path(rule) -> tuple[str, list[tuple[str, dict]]]:
    """``/cases/<int:case_id>`` → ``/cases/{case_id}`` and its parameters' schemas."""
    from werkzeug.routing import IntegerConverter

    params = []
    for name in sorted(rule.arguments):
        # Werkzeug keeps a rule's converters only in ``_converters``; ``<int:...>`` is an id.
        if isinstance(rule._converters.get(name), IntegerConverter):
            params.append((name, {"type": "integer", "minimum": 1, "maximum": MAX_ID}))
        else:
            params.append((name, {"type": "string"}))
    return re.sub(r"<(?:[^<>:]+:)?([^<>:]+)>", r"{\1}", rule.rule), params


def openapi_document(app: Flask) -> dict:
    """The whole /api/v1 surface as OpenAPI 3: parameters, request bodies (marshmallow), success
    answers, error answers and who may call each operation."""
    from apispec import APISpec
    from apispec.ext.marshmallow import MarshmallowPlugin

    spec = APISpec(
        title="Legal aid service API",
        version="1",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={
            "description": "The JSON contract of API.md. Errors always have the body "
            '`{"error": {"code", "message", "fields"?}}`; a 500 is a bug.'
        },
        security=SIGNED_IN,
    )
    for name, scheme in SECURITY_SCHEMES.items():
        spec.components.security_scheme(name, scheme)
    components: dict[str, dict] = {}

    def ref(schema: dict) -> dict:
        """The schema with every ``Named`` part replaced by a reference to its component."""
        if isinstance(schema, Named):
            if schema.name not in components:
                components[schema.name] = {}  # placeholder first: a schema may refer to itself
                components[schema.name] = ref(dict(schema))
            return {"$ref": f"#/components/schemas/{schema.name}"}
        if isinstance(schema, dict):
            return {k: ref(v) for k, v in schema.items()}
        if isinstance(schema, list):
            return [ref(v) for v in schema]
        return schema

    bodies: dict[str, type] = {}

    def body_ref(schema_cls: type[ma.Schema]) -> dict:
        """A request body's schema as a component named after its class (``CaseCreateSchema`` →
        ``CaseCreateBody``, apart from the answers' names; the area's name first when two areas use
        one class name)."""
        name = schema_cls.__name__.removesuffix("Schema") + "Body"
        if bodies.get(name, schema_cls) is not schema_cls:
            name = f"{schema_cls.__module__.split('.')[-2].title()}{name}"
        if name not in bodies:
            bodies[name] = schema_cls
            spec.components.schema(name, schema=schema_cls)
        return {"$ref": f"#/components/schemas/{name}"}

    error_ref = ref(ERROR)
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(API_PREFIX):
            continue
        view = app.view_functions[rule.endpoint]
        answer: Answer | None = getattr(view, "answer", None)
        path, path_params = _openapi_path(rule)
        if answer is not None:
            path_params = [(name, answer.path.get(name, schema)) for name, schema in path_params]
        doc = (view.__doc__ or "").strip()
        for method in sorted(m.lower() for m in (rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operation: dict = {
                "operationId": f"{rule.endpoint}.{method}",
                "summary": doc.splitlines()[0] if doc else rule.endpoint,
                "description": doc,
                "tags": [rule.endpoint.split(".")[0]],
                "parameters": [
                    {"name": name, "in": "path", "required": True, "schema": schema}
                    for name, schema in path_params
                ],
                "responses": {},
            }
            if answer is not None and answer.creates:
                operation["x-creates"] = answer.creates  # linked once every path is known
            if is_public(view):
                operation["security"] = PUBLIC
            elif view.roles:
                operation["x-roles"] = list(view.roles)  # any one of them; none listed: any signed-in user
            query = getattr(view, "query_schema", None)
            if query is not None:
                operation["parameters"].append({"in": "query", "schema": query})
            if answer is not None and isinstance(answer.schema, Page):
                operation["parameters"].append({"in": "query", "schema": PageArgs})
            body = getattr(view, "body_schema", None)
            if body is not None:
                # An empty body is read as {}: it may be left out when no field is required.
                operation["requestBody"] = {
                    "required": any(f.required for f in body().fields.values()),
                    "content": {JSON: {"schema": body_ref(body)}},
                }
            if answer is None:
                operation["responses"]["200"] = {"description": "Success (not yet described)."}
            else:
                for status in (answer.status, *answer.also):
                    response: dict = {"description": "Success." if status != 201 else "Created."}
                    if status != 204:
                        schema = ref(answer.schema) if answer.schema is not None else {}
                        response["content"] = {
                            media: {
                                "schema": schema if media == JSON else {"type": "string", "format": "binary"}
                            }
                            for media in answer.media
                        }
                    operation["responses"][str(status)] = response
            for status in sorted(error_statuses(view, method, [n for n, _s in path_params])):
                operation["responses"][str(status)] = {
                    "description": ERROR_DESCRIPTIONS.get(status, "Error."),
                    "content": {JSON: {"schema": error_ref}},
                }
            paths.setdefault(path, {})[method] = operation
    _link_created_objects(paths)
    for name, schema in components.items():
        spec.components.schema(name, component=schema)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    document = _plain(spec.to_dict())
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation["parameters"]:
                if parameter["in"] == "query":
                    parameter["schema"] = _query_value(parameter["schema"])
    return document


def _link_created_objects(paths: dict[str, dict]) -> None:
    """A create's success answer links to every operation whose path takes the id it made."""
    by_parameter: dict[str, list[str]] = {}
    for operations in paths.values():
        for operation in operations.values():
            for parameter in operation["parameters"]:
                if parameter["in"] == "path":
                    by_parameter.setdefault(parameter["name"], []).append(operation["operationId"])
    for operations in paths.values():
        for operation in operations.values():
            creates = operation.pop("x-creates", None)
            if creates is None:
                continue
            (status,) = [s for s in operation["responses"] if s.startswith("2")]
            operation["responses"][status]["links"] = {
                target: {"operationId": target, "parameters": {creates: "$response.body#/id"}}
                for target in by_parameter.get(creates, [])
            }


def _query_value(schema: dict) -> dict:
    """A query parameter is text or absent, never null: marshmallow's ``load_default=None`` says
    "absent", which apispec spells as nullable."""
    schema = {k: v for k, v in schema.items() if k != "nullable" and not (k == "default" and v is None)}
    if "enum" in schema:
        schema["enum"] = [v for v in schema["enum"] if v is not None]
    return schema


def _plain(value):
    """JSON values only: a marshmallow default such as ``Decimal(0)`` becomes the number it is."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    return value
