"""Operations with real processes: the metrics scrape moving after a real task, readiness going 503
when Redis or the worker stops, and one task followed through the web and worker JSON logs.

Real parts throughout: gunicorn (project/gunicorn.conf.py) or the live server, a Celery worker
process, Redis (the test one, or a private redis-server that a test stops and starts), the
bundled model server, HTTP, SSE.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from httpx_sse import connect_sse
from prometheus_client.parser import text_string_to_metric_families

from documents import services
from documents.models import OutlineTask
from documents.tests.conftest import make_docx, wait_finished
from documents.tests.processes import BASE_DIR, service_env, start_web, stop_process
from project.localredis import free_port, server_command, wait_until_up

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# Enough sections that a stream read from the first chunk is still open on the server a moment later
# (points are held until they pass their gates, then sent whole: a short outline is over quickly).
SECTIONS = [(1, "项目背景"), (1, "Budget"), (1, "进度"), (1, "风险")]
BODY = "公司计划在明年上线新的电商平台，以提升线上销售额并改善客户体验。"


def _start_outline(api: httpx.Client, headers: dict | None = None) -> int:
    files = {"file": ("计划.docx", make_docx(SECTIONS, body=BODY))}
    document = api.post("/api/v1/documents", files=files).json()
    created = api.post(f"/api/v1/documents/{document['id']}/tasks", headers=headers or {})
    assert created.status_code == 202, created.text
    return created.json()["id"]


def _api(base_url: str, user) -> httpx.Client:  # noqa: ANN001
    token = services.api_token_create(user=user)
    return httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60)


# ------------------------------------------------------------------------ metrics
def _scrape(base_url: str) -> dict[tuple[str, frozenset], float]:
    """Every sample of /metrics, parsed by prometheus_client's own parser."""
    response = httpx.get(f"{base_url}/metrics", timeout=10)
    assert response.status_code == 200
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def _value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def _total(samples: dict, name: str) -> float:
    return sum(value for (sample, _), value in samples.items() if sample == name)


def test_metrics_scrape_shows_each_metric_moving_after_a_task(
    live_server, user, celery_worker_process, model_server, settings
):
    settings.LLM_BASE_URL = model_server  # the web side probes the model the worker uses
    before = _scrape(live_server.url)
    with _api(live_server.url, user) as api:
        task_id = _start_outline(api)
        with connect_sse(api, "GET", f"/api/v1/tasks/{task_id}/stream") as source:
            events = iter(source.iter_sse())
            while next(events).event != "chunk":
                pass
            during = _scrape(live_server.url)  # a client is reading this stream right now
            for sse in events:
                if sse.event in {"done", "error"}:
                    break
    task = wait_finished(task_id)
    assert task.status == OutlineTask.Status.SUCCEEDED
    after = _scrape(live_server.url)

    assert _total(during, "outliner_sse_streams_active") >= 1
    assert _total(after, "outliner_sse_streams_active") == _total(before, "outliner_sse_streams_active")
    relayed = "outliner_sse_chunks_relayed_total"
    assert _total(after, relayed) >= _total(before, relayed) + 2
    stream = {"route": "/api/v1/tasks/<task_id>/stream", "method": "GET", "status": "200"}
    count = "outliner_http_request_duration_seconds_count"
    assert _value(after, count, **stream) == _value(before, count, **stream) + 1
    # Written by the worker process, merged into the web's scrape.
    succeeded = {"status": "succeeded", "error_code": ""}
    finished = "outliner_tasks_finished_total"
    assert _value(after, finished, **succeeded) == _value(before, finished, **succeeded) + 1
    for name, labels in [
        ("outliner_task_first_chunk_seconds_count", {}),
        ("outliner_task_duration_seconds_count", {"status": "succeeded"}),
        ("outliner_model_tokens_per_second_count", {}),
    ]:
        assert _value(after, name, **labels) == _value(before, name, **labels) + 1, name
    tokens = _value(after, "outliner_model_tokens_total") - _value(before, "outliner_model_tokens_total")
    assert tokens == task.metrics["tokens"] > 0
    # Read from the broker, Redis and the model server at scrape time.
    assert _value(after, "outliner_queue_length", queue=_default_queue()) == 0
    assert _value(after, "outliner_workers_live") >= 1
    assert 0 <= _total(after, "outliner_worker_heartbeat_age_seconds") < 30
    assert _value(after, "outliner_model_up") == 1
    # Exported and bounded by the pools (the web's and the worker's; the stream reader has its own
    # connection, outside them): with a stream open, no connection is left checked out for it.
    pool = "outliner_redis_pool_connections_in_use"
    assert any(sample == pool for sample, _ in during)
    assert 0 <= _total(during, pool) <= 2 * settings.REDIS_POOL_SIZE


def _default_queue() -> str:
    from django.conf import settings

    return settings.CELERY_TASK_DEFAULT_QUEUE


# ------------------------------------------------------------------------ logs
def _json_lines(path: Path) -> list[dict]:
    lines = []
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return lines


@pytest.fixture
def web(django_db_blocker, model_server, tmp_path) -> Iterator[tuple[str, Path]]:  # noqa: ANN001
    """gunicorn on the test database and Redis, logging JSON to a file: (base URL, log path)."""
    log = tmp_path / "web.log"
    with django_db_blocker.unblock():
        env = service_env(model_server=model_server, OUTLINER_SERVICE="web")
    process, url = start_web(env, log=log)
    yield url, log
    stop_process(process)


def test_one_task_is_followed_from_the_click_to_the_final_save_across_processes(
    web, user, celery_worker_process
):
    base_url, web_log = web
    request_id = f"it-{uuid.uuid4().hex}"
    with _api(base_url, user) as api:
        task_id = _start_outline(api, headers={"X-Request-ID": request_id})
        assert wait_finished(task_id).status == OutlineTask.Status.SUCCEEDED
        api.get(f"/api/v1/tasks/{task_id}/stream").read()  # a reader of the finished task

    worker_log = BASE_DIR / "var" / "test-worker.log"
    deadline = time.monotonic() + 10
    while not any(
        line.get("task_id") == task_id and "finished" in line["message"] for line in _json_lines(worker_log)
    ):
        assert time.monotonic() < deadline, "the worker never logged the end of the task"
        time.sleep(0.2)
    web_lines = [line for line in _json_lines(web_log) if line.get("task_id") == task_id]
    worker_lines = [line for line in _json_lines(worker_log) if line.get("task_id") == task_id]

    # The click: the web process logs the queued task with the request's id and the user.
    (queued,) = [line for line in web_lines if line["message"].startswith("outline queued")]
    assert (queued["request_id"], queued["user_id"]) == (request_id, user.pk)
    (access,) = [line for line in web_lines if line["logger"] == "outliner.request" and line["status"] == 202]
    assert access["request_id"] == request_id and access["status"] == 202
    # The worker: every line of the task carries the same ids, and Celery's own task id.
    assert worker_lines, "no worker line names the task"
    for line in worker_lines:
        assert (line["request_id"], line["user_id"]) == (request_id, user.pk), line
        assert line["celery_task_id"]
    messages = [line["message"] for line in worker_lines]
    for step in (
        "claimed by",
        f"running: {len(SECTIONS)} sections",
        "finished status=succeeded",
        "saved as version 1",
    ):
        assert any(step in message for message in messages), (step, messages)
    # Another request (the reader) has its own request id, and still names the task.
    readers = [line for line in web_lines if line["message"].startswith("stream closed")]
    assert readers and all(line["request_id"] != request_id for line in readers)
    assert {line["service"] for line in web_lines} == {"web"}


# ------------------------------------------------------------------------ readiness
class PrivateRedis:
    """A redis-server of this test's own, on a fixed port, which the test stops and starts."""

    def __init__(self, tmp_path: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tmp_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(server_command(self.port, self.dir), stdout=subprocess.DEVNULL)
        wait_until_up(self.url)

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None


def _readiness(base_url: str) -> tuple[int, dict]:
    response = httpx.get(f"{base_url}/readyz", timeout=30)
    return response.status_code, response.json()


def _wait_readiness(base_url: str, status: int, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        code, body = _readiness(base_url)
        if code == status:
            return body
        assert time.monotonic() < deadline, f"readiness stayed {code}: {body}"
        time.sleep(0.3)


def test_readiness_goes_503_when_redis_or_the_worker_stops(django_db_blocker, model_server, tmp_path):
    private = PrivateRedis(tmp_path)
    private.start()
    with django_db_blocker.unblock():
        env = service_env(
            model_server=model_server,
            REDIS_URL=private.url,
            CELERY_BROKER_URL=private.url,
            CELERY_TASK_DEFAULT_QUEUE=f"readiness-{uuid.uuid4().hex[:8]}",
            WORKER_HEARTBEAT_SECONDS="0.5",
            WORKER_LOST_AFTER_SECONDS="3",
            # A worker host without a web process serves its own metrics (this one has its own dir).
            WORKER_METRICS_PORT=str(worker_metrics_port := free_port()),
            PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"),
        )
    worker_log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 (closed below)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "project", "worker", "--pool", "solo", "--loglevel", "INFO",
         "--hostname", f"readiness-{uuid.uuid4().hex[:6]}@%h", "--without-gossip", "--without-mingle"],
        cwd=BASE_DIR, env=env, stdout=worker_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    web, base_url = start_web(env, log=tmp_path / "web.log")
    try:
        ready = _wait_readiness(base_url, 200)
        assert ready["status"] == "ready"
        assert all(check["ok"] for check in ready["checks"].values())
        worker_metrics = _scrape(f"http://127.0.0.1:{worker_metrics_port}")
        assert _value(worker_metrics, "outliner_workers_live") == 1
        assert (
            "outliner_task_duration_seconds_count",
            frozenset({("status", "succeeded")}),
        ) in worker_metrics

        private.stop()
        body = _wait_readiness(base_url, 503, timeout=10)
        failed = {name for name, check in body["checks"].items() if not check["ok"]}
        assert body["status"] == "not_ready"
        assert failed == {"redis", "broker", "worker"}
        assert body["checks"]["redis"]["latency_ms"] < 5000  # a bounded check, not a hang

        private.start()  # the same port; the worker reconnects and stamps again
        _wait_readiness(base_url, 200, timeout=60)

        stop_process(worker)  # a clean stop takes the worker out of the registry at once
        body = _wait_readiness(base_url, 503, timeout=10)
        failed = {name for name, check in body["checks"].items() if not check["ok"]}
        assert failed == {"worker"}
        assert "no worker heartbeat" in body["checks"]["worker"]["detail"]
        assert httpx.get(f"{base_url}/healthz").status_code == 200  # alive, only not ready
    finally:
        stop_process(web)
        stop_process(worker)
        worker_log.close()
        private.stop()


# ------------------------------------------------------------------------ gevent
def test_a_gevent_web_worker_streams_one_task_to_many_clients(
    django_db_blocker, model_server, tmp_path, user, celery_worker_process
):
    """The production shape for streams (docs/operations.md): gunicorn's gevent worker, where every
    open stream is a greenlet. 40 clients on one worker process all get the whole outline."""
    from concurrent.futures import ThreadPoolExecutor

    with django_db_blocker.unblock():
        # 40 streams of one user and one task: more than the default caps allow.
        env = service_env(
            model_server=model_server, OUTLINER_SERVICE="web", SSE_MAX_STREAMS_PER_USER="50",
            SSE_MAX_STREAMS_PER_TASK="50",
        )  # fmt: skip
    web_process, base_url = start_web(env, log=tmp_path / "web-gevent.log", worker_class="gevent")
    try:
        with _api(base_url, user) as api:
            task_id = _start_outline(api)

            def read_all(_: int) -> list[tuple[int, str]]:
                with connect_sse(api, "GET", f"/api/v1/tasks/{task_id}/stream") as source:
                    events = [(int(e.id), e.data) for e in source.iter_sse() if e.data]
                return events

            with ThreadPoolExecutor(max_workers=40) as pool:
                results = list(pool.map(read_all, range(40)))
        task = wait_finished(task_id)
        assert task.status == OutlineTask.Status.SUCCEEDED
        for events in results:
            assert [seq for seq, _ in events] == list(range(1, len(events) + 1))
            text = "".join(json.loads(data).get("text", "") for _, data in events)
            assert text == task.result
        assert "Using worker: gevent" in (tmp_path / "web-gevent.log").read_text()
    finally:
        stop_process(web_process)


# ------------------------------------------------------------------------ stream caps
def test_open_streams_are_capped_per_user_and_a_closed_one_frees_its_thread_at_once(
    django_db_blocker, model_server, tmp_path, user, other_user
):
    """One account cannot hold every thread with streams (70 took the site down): past
    SSE_MAX_STREAMS_PER_USER it gets 429 too_many_streams with Retry-After, others are unaffected.
    A client that leaves frees its thread and its slot within a second, not at the next heartbeat
    (30 s here): the same number of streams opens again at once and /healthz answers."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    with django_db_blocker.unblock():
        env = service_env(
            model_server=model_server,
            SSE_HEARTBEAT_SECONDS="30",
            SSE_MAX_STREAMS_PER_USER="4",
            SSE_MAX_STREAMS_PER_TASK="0",
        )
    web_process, base_url = start_web(env, log=tmp_path / "web.log", threads=6)

    def running_task(owner) -> int:  # noqa: ANN001
        # Running, with nothing written yet: its streams idle (no worker needed).
        upload = SimpleUploadedFile("计划.docx", make_docx(SECTIONS, body=BODY))
        document = services.document_create(owner=owner, uploaded=upload)
        return OutlineTask.objects.create(owner=owner, document=document, status="running").pk

    def open_streams(api: httpx.Client, task_id: int, count: int, stack) -> list[httpx.Response]:  # noqa: ANN001
        responses = [
            stack.enter_context(api.stream("GET", f"/api/v1/tasks/{task_id}/stream")) for _ in range(count)
        ]
        assert [r.status_code for r in responses] == [200] * count
        return responses

    try:
        mine, theirs = running_task(user), running_task(other_user)
        with _api(base_url, user) as api, _api(base_url, other_user) as other:
            api.timeout = other.timeout = httpx.Timeout(5.0)
            with contextlib.ExitStack() as streams:
                open_streams(api, mine, 4, streams)
                refused = api.get(f"/api/v1/tasks/{mine}/stream")
                assert refused.status_code == 429
                assert refused.json()["error"]["code"] == "too_many_streams"
                assert int(refused.headers["Retry-After"]) > 0
                open_streams(other, theirs, 1, streams)  # another user still gets a stream
            closed_at = time.monotonic()
            # Six threads: the four streams just closed must have let theirs (and their slots) go
            # for four more to open. Retried as a client does after a 429 (sooner: the wait is
            # what is measured).
            with contextlib.ExitStack() as streams:
                opened = 0
                while opened < 4 and (reopened := time.monotonic() - closed_at) < 10:
                    response = streams.enter_context(api.stream("GET", f"/api/v1/tasks/{mine}/stream"))
                    if response.status_code == 200:
                        opened += 1
                    else:
                        assert response.status_code == 429
                        time.sleep(0.1)
                assert httpx.get(f"{base_url}/healthz", timeout=5).status_code == 200
        assert reopened < 2, f"{reopened:.1f} s: closed streams held their threads and slots"
    finally:
        stop_process(web_process)
