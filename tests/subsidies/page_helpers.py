"""What the subsidy and finance page tests share: a client signed in with a role (the ``signed_in``
fixture; a module takes it with ``signed_in = page_helpers.signed_in``), the page's text, whether an
action asked first, a row read afresh, and today."""

from __future__ import annotations

from legalaid import clock
from tests.subsidies.test_subsidy_api import signed_in  # noqa: F401 (the one fixture, re-exported)

TODAY = clock.today()
EN = {"Accept-Language": "en-GB,en;q=0.9"}


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def asked_first(response) -> bool:
    return response.status_code == 200 and 'id="confirm-yes"' in response.get_data(as_text=True)


def fresh(session, model, key):
    session.expire_all()
    found = session.get(model, key)
    session.commit()
    return found
