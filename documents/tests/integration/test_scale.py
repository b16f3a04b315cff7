"""Growing and sharing: real Celery worker processes on a queue of their own, the real bundled
model server(s), the test database and Redis.

- Fair share: while one user outlines two long documents on a worker with two slots (as `make run`
  starts it), another user's short document starts within 5 s.
- Two worker processes, each with its own model server, both generate outlines.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from celery import current_app
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from documents import services
from documents.models import OutlineTask
from documents.services import outline_tasks
from documents.tests.conftest import make_docx, wait_finished
from documents.tests.processes import (
    BASE_DIR,
    ModelServerProcess,
    service_env,
    start_worker,
    stop_worker,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
S = OutlineTask.Status
CORPUS = BASE_DIR.parent / "shared" / "corpus"
LONG = CORPUS / "poi__stress010.docx"  # 89 sections, ~36,000 words: over a minute of work
BODY = (
    "The committee reviewed the annual budget and agreed to move two hundred thousand euros from "
    "travel to the new laboratory, which opens in the spring and will serve all three departments."
)


@pytest.fixture
def queue(monkeypatch: pytest.MonkeyPatch) -> str:
    """A queue only this test's workers consume (the session's worker, if running, never sees
    its messages): outline tasks started here are sent there."""
    name = f"test-scale-{os.getpid()}-{time.monotonic_ns()}"

    def send(task_id: int) -> None:
        current_app.tasks[outline_tasks.GENERATE_TASK].apply_async((task_id,), queue=name)

    monkeypatch.setattr(outline_tasks, "_send_generate", send)
    return name


@pytest.fixture
def workers(django_db_blocker, queue: str) -> Iterator[Callable[..., str]]:  # noqa: ANN001
    """Start a worker on the test's queue: start(name, model_server_url, *pool) -> its node name."""
    started = []

    def start(name: str, model_server: str, *pool: str) -> str:
        with django_db_blocker.unblock():
            env = service_env(model_server=model_server, CELERY_TASK_DEFAULT_QUEUE=queue)
        log = Path(BASE_DIR / "var" / f"test-worker-{name}.log")
        started.append(start_worker(env, log=log, name=name, pool=pool or ("--pool", "solo")))
        return f"{name}@{socket.gethostname()}"

    yield start
    for worker in started:
        stop_worker(worker)


def _document(owner: User, path: Path | None = None) -> object:
    name, data = (
        (path.name, path.read_bytes()) if path else ("short.docx", make_docx([(1, "Budget")], body=BODY))
    )
    return services.document_create(owner=owner, uploaded=SimpleUploadedFile(name, data))


def _status(task: OutlineTask) -> str:
    return OutlineTask.objects.values_list("status", flat=True).get(pk=task.pk)


def _wait_for(predicate: Callable[[], bool], timeout: float) -> float:
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < timeout, "timed out"
        time.sleep(0.05)
    return time.monotonic() - started


def test_another_users_outline_starts_within_5_s_while_one_user_outlines_two_long_documents(
    workers, model_server, user, other_user
):  # noqa: ANN001
    # Two slots, as `make run` starts the worker: without a per-user cap, one user fills both.
    workers("fair", model_server, "--concurrency", "2")
    first = services.outline_start(document=_document(user, LONG))
    second = services.outline_start(document=_document(user, LONG))
    _wait_for(lambda: _status(first) == S.RUNNING, timeout=30)
    time.sleep(1.0)  # the worker has had the second document's message and handed it back

    theirs = services.outline_start(document=_document(other_user))
    waited = _wait_for(lambda: _status(theirs) != S.QUEUED, timeout=5)

    assert _status(first) == S.RUNNING
    assert _status(second) == S.QUEUED  # waits for the first, behind nobody else
    finished = wait_finished(theirs.pk, timeout=60)
    assert finished.status == S.SUCCEEDED and "## Budget" in finished.result
    for task in (first, second):
        services.outline_cancel(task=OutlineTask.objects.get(pk=task.pk))
    assert _status(second) == S.CANCELLED
    assert wait_finished(first.pk, timeout=20).status == S.CANCELLED
    print(f"another user's outline started after {waited:.2f} s")


def test_two_workers_each_with_its_own_model_server_both_generate_outlines(workers, user, other_user):  # noqa: ANN001
    # Two worker hosts in one: each worker and its model server get one of the 2 cores (llama.cpp's
    # threads spin while they compute; two servers with two threads each on 2 cores crawl).
    servers = [ModelServerProcess(MODEL_THREADS="1"), ModelServerProcess(MODEL_THREADS="1")]
    try:
        for server in servers:
            server.start()
        nodes = {workers("one", servers[0].url), workers("two", servers[1].url)}
        # Two users, so the per-user cap holds neither back: each worker takes one (a worker
        # fetches its next message only when it has finished the one in hand).
        tasks = [services.outline_start(document=_document(owner)) for owner in (user, other_user)]
        finished = [wait_finished(task.pk, timeout=60) for task in tasks]
    finally:
        for server in servers:
            server.stop()

    assert [task.status for task in finished] == [S.SUCCEEDED] * 2
    assert {task.worker for task in finished} == nodes  # both did work
    assert all(task.metrics["tokens"] > 0 and "## Budget" in task.result for task in finished)
