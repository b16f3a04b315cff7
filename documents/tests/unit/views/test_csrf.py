"""CSRF on every write, generated from the same route table as the authorization matrix.

A browser session's write (HTML form, HTMX, or the API called with the session cookie) needs
the CSRF token: without it 403 and nothing changes, with it the write goes through. An API
client with a bearer token sends no cookie, so it needs no token (documents/auth.py).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from documents.tests.routes import Case, World, assert_served, cases, owner_state, request

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lenient_task_limit")]

WRITES = [pytest.param(case, id=case.id) for case in cases() if case.writes]
API_WRITES = [pytest.param(case, id=case.id) for case in cases() if case.writes and case.route.kind == "api"]


@pytest.fixture
def browser(world: World) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.owner)
    return client


def csrf_token(browser: Client) -> str:
    """The token as a real page hands it out (the cookie the page set; HTMX sends it back)."""
    browser.get(reverse("documents:document_list"))
    return browser.cookies["csrftoken"].value


def test_every_kind_of_write_is_covered() -> None:
    kinds = {(p.values[0].route.kind, p.values[0].method) for p in WRITES}

    assert {("page", "POST"), ("api", "POST"), ("api", "PUT"), ("api", "DELETE")} <= kinds


@pytest.mark.parametrize("case", WRITES)
def test_session_write_without_csrf_token_is_403_and_changes_nothing(
    case: Case, browser: Client, world: World
) -> None:
    before = owner_state(world)

    response = request(browser, case, world)

    assert response.status_code == 403, response.content[:500]
    assert owner_state(world) == before


@pytest.mark.parametrize("case", WRITES)
def test_session_write_with_csrf_token_succeeds(case: Case, browser: Client, world: World) -> None:
    token = csrf_token(browser)
    before = owner_state(world)

    response = request(browser, case, world, headers={"X-CSRFToken": token})

    assert_served(case, response, before, world)


@pytest.mark.parametrize("case", WRITES)
def test_a_wrong_csrf_token_is_403(case: Case, browser: Client, world: World) -> None:
    csrf_token(browser)  # the cookie is set, the header does not match it
    before = owner_state(world)

    response = request(browser, case, world, headers={"X-CSRFToken": "x" * 32})

    assert response.status_code == 403, response.content[:500]
    assert owner_state(world) == before


@pytest.mark.parametrize("case", API_WRITES)
def test_bearer_write_needs_no_csrf_token_and_no_session(case: Case, world: World) -> None:
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {world.owner_token}"})
    before = owner_state(world)

    response = request(client, case, world)

    assert_served(case, response, before, world)
    # Neither a session nor a CSRF cookie was involved, before or after.
    assert not {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME} & set(client.cookies)


@pytest.mark.parametrize("case", API_WRITES)
@pytest.mark.parametrize("authorization", [None, "Bearer otl_revoked-or-mistyped"], ids=["none", "wrong"])
def test_an_api_write_without_valid_credentials_is_401_not_a_csrf_failure(
    case: Case, authorization: str | None, world: World
) -> None:
    # Regression: ninja checked the (absent) session's CSRF token first and answered 403
    # "CSRF check Failed", which sent API clients with a revoked token looking in the wrong place.
    client = Client(enforce_csrf_checks=True)
    headers = {"Authorization": authorization} if authorization else {}

    response = request(client, case, world, headers=headers)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
