"""Fixtures shared by unit and integration tests. Fixture texts include Chinese on purpose."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from docx import Document as DocxDocument

from documents import services
from documents.models import OutlineTask

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"


def make_docx(headings: list[tuple[int, str]] | None = None, body: str = "Body text.") -> bytes:
    """A small real .docx: each (level, title) heading followed by one body paragraph."""
    doc = DocxDocument()
    for level, title in headings or [(1, "Introduction"), (2, "背景"), (1, "结论")]:
        doc.add_heading(title, level=level)
        doc.add_paragraph(body)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def wait_finished(task_id: int, timeout: float = 90, poll: float = 0.2) -> OutlineTask:
    """The task once it is finished (a test with a real worker waits for it); fails after `timeout`."""
    deadline = time.monotonic() + timeout
    while (task := OutlineTask.objects.get(pk=task_id)).status not in OutlineTask.TERMINAL:
        assert time.monotonic() < deadline, f"task {task_id} still {task.status}"
        time.sleep(poll)
    return task


@pytest.fixture(autouse=True)
def _quiet_database_before_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """On PostgreSQL, a transactional test's database is emptied with one TRUNCATE of every
    table, which deadlocks with a transaction that holds a lock on one table and waits for
    another: the worker finishing a task the test has already seen finished (it adopts the
    outline after saving the status). So, before that flush, wait for the other sessions on the
    test database to end their transactions."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if transactional:
        request.getfixturevalue("transactional_db")  # set up first, so flushed after this
    yield
    if not transactional or connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
            )
            if not cursor.fetchone()[0]:
                return
            time.sleep(0.05)


@pytest.fixture
def docx_bytes() -> Callable[..., bytes]:
    return make_docx


@pytest.fixture
def user(db) -> User:  # noqa: ANN001
    return User.objects.create_user(username="alice", password="correct-horse-9")


@pytest.fixture
def other_user(db) -> User:  # noqa: ANN001
    return User.objects.create_user(username="bob", password="correct-horse-9")


@pytest.fixture
def logged_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def api_client(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {services.api_token_create(user=user)}"})


@pytest.fixture
def no_celery(monkeypatch, settings, tmp_path) -> None:  # noqa: ANN001
    """Services run here in the test's process: nothing is queued for a worker (outline_generate is
    called by the test), and uploads are stored under the test's own directory."""
    from documents import tasks

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(tasks.outline_generate, "delay", lambda task_id: None)
