"""Fixtures that run real processes: the bundled model server and a Celery worker on real Redis,
sharing the test database. Imported by the integration and end-to-end conftests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from documents.tests.modelserver import running_model_server
from project.celery import app as celery_app

BASE_DIR = Path(__file__).resolve().parents[2]


def _test_database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def model_server() -> Iterator[str]:
    """The real bundled model server (`manage.py runmodel`), once per test run."""
    with running_model_server() as base_url:
        yield base_url


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, model_server) -> Iterator[subprocess.Popen]:  # noqa: ANN001
    """A real `celery worker` subprocess, pointed at the test database, the test Redis and the
    bundled model server."""
    with django_db_blocker.unblock():
        database_url = _test_database_url()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "MODEL_SERVER_PORT": model_server.rsplit(":", 1)[1].split("/")[0],
    }
    log = open(BASE_DIR / "var" / "test-worker.log", "w")  # noqa: SIM115 (lives as long as the worker)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "project", "worker", "--pool", "solo", "--loglevel", "INFO",
         "--hostname", f"test-{os.getpid()}@%h", "--without-gossip", "--without-mingle"],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not celery_app.control.ping(timeout=0.5):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Celery worker did not start; see {log.name}")
        yield worker
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        log.close()
