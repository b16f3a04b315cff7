"""Who may use each route, generated from the URLconf (documents/tests/routes.py).

For every route × method: anonymous is refused (401 for the API and the stream, a redirect to
the login page for HTML), another user gets 404 and changes nothing of the owner's, and the
owner succeeds with the very same request. A route with neither a spec nor a PUBLIC entry fails
`test_every_route_is_covered`, so a new endpoint cannot go untested.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path, reverse

from documents.tests.routes import (
    ADMIN_NAMESPACE,
    OWNER_MARK,
    Case,
    Route,
    World,
    all_routes,
    assert_served,
    browser_csrf,
    cases,
    owner_state,
    request,
    uncovered,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lenient_task_limit")]

# anonymous_browser has a CSRF cookie and token but no session; anonymous_client has nothing (curl).
# other_htmx: the same request as a partial (HTMX), which skips the page around it.
PAGE_ACTORS = ["anonymous_browser", "other_session", "other_htmx", "owner_session"]
API_ACTORS = [
    "anonymous_browser",
    "anonymous_client",
    "wrong_token",
    "other_session",
    "other_bearer",
    "owner_session",
    "owner_bearer",
]
CASES = cases()
MATRIX = [
    pytest.param(case, actor, id=f"{case.id} as {actor}")
    for case in CASES
    for actor in (API_ACTORS if case.route.kind == "api" else PAGE_ACTORS)
]


@pytest.fixture(autouse=True)
def _short_streams(settings) -> None:  # noqa: ANN001
    # A stream that failed to end by itself still ends, so the run cannot hang on it.
    settings.SSE_MAX_DURATION_SECONDS = 5


def client_for(actor: str, world: World) -> tuple[Client, dict[str, str]]:
    """A client as the actor would really come, and the headers it sends.

    Every client enforces CSRF, as the server always does outside tests. A browser (a session,
    or anonymous on the HTML pages) carries a valid CSRF token, so a refusal is about who it is,
    not about the token; an API client (a bearer token, or none) has no cookies at all.
    """
    who, _, how = actor.partition("_")
    client = Client(enforce_csrf_checks=True)
    if how == "bearer":
        token = world.owner_token if who == "owner" else world.other_token
        return client, {"Authorization": f"Bearer {token}"}
    if who == "wrong":
        return client, {"Authorization": "Bearer otl_revoked-or-mistyped"}
    if who == "anonymous" and how == "client":
        return client, {}
    if who != "anonymous":
        client.force_login(world.owner if who == "owner" else world.other)
    headers = browser_csrf(client)
    return client, {**headers, "HX-Request": "true"} if how == "htmx" else headers


def assert_refused(case: Case, actor: str, response: HttpResponse) -> None:
    api = case.route.kind == "api"
    anonymous = actor.startswith(("anonymous", "wrong"))
    if not anonymous and case.spec.collection:
        # Served, but with their own objects only (a partial where HTMX asked for one).
        expected = case.spec.htmx_status if actor.endswith("htmx") else case.spec.status
        assert response.status_code == expected, response.content[:500]
        assert OWNER_MARK not in response.content
    elif anonymous and api:
        assert response.status_code == 401, response.content[:500]
        assert response.json()["error"]["code"] == "unauthenticated"
    elif anonymous and response.wsgi_request.headers.get("HX-Request"):
        # A fragment: the browser is sent to the log-in page (HX-Redirect), nothing is swapped in.
        assert response.status_code == 200 and response.content == b""
        assert response["HX-Redirect"].startswith(f"{reverse('login')}?next="), response["HX-Redirect"]
    elif anonymous:
        assert response.status_code == 302
        assert response.url.startswith(f"{reverse('login')}?next="), response.url
    else:
        assert response.status_code == 404, response.content[:500]
        if api:
            assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(("case", "actor"), MATRIX)
def test_route_refuses_strangers_and_serves_the_owner(case: Case, actor: str, world: World) -> None:
    before = owner_state(world)

    client, headers = client_for(actor, world)

    response = request(client, case, world, headers=headers)

    if actor.startswith("owner"):
        assert_served(case, response, before, world)
    else:
        assert_refused(case, actor, response)
        assert owner_state(world) == before, "a refused request changed the owner's objects"


# Ids of objects: one that no database column can hold must be a plain 404 (not an OverflowError).
ID_PARAMS = {"document_id", "task_id", "number"}
HUGE_ID = 10**20
ID_CASES = [
    pytest.param(case, param, id=f"{case.id} {param}")
    for case in CASES
    for param in case.route.params
    if param in ID_PARAMS
]


@pytest.mark.parametrize(("case", "param"), ID_CASES)
def test_an_id_no_database_can_hold_is_404(case: Case, param: str, world: World) -> None:
    # Regression: the outline routes (pages and API) answered 500 for /documents/<20 digits>/...
    client, headers = client_for("owner_session", world)
    kwargs = {**world.kwargs(case.route, case.spec), param: HUGE_ID}
    url = case.route.url(kwargs)

    response = request(client, case, world, headers=headers, url=url)

    assert response.status_code == 404, response.content[:300]


ALL_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def _undeclared() -> list:
    declared: dict[str, set[str]] = {}
    for case in CASES:  # ninja serves several operations on one path
        declared.setdefault(case.route.route, set()).add(case.method)
    by_route = {case.route.route: case for case in CASES}
    return [
        pytest.param(by_route[route], method, id=f"{method} {by_route[route].route.key}")
        for route, methods in declared.items()
        for method in sorted(ALL_METHODS - methods)
    ]


@pytest.mark.parametrize(("case", "method"), _undeclared())
def test_methods_a_route_does_not_declare_are_405(case: Case, method: str, world: World) -> None:
    # The matrix trusts each view's declared methods; a view that also acted on another method
    # would have a write nobody tests.
    client, headers = client_for("owner_session", world)
    url = case.route.url(world.kwargs(case.route, case.spec))

    response = getattr(client, method.lower())(url, headers=headers)

    assert response.status_code == 405, response.content[:300]


def test_every_route_is_covered() -> None:
    assert uncovered() == []


def test_the_walk_reaches_included_api_and_stream_routes() -> None:
    keys = {case.route.key for case in CASES}

    assert {"documents:document_delete", "api-v1:outline_update", "api-v1:task_stream"} <= keys
    assert {case.method for case in CASES} == {"GET", "POST", "PUT", "DELETE"}


def _secret(request: object) -> HttpResponse:
    return HttpResponse("nobody checked me")


def test_a_new_route_without_a_spec_fails_coverage() -> None:
    from project.urls import urlpatterns

    extra = type("urlconf", (), {"urlpatterns": [*urlpatterns, path("documents-secret/", _secret)]})

    with override_settings(ROOT_URLCONF=extra):
        problems = uncovered()

    assert problems == ["documents-secret/: the view declares no methods (use require_GET/require_POST)"]


PUBLIC_GETS = [pytest.param(r, id=r.key or "/") for r in all_routes() if r.kind == "public"]


@pytest.mark.parametrize("route", PUBLIC_GETS)
def test_public_routes_serve_anonymous_visitors(route: Route) -> None:
    # The allow-list must be true: a listed route that wanted a login would hide a missing spec.
    response = Client().get(route.url({}))

    assert response.status_code not in (401, 403), response.status_code
    assert not (response.status_code == 302 and response.url.startswith(reverse("login")))
    # /readyz answers 503 while the worker or the model is down, as it is in unit tests.
    assert response.status_code < 500 or route.key == "readyz"


# ----------------------------------------------------------------------------- the admin: staff only


def _admin_url(route: Route) -> str:
    if route.name is None and route.regex:
        return "/admin/no-such-page/"  # the admin's catch-all
    values = {"object_id": "1", "id": "1", "content_type_id": "1", "app_label": "documents", "url": "x/"}
    return route.url({p: values[p] for p in route.params})


# Reachable by anyone on purpose: the admin's own login and logout.
ADMIN_PUBLIC = {f"{ADMIN_NAMESPACE}:login", f"{ADMIN_NAMESPACE}:logout"}
ADMIN_ROUTES = [
    pytest.param(r, id=r.key) for r in all_routes() if r.kind == "admin" and r.key not in ADMIN_PUBLIC
]


@pytest.mark.parametrize("route", ADMIN_ROUTES)
def test_admin_routes_are_staff_only(route: Route) -> None:
    user = User.objects.create_user(username="member")
    url = _admin_url(route)
    member = Client()
    member.force_login(user)  # logged in, but not staff

    for client in (Client(), member):
        response = client.get(url)
        assert response.status_code == 302, (url, response.status_code)
        assert response.url.startswith(reverse("admin:login")), response.url


def test_staff_reach_the_admin() -> None:
    user = User.objects.create_user(username="operator", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)

    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:documents_document_changelist")).status_code == 200
