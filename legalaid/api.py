"""What every JSON endpoint shares: the error contract, body validation, lists, the OpenAPI document.

Each area has its own blueprint under ``/api/v1`` (made with ``api_blueprint``); the error handlers
here are registered on the app and answer JSON for every path under ``/api/``.
"""

from __future__ import annotations

import functools
import json

import marshmallow as ma
import sqlalchemy as sa
from flask import Blueprint, Flask, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from legalaid.errors import DomainError, say

API_PREFIX = "/api/v1"

HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_attempts",
}


def api_blueprint(name: str, import_name: str) -> Blueprint:
    return Blueprint(name, import_name, url_prefix=API_PREFIX)


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    error = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return jsonify({"error": error}), status


def _flatten_fields(messages) -> dict:
    """marshmallow nests errors for nested schemas; the contract wants ``{"field": [problems]}``."""
    flat: dict[str, list[str]] = {}

    def walk(prefix, value):
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            flat.setdefault(prefix or "_schema", []).extend(value)
        elif isinstance(value, list):
            for i, sub in enumerate(value):
                walk(f"{prefix}.{i}", sub)
        else:
            flat.setdefault(prefix or "_schema", []).append(str(value))

    walk("", messages)
    return flat


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        if is_api_request():
            return error_response(exc.status, exc.code, exc.message, exc.fields)
        from legalaid.pages import domain_error_page

        return domain_error_page(exc)

    @app.errorhandler(ma.ValidationError)
    def validation_error(exc: ma.ValidationError):
        fields = _flatten_fields(exc.messages)
        return error_response(422, "invalid", "Some fields are not valid.", fields)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if not is_api_request():
            from legalaid.pages import http_error_page

            return http_error_page(exc)
        code = HTTP_CODES.get(exc.code, "error")
        response, status = error_response(exc.code, code, exc.description or exc.name)
        if exc.code == 405 and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response, status

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        # A 500 is a bug: log it with its traceback, answer with the contract's body.
        current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if is_api_request():
            return error_response(500, "internal_error", "An internal error occurred; it has been logged.")
        from werkzeug.exceptions import InternalServerError

        from legalaid.pages import http_error_page

        return http_error_page(InternalServerError())


def read_json_body() -> dict:
    """The request body as a JSON object; an empty body is ``{}``; anything else malformed is 400."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    if request.mimetype != "application/json":
        raise DomainError(say("Send the body as application/json."), code="unsupported_media_type")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DomainError(
            say("The body is not valid JSON: %(detail)s", detail=str(exc)), code="malformed_json"
        ) from exc
    if not isinstance(data, dict):
        raise DomainError(say("The body must be a JSON object."), code="malformed_json")
    return data


def use_body(schema_cls: type[ma.Schema], **schema_kwargs):
    """Validate the JSON body with ``schema_cls`` and pass the loaded data as ``body``."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            kwargs["body"] = schema_cls(**schema_kwargs).load(read_json_body())
            return view(*args, **kwargs)

        wrapper.body_schema = schema_cls
        return wrapper

    return decorate


class PageArgs(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1))
    per_page = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=500))


def query_args(schema_cls: type[ma.Schema]) -> dict:
    """Validated query-string arguments (422 on bad values); unknown arguments are ignored."""
    return schema_cls(unknown=ma.EXCLUDE).load(request.args.to_dict())


def paginate(session, stmt: sa.Select, dump, *, scalars: bool = True) -> dict:
    """``{"items": [...], "total": N}`` for one page of ``stmt`` (page / per_page from the query)."""
    args = query_args(PageArgs)
    total = session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    page_stmt = stmt.limit(args["per_page"]).offset((args["page"] - 1) * args["per_page"])
    rows = session.scalars(page_stmt) if scalars else session.execute(page_stmt)
    return {"items": [dump(row) for row in rows], "total": total}


def openapi_document(app: Flask) -> dict:
    """The whole /api/v1 surface as OpenAPI 3, with request bodies from the marshmallow schemas."""
    from apispec import APISpec
    from apispec.ext.marshmallow import MarshmallowPlugin

    spec = APISpec(
        title="Legal aid service API", version="1", openapi_version="3.0.3", plugins=[MarshmallowPlugin()]
    )
    error_schema = {
        "type": "object",
        "properties": {
            "error": {
                "type": "object",
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "fields": {
                        "type": "object",
                        "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    },
                },
                "required": ["code", "message"],
            }
        },
    }
    spec.components.schema("Error", error_schema)
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(API_PREFIX):
            continue
        view = app.view_functions[rule.endpoint]
        path = rule.rule
        for arg in rule.arguments:
            path = path.replace(f"<int:{arg}>", "{" + arg + "}").replace(f"<{arg}>", "{" + arg + "}")
        doc = (view.__doc__ or "").strip()
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operation = {
                "summary": doc.splitlines()[0] if doc else rule.endpoint,
                "description": doc,
                "operationId": f"{rule.endpoint}.{method.lower()}",
                "parameters": [
                    {"name": arg, "in": "path", "required": True, "schema": {"type": "integer"}}
                    for arg in sorted(rule.arguments)
                ],
                "responses": {
                    "default": {
                        "description": "error",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                },
            }
            body = getattr(view, "body_schema", None)
            if body is not None:
                name = body.__name__.removesuffix("Schema")
                if name not in spec.components.schemas:
                    spec.components.schema(name, schema=body)
                operation["requestBody"] = {
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}
                }
            operation["responses"]["200"] = {"description": "success"}
            paths.setdefault(path, {})[method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
