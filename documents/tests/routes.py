"""Every route of the URLconf as test cases, shared by the authorization matrix and the CSRF tests.

The routes come from walking `get_resolver()`, their methods from the views themselves (ninja
operations, `require_GET`/`require_POST`), and their URLs from the owner's real objects. A new
endpoint therefore shows up in both test files by itself, and fails them until it has a `SPECS`
entry (how the owner uses it successfully) or a `PUBLIC` entry (why anyone may use it).
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pytest
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern

from documents import services
from documents.models import ApiToken, Document, Outline, OutlineTask
from documents.tests.conftest import make_docx
from documents.tests.fakes import FakeProvider

Kind = Literal["page", "api", "admin", "public"]

# Anyone may use these; each says why. Keys are "namespace:name" (or the route, if unnamed).
PUBLIC: dict[str, str] = {
    "home": "the landing page says what Outliner does; a signed-in user is sent to their documents",
    "signup": "creating an account is what an anonymous visitor does",
    "login": "logging in is what an anonymous visitor does",
    "admin_login": "the admin's log-in form (rate limited like ours); staff log in there",
    "logout": "logging out needs no account (and only ends the caller's own session)",
    "set_language": "the header's language switcher works before login (stores a cookie, no data)",
    "javascript-catalog": "our JS strings' translations, the same for everybody",
    "healthz": "liveness for load balancers; says only 'ok'",
    "readyz": "readiness for load balancers; kept off the public proxy (docs/ops)",
    "metrics": "the Prometheus scrape: 404 outside METRICS_ALLOWED_NETWORKS, no per-user data",
    "api-v1:openapi-json": "the API's OpenAPI document describes endpoints, not anyone's data",
    "api-v1:openapi-view": "the API docs page renders the OpenAPI document",
    "api-v1:api-root": "ninja's mount point; it always 404s (it only anchors reverse())",
    # Only mounted with DJANGO_DEBUG=1 (django-browser-reload's event stream for development).
    "django_browser_reload:events": "development-only live reload, never mounted in production",
}
DEBUG_ONLY = {"django_browser_reload:events"}

# Served by Django's admin: staff only, checked separately (test_admin_routes_are_staff_only).
ADMIN_NAMESPACE = "admin"
API_NAMESPACE = "api-v1"


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or the route itself when unnamed
    route: str  # the full pattern, e.g. "documents/<int:document_id>/delete/"
    name: str | None  # for reverse()
    kind: Kind
    methods: tuple[str, ...]  # empty when the view does not declare them
    regex: bool = False

    def url(self, kwargs: dict[str, Any]) -> str:
        if self.name is not None:
            return reverse(self.name, kwargs=kwargs)
        if self.regex:
            raise AssertionError(f"unnamed regex route {self.route!r}: give it a literal URL in the test")
        return "/" + _CONVERTER.sub(lambda m: str(kwargs[m.group(1)]), self.route)

    @property
    def params(self) -> list[str]:
        return [m.group(1) for m in _CONVERTER.finditer(self.route)] + re.findall(r"\(\?P<(\w+)>", self.route)


_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def _declared_methods(view: Callable) -> tuple[str, ...]:
    """The methods a view accepts: a class-based view's handlers, or what Django's
    `require_http_methods` family declares (found in the decorator's closure, any depth down)."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:  # View.as_view(); OPTIONS and HEAD come with every View
        names = [m for m in view_class.http_method_names if m not in {"options", "head"}]
        return tuple(sorted(m.upper() for m in names if hasattr(view_class, m)))
    func: Callable | None = view
    while func is not None:
        if hasattr(func, "__code__"):
            methods = inspect.getclosurevars(func).nonlocals.get("request_method_list")
            if methods:
                return tuple(sorted(methods))
        func = getattr(func, "__wrapped__", None)
    return ()


def _ninja_methods(pattern: URLPattern) -> tuple[str, ...] | None:
    """A ninja URL pattern's methods: one pattern per operation shares the route's PathView,
    and the pattern's name is its operation's url_name (by default the function's name)."""
    view = pattern.callback
    if not hasattr(view, "__code__"):
        return None
    path_view = inspect.getclosurevars(view).nonlocals.get("self")
    if path_view is None or not hasattr(path_view, "operations"):
        return None
    for operation in path_view.operations:
        if (getattr(operation, "url_name", None) or operation.view_func.__name__) == pattern.name:
            return tuple(sorted(operation.methods))
    raise AssertionError(f"no ninja operation named {pattern.name!r} on {pattern.pattern}")


def _walk(patterns: list, prefix: str, namespace: str | None, regex: bool) -> Iterator[Route]:
    for pattern in patterns:
        is_regex = regex or isinstance(pattern.pattern, RegexPattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(n for n in (namespace, pattern.namespace) if n) or None
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner, is_regex)
            continue
        assert isinstance(pattern, URLPattern)
        route = prefix + str(pattern.pattern)
        name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
        key = name if name is not None else route
        top = (namespace or "").split(":")[0]
        if key in PUBLIC:
            kind: Kind = "public"
        elif top == ADMIN_NAMESPACE:
            kind = "admin"
        elif top == API_NAMESPACE:
            kind = "api"
        else:
            kind = "page"
        methods = _ninja_methods(pattern)
        if methods is None:
            methods = _declared_methods(pattern.callback)
        yield Route(key=key, route=route, name=name, kind=kind, methods=methods, regex=is_regex)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns, "", None, False))


# ----------------------------------------------------------------------------- the owner's objects


@dataclass
class World:
    """One owner with one of everything a URL can name, and another user with a document of
    their own (so an id mix-up could not pass by accident)."""

    owner: AbstractBaseUser
    other: AbstractBaseUser
    document: Document
    outline: Outline
    tasks: dict[
        str, OutlineTask
    ]  # done (its result is the outline), queued, cancelled, section, section_done
    source_index: int
    owner_token: str
    other_token: str

    def kwargs(self, route: Route, spec: Spec) -> dict[str, Any]:
        values = {
            "document_id": self.document.pk,
            "task_id": self.tasks[spec.task].pk,
            "index": 0,  # the first section of the outline
            "source_index": self.source_index,
            "number": 1,  # the outline's first version
            "token_id": ApiToken.objects.filter(user=self.owner).order_by("pk").first().pk,
        }
        missing = [p for p in route.params if p not in values]
        assert not missing, f"{route.key}: no value for {missing}; add one to World.kwargs"
        return {p: values[p] for p in route.params}


# In the owner's document title, so a response can be searched for it (JSON escapes the CJK).
OWNER_MARK = b"owner-plan"
SECTIONS = [(1, "第一章 总则"), (2, "适用范围"), (1, "Chapter 2")]


@functools.cache
def _docx() -> bytes:
    return make_docx(SECTIONS, body="正文 body.")


def docx_upload(name: str = "upload 上传.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _docx())


def build_world() -> World:
    """Celery is never reached: the caller patches `outline_generate.delay`, and the done task
    is generated in-process with the fake provider. The users have no password: hashing one
    costs more than the rest of the world, and the clients log in with force_login or a token."""
    owner = User.objects.create_user(username="owner-王", password=None)
    other = User.objects.create_user(username="stranger-李", password=None)
    document = services.document_create(owner=owner, uploaded=docx_upload("owner-plan 制度.docx"))
    services.document_create(owner=other, uploaded=docx_upload("别人的 stranger.docx"))
    done = services.outline_start(document=document)
    services.outline_generate(task_id=done.pk, provider=FakeProvider([[" 摘要。"]]))
    done.refresh_from_db()
    assert done.status == OutlineTask.Status.SUCCEEDED, done.error_message
    outline = Outline.objects.get(document=document)
    # A second version, so undo and restore have something to go back to.
    outline = services.outline_save(
        outline=outline, base_version=1, markdown=outline.markdown + "\n补充。\n", author=owner
    )
    cancelled = services.outline_cancel(task=services.outline_start(document=document))
    # On a document of its own: the document whose routes are checked must have no outline in
    # progress, or starting one would give that one back and change nothing.
    queued = services.outline_start(
        document=services.document_create(owner=owner, uploaded=docx_upload("queued 排队.docx"))
    )
    section_done = services.outline_section_regenerate(outline=outline, index=0)
    services.outline_generate(task_id=section_done.pk, provider=FakeProvider([[" 新的摘要。"]]))
    section = services.outline_section_regenerate(outline=outline, index=0)
    return World(
        owner=owner,
        other=other,
        document=document,
        outline=outline,
        tasks={
            "done": done,
            "queued": queued,
            "cancelled": cancelled,
            "section": section,
            "section_done": section_done,
        },  # fmt: skip
        source_index=next(s["source_index"] for s in document.sections if s.get("source_index") is not None),
        owner_token=services.api_token_create(user=owner),
        other_token=services.api_token_create(user=other),
    )


@contextmanager
def shared_world(media_root: Path) -> Iterator[World]:
    """One world for a whole test module, rolled back at its end. pytest-django runs each test
    in a savepoint inside it, so whatever a test changes is undone before the next one; stored
    files are only deleted on commit, which never comes. Building it per test cost most of the
    run time."""
    from documents import tasks

    with override_settings(MEDIA_ROOT=media_root), pytest.MonkeyPatch.context() as patch:
        patch.setattr(tasks.outline_generate, "delay", lambda task_id: None)
        with transaction.atomic():
            yield build_world()
            transaction.set_rollback(True)


def owner_state(world: World) -> dict[str, Any]:
    """Everything of the owner's a request could change; compared before and after a refusal."""
    owner = world.owner
    outline = Outline.objects.filter(document__owner=owner)
    return {
        "documents": list(
            Document.objects.filter(owner=owner).order_by("pk").values_list("pk", "revision", "file", "title")
        ),
        "tasks": list(
            OutlineTask.objects.filter(owner=owner)
            .order_by("pk")
            .values_list("pk", "status", "cancel_requested_at", "result", "decision")
        ),
        "outline": list(outline.values_list("pk", "version", "markdown")),
        "versions": list(outline.values_list("versions__number", flat=True).order_by("versions__number")),
        "api_tokens": list(ApiToken.objects.filter(user=owner).order_by("pk").values_list("pk", "name")),
    }


# ----------------------------------------------------------------------------- how the owner uses each


@dataclass(frozen=True)
class Spec:
    """A minimal valid request and the owner's documented result."""

    status: int
    data: Callable[[World], dict[str, Any]] | None = None
    json: bool = False  # send `data` as a JSON body (else form-encoded / multipart)
    headers: dict[str, str] = field(default_factory=dict)
    changes: bool = False  # the owner's request changes their objects: proof the payload was valid
    task: str = "done"  # which of the owner's tasks fills <task_id>
    stream: bool = False  # an SSE response: read it to the end (a finished task's stream ends)
    # The URL names no object of the owner's (a list, an upload): another user is served too,
    # with their own objects; the matrix checks none of the owner's show or change.
    collection: bool = False
    # What an HTMX request gets, when not a partial (200): a plain form's redirect, for one.
    htmx_status: int = 200


HTMX = {"HX-Request": "true"}


def _markdown_edit(world: World) -> dict[str, Any]:
    outline = Outline.objects.get(pk=world.outline.pk)
    return {"version": outline.version, "markdown": outline.markdown + "\n改过。\n"}


def _current_version(world: World) -> dict[str, Any]:
    return {"version": Outline.objects.get(pk=world.outline.pk).version}


# (key, method) -> Spec. A route the walk finds that is neither here nor in PUBLIC fails the tests.
SPECS: dict[tuple[str, str], Spec] = {
    # --- HTML pages: a GET renders (200); a plain POST redirects (302) after doing its action.
    ("documents:document_list", "GET"): Spec(200, collection=True),
    ("documents:document_upload", "POST"): Spec(
        302, data=lambda w: {"files": [docx_upload()]}, changes=True, collection=True
    ),
    ("documents:document_detail", "GET"): Spec(200),
    ("documents:document_delete", "GET"): Spec(200),
    ("documents:document_delete", "POST"): Spec(302, changes=True),
    ("documents:outline_start", "POST"): Spec(302, changes=True),
    ("documents:document_revise", "POST"): Spec(302, data=lambda w: {"file": docx_upload()}, changes=True),
    ("documents:task_detail", "GET"): Spec(200),
    ("documents:outline_cancel", "POST"): Spec(302, task="queued", changes=True),
    ("documents:outline_continue", "POST"): Spec(302, task="cancelled", changes=True),
    ("documents:activity", "GET"): Spec(200, collection=True),
    ("api_tokens", "GET"): Spec(200, collection=True),
    ("api_tokens", "POST"): Spec(
        302, data=lambda w: {"name": "脚本 script"}, collection=True, htmx_status=302, changes=True
    ),
    ("api_token_revoke", "POST"): Spec(302, changes=True),
    ("documents:outline_keep", "POST"): Spec(302, changes=True),
    ("documents:outline_discard", "POST"): Spec(302, task="section_done", changes=True),
    # A partial polled by HTMX; a plain GET redirects to the task page.
    ("documents:section_task", "GET"): Spec(200, task="section", headers=HTMX),
    ("documents:task_queue", "GET"): Spec(200, task="queued", headers=HTMX),
    ("documents:outline_edit", "GET"): Spec(200),
    ("documents:outline_edit", "POST"): Spec(302, data=_markdown_edit, changes=True),
    ("documents:outline_preview", "POST"): Spec(200, data=lambda w: {"markdown": "## 预览\n\ntext"}),
    ("documents:outline_history", "GET"): Spec(200),
    ("documents:outline_undo", "POST"): Spec(302, changes=True),
    ("documents:outline_panel", "GET"): Spec(200),
    ("documents:section_regenerate", "POST"): Spec(302, changes=True),
    ("documents:document_source", "GET"): Spec(200),
    ("documents:outline_restore", "POST"): Spec(302, data=_current_version, changes=True),
    # --- JSON API
    ("api-v1:document_create", "POST"): Spec(
        201, data=lambda w: {"file": docx_upload()}, changes=True, collection=True
    ),
    ("api-v1:document_list", "GET"): Spec(200, collection=True),
    ("api-v1:document_revise", "POST"): Spec(200, data=lambda w: {"file": docx_upload()}, changes=True),
    ("api-v1:document_detail", "GET"): Spec(200),
    ("api-v1:document_delete", "DELETE"): Spec(204, changes=True),
    ("api-v1:task_create", "POST"): Spec(202, changes=True),
    ("api-v1:task_list", "GET"): Spec(200),
    ("api-v1:task_detail", "GET"): Spec(200),
    ("api-v1:task_cancel", "POST"): Spec(200, task="queued", changes=True),
    ("api-v1:task_continue", "POST"): Spec(202, task="cancelled", changes=True),
    ("api-v1:task_keep", "POST"): Spec(200, changes=True),
    ("api-v1:task_discard", "POST"): Spec(200, task="section_done", changes=True),
    ("api-v1:outline_detail", "GET"): Spec(200),
    ("api-v1:outline_update", "PUT"): Spec(200, data=_markdown_edit, json=True, changes=True),
    ("api-v1:outline_versions", "GET"): Spec(200),
    ("api-v1:outline_version_restore", "POST"): Spec(200, data=_current_version, json=True, changes=True),
    ("api-v1:outline_export_markdown", "GET"): Spec(200),
    ("api-v1:outline_export_docx", "GET"): Spec(200),
    ("api-v1:task_stream", "GET"): Spec(200, stream=True),
}


@dataclass(frozen=True)
class Case:
    route: Route
    method: str
    spec: Spec

    @property
    def id(self) -> str:
        return f"{self.method} {self.route.key}"

    @property
    def writes(self) -> bool:
        return self.method not in {"GET", "HEAD", "OPTIONS"}


def protected_routes() -> list[Route]:
    return [r for r in all_routes() if r.kind in {"page", "api"}]


def cases() -> list[Case]:
    """Every (route, method) the matrix covers; routes without a spec are reported by
    `uncovered()` instead, so collection never fails."""
    return [
        Case(route, method, SPECS[(route.key, method)])
        for route in protected_routes()
        for method in route.methods
        if (route.key, method) in SPECS
    ]


def uncovered() -> list[str]:
    """Protected routes or methods with no spec, and specs or PUBLIC entries naming nothing."""
    problems = []
    routes = all_routes()
    for route in routes:
        if route.kind not in {"page", "api"}:
            continue
        if not route.methods:
            problems.append(f"{route.key}: the view declares no methods (use require_GET/require_POST)")
        problems += [f"{route.key} {m}: no SPECS entry" for m in route.methods if (route.key, m) not in SPECS]
    declared = {(r.key, m) for r in routes for m in r.methods}
    problems += [f"SPECS {key} {m}: no such route/method" for key, m in SPECS if (key, m) not in declared]
    keys = {r.key for r in routes}
    problems += [f"PUBLIC {key!r}: no such route" for key in PUBLIC if key not in keys | DEBUG_ONLY]
    return problems


def browser_csrf(client: Client) -> dict[str, str]:
    """Give the client a CSRF cookie, as any page would, and return the header HTMX sends
    with it (test_csrf.py checks that a token a real page hands out works the same way)."""
    token = _get_new_csrf_string()
    client.cookies[settings.CSRF_COOKIE_NAME] = token
    return {"X-CSRFToken": token}


def request(client: Client, case: Case, world: World, *, url: str | None = None, **extra: Any):  # noqa: ANN201
    """Send the case's request (the same payload whoever sends it), to its URL unless `url` is given."""
    url = url or case.route.url(world.kwargs(case.route, case.spec))
    data = case.spec.data(world) if case.spec.data else {}
    headers = {**case.spec.headers, **extra.pop("headers", {})}
    send = getattr(client, case.method.lower())
    if case.spec.json:
        return send(url, data, content_type="application/json", headers=headers, **extra)
    if case.method in {"PUT", "PATCH", "DELETE"} and not data:
        return send(url, headers=headers, **extra)
    return send(url, data, headers=headers, **extra)


def assert_served(case: Case, response: HttpResponse, before: dict[str, Any], world: World) -> None:
    """The owner's request did what the spec documents (and changed something, if it should)."""
    assert response.status_code == case.spec.status, response.content[:500]
    if 300 <= response.status_code < 400:
        assert not response.url.startswith(reverse("login")), response.url
    if case.spec.stream:
        assert response["Content-Type"].startswith("text/event-stream")
        # A finished task's stream ends by itself (SSE_MAX_DURATION_SECONDS bounds it anyway).
        # Reading it to the end closes it; the test client keeps that from closing the database
        # connection (a second response.close() would not, and the shared world would be lost).
        body = b"".join(response.streaming_content)
        assert b"event: done" in body
    if case.spec.changes:
        assert owner_state(world) != before, "the owner's request should have changed something"
