"""The SSE view: what it does to the connection before the relay's generator runs."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_the_stream_view_bounds_every_write_to_a_reader_that_stopped_reading(
    api_client, user, docx_bytes, monkeypatch, settings, tmp_path
):
    """gunicorn's own writes have no timeout: the view puts one on the connection's socket, for the
    stream's time only."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents import services, tasks

    monkeypatch.setattr(tasks.outline_generate, "delay", lambda task_id: None)
    settings.SSE_HEARTBEAT_SECONDS, settings.MEDIA_ROOT = 15, tmp_path
    document = services.document_create(owner=user, uploaded=SimpleUploadedFile("计划.docx", docx_bytes()))
    task = services.outline_start(document=document)

    class Socket:
        timeout: float | None = None

        def gettimeout(self) -> float | None:
            return self.timeout

        def settimeout(self, value: float | None) -> None:
            self.timeout = value

    sock = Socket()
    response = api_client.get(f"/api/v1/tasks/{task.pk}/stream", **{"gunicorn.socket": sock})
    assert response.status_code == 200 and sock.timeout == 45
    # And put back when the response closes: gunicorn reads the kept-alive connection's next request
    # with it (under gevent it timed out after 45 s and logged a traceback for every such stream).
    response.close()  # never started: nothing to read
    assert sock.timeout is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("last_event_id", ["18446744073709551616", "99999999999999999999999999", "-5", "x"])
def test_any_last_event_id_resumes_a_finished_task_without_a_server_error(
    api_client, user, docx_bytes, no_celery, settings, last_event_id
):
    """Redis refuses stream ids of 2^64 and more (it was a 500): the id is bounded first."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents import services
    from documents.tests.fakes import FakeProvider

    settings.SSE_HEARTBEAT_SECONDS = 0.2  # a resume past the end waits for one heartbeat to see the end
    document = services.document_create(owner=user, uploaded=SimpleUploadedFile("计划.docx", docx_bytes()))
    task = services.outline_start(document=document)
    services.outline_generate(task_id=task.pk, provider=FakeProvider())

    response = api_client.get(f"/api/v1/tasks/{task.pk}/stream", HTTP_LAST_EVENT_ID=last_event_id)
    body = b"".join(response.streaming_content).decode()

    assert response.status_code == 200
    if last_event_id in ("-5", "x"):  # read as "from the start": the whole outline again
        assert "event: done" in body and "event: chunk" in body
    else:  # past the end: nothing to repeat
        assert "event: chunk" not in body


def _task(user, docx_bytes):  # noqa: ANN001, ANN202
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents import services

    document = services.document_create(owner=user, uploaded=SimpleUploadedFile("计划.docx", docx_bytes()))
    return services.outline_start(document=document)


def _status(client, path: str, **headers: str) -> int:  # noqa: ANN001
    # An allowed stream is never started (only who may open it is asked here), so it holds no lease
    # (no caps: see uncapped) and nothing to close.
    return client.get(path, **headers).status_code


@pytest.fixture
def uncapped(settings) -> None:  # noqa: ANN001
    settings.SSE_MAX_STREAMS_PER_USER = settings.SSE_MAX_STREAMS_PER_TASK = 0


@pytest.mark.django_db
def test_a_bearer_client_opens_its_tasks_stream_with_one_query(
    api_client, user, docx_bytes, no_celery, uncapped, django_assert_num_queries
):
    """A connect storm is thousands of these on one gevent worker: the token, its user and the task
    are asked in one query (they were two ORM queries, 40 % of the worker's time)."""
    task = _task(user, docx_bytes)
    assert _status(api_client, f"/api/v1/tasks/{task.pk}/stream") == 200  # the first use writes "last used"
    with django_assert_num_queries(1):
        assert _status(api_client, f"/api/v1/tasks/{task.pk}/stream") == 200


@pytest.mark.django_db
def test_the_streams_access_check_answers_as_every_api_operation_does(
    client, user, other_user, docx_bytes, no_celery, uncapped
):
    """401 before 400 before 404, a revoked token or an inactive user's is refused at once, and a
    token we do not know still lets a logged-in browser's session decide (ninja's order)."""
    from documents import services
    from documents.models import ApiToken

    mine, theirs = _task(user, docx_bytes), _task(other_user, docx_bytes)
    token = services.api_token_create(user=user)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    path = "/api/v1/tasks/{}/stream".format

    assert _status(client, path(mine.pk), **bearer) == 200
    assert _status(client, path(theirs.pk), **bearer) == 404
    assert _status(client, path(10**9), **bearer) == 404
    assert _status(client, path("x"), **bearer) == 400
    assert _status(client, path("x")) == 401
    assert _status(client, path(mine.pk), HTTP_AUTHORIZATION="Bearer otl_mistyped") == 401

    client.force_login(user)  # a mistyped token, and a session: the session decides
    assert _status(client, path(mine.pk), HTTP_AUTHORIZATION="Bearer otl_mistyped") == 200
    client.logout()

    user.is_active = False
    user.save()
    assert _status(client, path(mine.pk), **bearer) == 401
    user.is_active = True
    user.save()
    services.api_token_revoke(user=user, token_id=ApiToken.objects.get(user=user).pk)
    assert _status(client, path(mine.pk), **bearer) == 401


@pytest.mark.django_db
def test_opening_a_stream_writes_the_tokens_last_use_once_a_minute(
    client, user, docx_bytes, no_celery, uncapped
):
    from datetime import timedelta

    from django.utils import timezone

    from documents import services
    from documents.models import ApiToken

    task = _task(user, docx_bytes)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {services.api_token_create(user=user)}"}
    path = f"/api/v1/tasks/{task.pk}/stream"
    token = ApiToken.objects.get(user=user)
    assert token.last_used_at is None

    assert _status(client, path, **bearer) == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    assert _status(client, path, **bearer) == 200
    token.refresh_from_db()
    assert token.last_used_at == first  # used again within the minute: not written

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(seconds=61))
    assert _status(client, path, **bearer) == 200
    token.refresh_from_db()
    assert token.last_used_at > first


@pytest.mark.django_db(transaction=True)
def test_an_open_stream_no_longer_holds_the_requests_session_user_and_url_match(
    logged_in, user, docx_bytes, no_celery
):
    """Django keeps the request until the response closes, minutes for a stream: what the middleware
    put on it (~5 KiB) is dropped at the first write, and the stream and its close go on."""
    from documents import services
    from documents.tests.fakes import FakeProvider

    task = _task(user, docx_bytes)
    services.outline_generate(task_id=task.pk, provider=FakeProvider())
    response = logged_in.get(f"/api/v1/tasks/{task.pk}/stream")
    request = response.wsgi_request
    assert {"session", "user", "resolver_match"} <= set(vars(request))  # the view has returned

    chunks = iter(response.streaming_content)
    first = next(chunks)
    dropped = {"session", "user", "resolver_match", "META"}
    assert first.startswith(b"retry:") and not dropped & set(vars(request))
    assert b"event: done" in first + b"".join(chunks)
    response.close()


@pytest.mark.parametrize(
    ("protocol", "middleware", "hub_writes", "framed"),
    [
        ("HTTP/1.1", [], True, b"4\r\nid:1\r\n"),
        ("HTTP/1.0", [], True, b"id:1"),  # gunicorn sends an HTTP/1.0 body as it comes
        ("HTTP/1.1", ["django.middleware.gzip.GZipMiddleware"], True, None),  # it rewrites the body
        ("HTTP/1.1", [], False, None),  # SSE_HUB_WRITES=0
        ("HTTP/2.0", [], True, None),  # framed otherwise: the hub keeps out
    ],
)
def test_the_hub_writes_to_a_gevent_stream_framed_as_gunicorn_frames_it_unless_the_body_is_rewritten(
    rf, settings, protocol, middleware, hub_writes, framed
):
    from gevent import socket as gsocket

    from documents.views.stream import _client

    settings.MIDDLEWARE = [*settings.MIDDLEWARE, *middleware]
    settings.SSE_HUB_WRITES = hub_writes
    with gsocket.socket() as sock:
        request = rf.get("/api/v1/tasks/1/stream", SERVER_PROTOCOL=protocol, **{"gunicorn.socket": sock})
        sink = _client(request).sink()
        assert (sink.frame(b"id:1") if sink is not None else None) == framed
