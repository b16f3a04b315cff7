"""Faults around the stream, with real processes and the fake provider (exact, cheap timing):
a disconnect storm across two gunicorn processes, a web process restarted mid-stream, a stalled
provider, a killed worker or restarted Redis with a reader connected, and slow or silent clients.

test_recovery.py covers the same lifecycle with the real bundled model (cancel, worker SIGKILL,
Redis restart, model server killed); this module adds what it does not: many readers, two web
processes, a web restart, "nothing stuck" after each fault, and back-pressure. Every process runs
on a Celery queue of this module's own (through CELERY_TASK_DEFAULT_QUEUE, as in production), so
the session's worker (on the bundled model) never takes these tasks.

Random choices are seeded (printed; FAULTS_SEED=<seed> repeats them); STORM_ROUNDS=<n> runs the
disconnect storm n times, for hunting a rare race.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import pytest
import redis
from httpx_sse import EventSource, connect_sse
from prometheus_client.parser import text_string_to_metric_families

from documents import services
from documents.errors import error_message
from documents.management.commands.runmodel import http_ok
from documents.models import OutlineTask
from documents.relay.reader import read_events
from documents.tests.conftest import make_docx, wait_finished
from documents.tests.processes import BASE_DIR, restart_redis, service_env, start_web
from project.celery import app as celery_app
from project.localredis import free_port

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

S = OutlineTask.Status
SEED = int(os.environ.get("FAULTS_SEED") or time.time_ns() % 1_000_000)
print(f"test_faults seed: {SEED} (FAULTS_SEED={SEED} repeats the random choices)")
logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per reconnect otherwise

# The fake provider answers every request with TOKENS deltas, one every INTERVAL_MS (the worker cuts
# an answer once it loops). A point is held until it is whole, so a section is a few events: its
# progress, its heading, its points.
TOKENS, INTERVAL_MS = 40, 20
BODY = "公司计划在明年上线新的电商平台，以提升线上销售额并改善客户体验。"
LOST_AFTER, REAPER_INTERVAL = 3.0, 1.0
HEARTBEAT = 1.0  # SSE heartbeat of the web processes (so a silent client is noticed quickly)
GRACEFUL_TIMEOUT = 2
QUEUE = f"faults-{os.getpid()}"

Event = tuple[int, str, dict]


def _sections(count: int) -> list[tuple[int, str]]:
    return [(1, f"第{i + 1}节 Section {i + 1}") for i in range(count)]


# ------------------------------------------------------------------------ processes
class ProviderProcess:
    """The fake provider as a subprocess on a fixed port: a test can SIGKILL, SIGSTOP (stall) or
    restart it, and the worker keeps pointing at the same URL."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        if self.process is not None and self.process.poll() is None:
            return
        self.process = subprocess.Popen(
            [sys.executable, "-m", "documents.tests.provider_server", "--port", str(self.port),
             "--tokens", str(TOKENS), "--interval-ms", str(INTERVAL_MS)],
            cwd=BASE_DIR, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while not http_ok(f"{self.url}/models"):
            assert self.process.poll() is None and time.monotonic() < deadline, "fake provider did not start"
            time.sleep(0.05)

    def signal(self, sig: signal.Signals) -> None:
        assert self.process is not None
        self.process.send_signal(sig)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # if a test left it stopped
            self.process.kill()
            self.process.wait(timeout=10)


class Service:
    """A process group of this module (gunicorn or a Celery worker) that a test can SIGKILL whole."""

    process: subprocess.Popen | None = None

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM to the group (a clean shutdown), SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()


class Web(Service):
    """gunicorn (project/gunicorn.conf.py) on a fixed port, so a restarted one has the same URL."""

    def __init__(
        self, name: str, env: dict[str, str], log_dir: Path, *, worker_class: str = "gthread"
    ) -> None:
        self.name, self.worker_class, self.log_dir = name, worker_class, log_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Its own metrics directory: a SIGKILLed process leaves its live gauges behind.
        self.env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(log_dir / f"prometheus-{name}")}
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log = self.log_dir / f"web-{self.name}-{self.starts}.log"
        self.process, _ = start_web(
            self.env, log=log, port=self.port, worker_class=self.worker_class, threads=32
        )

    def worker_process(self) -> psutil.Process:
        assert self.process is not None
        (child,) = psutil.Process(self.process.pid).children()
        return child

    def streams_active(self) -> float:
        return sum(self.samples("outliner_sse_streams_active").values())

    def samples(self, name: str) -> dict[tuple[tuple[str, str], ...], float]:
        """The process's samples of one metric, by their labels."""
        response = httpx.get(f"{self.url}/metrics", timeout=10)
        return {
            tuple(sorted(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(response.text)
            for sample in family.samples
            if sample.name == name
        }


class Worker(Service):
    """A Celery worker (solo pool, with the reaper in its embedded beat) on this module's queue."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env, self.log_dir = env, log_dir
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        hostname = f"faults{self.starts}-{os.getpid()}@faults"
        log = open(self.log_dir / f"worker-{self.starts}.log", "w")  # noqa: SIM115 (the child keeps its own)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "project", "worker", "--pool", "solo", "--loglevel",
             "INFO", "--hostname", hostname, "--without-gossip", "--without-mingle", "--beat",
             "--schedule", str(self.log_dir / f"beat-schedule-{self.starts}")],
            cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + 30
        while not _answers_ping(hostname):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker did not start; see {log.name}")


def _answers_ping(hostname: str) -> bool:
    try:
        return bool(celery_app.control.ping(destination=[hostname], timeout=0.5))
    except redis.ConnectionError:  # a pooled connection that a Redis restart closed
        return False


@dataclass
class Stack:
    provider: ProviderProcess
    worker: Worker
    web_a: Web
    web_b: Web
    env: dict[str, str]
    log_dir: Path

    @contextlib.contextmanager
    def another_web(
        self, name: str, *, worker_class: str, env: dict[str, str] | None = None
    ) -> Iterator[Web]:
        """Another web process on the same database, Redis and queue, for a block (`env`: settings
        of its own)."""
        web = Web(name, {**self.env, **(env or {})}, self.log_dir, worker_class=worker_class)
        try:
            web.start()
            yield web
        finally:
            web.stop()


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Stack]:  # noqa: ANN001
    """The fake provider, one worker and two gthread web processes, for the whole module; a test
    that kills one starts it again (the function fixture below checks)."""
    log_dir = tmp_path_factory.mktemp("faults")
    provider = ProviderProcess()
    provider.start()
    with django_db_blocker.unblock():
        env = service_env(
            model_server=provider.url,
            LLM_BASE_URL=provider.url,
            LLM_API_STYLE="completions",
            LLM_TOKEN_TIMEOUT="2",
            LLM_FIRST_TOKEN_TIMEOUT="5",
            OUTLINE_CHUNK_CHARS="1",  # one chunk event per write: many events, many resume points
            # One section at a time: a fault injected at a section's heading finds its points being
            # written (prepared ahead, they could be done already).
            OUTLINE_PARALLEL="1",
            CELERY_TASK_DEFAULT_QUEUE=QUEUE,
            SSE_HEARTBEAT_SECONDS=str(HEARTBEAT),
            SSE_FINISHED_CHECK_SECONDS=str(HEARTBEAT),
            SSE_RETRY_MS="100",
            # The disconnect storm holds 30 streams of one user and task; the caps are tested in
            # test_operations.py.
            SSE_MAX_STREAMS_PER_USER="100",
            SSE_MAX_STREAMS_PER_TASK="100",
            WORKER_HEARTBEAT_SECONDS="1",
            WORKER_LOST_AFTER_SECONDS=str(LOST_AFTER),
            REAPER_INTERVAL_SECONDS=str(REAPER_INTERVAL),
            OUTLINER_SERVICE="web",
            # A stopping gunicorn lets open streams run this long (default 30 s), then cuts them.
            GUNICORN_CMD_ARGS=f"--graceful-timeout {GRACEFUL_TIMEOUT}",
        )
    worker = Worker(env, log_dir)
    web_a, web_b = Web("a", env, log_dir), Web("b", env, log_dir)
    stack = Stack(provider, worker, web_a, web_b, env, log_dir)
    try:
        worker.start()
        web_a.start()
        web_b.start()
        yield stack
    finally:
        for service in (web_a, web_b, worker):
            service.stop()
        provider.stop()
        print(f"fault logs: {log_dir}")


@pytest.fixture
def faults(stack: Stack) -> Stack:
    stack.provider.start()  # again, if a test killed it
    for service in (stack.worker, stack.web_a, stack.web_b):
        if service.process is None or service.process.poll() is not None:
            service.start()
    return stack


# ----------------------------------------------------------------------------- HTTP
@pytest.fixture
def token(user) -> str:  # noqa: ANN001
    return services.api_token_create(user=user)


def _client(token: str, **kwargs: object) -> httpx.Client:
    return httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=30, **kwargs)


def _document(api: httpx.Client, base_url: str, sections: int) -> int:
    files = {"file": ("计划.docx", make_docx(_sections(sections), body=BODY))}
    created = api.post(f"{base_url}/api/v1/documents", files=files)
    assert created.status_code == 201, created.text
    return created.json()["id"]


def _start(api: httpx.Client, base_url: str, document_id: int) -> int:
    created = api.post(f"{base_url}/api/v1/documents/{document_id}/tasks")
    assert created.status_code == 202, created.text
    return created.json()["id"]


def _stream_path(task_id: int) -> str:
    return f"/api/v1/tasks/{task_id}/stream"


def _text(events: list[Event]) -> str:
    return "".join(data["text"] for _, kind, data in events if kind == "chunk")


def _seqs(events: list[Event]) -> list[int]:
    return [seq for seq, _, _ in events]


def _cut(response: httpx.Response) -> None:
    """Drop the connection under a reader blocked in a read, as a network failure does: whatever
    part of a frame it had is lost with it."""
    sock = response.extensions["network_stream"].get_extra_info("socket")
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


@dataclass
class Reading:
    """What one resuming reader got: every event, and how its connections ended."""

    events: list[Event] = field(default_factory=list)
    connections: list[str] = field(default_factory=list)  # the base URL of each
    log: list[list] = field(default_factory=list)  # per connection: [url, after, request id, seqs]
    cuts: int = 0  # connections dropped mid-read
    errors: int = 0  # connections that failed (the server went away)
    last_at: float = 0.0  # time.time() of the last event

    @property
    def reconnects(self) -> int:
        return len(self.connections) - 1

    @property
    def finished(self) -> bool:
        return bool(self.events) and self.events[-1][1] in {"done", "error"}


def read_resuming(
    token: str,
    urls: list[str],
    task_id: int,
    *,
    rng: random.Random | None = None,
    max_events: int = 40,
    cut_chance: float = 0.0,
    on_event: Callable[[Reading], None] | None = None,
    deadline: float = 60,
) -> Reading:
    """Read a task's stream to its terminal event as fetch-stream.js does: on any disconnect,
    reconnect with the last seq in Last-Event-ID, to the next of `urls` in turn.

    With `rng`, each connection is also ended by the reader: after a random number of events (up
    to `max_events`), or, with `cut_chance`, by dropping the socket at a random moment mid-read.
    """
    reading = Reading()
    end = time.monotonic() + deadline
    with _client(token) as client:
        while not reading.finished:
            assert time.monotonic() < end, f"no terminal event after {deadline} s: {reading.events[-3:]}"
            url = urls[len(reading.connections) % len(urls)]
            reading.connections.append(url)
            headers = {"Last-Event-ID": str(reading.events[-1][0])} if reading.events else {}
            budget = rng.randint(1, max_events) if rng else None
            cut_after = rng.uniform(0.02, 0.4) if rng and rng.random() < cut_chance else None
            timer: threading.Timer | None = None
            try:
                with connect_sse(client, "GET", url + _stream_path(task_id), headers=headers) as source:
                    source.response.raise_for_status()
                    entry = [
                        url,
                        headers.get("Last-Event-ID"),
                        source.response.headers.get("X-Request-ID"),
                        [],
                    ]
                    reading.log.append(entry)
                    if cut_after is not None:
                        timer = threading.Timer(cut_after, _cut, [source.response])
                        timer.start()
                    got = 0
                    for sse in source.iter_sse():
                        if not sse.data:  # the leading `retry:` frame carries no event
                            continue
                        reading.events.append((int(sse.id), sse.event, json.loads(sse.data)))
                        entry[3].append(int(sse.id))
                        reading.last_at = time.time()
                        got += 1
                        if on_event:
                            on_event(reading)
                        if reading.finished or (cut_after is None and budget and got >= budget):
                            break
            except (httpx.TransportError, httpx.HTTPStatusError):
                if cut_after is not None and timer is not None and not timer.is_alive():
                    reading.cuts += 1
                else:
                    reading.errors += 1
                    time.sleep(0.1)  # the server is away: back off (the server's `retry:`)
            finally:
                if timer is not None:
                    timer.cancel()
    return reading


def _assert_exact(reading: Reading, task: OutlineTask, who: str = "reader") -> None:
    """0 lost, duplicated or reordered events, and the chunks are the saved result exactly."""
    seqs = _seqs(reading.events)
    gaps = [(a, b) for a, b in zip(seqs, seqs[1:], strict=False) if b != a + 1]
    log = [(url, after, rid, f"{got[0]}..{got[-1]}" if got else "-") for url, after, rid, got in reading.log]
    assert seqs[0] == 1 and not gaps, f"{who}: seqs not contiguous from 1: gaps {gaps}; connections {log}"
    assert seqs[-1] == task.last_seq, f"{who}: ended at {seqs[-1]}, the task at {task.last_seq}"
    assert _text(reading.events) == task.result, f"{who}: chunks differ from the saved result"


# ---------------------------------------------------------------------------- tests
@pytest.mark.parametrize("round_", range(int(os.environ.get("STORM_ROUNDS", "1"))))
def test_disconnect_storm_across_two_web_processes_loses_and_repeats_nothing(
    faults: Stack, token: str, round_: int
):
    """30 readers of one long task, each leaving after a random number of events (or dropping
    its connection mid-read) and resuming on the other web process, until the end."""
    # Points are held until they pass their gates, so a section is a few events (its progress, its
    # heading, its points): enough sections that each reader leaves and resumes several times.
    readers, sections = 30, 24
    urls = [faults.web_a.url, faults.web_b.url]
    with _client(token) as api:
        task_id = _start(api, urls[0], _document(api, urls[0], sections))
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=readers) as pool:
            futures = [
                pool.submit(
                    read_resuming,
                    token,
                    urls[i % 2 :] + urls[: i % 2],
                    task_id,
                    rng=random.Random(SEED * 1000 + round_ * 100 + i),
                    max_events=10,
                    cut_chance=0.3,
                )
                for i in range(readers)
            ]
            readings = [future.result() for future in futures]
        elapsed = time.monotonic() - started
    task = wait_finished(task_id, timeout=30)

    reconnects = sum(r.reconnects for r in readings)
    cuts = sum(r.cuts for r in readings)
    per_web = {url: sum(r.connections.count(url) for r in readings) for url in urls}
    summary = (
        f"{readers} readers, {reconnects} reconnects ({cuts} mid-read cuts), connections per web "
        f"process {list(per_web.values())}, {len(task.chunk_index)} chunks, task "
        f"{task.metrics['duration_ms']} ms, storm {elapsed:.1f} s, seed {SEED}"
    )
    print(summary)
    assert task.status == S.SUCCEEDED, summary
    for i, reading in enumerate(readings):
        _assert_exact(reading, task, f"reader {i} ({summary})")
    assert reconnects >= readers * 5 and cuts >= readers, summary
    assert min(per_web.values()) >= readers * 2, summary
    # Every connection was released on both web processes, the dropped ones included.
    deadline = time.monotonic() + 10
    while any(active := [web.streams_active() for web in (faults.web_a, faults.web_b)]):
        assert time.monotonic() < deadline, f"streams still open: {active} ({summary})"
        time.sleep(0.2)


def _model_chunks(events: list[Event], section: int) -> int:
    """Chunk events since section `section` started (its progress event): the model's text."""
    starts = [i for i, (_, kind, data) in enumerate(events) if kind == "progress" and data["done"] == section]
    return sum(kind == "chunk" for _, kind, _ in events[starts[0] :]) if starts else 0


class Once:
    """Runs `action` in a thread of its own the first time it is called (a fault injected while
    the reader goes on reading)."""

    def __init__(self, action: Callable[[], None]) -> None:
        self.thread = threading.Thread(target=action, daemon=True)

    def __call__(self) -> None:
        if self.thread.ident is None:
            self.thread.start()

    def join(self) -> None:
        if self.thread.ident is not None:
            self.thread.join(timeout=30)


def _last_seq_in_redis(task_id: int) -> int:
    events = read_events(task_id)
    return events[-1].seq if events else 0


@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
def test_web_process_restarted_mid_stream_the_reader_resumes_and_the_task_goes_on(
    faults: Stack, token: str, how: str
):
    """Web A dies (SIGKILL of its whole process group) or is stopped cleanly (SIGTERM: gunicorn
    lets the open stream run for its graceful timeout, then cuts it) while a reader streams
    through it, and starts again on the same port; the reader reconnects with Last-Event-ID, as
    fetch-stream.js does, and gets the rest. The worker never notices."""
    web, sections = faults.web_a, 6
    seen_at: dict[str, float] = {}

    def restart() -> None:
        seen_at["seq_at_fault"] = _last_seq_in_redis(task_id)
        seen_at["fault"] = time.monotonic()
        if how == "SIGKILL":
            web.kill()
        else:
            web.stop()
        seen_at["down"] = time.monotonic()
        # Down until the worker has written more (points come whole, a section's at a time, and a
        # SIGKILLed web process is back within a second): it writes on with no web process there.
        deadline = time.monotonic() + 10
        while _last_seq_in_redis(task_id) == seen_at["seq_at_fault"] and time.monotonic() < deadline:
            time.sleep(0.05)
        web.start()
        seen_at["up"] = time.monotonic()
        seen_at["seq_when_back"] = _last_seq_in_redis(task_id)

    with _client(token) as api:
        task_id = _start(api, faults.web_b.url, _document(api, faults.web_b.url, sections))
        fault = Once(restart)
        reading = read_resuming(
            token, [web.url], task_id,
            on_event=lambda r: _model_chunks(r.events, 1) >= 1 and fault(),
        )  # fmt: skip
    task = wait_finished(task_id, timeout=30)
    fault.join()

    summary = (
        f"{how}: web down {seen_at['down'] - seen_at['fault']:.2f} s, back after "
        f"{seen_at['up'] - seen_at['fault']:.2f} s; reader: {reading.reconnects} reconnects, "
        f"{reading.errors} failed connections; stream seq {seen_at['seq_at_fault']} at the fault, "
        f"{seen_at['seq_when_back']} when it was back, {task.last_seq} at the end; task "
        f"{task.metrics['duration_ms']} ms"
    )
    print(summary)
    assert task.status == S.SUCCEEDED, summary
    _assert_exact(reading, task)
    assert reading.reconnects >= 1, summary
    if how == "SIGTERM":
        assert GRACEFUL_TIMEOUT - 0.5 < seen_at["down"] - seen_at["fault"] < GRACEFUL_TIMEOUT + 2.5, summary
    # The worker kept writing while no web process was there to relay it.
    assert seen_at["seq_when_back"] > seen_at["seq_at_fault"], summary
    nominal = sections * TOKENS * INTERVAL_MS
    assert task.metrics["duration_ms"] < nominal * 1.5 + 2000, summary


def test_provider_stalled_mid_answer_fails_in_time_keeps_the_text_and_nothing_is_stuck(
    faults: Stack, token: str
):
    """The provider stops answering mid-section (SIGSTOP: the connection stays open, no bytes
    come): the task fails with timeout_between_tokens LLM_TOKEN_TIMEOUT (2 s) later, keeps what
    was written, and ends the reader's stream. Resumed, the provider serves a Continue and a new
    task; down at the start of a task and back within the retries, the task just succeeds."""
    url, token_timeout = faults.web_a.url, 2.0
    stalled: dict[str, float] = {}

    def stall() -> None:
        # Called at the section's heading, when its points are asked for; a point is held until it
        # is whole, so the reader sees no token: stop the provider a few tokens into its answer.
        time.sleep(10 * INTERVAL_MS / 1000)
        faults.provider.signal(signal.SIGSTOP)
        stalled["at"] = time.monotonic()

    with _client(token) as api:
        document_id = _document(api, url, 3)
        task_id = _start(api, url, document_id)
        fault = Once(stall)
        reading = read_resuming(
            token, [url], task_id, on_event=lambda r: _model_chunks(r.events, 1) >= 1 and fault()
        )
        ended = time.monotonic()
        faults.provider.signal(signal.SIGCONT)
        task = wait_finished(task_id, timeout=10)
        code = "timeout_between_tokens"
        print(f"provider stalled: task failed {ended - stalled['at']:.2f} s after the stall")
        assert (task.status, task.error_code) == (S.FAILED, code)
        assert task.error_message == error_message(code, "en")
        assert reading.events[-1][1:] == (
            "error", {"seq": reading.events[-1][0], "code": code, "message": error_message(code, "en")}
        )  # fmt: skip
        _assert_exact(reading, task)
        # The timeout counts from the last token, which came up to a token interval before the stop.
        assert token_timeout - 2 * INTERVAL_MS / 1000 <= ended - stalled["at"] < token_timeout + 2.0
        assert task.progress_done == 1 and "第2节" in task.result  # the partial section is kept

        continued = wait_finished(_continue(api, url, task_id), timeout=30)
        assert continued.status == S.SUCCEEDED
        kept = task.result[: task.section_offsets["1"]]
        assert continued.result.startswith(kept) and "第3节" in continued.result

        # Down when a task starts, back within the retries (LLM_MAX_RETRIES, backoff 0.5 s × 2^n).
        faults.provider.signal(signal.SIGKILL)
        faults.provider.process.wait(timeout=10)
        again = _start(api, url, document_id)
        time.sleep(1.0)
        faults.provider.start()
        retried = wait_finished(again, timeout=30)
        assert retried.status == S.SUCCEEDED, (retried.error_code, retried.error_message)
        assert "第3节" in retried.result


def _continue(api: httpx.Client, base_url: str, task_id: int) -> int:
    created = api.post(f"{base_url}/api/v1/tasks/{task_id}/continue")
    assert created.status_code == 202, created.text
    return created.json()["id"]


@pytest.mark.parametrize("fault", ["worker_sigkill", "redis_restart"])
def test_after_a_fault_the_connected_reader_gets_an_end_and_a_new_task_completes(
    faults: Stack, token: str, fault: str
):
    """Nothing stuck: a reader connected (through gunicorn) when the worker is SIGKILLed, or Redis
    restarts, gets a terminal event instead of heartbeats for ever; a new task on the same
    document then completes normally, streamed exactly."""
    url = faults.web_a.url
    at: dict[str, float] = {}

    def inject() -> None:
        at["fault"] = time.monotonic()
        if fault == "worker_sigkill":
            faults.worker.kill()
            faults.worker.start()  # sweeps once when ready, then its beat every REAPER_INTERVAL
            at["ready"] = time.monotonic()
        else:
            restart_redis()

    with _client(token) as api:
        document_id = _document(api, url, 3)
        task_id = _start(api, url, document_id)
        once = Once(inject)
        reading = read_resuming(
            token, [url], task_id, on_event=lambda r: _model_chunks(r.events, 1) >= 1 and once()
        )
        ended = time.monotonic()
        once.join()
        task = wait_finished(task_id, timeout=10)
        print(f"{fault}: the connected reader got its terminal event {ended - at['fault']:.2f} s after it")
        if fault == "worker_sigkill":
            code = "worker_lost"
            assert (task.status, task.error_code) == (S.FAILED, code)
            assert reading.events[-1][1:] == (
                "error", {"seq": reading.events[-1][0], "code": code, "message": error_message(code, "en")}
            )  # fmt: skip
            # Documented: within WORKER_LOST_AFTER + REAPER_INTERVAL of the last heartbeat, once a
            # reaper runs (here: the restarted worker).
            assert ended - max(at["fault"] + LOST_AFTER, at["ready"]) < REAPER_INTERVAL + 1.5
        else:
            assert task.status == S.SUCCEEDED
            assert reading.events[-1][1:] == ("done", {"seq": reading.events[-1][0], "status": "succeeded"})
        _assert_exact(reading, task)

        started = time.monotonic()
        new_id = _start(api, url, document_id)
        fresh = read_resuming(token, [faults.web_b.url], new_id, deadline=30)
        new = wait_finished(new_id, timeout=10)
        print(f"{fault}: a new task on the same document succeeded in {time.monotonic() - started:.2f} s")
        assert new.status == S.SUCCEEDED, (new.error_code, new.error_message)
        _assert_exact(fresh, new, "new task's reader")
        assert "第3节" in new.result


def _small_window_client(token: str) -> httpx.Client:
    """A client with a tiny receive buffer: what it does not read soon fills the server's socket."""
    transport = httpx.HTTPTransport(socket_options=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)])
    return _client(token, transport=transport)


def _slow_reader(token: str, url: str, stop: threading.Event, received: list[int]) -> None:
    """Takes 64 bytes every 0.5 s (128 B/s: a phone in a tunnel) until told to stop."""
    with _small_window_client(token) as client, client.stream("GET", url) as response:
        for piece in response.iter_raw(chunk_size=64):
            received.append(len(piece))
            if stop.wait(0.5):
                return


def _wait_released(web: Web, timeout: float) -> float | None:
    """Seconds until the web process has no open stream left (None: not within `timeout`)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if web.streams_active() == 0:
            return time.monotonic() - started
        time.sleep(0.25)
    return None


@pytest.mark.parametrize("worker_class", ["gthread", "gevent"])
def test_slow_and_silent_readers_hold_back_neither_the_worker_nor_a_fast_reader(
    faults: Stack, token: str, worker_class: str
):
    """Back-pressure stays per connection: readers that read at 128 B/s, or never, hold up neither
    the worker nor a fast reader of the same task, and the web process's memory stays flat. A
    silent reader's stream still ends with the task: what it does not read waits in the kernel's
    socket buffers (a whole outline fits; on loopback the send buffer grows to ~4 MB), not in the
    process. A write that cannot proceed at all is bounded by the view (test_streaming.py)."""
    slow_readers = silent_readers = 3
    with faults.another_web(f"slow-{worker_class}", worker_class=worker_class) as web, _client(token) as api:
        document_id = _document(api, web.url, 4)
        baseline_id = _start(api, web.url, document_id)
        read_resuming(token, [web.url], baseline_id)
        baseline = wait_finished(baseline_id, timeout=10)
        process = web.worker_process()
        rss_before = process.memory_info().rss

        task_id = _start(api, web.url, document_id)
        stream_url = web.url + _stream_path(task_id)
        stop, received = threading.Event(), [[] for _ in range(slow_readers)]
        slow = [
            threading.Thread(target=_slow_reader, args=(token, stream_url, stop, got), daemon=True)
            for got in received
        ]
        for thread in slow:
            thread.start()
        with contextlib.ExitStack() as silent:
            for _ in range(silent_readers):  # headers read, then not one byte more
                client = silent.enter_context(_small_window_client(token))
                silent.enter_context(client.stream("GET", stream_url))
            fast = read_resuming(token, [web.url], task_id)
            task = wait_finished(task_id, timeout=10)
            rss_after = process.memory_info().rss
            stop.set()
            for thread in slow:
                thread.join(timeout=10)
            released_after = _wait_released(web, timeout=HEARTBEAT * 3 + 10)  # silent ones still there

    ratio = task.metrics["duration_ms"] / baseline.metrics["duration_ms"]
    lag = fast.last_at - task.finished_at.timestamp()
    growth = (rss_after - rss_before) / 2**20
    summary = (
        f"{worker_class}: task {task.metrics['duration_ms']} ms with {slow_readers} slow and "
        f"{silent_readers} silent readers vs {baseline.metrics['duration_ms']} ms alone (x{ratio:.2f}); "
        f"fast reader's last event {lag * 1000:.0f} ms after the task finished; slow readers got "
        f"{[sum(got) for got in received]} bytes; web RSS {rss_before / 2**20:.1f} -> "
        f"{rss_after / 2**20:.1f} MiB; silent readers' streams closed "
        f"{'never' if released_after is None else f'{released_after:.1f} s'} after the end"
    )
    print(summary)
    assert task.status == S.SUCCEEDED, summary
    _assert_exact(fast, task, "fast reader")
    assert ratio < 1.5, summary
    assert lag < 1.0, summary
    assert all(sum(got) > 0 for got in received), summary
    assert growth < 50, summary
    assert released_after is not None, summary


def test_a_gevent_stream_whose_client_left_is_freed_at_once_without_asking(faults: Stack, token: str, user):  # noqa: ANN001
    """Under gevent an idle stream is told when its client leaves (a watch on its socket, relay/
    client.py) instead of asking every SSE_DISCONNECT_CHECK_SECONDS, which woke 5,000 idle streams
    10,000 times a second. With the heartbeat and the check both a minute apart, neither could
    free these streams: only the watch can."""
    from documents.relay import StreamWriter

    env = {"SSE_HEARTBEAT_SECONDS": "60", "SSE_DISCONNECT_CHECK_SECONDS": "60"}
    with faults.another_web("watch", worker_class="gevent", env=env) as web, _client(token) as api:
        document_id = _document(api, web.url, 1)
        task = OutlineTask.objects.create(owner=user, document_id=document_id, status=S.RUNNING)
        writer = StreamWriter(task.pk)
        writer.reset()
        writer.emit("status", status="running")  # running, and silent: its readers idle
        with contextlib.ExitStack() as streams:
            readers = []
            for _ in range(5):
                response = streams.enter_context(api.stream("GET", web.url + _stream_path(task.pk)))
                assert response.status_code == 200
                readers.append(response.iter_raw())  # kept: a dropped iterator closes the response
                next(readers[-1])  # the opening: the stream is subscribed and idle
            assert web.streams_active() == 5
        released_after = _wait_released(web, timeout=10)
        # A reader still there is not taken for gone: it gets the next chunk.
        with api.stream("GET", web.url + _stream_path(task.pk), headers={"Last-Event-ID": "1"}) as response:
            reader = response.iter_raw()
            next(reader)
            writer.emit("chunk", text="还在。")
            assert "还在。" in next(reader).decode()

    assert released_after is not None and released_after < 2, f"freed after {released_after} s"


class _Http10(http.client.HTTPConnection):
    """A client that speaks HTTP/1.0: gunicorn sends it the body as it comes, not in chunks."""

    _http_vsn, _http_vsn_str = 10, "HTTP/1.0"


def _hub_writes(web: Web, outcome: str) -> float:
    return web.samples("outliner_sse_hub_writes_total").get((("outcome", outcome),), 0.0)


def test_under_gevent_the_hub_writes_events_framed_for_http_11_and_http_10(faults: Stack, token: str, user):  # noqa: ANN001
    """Under gevent the hub writes each event straight to the sockets of the streams waiting for it
    (relay/hub.py), framed as gunicorn frames the rest of the body: in chunks for HTTP/1.1, as it
    comes for HTTP/1.0. Both readers get every event once, in order, to the end, read by real
    clients (httpx with a third-party SSE parser; http.client speaking HTTP/1.0)."""
    from documents.relay import StreamWriter

    with faults.another_web("hubwrites", worker_class="gevent") as web, _client(token) as api:
        document_id = _document(api, web.url, 1)
        task = OutlineTask.objects.create(owner=user, document_id=document_id, status=S.RUNNING)
        writer = StreamWriter(task.pk)
        writer.reset()
        writer.emit("status", status="running")
        old = _Http10("127.0.0.1", web.port, timeout=30)
        sent: list[str] = []
        try:
            with connect_sse(api, "GET", web.url + _stream_path(task.pk)) as source:
                events = source.iter_sse()
                assert next(e for e in events if e.data).id == "1"  # past the opening `retry:`
                old.request("GET", _stream_path(task.pk), headers={"Authorization": f"Bearer {token}"})
                response = old.getresponse()
                assert response.status == 200 and response.version == 10
                body = response.read1(65536)
                current = []
                # One chunk at a time until the hub writes one to both sockets itself (each stream
                # waits for the next event once it has written its replay and subscribed).
                for probe in range(1, 11):
                    before = _hub_writes(web, "whole")
                    sent.append(f"第{probe}点：探测。")
                    writer.emit("chunk", text=sent[-1])
                    current.append(next(e for e in events if e.data))
                    while sent[-1].encode() not in body:
                        body += response.read1(65536)
                    if _hub_writes(web, "whole") - before == 2:
                        break
                else:
                    pytest.fail("the hub never wrote to both sockets itself")
                texts = [f"第{i}点：要点 {i}。" for i in range(1, 41)]
                for text in texts:
                    writer.emit("chunk", text=text)
                writer.emit("done", status="succeeded")
                sent += texts
                current += [e for e in events if e.data]
                body += response.read()  # to the end: gunicorn closes an HTTP/1.0 connection
        finally:
            old.close()

    parsed = EventSource(httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body))
    legacy = [(int(e.id), e.event, json.loads(e.data)) for e in parsed.iter_sse() if e.data]
    for reader in ([(int(e.id), e.event, json.loads(e.data)) for e in current], legacy[1:]):
        assert [seq for seq, _, _ in reader] == list(range(2, len(sent) + 3))
        assert [data["text"] for _, kind, data in reader if kind == "chunk"] == sent
        assert reader[-1][1] == "done"
