"""Liveness, readiness and the worker heartbeat registry (real test Redis and broker; the model
endpoint is a small local HTTP server answering the status each test asks for)."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator

import pytest
from django.test import Client

from documents import llm
from ops import health, workers
from project.localredis import free_port


class _ModelEndpoint(http.server.BaseHTTPRequestHandler):
    status = 200
    seen_auth: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        type(self).seen_auth.append(self.headers.get("Authorization", ""))
        body = b'{"data": [{"id": "gemma3-270m"}]}'
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def model_endpoint(settings) -> Iterator[type[_ModelEndpoint]]:  # noqa: ANN001
    handler = type("Endpoint", (_ModelEndpoint,), {"status": 200, "seen_auth": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.LLM_BASE_URL = f"http://127.0.0.1:{server.server_port}/v1"
    settings.LLM_API_KEY = "sk-test-key"
    yield handler
    server.shutdown()
    server.server_close()


@pytest.fixture
def live_worker(settings) -> Iterator[str]:  # noqa: ANN001
    settings.CELERY_TASK_DEFAULT_QUEUE = f"health-test-{free_port()}"
    workers.stamp("celery@test-host")
    yield "celery@test-host"
    workers.forget("celery@test-host")


def test_healthz_only_says_the_process_is_up(client: Client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # even with Redis gone

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_reports_every_check_with_its_latency(client: Client, model_endpoint, live_worker):
    response = client.get("/readyz")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "redis", "broker", "worker", "model"}
    for check in body["checks"].values():
        assert check["ok"] is True and check["latency_ms"] >= 0
    assert body["checks"]["worker"]["detail"] == "1 live"
    assert model_endpoint.seen_auth[-1] == "Bearer sk-test-key"


@pytest.mark.django_db
def test_readyz_is_503_when_redis_is_unreachable(client: Client, settings, model_endpoint, live_worker):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    settings.REDIS_URL = settings.CELERY_BROKER_URL = dead

    started = time.monotonic()
    response = client.get("/readyz")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert not checks["redis"]["ok"] and not checks["broker"]["ok"] and not checks["worker"]["ok"]
    assert checks["database"]["ok"] and checks["model"]["ok"]
    assert "Connection refused" in checks["redis"]["detail"]
    assert time.monotonic() - started < 10  # bounded by READINESS_TIMEOUT_SECONDS per check


@pytest.mark.django_db
def test_readyz_is_503_without_a_live_worker(client: Client, settings, model_endpoint):
    settings.CELERY_TASK_DEFAULT_QUEUE = f"health-test-{free_port()}"  # nobody serves this queue

    response = client.get("/readyz")

    assert response.status_code == 503
    worker = response.json()["checks"]["worker"]
    assert worker["ok"] is False and "no worker heartbeat" in worker["detail"]


@pytest.mark.parametrize(
    ("status", "ok", "detail"),
    [
        (200, True, "HTTP 200"),
        (404, True, "HTTP 404"),  # an endpoint without /models is still there
        (401, False, "refused the API key"),
        (503, False, "HTTP 503"),
    ],
)
def test_model_probe_judges_the_endpoint_answer(model_endpoint, status, ok, detail):
    model_endpoint.status = status

    result = health._run(llm.probe)

    assert result.ok is ok
    assert detail in result.detail


def test_model_probe_fails_fast_when_nothing_listens(settings):
    settings.LLM_BASE_URL = f"http://127.0.0.1:{free_port()}/v1"

    result = health._run(llm.probe)

    assert result.ok is False and result.detail.startswith("unreachable")


def test_worker_ages_grow_until_the_worker_counts_as_lost(settings):
    settings.CELERY_TASK_DEFAULT_QUEUE = f"health-test-{free_port()}"
    settings.WORKER_LOST_AFTER_SECONDS = 30
    client = workers._client()
    client.hset(workers.heartbeat_key(), mapping={"fresh@h": time.time(), "stale@h": time.time() - 45})
    try:
        ages = workers.heartbeat_ages()

        assert ages["fresh@h"] < 5 and 44 < ages["stale@h"] < 50
        assert workers.live(ages) == ["fresh@h"]
    finally:
        client.delete(workers.heartbeat_key())


def test_long_dead_workers_are_pruned(settings):
    settings.CELERY_TASK_DEFAULT_QUEUE = f"health-test-{free_port()}"
    client = workers._client()
    client.hset(workers.heartbeat_key(), mapping={"gone@h": time.time() - 2 * workers.PRUNE_AFTER_SECONDS})
    try:
        assert workers.heartbeat_ages() == {}
        assert not client.hexists(workers.heartbeat_key(), "gone@h")
    finally:
        client.delete(workers.heartbeat_key())


def test_a_running_heartbeat_stamps_and_a_clean_stop_removes_the_worker(settings):
    settings.CELERY_TASK_DEFAULT_QUEUE = f"health-test-{free_port()}"
    heartbeat = workers.WorkerHeartbeat("celery@stamping", interval=0.05).start()
    time.sleep(0.2)
    assert workers.live(workers.heartbeat_ages()) == ["celery@stamping"]

    heartbeat.stop()

    assert workers.heartbeat_ages() == {}


def test_queue_length_counts_waiting_messages(settings):
    import kombu

    settings.CELERY_TASK_DEFAULT_QUEUE = queue = f"health-test-{free_port()}"
    assert health.queue_length() == 0
    with kombu.Connection(settings.CELERY_BROKER_URL) as connection:
        producer = connection.Producer()
        for n in range(3):
            producer.publish({"n": n}, routing_key=queue, declare=[kombu.Queue(queue)])
        try:
            assert health.queue_length() == 3
        finally:
            kombu.Queue(queue, channel=connection.default_channel).delete()
