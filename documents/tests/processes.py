"""Fixtures that run real processes: the bundled model server and a Celery worker on real Redis,
sharing the test database. Imported by the integration and end-to-end conftests."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings
from kombu import pools as kombu_pools

from documents.management.commands.runmodel import http_ok
from documents.tests.modelserver import running_model_server
from project.celery import app as celery_app
from project.localredis import free_port

BASE_DIR = Path(__file__).resolve().parents[2]


def _test_database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class ModelServerProcess:
    """The bundled model server on a fixed port, which a test can stop (the provider is down)
    and start again; the worker keeps pointing at the same URL."""

    def __init__(self, **env: str) -> None:
        self.env = env  # settings for this server only (MODEL_THREADS=1: two servers share 2 cores)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self._running: contextlib.AbstractContextManager[str] | None = None

    def start(self) -> None:
        if self._running is None:
            self._running = running_model_server(self.port, env=self.env)
            self._running.__enter__()

    def stop(self) -> None:
        if self._running is not None:
            running, self._running = self._running, None
            running.__exit__(None, None, None)


@pytest.fixture(scope="session")
def model_server_process() -> Iterator[ModelServerProcess]:
    server = ModelServerProcess()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def model_server(model_server_process: ModelServerProcess) -> str:
    """The real bundled model server (`manage.py runmodel`), once per test run: its base URL."""
    return model_server_process.url


def service_env(*, model_server: str, **overrides: str) -> dict[str, str]:
    """The environment of a web or worker process of the test run: the test database, Redis,
    media and model server (call with database access unblocked)."""
    return {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "MODEL_SERVER_PORT": model_server.rsplit(":", 1)[1].split("/")[0],
        "LOG_FORMAT": "json",
        **overrides,
    }


def start_web(
    env: dict[str, str],
    *,
    log: Path,
    port: int | None = None,
    worker_class: str = "gthread",
    threads: int = 8,
) -> tuple[subprocess.Popen, str]:
    """gunicorn as `make run` starts it (project/gunicorn.conf.py; gthread) or as docs/operations.md
    suggests for streams (gevent), on loopback; (process, base URL) once /healthz answers."""
    port = port or free_port()
    concurrency = (
        ["--threads", str(threads)] if worker_class == "gthread" else ["--worker-connections", "1000"]
    )
    out = open(log, "w")  # noqa: SIM115 (the child keeps its own descriptor)
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "project/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
         "--worker-class", worker_class, "--workers", "1", *concurrency],
        cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    out.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not http_ok(f"{url}/healthz"):
        if web.poll() is not None or time.monotonic() > deadline:
            stop_process(web)
            raise RuntimeError(f"gunicorn did not start; see {log}")
        time.sleep(0.1)
    return web, url


def restart_redis() -> None:
    """What a Redis restart without persistence does to the test database: every connection on
    it drops, every key is gone (the broker's too). Other databases are left alone."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    db, me = client.connection_pool.connection_kwargs.get("db", 0), client.client_id()
    for info in client.client_list():
        if int(info["db"]) == db and int(info["id"]) != me:
            with contextlib.suppress(redis.ResponseError):  # gone meanwhile
                client.client_kill_filter(_id=info["id"])
    client.flushdb()
    client.close()
    # This process's broker connections were dropped too. Celery's control commands do not
    # reconnect a pooled connection that died (a later test's ping failed with "Connection
    # closed by server"), so drop the pools as Celery does after a fork: new ones connect anew.
    kombu_pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def stop_process(process: subprocess.Popen, *, timeout: float = 10) -> None:
    """SIGTERM, then SIGKILL if it lingers (gunicorn's master takes its workers with it)."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def start_worker(
    env: dict[str, str], *, log: Path, name: str, pool: tuple[str, ...] = ("--pool", "solo")
) -> subprocess.Popen:
    """A real `celery worker` subprocess named `name@<host>` with the given environment (its queue
    is env's CELERY_TASK_DEFAULT_QUEUE); returned once it answers a ping. Logs to `log`."""
    out = open(log, "w")  # noqa: SIM115 (the child keeps its own descriptor)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "project", "worker", *pool, "--loglevel", "INFO",
         "--hostname", f"{name}@%h", "--without-gossip", "--without-mingle"],
        cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
    )  # fmt: skip
    out.close()
    node = f"{name}@{socket.gethostname()}"
    deadline = time.monotonic() + 30
    while not celery_app.control.ping(destination=[node], timeout=0.5):
        if worker.poll() is not None or time.monotonic() > deadline:
            stop_worker(worker)
            raise RuntimeError(f"Celery worker {node} did not start; see {log}")
    return worker


def stop_worker(worker: subprocess.Popen) -> None:
    # A warm shutdown waits for the task in hand: don't wait long for it.
    stop_process(worker, timeout=10)


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, model_server) -> Iterator[subprocess.Popen]:  # noqa: ANN001
    """A real `celery worker` subprocess, pointed at the test database, the test Redis and the
    bundled model server. It logs JSON lines to var/test-worker.log."""
    with django_db_blocker.unblock():
        env = service_env(model_server=model_server)
    worker = start_worker(env, log=BASE_DIR / "var" / "test-worker.log", name=f"test-{os.getpid()}")
    try:
        yield worker
    finally:
        stop_worker(worker)
