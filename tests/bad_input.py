"""The classes of hostile input the corpus (test_input_corpus.py) sends to every API operation, and how
one is put into an operation: each bad value in every field of the operation's body schema and of the
query-argument schemas it reads, or in its path; ``problem`` says why an answer breaks the contract
(API.md: a 4xx with the error body, never a 500)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import marshmallow as ma

from legalaid.api import API_PREFIX

HUGE_ID = 99_999_999_999  # above a signed 32-bit integer column
HUGE_INT = 10**20  # above a signed 64-bit one
GIANT = "x" * 20_000  # far above every column; a body with it in every field stays below 1 MiB
DEEP = 1000

# Where each path argument's real id comes from.
PATH_ID_TABLES = {
    "assignment_id": "assignment",
    "batch_id": "payment_batch",
    "call_id": "follow_up_call",
    "case_id": "legal_case",
    "checklist_id": "checklist",
    "complaint_id": "complaint",
    "consultation_id": "consultation",
    "export_id": "export_job",
    "flag_id": "red_flag",
    "hearing_id": "hearing",
    "observation_id": "observation",
    "pool_id": "rotation_pool",
    "provider_id": "provider",
    "rota_id": "duty_rota",
    "sheet_id": "score_sheet",
    "shift_id": "duty_shift",
    "station_id": "station",
    "subsidy_id": "subsidy",
    "swap_id": "duty_swap",
    "user_id": "user_account",
}
PATH_TEXT = {"day": "2026-05-01", "month": "2026-05"}


@dataclass
class Operation:
    method: str
    rule: str
    args: list[str]
    body_schema: type[ma.Schema] | None
    query_schemas: list[type[ma.Schema]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.method} {self.rule}"

    def path(self, ids: dict, **override) -> str:
        path = self.rule
        for arg in self.args:
            value = override.get(arg, ids.get(arg) if arg in PATH_ID_TABLES else PATH_TEXT[arg])
            path = path.replace(f"<int:{arg}>", str(value)).replace(f"<{arg}>", str(value))
        return path


def api_operations(app) -> list[Operation]:
    ops = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(API_PREFIX):
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            unknown = [a for a in rule.arguments if a not in PATH_ID_TABLES and a not in PATH_TEXT]
            assert not unknown, f"{rule.rule}: say where {unknown} comes from in PATH_ID_TABLES"
            ops.append(
                Operation(method, rule.rule, sorted(rule.arguments), getattr(view, "body_schema", None))
            )
    return ops


# --- filling a schema with one kind of bad value -------------------------------------------------


def _kind(f: ma.fields.Field) -> str | None:
    if isinstance(f, ma.fields.String):
        return "string"
    if isinstance(f, ma.fields.Date):
        return "date"
    if isinstance(f, ma.fields.DateTime):
        return "datetime"
    if isinstance(f, ma.fields.Number):
        return "number"
    return None


def fill(schema: type[ma.Schema] | ma.Schema, values: dict[str, object]) -> dict:
    """A body with ``values[kind]`` in every field of that kind (into lists, nested schemas, dicts)."""
    schema = schema() if isinstance(schema, type) else schema
    out = {}
    for name, f in schema.fields.items():
        if f.dump_only:
            continue
        value = _value_for(f, values)
        if value is not None:
            out[f.data_key or name] = value
    return out


def _value_for(f: ma.fields.Field, values: dict):
    if isinstance(f, ma.fields.Nested):
        inner = fill(f.schema, values)
        return ([inner] if f.many else inner) or None
    if isinstance(f, ma.fields.List):
        inner = _value_for(f.inner, values)
        return [inner] if inner is not None else None
    if isinstance(f, ma.fields.Dict):
        inner = _value_for(f.value_field, values) if f.value_field else None
        return {"cause": inner} if inner is not None else None
    return values.get(_kind(f))


def query_fill(op: Operation, values: dict) -> dict:
    out = {}
    for schema in op.query_schemas:
        for name, f in schema().fields.items():
            value = values.get(_kind(f))
            if value is not None:
                out[f.data_key or name] = str(value)
    return out


# --- the classes of bad input ----------------------------------------------------------------------


@dataclass
class Bad:
    """One request: a path override, a query, a raw body and its content type."""

    path: dict = field(default_factory=dict)
    query: str = ""
    body: bytes | None = None
    content_type: str = "application/json"
    expect: tuple[int, ...] = ()


def _json(data) -> bytes:
    return json.dumps(data).encode()  # ensure_ascii: a lone surrogate travels as \ud800


def _strings(op: Operation, value: str) -> list[Bad]:
    out = []
    body = fill(op.body_schema, {"string": value}) if op.body_schema else {}
    out.append(Bad(body=_json(body or {"note": value})))
    query = query_fill(op, {"string": value})
    if query:
        out.append(Bad(query="&".join(f"{k}={_quote(v)}" for k, v in query.items())))
    return out


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def deep_json(op):
    nested = "[" * DEEP + "]" * DEEP
    return [Bad(body=b'{"x": ' + nested.encode() + b"}", expect=(400,))]


def lone_surrogate(op):
    # In the body as the JSON escape \ud800; in the query string as its (invalid) UTF-8 bytes.
    return [*_strings(op, "\ud800"), Bad(query="q=%ED%A0%80", expect=(400,))]


def nul(op):
    return [*_strings(op, "a\x00b"), Bad(query="q=a%00b", expect=(400,))]


def huge_int(op):
    out = []
    if op.body_schema:
        body = fill(op.body_schema, {"number": HUGE_INT})
        if body:
            out.append(Bad(body=_json(body)))
    query = query_fill(op, {"number": 2**63 - 1})
    if query:
        out.append(Bad(query="&".join(f"{k}={v}" for k, v in query.items())))
    return out


def huge_path_id(op):
    ints = [a for a in op.args if a in PATH_ID_TABLES]
    if not ints:
        return []
    return [
        Bad(path={a: HUGE_ID for a in ints}, expect=(404,)),
        Bad(path={a: "9" * 5000 for a in ints}, expect=(404,)),
    ]


def giant_string(op):
    out = []
    if op.body_schema:
        body = fill(op.body_schema, {"string": GIANT})
        if body:
            out.append(Bad(body=_json(body)))
    query = query_fill(op, {"string": "x" * 5000})
    if query:
        out.append(Bad(query="&".join(f"{k}={v}" for k, v in query.items())))
    return out


def absurd_date(op):
    out = []
    for day, moment in (
        ("9999-12-31", "9999-12-31T10:00:00+08:00"),
        ("0001-01-01", "0001-01-01T00:00:00+00:00"),
    ):
        values = {"date": day, "datetime": moment}
        if op.body_schema:
            body = fill(op.body_schema, values)
            if body:
                out.append(Bad(body=_json(body)))
        query = query_fill(op, values)
        if query:
            out.append(Bad(query="&".join(f"{k}={v}" for k, v in query.items())))
        if "day" in op.args:
            out.append(Bad(path={"day": day}))
    return out


def oversize_body(op):
    return [Bad(body=b'{"x": "' + b"x" * (1024 * 1024) + b'"}', expect=(413,))]


def wrong_content_type(op):
    return [
        Bad(body=b"reason=x&username=x", content_type="application/x-www-form-urlencoded"),
        Bad(body=b'{"reason": "x"}', content_type="text/plain"),
    ]


CLASSES = {
    f.__name__: f
    for f in (
        deep_json,
        lone_surrogate,
        nul,
        huge_int,
        huge_path_id,
        giant_string,
        absurd_date,
        oversize_body,
        wrong_content_type,
    )
}


def send(client, op: Operation, ids: dict, bad: Bad):
    path = op.path(ids, **bad.path) + (f"?{bad.query}" if bad.query else "")
    kwargs = {}
    if bad.body is not None:
        kwargs = {"data": bad.body, "content_type": bad.content_type}
    return client.open(path, method=op.method, **kwargs)


def problem(response, bad: Bad) -> str | None:
    """Why this answer breaks the contract, or None."""
    if not 400 <= response.status_code < 500:
        return f"status {response.status_code}"
    if bad.expect and response.status_code not in bad.expect:
        return f"status {response.status_code}, expected {bad.expect}"
    body = response.get_json(silent=True)
    error = body.get("error") if isinstance(body, dict) else None
    if not (
        isinstance(error, dict)
        and isinstance(error.get("code"), str)
        and isinstance(error.get("message"), str)
    ):
        return f"no error body: {response.get_data(as_text=True)[:200]!r}"
    return None
