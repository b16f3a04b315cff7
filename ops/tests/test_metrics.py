"""Prometheus metrics: who may scrape, what a task and a stream record, the pool gauge.
Fake provider, real (test) Redis, multiprocess files in the run's PROMETHEUS_MULTIPROC_DIR."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from prometheus_client import CollectorRegistry, multiprocess
from prometheus_client.parser import text_string_to_metric_families

from documents import services, states
from documents.llm import LLMError
from documents.models import OutlineTask
from documents.relay.events import Event
from documents.relay.sse import event_stream
from documents.tests.conftest import make_docx
from documents.tests.fakes import FakeProvider
from ops.redis_pool import redis_client

S = OutlineTask.Status
EVERY_METRIC = {
    "outliner_http_request_duration_seconds",
    "outliner_sse_streams_active",
    "outliner_sse_chunks_relayed",
    "outliner_redis_pool_connections_in_use",
    "outliner_task_first_chunk_seconds",
    "outliner_task_duration_seconds",
    "outliner_tasks_finished",
    "outliner_model_tokens",
    "outliner_model_tokens_per_second",
    "outliner_queue_length",
    "outliner_worker_heartbeat_age_seconds",
    "outliner_workers_live",
    "outliner_model_up",
}


def sample(name: str, **labels: str) -> float:
    """The merged value over every process of this run (what a scrape would report)."""
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry.get_sample_value(name, labels) or 0.0


@pytest.fixture
def document(user, settings, tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    from documents import tasks

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(tasks.outline_generate, "delay", lambda task_id: None)
    # Long enough that each section needs the model.
    body = "本章规定了第一节的摘要要求和审批流程，各部门在月底前提交报告，逾期未交的由人事部统一催办。"
    uploaded = SimpleUploadedFile("章.docx", make_docx([(1, "第一章"), (1, "第二章")], body=body))
    return services.document_create(owner=user, uploaded=uploaded)


# ------------------------------------------------------------------------ access
@pytest.mark.django_db
def test_loopback_may_scrape_and_gets_every_metric(client: Client):
    # A labelled histogram shows up once it has a sample: let one request be timed first (run on
    # its own, this test would otherwise be the process's first request).
    client.get("/healthz")
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    names = {family.name for family in text_string_to_metric_families(response.content.decode())}
    assert names >= EVERY_METRIC


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("address", "headers"),
    [
        ("203.0.113.9", {}),
        # Through a reverse proxy on the same host every visitor is 127.0.0.1: never trusted.
        ("127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}),
        ("127.0.0.1", {"Forwarded": "for=203.0.113.9"}),
        ("203.0.113.9", {"Authorization": "Bearer wrong-token"}),
    ],
)
def test_anyone_else_finds_no_metrics_endpoint(client: Client, settings, address, headers):
    settings.METRICS_TOKEN = "s3cret-scrape-token"

    assert client.get("/metrics", REMOTE_ADDR=address, headers=headers).status_code == 404


@pytest.mark.django_db
def test_a_scrape_token_works_from_anywhere(client: Client, settings):
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    headers = {"Authorization": "Bearer s3cret-scrape-token", "X-Forwarded-For": "198.51.100.4"}

    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9", headers=headers).status_code == 200


@pytest.mark.django_db
def test_an_allow_listed_network_may_scrape(client: Client, settings):
    import ipaddress

    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.0.0.0/8")]

    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["HTTP_X_REAL_IP", "HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED"])
def test_a_proxied_request_from_loopback_may_not_scrape(client: Client, header: str):
    # Behind nginx on the same host every visitor comes from 127.0.0.1: the proxy's header says so.
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", **{header: "203.0.113.9"}).status_code == 404


# ------------------------------------------------------------------------ web
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("paths", "route"),
    [
        (["/documents/123456/", "/documents/654321/"], "/documents/<int:document_id>/"),
        (["/no/such/page-1", "/no/such/page-2"], "unmatched"),  # one series, not one per path
    ],
)
def test_request_latency_is_labelled_by_url_pattern_not_by_path(logged_in: Client, paths, route):
    labels = {"route": route, "method": "GET", "status": "404"}
    before = sample("outliner_http_request_duration_seconds_count", **labels)

    for path in paths:
        logged_in.get(path)

    assert sample("outliner_http_request_duration_seconds_count", **labels) == before + 2


@pytest.mark.django_db
def test_a_made_up_http_method_is_counted_as_other_not_as_a_new_series(client: Client):
    labels = {"route": "unmatched", "method": "other", "status": "404"}
    before = sample("outliner_http_request_duration_seconds_count", **labels)

    for number in range(5):
        client.generic(f"SECPROBE{number}", "/x")

    assert sample("outliner_http_request_duration_seconds_count", **labels) == before + 5
    assert sample("outliner_http_request_duration_seconds_count", route="unmatched", method="SECPROBE0",
                  status="404") == 0.0  # fmt: skip


def test_a_stream_counts_as_active_while_open_and_counts_its_chunks():
    saved = [
        Event.make(1, "chunk", text="# 标题"),
        Event.make(2, "chunk", text="\n摘要"),
        Event.make(3, "done"),
    ]
    active, relayed = sample("outliner_sse_streams_active"), sample("outliner_sse_chunks_relayed_total")

    frames = event_stream(task_id=987654321, last_event_id=1, load_saved=lambda: saved)
    first = next(frames)  # the stream is open (its retry field, here with the saved events)
    assert sample("outliner_sse_streams_active") == active + 1
    text = first + "".join(frames)

    # The chunk after Last-Event-ID 1, and done.
    assert text.startswith("retry: ")
    assert [line for line in text.splitlines() if line.startswith("id: ")] == ["id: 2", "id: 3"]
    assert sample("outliner_sse_streams_active") == active
    assert sample("outliner_sse_chunks_relayed_total") == relayed + 1


def test_a_client_that_leaves_is_no_longer_counted():
    active = sample("outliner_sse_streams_active")
    frames = event_stream(task_id=987654322, last_event_id=0, load_saved=lambda: [Event.make(1, "done")])
    next(frames)

    frames.close()

    assert sample("outliner_sse_streams_active") == active


def test_the_pool_gauge_follows_connections_checked_out():
    pool = redis_client().connection_pool
    baseline = sample("outliner_redis_pool_connections_in_use")

    # Two: the pool is small (REDIS_POOL_SIZE, 3).
    held = [pool.get_connection() for _ in range(2)]
    during = sample("outliner_redis_pool_connections_in_use")
    for connection in held:
        pool.release(connection)

    assert during == baseline + 2
    assert sample("outliner_redis_pool_connections_in_use") == baseline


# ------------------------------------------------------------------------ tasks
@pytest.mark.django_db(transaction=True)
def test_a_finished_task_records_outcome_duration_first_chunk_and_tokens(document):
    finished = sample("outliner_tasks_finished_total", status="succeeded", error_code="")
    durations = sample("outliner_task_duration_seconds_count", status="succeeded")
    first_chunks = sample("outliner_task_first_chunk_seconds_count")
    tokens = sample("outliner_model_tokens_total")
    speeds = sample("outliner_model_tokens_per_second_count")

    task = services.outline_start(document=document)
    provider = FakeProvider([[" 本章规定了第一节的", "摘要要求和审批流程。"]], delay=0.01)
    services.outline_generate(task_id=task.pk, provider=provider)

    assert OutlineTask.objects.get(pk=task.pk).status == S.SUCCEEDED
    assert sample("outliner_tasks_finished_total", status="succeeded", error_code="") == finished + 1
    assert sample("outliner_task_duration_seconds_count", status="succeeded") == durations + 1
    assert sample("outliner_task_first_chunk_seconds_count") == first_chunks + 1
    assert sample("outliner_model_tokens_total") == tokens + 4  # two sections, two deltas each
    assert sample("outliner_model_tokens_per_second_count") == speeds + 1


@pytest.mark.django_db(transaction=True)
def test_a_failed_task_is_counted_with_its_error_code(document):
    before = sample("outliner_tasks_finished_total", status="failed", error_code="rate_limited")

    task = services.outline_start(document=document)
    services.outline_generate(task_id=task.pk, provider=FakeProvider([[LLMError("rate_limited")]]))

    assert OutlineTask.objects.get(pk=task.pk).error_code == "rate_limited"
    assert sample("outliner_tasks_finished_total", status="failed", error_code="rate_limited") == before + 1


@pytest.mark.django_db(transaction=True)
def test_an_outcome_is_counted_once_however_many_processes_race_for_it(document):
    cancelled = sample("outliner_tasks_finished_total", status="cancelled", error_code="")
    lost = sample("outliner_tasks_finished_total", status="failed", error_code="worker_lost")
    task = services.outline_start(document=document)

    services.outline_cancel(task=task)
    services.outline_cancel(task=task)  # idempotent
    # The reaper comes too late: the state machine refuses, so nothing more is counted.
    refused = states.transition(task.pk, S.FAILED, error_code="worker_lost")

    assert not refused
    assert sample("outliner_tasks_finished_total", status="cancelled", error_code="") == cancelled + 1
    assert sample("outliner_tasks_finished_total", status="failed", error_code="worker_lost") == lost


@pytest.fixture(autouse=True)
def _clean_redis():
    yield
    redis_client().delete("model_result:987654321:chunks", "model_result:987654322:chunks")
