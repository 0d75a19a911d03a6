"""schemathesis walks the whole OpenAPI document against a live server holding the demo district, on
the test database (SQLite, or PostgreSQL in CI's second run), with every check that applies here:

* ``not_a_server_error``: no input may cause a 500 (API.md);
* ``status_code_conformance``, ``content_type_conformance``, ``response_headers_conformance``,
  ``response_schema_conformance``: every answer is one the document states, in its schema;
* ``negative_data_rejection``: input the document calls invalid is refused with a 4xx;
* ``missing_required_header``, ``unsupported_method``, ``allow_header_conformance``,
  ``ignored_auth`` (an operation that needs a signed-in user refuses an anonymous one),
  ``use_after_free`` and ``ensure_resource_availability`` (stateful phase).

``positive_data_acceptance`` is left out on purpose: input valid by the schema is often refused by a
rule no schema states (409 in the wrong state, 422 for a date outside its window), as it should be.

Three callers, by bearer token: one user holding every staff role (all phases, so the coordinator's,
supervisor's and finance's operations are reached), a provider (the operations a provider may call,
all phases), and a plain admin (every operation; examples, fuzzing and stateful phases: the coverage
phase's boundary values were already sent). Id parameters carry the district's real ids as
examples, so operations on ids reach real objects.

Bounded for CI: a fixed seed and ``LEGALAID_SCHEMATHESIS_EXAMPLES`` (default 5) examples per
operation and phase; set it higher for a deeper local run."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import threading

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from legalaid import create_app
from legalaid.answers import close_head_reader
from legalaid.db import db
from tests.conftest import ON_POSTGRES, PASSWORD, _config, _reset_to_migrated_state

pytestmark = pytest.mark.timeout(900)

EXAMPLES = int(os.environ.get("LEGALAID_SCHEMATHESIS_EXAMPLES", "5"))
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
    "ignored_auth",
    "use_after_free",
    "ensure_resource_availability",
)
ALL_PHASES = "examples,coverage,fuzzing,stateful"

# Id parameters (path and query) and the table whose ids they take.
ID_TABLES = {
    "case_id": "legal_case",
    "provider_id": "provider",
    "pool_id": "rotation_pool",
    "assignment_id": "assignment",
    "hearing_id": "hearing",
    "observation_id": "observation",
    "call_id": "follow_up_call",
    "flag_id": "red_flag",
    "checklist_id": "checklist",
    "sheet_id": "score_sheet",
    "subsidy_id": "subsidy",
    "batch_id": "payment_batch",
    "observer_id": "user_account",
    "caller_id": "user_account",
}


@pytest.fixture(scope="module")
def district(migrated_url, tmp_path_factory):
    """A live server on the demo district; yields its URL, bearer tokens and ids of real objects."""
    from legalaid.demo import run_demo
    from legalaid.models import User, UserRole
    from legalaid.users import create_user, issue_token

    url = migrated_url
    if not ON_POSTGRES:
        path = tmp_path_factory.mktemp("schemathesis") / "district.sqlite3"
        shutil.copyfile(migrated_url.removeprefix("sqlite:///"), path)
        url = f"sqlite:///{path}"
    app = create_app(_config(url))
    if ON_POSTGRES:
        _reset_to_migrated_state(app)
    with app.app_context():
        run_demo(db.session, progress=lambda message: None)
        admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
        provider = db.session.scalar(
            sa.select(User).join(UserRole).where(UserRole.role == "provider").order_by(User.id)
        )
        staff = create_user(
            db.session,
            None,
            "every_staff_role",
            PASSWORD,
            ["admin", "coordinator", "supervisor", "finance"],
        )
        tokens = {
            "staff": issue_token(db.session, staff),
            "provider": issue_token(db.session, provider),
            "admin": issue_token(db.session, admin),
        }
        ids = {}
        for name, table in ID_TABLES.items():
            column = db.metadata.tables[table].c.id
            ids[name] = list(db.session.scalars(sa.select(column).order_by(column).limit(4)))
        db.session.commit()
        document = app.test_client().get("/api/v1/openapi.json").get_json()
        db.session.remove()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {
        "url": f"http://127.0.0.1:{server.server_port}",
        "tokens": tokens,
        "ids": ids,
        "document": document,
    }
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        close_head_reader(app)
        db.session.remove()
        db.engine.dispose()


def with_examples(document: dict, ids: dict[str, list[int]]) -> dict:
    """The document with the district's ids as examples of id parameters (path and query)."""
    document = json.loads(json.dumps(document))
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                values = ids.get(parameter["name"])
                if values:
                    parameter["examples"] = {f"demo{i}": {"value": v} for i, v in enumerate(values)}
    return document


def open_to(document: dict, role: str) -> list[str]:
    """The operations ``role`` may call (no role list: any signed-in user), by operationId. The
    document stays whole: the Allow header check compares an answer with every method of a path."""
    return [
        operation["operationId"]
        for operations in document["paths"].values()
        for operation in operations.values()
        if role in operation.get("x-roles", [role])
    ]


def run_schemathesis(
    base_url: str, document: dict, token: str, phases: str, folder, only: list[str] | None = None
) -> tuple[int, str, dict]:
    schema_path, report_path = folder / "openapi.json", folder / "report.json"
    schema_path.write_text(json.dumps(document))
    command = [
        *(sys.executable, "-m", "schemathesis.cli", "run", str(schema_path)),
        *("--url", base_url, "--header", f"Authorization: Bearer {token}"),
        *("--checks", ",".join(CHECKS), "--phases", phases),
        *("--max-examples", str(EXAMPLES), "--seed", "20261", "--no-shrink", "--workers", "1"),
        *("--generation-database", "none", "--request-timeout", "30", "--no-color"),
        *("--report", "json", "--report-json-path", str(report_path)),
        *(argument for operation_id in only or () for argument in ("--include-operation-id", operation_id)),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=folder)
    output = result.stdout + result.stderr
    (folder / "output.txt").write_text(output)
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    return result.returncode, output, report


@pytest.mark.parametrize(
    ("caller", "phases"),
    [("staff", ALL_PHASES), ("provider", ALL_PHASES), ("admin", "examples,fuzzing,stateful")],
)
def test_schemathesis_finds_no_failure(district, tmp_path, caller, phases):
    document = with_examples(district["document"], district["ids"])
    only = open_to(document, "provider") if caller == "provider" else None
    code, output, report = run_schemathesis(
        district["url"], document, district["tokens"][caller], phases, tmp_path, only
    )
    operations, cases = report.get("operations", {}), report.get("test_cases", {})
    print(
        f"schemathesis as {caller} ({'PostgreSQL' if ON_POSTGRES else 'SQLite'}): "
        f"{operations.get('tested')} operations, {cases.get('generated')} test cases, "
        f"{len(report.get('failures', []))} failures, {len(report.get('errors', []))} errors"
    )
    assert code == 0, output[-20000:]
    assert operations["tested"] == len(only or [op for ops in document["paths"].values() for op in ops])
