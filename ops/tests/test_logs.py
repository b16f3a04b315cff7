"""Structured logs: the ids every line carries, both formats, and how they travel to Celery."""

from __future__ import annotations

import json
import logging
import threading
from types import SimpleNamespace

import pytest
from django.test import Client

from documents import services
from ops import logs
from ops.logs import ConsoleFormatter, ContextFilter
from project import celery as celery_hooks


@pytest.fixture(autouse=True)
def _fresh_context():
    logs.clear()
    yield
    logs.clear()


def _record(message: str = "outline queued", **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("documents.services", logging.INFO, __file__, 1, message, (), None)
    for key, value in extra.items():
        setattr(record, key, value)
    ContextFilter().filter(record)
    return record


def _json_formatter() -> logging.Formatter:
    config = logs.logging_config(fmt="json", level="INFO")["formatters"]["json"]
    factory = config.pop("()")
    module, name = factory.rsplit(".", 1)
    return getattr(__import__(module, fromlist=[name]), name)(**config)


def test_json_line_carries_every_id_and_keeps_chinese_readable():
    logs.bind(request_id="req-12345678", user_id=7, task_id=42)

    line = json.loads(_json_formatter().format(_record("已排队 «计划»")))

    assert line["message"] == "已排队 «计划»"
    assert (line["request_id"], line["user_id"], line["task_id"]) == ("req-12345678", 7, 42)
    assert line["level"] == "INFO" and line["logger"] == "documents.services"
    assert line["time"].endswith("+00:00")


def test_json_line_has_null_ids_outside_a_request_so_queries_never_miss_a_key():
    line = json.loads(_json_formatter().format(_record()))

    assert {"request_id", "user_id", "task_id", "celery_task_id"} <= line.keys()
    assert line["request_id"] is None and line["task_id"] is None


def test_json_line_includes_the_traceback_as_text():
    try:
        raise ValueError("bad chunk")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    ContextFilter().filter(record)

    line = json.loads(_json_formatter().format(record))

    assert "Traceback" in line["exc_info"] and "ValueError: bad chunk" in line["exc_info"]


def test_console_line_puts_the_ids_that_are_set_in_brackets():
    logs.bind(request_id="abcdef12", task_id=5)

    text = ConsoleFormatter().format(_record("outline queued"))

    assert text.endswith("outline queued [request=abcdef12 task=5]")
    assert "user=" not in text


def test_bound_restores_the_outer_context():
    logs.bind(request_id="outer-req-1")
    with logs.bound(task_id=9):
        assert logs.current() == {"request_id": "outer-req-1", "task_id": 9}
    assert logs.current() == {"request_id": "outer-req-1"}


def test_a_thread_started_in_context_logs_with_the_starting_ids():
    logs.bind(request_id="req-thread-1", task_id=3)
    seen: dict = {}
    thread = threading.Thread(target=logs.in_context(lambda: seen.update(logs.current())))
    thread.start()
    thread.join()

    assert seen == {"request_id": "req-thread-1", "task_id": 3}


@pytest.mark.django_db
def test_every_response_has_a_request_id_and_a_structured_access_line(client: Client, caplog):
    with caplog.at_level(logging.INFO, logger="outliner.request"):
        response = client.get("/accounts/login/")

    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    (access,) = [r for r in caplog.records if r.name == "outliner.request"]
    assert (access.request_id, access.status, access.route) == (request_id, 200, "/accounts/login/")
    assert access.duration_ms >= 0


@pytest.mark.django_db
def test_a_proxy_request_id_is_kept_but_a_forged_one_is_replaced(client: Client):
    kept = client.get("/healthz", headers={"X-Request-ID": "nginx-4f2a9c1e"})
    forged = client.get("/healthz", headers={"X-Request-ID": 'x" level=ERROR\nfake line'})

    assert kept["X-Request-ID"] == "nginx-4f2a9c1e"
    assert forged["X-Request-ID"] != 'x" level=ERROR\nfake line' and len(forged["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_access_line_names_the_url_pattern_and_the_logged_in_user(logged_in: Client, user, caplog):
    with caplog.at_level(logging.INFO, logger="outliner.request"):
        logged_in.get("/documents/999/")

    (access,) = [r for r in caplog.records if r.name == "outliner.request"]
    assert access.status == 404
    assert access.route == "/documents/<int:document_id>/"
    assert access.user_id == user.pk


@pytest.mark.django_db
def test_an_api_token_binds_its_user(api_client: Client, user, caplog):
    with caplog.at_level(logging.INFO, logger="outliner.request"):
        api_client.get("/api/v1/documents")

    (access,) = [r for r in caplog.records if r.name == "outliner.request"]
    assert access.user_id == user.pk


@pytest.mark.django_db
def test_queueing_an_outline_logs_its_task_id(user, docx_bytes, caplog):
    from django.core.files.uploadedfile import SimpleUploadedFile

    document = services.document_create(owner=user, uploaded=SimpleUploadedFile("计划.docx", docx_bytes()))
    with caplog.at_level(logging.INFO, logger="documents.services"):
        task = services.outline_start(document=document)

    (queued,) = [r for r in caplog.records if r.getMessage().startswith("outline queued")]
    assert (queued.task_id, queued.user_id) == (task.pk, user.pk)


def test_celery_messages_carry_the_publishing_context_into_the_worker():
    logs.bind(request_id="req-celery-1", user_id=4, task_id=11)
    headers: dict = {}
    celery_hooks._carry_log_context(headers=headers)
    logs.clear()  # the worker process starts with nothing

    task = SimpleNamespace(request=SimpleNamespace(outliner_log=headers["outliner_log"]))
    celery_hooks._bind_log_context(task_id="c-1", task=task)

    expected = {"request_id": "req-celery-1", "user_id": 4, "task_id": 11, "celery_task_id": "c-1"}
    assert logs.current() == expected
    celery_hooks._clear_log_context()
    assert logs.current() == {}


def test_a_message_without_context_still_gets_its_celery_task_id():
    celery_hooks._bind_log_context(task_id="c-2", task=SimpleNamespace(request=SimpleNamespace()))

    assert logs.current() == {"celery_task_id": "c-2"}


def test_an_unknown_log_format_is_refused():
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        logs.logging_config(fmt="xml", level="INFO")


@pytest.mark.parametrize("cookie", [False, True])
def test_the_user_is_looked_up_for_the_logs_only_when_a_session_cookie_came(rf, settings, cookie: bool):
    """Without a session cookie the user is anonymous: looking it up built a session store and ran
    the auth lookup for every API call (6 % of a gevent worker's time in a connect storm)."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse
    from django.utils.functional import SimpleLazyObject

    from ops.middleware import UserContextMiddleware

    looked_up: list[int] = []
    request = rf.get("/api/v1/documents")
    if cookie:
        request.COOKIES[settings.SESSION_COOKIE_NAME] = "some-session"
    request.user = SimpleLazyObject(lambda: looked_up.append(1) or AnonymousUser())

    UserContextMiddleware(lambda request: HttpResponse())(request)

    assert looked_up == ([1] if cookie else [])
