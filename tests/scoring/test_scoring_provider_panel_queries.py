"""The provider's home panel reads the closings still missing materials with their case types in one
query: the number of queries does not grow with the number of such closings (no query per closing)."""

from __future__ import annotations

import sqlalchemy as sa

from legalaid import clock
from legalaid.db import db
from supervision.scoring.closing import close_case


def _queries_for_panel(app, login) -> tuple[int, str]:
    from flask_login import login_user

    from legalaid.auth import principal_for_user_id
    from supervision.scoring.panels import provider_panel

    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.test_request_context("/"):
        principal = principal_for_user_id(login.id)
        login_user(principal)
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            html = str(provider_panel(principal))
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(statements), html


def test_late_materials_cost_the_same_queries_for_one_or_many_closings(
    app, session, make_case_in_progress, make_org_provider, provider_user
):
    provider = make_org_provider()
    login = provider_user(provider)

    def close_one():
        case = make_case_in_progress(provider=provider)
        close_case(
            session, case, login, ended_on=clock.today(), outcome="judgment", documents=["closing_report"]
        )
        session.commit()
        return case

    first = close_one()
    one, html = _queries_for_panel(app, login)
    assert first.number in html
    more = [close_one() for _ in range(4)]
    many, html = _queries_for_panel(app, login)
    assert all(case.number in html for case in more)
    assert many == one
