"""What the subsidy and finance page tests share: a client signed in with a role (the ``signed_in``
fixture; a module takes it with ``signed_in = page_helpers.signed_in``), the page's text, whether an
action asked first, a row read afresh, and today."""

from __future__ import annotations

import pytest

from legalaid import clock
from tests.subsidies.test_subsidy_api import FreshContextClient

TODAY = clock.today()
EN = {"Accept-Language": "en-GB,en;q=0.9"}


@pytest.fixture
def signed_in(app, staff, session):
    """signed_in("finance", provider_id=None) -> a test client signed in as a new user with that role."""

    def sign(*roles, provider_id=None):
        username = staff(*roles, provider_id=provider_id).username
        client = FreshContextClient(app, app.response_class, use_cookies=True)
        response = client.post("/api/v1/session", json={"username": username, "password": "Test-passw0rd"})
        assert response.status_code == 200
        return client

    return sign


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
