"""The whole pipeline over real HTTP: live server, Celery worker process, Redis, bundled model."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from httpx_sse import connect_sse

from documents import services
from documents.models import OutlineTask
from documents.relay.events import stream_key
from documents.tests.conftest import make_docx, wait_finished
from ops.redis_pool import redis_client

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SECTIONS = [(1, "项目背景"), (2, "建设目标"), (1, "Schedule")]
BODY = "公司计划在明年上线新的电商平台，以提升线上销售额并改善客户体验，预计投入三百万元。"


@pytest.fixture
def api(live_server, user) -> httpx.Client:  # noqa: ANN001
    token = services.api_token_create(user=user)
    with httpx.Client(
        base_url=live_server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as client:
        yield client


@pytest.fixture
def task_id(api: httpx.Client, celery_worker_process) -> int:  # noqa: ANN001
    files = {"file": ("计划.docx", make_docx(SECTIONS, body=BODY))}
    document = api.post("/api/v1/documents", files=files).json()
    created = api.post(f"/api/v1/documents/{document['id']}/tasks")
    assert created.status_code == 202
    return created.json()["id"]


def _events(
    api: httpx.Client, task_id: int, *, last_event_id: int = 0, stop_after: int | None = None
) -> list:
    headers = {"Last-Event-ID": str(last_event_id)} if last_event_id else {}
    events = []
    with connect_sse(api, "GET", f"/api/v1/tasks/{task_id}/stream", headers=headers) as source:
        assert source.response.headers["content-type"] == "text/event-stream; charset=utf-8"
        assert source.response.headers["cache-control"] == "no-cache"
        for sse in source.iter_sse():
            if not sse.data:  # the leading `retry:` frame carries no event
                continue
            events.append((int(sse.id), sse.event, json.loads(sse.data)))
            if sse.event in {"done", "error"} or (stop_after and len(events) >= stop_after):
                break
    return events


def _text(events: list) -> str:
    return "".join(data["text"] for _, kind, data in events if kind == "chunk")


def test_streamed_chunks_concatenate_to_the_saved_result(api, task_id):
    events = _events(api, task_id)

    assert [seq for seq, _, _ in events] == list(range(1, len(events) + 1))
    assert events[-1][1] == "done" and events[-1][2]["status"] == "succeeded"
    assert [d["done"] for _, kind, d in events if kind == "progress"] == [0, 1, 2, 3]
    saved = api.get(f"/api/v1/tasks/{task_id}").json()
    assert saved["status"] == "succeeded"
    assert saved["result"] == _text(events)
    assert "## 项目背景" in saved["result"] and "### 建设目标" in saved["result"]
    # The model wrote something under the Chinese sections, in Chinese.
    summary = saved["result"].split("## 项目背景\n\n", 1)[1].split("\n\n", 1)[0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in summary)


def test_disconnect_and_resume_with_last_event_id_loses_and_repeats_nothing(api, task_id):
    first = _events(api, task_id, stop_after=4)
    rest = _events(api, task_id, last_event_id=first[-1][0])

    seqs = [seq for seq, _, _ in first + rest]
    assert seqs == list(range(1, len(seqs) + 1))
    assert _text(first + rest) == api.get(f"/api/v1/tasks/{task_id}").json()["result"]


def test_task_finishes_and_saves_with_no_client_and_replays_after_redis_expiry(api, task_id):
    task = wait_finished(task_id)
    assert task.status == OutlineTask.Status.SUCCEEDED and task.result

    from_redis = _events(api, task_id)
    redis_client().delete(stream_key(task_id))  # as if the stream had expired
    from_database = _events(api, task_id)
    resumed = _events(api, task_id, last_event_id=from_redis[5][0])

    assert _text(from_redis) == _text(from_database) == task.result
    assert _text(from_redis[:6]) + _text(resumed) == task.result


def test_query_parameter_resumes_like_the_header(api, task_id):
    wait_finished(task_id)
    all_events = _events(api, task_id)

    with connect_sse(
        api, "GET", f"/api/v1/tasks/{task_id}/stream?last_event_id={all_events[-3][0]}"
    ) as source:
        seqs = [int(sse.id) for sse in source.iter_sse() if sse.data]

    assert seqs == [seq for seq, _, _ in all_events[-2:]]


def test_concurrent_clients_share_one_reader_and_disconnects_release_it(api, task_id):
    from concurrent.futures import ThreadPoolExecutor

    from documents.relay.hub import hub

    with ThreadPoolExecutor(max_workers=4) as pool:
        early_leavers = [pool.submit(_events, api, task_id, stop_after=3) for _ in range(2)]
        stayers = [pool.submit(_events, api, task_id) for _ in range(2)]
        results = [f.result() for f in stayers]
        assert all(len(f.result()) == 3 for f in early_leavers)

    assert results[0] == results[1]
    assert _text(results[0]) == wait_finished(task_id).result
    # Every client that left, early or at the end, was unsubscribed from the reader.
    deadline = time.monotonic() + 20
    while hub.active_subscriptions:
        assert time.monotonic() < deadline, f"{hub.active_subscriptions} subscriptions still open"
        time.sleep(0.2)
