"""What every JSON endpoint shares: the error contract, body validation, lists (the OpenAPI document
is legalaid.openapi).

Each area has its own blueprint under ``/api/v1`` (made with ``api_blueprint``); the error handlers
here are registered on the app and answer JSON for every path under ``/api/``.
"""

from __future__ import annotations

import functools

import marshmallow as ma
import sqlalchemy as sa
from flask import Blueprint, Flask, current_app, jsonify, request
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from legalaid import limits
from legalaid.db import db, is_conflict
from legalaid.errors import DomainError, NotAllowed, say

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

    @app.errorhandler(DBAPIError)
    def database_conflict(exc: DBAPIError):
        # A constraint, deadlock or serialisation failure is a request that lost a race: nothing of it
        # was kept (rolled back here), and the other request's change stands (409, DESIGN.md §3).
        if not is_conflict(exc):
            return unexpected_error(exc)
        db.session.rollback()
        current_app.logger.info("conflict on %s %s: %s", request.method, request.path, exc.orig)
        return domain_error(
            NotAllowed(say("Someone else changed this at the same moment; look again."), code="conflict")
        )

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
    """The request body as a JSON object (an empty body is ``{}``), as the input boundary parsed and
    checked it before the view (legalaid.limits): anything malformed was already refused."""
    return limits.json_body()


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
    page = limits.Int(load_default=1, validate=ma.validate.Range(min=1))
    per_page = limits.Int(load_default=50, validate=ma.validate.Range(min=1, max=500))


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
