"""Task lifecycle under real failures, with real processes: a cancel that must free the model
server, a worker killed with SIGKILL, Redis restarted without persistence, the model server
killed mid-answer.

Each test runs its own Celery worker(s) on a queue of its own (settings per test, such as short
heartbeat timeouts, come through the environment, as in production), against this module's own
model server, which a test may kill. Tasks are started, cancelled, continued and read over real
HTTP (live server, bearer token, SSE).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import redis
from django.conf import settings
from httpx_sse import connect_sse

from documents import services
from documents.errors import error_message
from documents.models import OutlineTask
from documents.relay.reader import read_events
from documents.tests.conftest import make_docx, wait_finished
from documents.tests.processes import BASE_DIR, ModelServerProcess, _test_database_url, restart_redis
from project.celery import app as celery_app

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

S = OutlineTask.Status
BODY = "公司计划在明年上线新的电商平台，以提升线上销售额并改善客户体验，预计投入三百万元。" * 4
# Enough sections that a fault in the second finds the task still running. Each point is held until
# it passes its gates, so a section's heading is streamed while its points are being written.
SECTIONS = [(1, "项目背景"), (1, "预算"), (1, "进度"), (1, "风险")]
# One section at a time: the model is working on the section whose heading was streamed last.
ONE_AT_A_TIME = {"OUTLINE_PARALLEL": "1"}
# A task is lost 3 s after its last heartbeat (stamped every second); the reaper runs every second.
LOST_AFTER, REAPER_INTERVAL = 3.0, 1.0
FAST_REAPER = {
    "WORKER_HEARTBEAT_SECONDS": "1",
    "WORKER_LOST_AFTER_SECONDS": str(LOST_AFTER),
    "REAPER_INTERVAL_SECONDS": str(REAPER_INTERVAL),
}

# A worker that takes only its test's queue, and routes what it sends itself (the start-up reap,
# embedded beat's reaps) there too, so no other worker in the session (the session worker on the
# default queue, with other settings) picks those up.
WORKER_MAIN = """
import sys
from project.celery import app
app.conf.update(task_routes={"documents.tasks.*": {"queue": sys.argv[1]}})
app.worker_main(["worker", "--queues", sys.argv[1], *sys.argv[2:]])
"""

Event = tuple[int, str, dict]


# ------------------------------------------------------------------------ processes
class ModelServer(ModelServerProcess):
    """The bundled model server on a port of its own, which a test can SIGKILL and start again
    on the same port (a worker keeps pointing at the same URL)."""

    def kill(self) -> None:
        os.kill(self._pid(), signal.SIGKILL)
        self.stop()

    def _pid(self) -> int:
        # running_model_server keeps its Popen to itself: find our child serving this port.
        wanted = [b"runmodel", b"--port", str(self.port).encode()]
        for proc in Path("/proc").iterdir():
            try:
                argv = (proc / "cmdline").read_bytes().split(b"\0")
                parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if parent == os.getpid() and all(part in argv for part in wanted):
                return int(proc.name)
        raise LookupError(f"no model server process on port {self.port}")

    def busy_slots(self) -> list[dict]:
        """The llama.cpp slots generating right now (its /slots endpoint)."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/slots", timeout=2) as response:
            return [slot for slot in json.load(response) if slot["is_processing"]]


@pytest.fixture(scope="module")
def model_server_of_module() -> Iterator[ModelServer]:
    server = ModelServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def model(model_server_of_module: ModelServer) -> ModelServer:
    model_server_of_module.start()  # again, if a test killed it
    return model_server_of_module


@pytest.fixture
def queue(request: pytest.FixtureRequest) -> Iterator[str]:
    """This test's Celery queue; tasks this process sends (start, continue) are routed to it."""
    name = f"recovery-{os.getpid()}-{request.node.name}"
    previous = celery_app.conf.task_routes
    celery_app.conf.update(task_routes={"documents.tasks.*": {"queue": name}})
    yield name
    celery_app.conf.update(task_routes=previous)


@pytest.fixture
def start_worker(queue: str, model: ModelServer, tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen]]:
    """Start a Celery worker on this test's queue, in a process group of its own (so a test can
    SIGKILL all of it), with `env` on top of the test database, Redis and model server."""
    started: list[tuple[subprocess.Popen, object]] = []

    def start(name: str, *, prefork: bool = False, beat: bool = False, **env: str) -> subprocess.Popen:
        hostname = f"{name}-{os.getpid()}@recovery"
        args = [sys.executable, "-c", WORKER_MAIN, queue, "--hostname", hostname, "--loglevel", "INFO",
                "--without-gossip", "--without-mingle"]  # fmt: skip
        args += ["--pool", "prefork", "--concurrency", "1"] if prefork else ["--pool", "solo"]
        if beat:
            args += ["--beat", "--schedule", str(tmp_path / f"{name}-beat-schedule")]
        env = {
            **os.environ,
            "DATABASE_URL": _test_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "MODEL_SERVER_PORT": str(model.port),
            **env,
        }
        log = open(BASE_DIR / "var" / f"test-recovery-{name}.log", "w")  # noqa: SIM115 (closed at teardown)
        worker = subprocess.Popen(
            args, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        started.append((worker, log))
        deadline = time.monotonic() + 30
        while not _answers_ping(hostname):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker {name} did not start; see {log.name}")
        return worker

    yield start
    for worker, log in started:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
        log.close()


def _answers_ping(hostname: str) -> bool:
    try:
        return bool(celery_app.control.ping(destination=[hostname], timeout=0.5))
    except redis.ConnectionError:  # a pooled connection that a Redis restart (test below) closed
        return False


# ----------------------------------------------------------------------------- HTTP
@pytest.fixture
def api(live_server, user) -> Iterator[httpx.Client]:  # noqa: ANN001
    token = services.api_token_create(user=user)
    with httpx.Client(
        base_url=live_server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as client:
        yield client


def _start_outline(api: httpx.Client) -> int:
    files = {"file": ("计划.docx", make_docx(SECTIONS, body=BODY))}
    document = api.post("/api/v1/documents", files=files).json()
    created = api.post(f"/api/v1/documents/{document['id']}/tasks")
    assert created.status_code == 202, created.text
    return created.json()["id"]


def _continue(api: httpx.Client, task_id: int) -> int:
    created = api.post(f"/api/v1/tasks/{task_id}/continue")
    assert created.status_code == 202, created.text
    return created.json()["id"]


@contextlib.contextmanager
def _sse(api: httpx.Client, task_id: int, *, last_event_id: int = 0) -> Iterator[Iterator[Event]]:
    """The task's events as (seq, type, data), read as they arrive, until the terminal one."""
    headers = {"Last-Event-ID": str(last_event_id)} if last_event_id else {}
    with connect_sse(api, "GET", f"/api/v1/tasks/{task_id}/stream", headers=headers) as source:

        def events() -> Iterator[Event]:
            for sse in source.iter_sse():
                if sse.data:  # the leading `retry:` frame carries no event
                    yield int(sse.id), sse.event, json.loads(sse.data)
                    if sse.event in {"done", "error"}:
                        return

        yield events()


def _all_events(api: httpx.Client, task_id: int, *, last_event_id: int = 0) -> list[Event]:
    with _sse(api, task_id, last_event_id=last_event_id) as events:
        return list(events)


def _read_until(events: Iterator[Event], done: Callable[[list[Event]], bool]) -> list[Event]:
    seen: list[Event] = []
    for event in events:
        seen.append(event)
        if done(seen):
            return seen
    raise AssertionError(f"the stream ended first: {seen[-3:]}")


def _model_chunks(seen: list[Event], section: int) -> int:
    """Chunk events since section `section` started (its progress event): the model's text."""
    starts = [i for i, (_, kind, data) in enumerate(seen) if kind == "progress" and data["done"] == section]
    return sum(kind == "chunk" for _, kind, _ in seen[starts[0] :]) if starts else 0


def _text(events: list[Event]) -> str:
    return "".join(data["text"] for _, kind, data in events if kind == "chunk")


def _seqs(events: list[Event]) -> list[int]:
    return [seq for seq, _, _ in events]


def _wait_finished(task_id: int) -> OutlineTask:
    return wait_finished(task_id, timeout=60, poll=0.05)


def _busy(model: ModelServer, timeout: float = 10.0) -> list[dict]:
    """The model's busy slots, once one is generating: a section's heading is streamed as its
    points are asked for, and the model reads the prompt before it writes its first token."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = model.busy_slots()
        if any(slot["next_token"][0]["n_decoded"] > 0 for slot in busy):
            return busy
        time.sleep(0.01)
    return model.busy_slots()


def _written(task: OutlineTask) -> str:
    """The heading of the section `task` was writing when it stopped."""
    return f"## {SECTIONS[task.progress_done][1]}\n\n"


def _kept(task: OutlineTask) -> str:
    """What a Continue keeps of `task`: its whole sections before the one it was writing."""
    return task.result[: task.section_offsets[str(task.progress_done)]]


# ---------------------------------------------------------------------------- tests
def test_cancel_stops_the_model_server_within_a_second(api, model, start_worker):
    start_worker("cancel", **ONE_AT_A_TIME)
    task_id = _start_outline(api)

    with _sse(api, task_id) as events:
        seen = _read_until(events, lambda seen: _model_chunks(seen, 0) >= 1)
        # The model is writing the first section's points; only the cancel stops the other sections.
        busy = _busy(model)
        assert len(busy) == 1, busy
        cancelled_at = time.monotonic()
        assert api.post(f"/api/v1/tasks/{task_id}/cancel").status_code == 200
        while model.busy_slots():
            assert time.monotonic() - cancelled_at < 10, "the model server kept generating"
            time.sleep(0.05)
        idle_after = time.monotonic() - cancelled_at
        seen += list(events)

    print(f"cancel to idle model server: {idle_after:.3f} s")
    assert idle_after < 1.0
    task = _wait_finished(task_id)
    assert task.status == S.CANCELLED
    assert _seqs(seen) == list(range(1, len(seen) + 1))
    assert [(kind, data["status"]) for _, kind, data in seen[-2:]] == [
        ("status", "cancelled"),
        ("done", "cancelled"),
    ]
    assert task.result == _text(seen)
    assert task.result.startswith("# 计划") and "## 项目背景\n\n" in task.result
    assert "## 风险" not in task.result  # it stopped before the last section


def test_killed_worker_is_failed_as_worker_lost_and_continue_completes(api, model, start_worker):
    doomed = start_worker("doomed", prefork=True, **ONE_AT_A_TIME, **FAST_REAPER)
    task_id = _start_outline(api)
    with _sse(api, task_id) as events:
        _read_until(events, lambda seen: _model_chunks(seen, 1) >= 1)
        os.killpg(doomed.pid, signal.SIGKILL)  # the worker, its pool child and all
        killed_at = time.monotonic()
    doomed.wait()

    # A restarted worker: it sweeps once when ready, then its embedded beat every REAPER_INTERVAL.
    start_worker("restarted", beat=True, **ONE_AT_A_TIME, **FAST_REAPER)
    ready_at = time.monotonic()
    task = _wait_finished(task_id)
    failed_at = time.monotonic()

    # Documented bound: once a reaper runs, a task whose worker died ends within WORKER_LOST_AFTER
    # + REAPER_INTERVAL of its last heartbeat (which was before the kill).
    late = failed_at - max(killed_at + LOST_AFTER, ready_at) - REAPER_INTERVAL
    print(f"worker_lost {failed_at - killed_at:.2f} s after the kill, {-late:.2f} s inside the bound")
    assert late <= 1.0
    assert (task.status, task.error_code) == (S.FAILED, "worker_lost")
    assert task.error_message == error_message("worker_lost", "en")
    events = _all_events(api, task_id)
    assert _seqs(events) == list(range(1, len(events) + 1))
    assert events[-2][1:] == ("status", {"seq": events[-2][0], "status": "failed"})
    assert events[-1][1:] == (
        "error", {"seq": events[-1][0], "code": "worker_lost", "message": error_message("worker_lost", "en")}
    )  # fmt: skip
    assert task.result == _text(events) and "## 预算\n\n" in task.result  # the partial output is kept
    kept = _kept(task)
    assert task.progress_done >= 1 and kept.startswith("# 计划\n\n## 项目背景") and _written(task) not in kept

    continued = _wait_finished(_continue(api, task_id))

    assert continued.status == S.SUCCEEDED
    assert continued.result.startswith(kept) and _written(task) in continued.result[len(kept) :]
    assert "## 风险\n\n- " in continued.result


def test_redis_restart_mid_task_rewrites_the_stream_and_resume_loses_nothing(api, model, start_worker):
    start_worker("redis", **ONE_AT_A_TIME)
    task_id = _start_outline(api)
    with ThreadPoolExecutor(max_workers=1) as pool:
        live = pool.submit(_all_events, api, task_id)  # connected through the restart
        with _sse(api, task_id) as events:
            before = _read_until(events, lambda seen: _model_chunks(seen, 1) >= 1)

        restart_redis()
        assert OutlineTask.objects.get(pk=task_id).status == S.RUNNING  # so it really was mid-task

        task = _wait_finished(task_id)
        through = live.result(timeout=30)

    assert task.status == S.SUCCEEDED
    # The worker wrote the vanished stream again from seq 1, not just its events after the flush.
    in_redis = read_events(task_id)
    assert [event.seq for event in in_redis] == list(range(1, len(in_redis) + 1))
    replay = _all_events(api, task_id)
    assert _seqs(replay) == list(range(1, len(replay) + 1))
    assert replay[-1][1:] == ("done", {"seq": replay[-1][0], "status": "succeeded"})
    assert _text(replay) == task.result and "## 预算" in task.result
    rest = _all_events(api, task_id, last_event_id=before[-1][0])
    assert before + rest == replay
    assert through == replay


def test_model_server_killed_mid_answer_fails_the_task_and_continue_completes(api, model, start_worker):
    start_worker("provider", **ONE_AT_A_TIME)
    task_id = _start_outline(api)
    with _sse(api, task_id) as events:
        seen = _read_until(events, lambda seen: _model_chunks(seen, 1) >= 1)
        assert _busy(model)  # killed while it is answering
        model.kill()
        seen += list(events)

    task = _wait_finished(task_id)
    # A connection dropped mid-answer: the SDK raises APIConnectionError, mapped to this code.
    code = "provider_unreachable"
    assert (task.status, task.error_code) == (S.FAILED, code)
    assert task.error_message == error_message(code, "en")
    assert _seqs(seen) == list(range(1, len(seen) + 1))
    assert seen[-1][1:] == ("error", {"seq": seen[-1][0], "code": code, "message": error_message(code, "en")})
    assert task.result == _text(seen) and "## 预算\n\n" in task.result
    kept = _kept(task)
    assert task.progress_done >= 1 and "## 项目背景" in kept and _written(task) not in kept

    model.start()  # on the same port; the worker never restarted
    continued = _wait_finished(_continue(api, task_id))

    assert continued.status == S.SUCCEEDED
    assert continued.result.startswith(kept) and _written(task) in continued.result[len(kept) :]
    assert "## 风险\n\n- " in continued.result
