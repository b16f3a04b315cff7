from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import httpx
import pytest
from httpx_sse import EventSource

from documents.relay.events import Event, saved_events, sse_comment, sse_retry, stream_key
from documents.relay.hub import Subscription
from documents.relay.writer import StreamWriter


def _decode(text: str) -> list:
    """Parse SSE text with a third-party decoder (what a real client would see)."""
    response = httpx.Response(200, headers={"content-type": "text/event-stream"}, content=text.encode())
    return list(EventSource(response).iter_sse())


def test_stream_key_names_the_task():
    assert stream_key(42) == "model_result:42:chunks"


def test_chunk_frame_round_trips_through_an_sse_client_with_cjk_and_newlines():
    frame = Event.make(7, "chunk", text="## 第一章\n\n概述：\r\n多行").to_sse()

    (parsed,) = _decode(frame)
    assert (parsed.id, parsed.event) == ("7", "chunk")
    assert json.loads(parsed.data) == {"seq": 7, "text": "## 第一章\n\n概述：\r\n多行"}
    assert "第一章" in frame  # not \\u-escaped: readable on the wire


def test_retry_and_heartbeat_frames():
    assert sse_retry(2000) == "retry: 2000\n\n"
    assert _decode(sse_comment("heartbeat")) == []


def test_event_survives_redis_fields_round_trip():
    event = Event.make(3, "progress", done=1, total=4, section="范围")
    fields = {k.encode(): v.encode() for k, v in event.to_fields().items()}

    assert Event.from_fields(fields) == event


def test_saved_events_rebuild_chunks_with_original_seqs_and_terminal():
    events = saved_events(
        result="# 标题\n\n摘要。",
        chunk_index=[[3, 6], [5, 3]],
        status="succeeded",
        error_code="",
        error_message="",
        last_seq=7,
    )

    assert [(e.seq, e.type) for e in events] == [(3, "chunk"), (5, "chunk"), (7, "done")]
    assert "".join(e.data["text"] for e in events if e.type == "chunk") == "# 标题\n\n摘要。"


def test_saved_events_of_failed_task_end_with_error():
    events = saved_events(
        result="x", chunk_index=[[2, 1]], status="failed", error_code="timeout_first_token",
        error_message="The model did not answer.", last_seq=3,
    )  # fmt: skip

    assert events[-1].type == "error"
    assert events[-1].data == {
        "seq": 3,
        "code": "timeout_first_token",
        "message": "The model did not answer.",
    }


def test_an_error_reaches_each_reader_in_their_language_and_other_events_as_they_are():
    error = Event.make(4, "error", code="worker_lost", message="The worker … stopped (stored in English).")
    chunk = Event.make(3, "chunk", text="Worker")

    assert error.for_reader("zh-hans").data["message"].startswith("生成此大纲的后台进程意外停止")
    assert error.for_reader("en").data["message"].startswith("The worker generating this outline")
    assert error.for_reader(None) == error
    assert chunk.for_reader("zh-hans") == chunk
    unknown = Event.make(5, "error", code="llm_failed", message="Custom text.")
    assert unknown.for_reader("zh-hans") == unknown


def test_a_stream_read_after_its_last_client_left_leaves_no_position_behind():
    """The hub can still be blocked on a key when its last client leaves; what it reads then
    must not be remembered, or the next stream under that key (task ids repeat after a database
    reset) would start from that position and lose its first events."""
    import time

    from documents.relay.hub import StreamHub
    from documents.relay.writer import StreamWriter
    from ops.redis_pool import redis_client

    task_id = 990_001
    redis_client().delete(stream_key(task_id))
    hub = StreamHub(block_ms=2000)
    try:
        writer = StreamWriter(task_id)
        writer.emit("status", status="running")
        sub = hub.subscribe(task_id, after=0)
        assert sub.get(timeout=5).seq == 1
        deadline = time.monotonic() + 5
        while not hub._blocked:  # the reader is in XREAD on this key
            assert time.monotonic() < deadline
            time.sleep(0.01)
        hub.unsubscribe(sub)
        for n in range(2, 9):  # written while the reader is still blocked on the key
            writer.emit("chunk", text=f"旧{n}")
        time.sleep(0.3)
        assert hub._cursor == {}

        redis_client().delete(stream_key(task_id))  # the same task id, a new stream
        fresh = StreamWriter(task_id)
        fresh.emit("status", status="running")
        sub = hub.subscribe(task_id, after=0)
        for n in range(2, 5):
            fresh.emit("chunk", text=f"新{n}")
        assert [sub.get(timeout=5).seq for _ in range(4)] == [1, 2, 3, 4]
        hub.unsubscribe(sub)
    finally:
        redis_client().delete(stream_key(task_id))


def test_a_finished_stream_and_its_cancel_flag_expire_after_the_stream_ttl(settings):
    from documents.relay.events import cancel_key
    from documents.relay.writer import StreamWriter
    from ops.redis_pool import redis_client

    settings.STREAM_TTL_SECONDS, settings.STREAM_IDLE_TTL_SECONDS = 30, 86400
    writer = StreamWriter(987654)
    writer.reset()
    redis_client().set(cancel_key(987654), "1", ex=settings.STREAM_IDLE_TTL_SECONDS)
    writer.emit("chunk", text="部分")
    assert redis_client().ttl(stream_key(987654)) > 3600, "a running stream lives long"

    writer.emit("done", status="cancelled")

    assert 0 < redis_client().ttl(stream_key(987654)) <= 30
    assert 0 < redis_client().ttl(cancel_key(987654)) <= 30
    writer.reset()


def test_a_client_that_subscribes_as_redis_drops_the_reader_is_admitted_after_the_reconnect():
    """A Redis restart drops the hub's connection while it waits idle; the next client's catch-up
    is the first command to fail. That client must be caught up once the reader reconnects, not
    left with heartbeats only (found by test_faults.py's Redis restart)."""
    import time

    from documents.relay.hub import StreamHub
    from documents.relay.writer import StreamWriter
    from ops.redis_pool import redis_client

    task_id = 990_002
    redis_client().delete(stream_key(task_id))
    hub = StreamHub(block_ms=200)
    try:
        writer = StreamWriter(task_id)
        writer.emit("status", status="running")
        first = hub.subscribe(task_id, after=0)
        assert first.get(timeout=5).seq == 1
        hub.unsubscribe(first)
        time.sleep(0.3)  # idle again: no stream to read, so no command in flight
        redis_client().client_kill_filter(_id=hub._reader_id)  # what a Redis restart does to it

        sub = hub.subscribe(task_id, after=0)
        writer.emit("chunk", text="重连后")
        assert [sub.get(timeout=5).seq for _ in range(2)] == [1, 2]
        hub.unsubscribe(sub)
        assert hub.active_subscriptions == 0
    finally:
        redis_client().delete(stream_key(task_id))


def test_a_client_that_leaves_while_being_caught_up_is_not_subscribed():
    from documents.relay.hub import StreamHub, Subscription

    hub = StreamHub()
    sub = Subscription(key=stream_key(990_003), position=0)
    hub._pending.append(sub)
    hub.unsubscribe(sub)  # the reader had already taken it: unsubscribe cannot find it
    hub._pending.append(sub)

    class Conn:
        def xrange(self, *args: object, **kwargs: object) -> list:
            return []

    hub._admit_pending(Conn())
    assert hub.active_subscriptions == 0 and hub._cursor == {}


@pytest.mark.django_db
def test_the_stream_view_bounds_every_write_to_a_reader_that_stopped_reading(
    api_client, user, docx_bytes, monkeypatch, settings, tmp_path
):
    """gunicorn's own writes have no timeout: the view puts one on the connection's socket."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents import services, tasks

    monkeypatch.setattr(tasks.outline_generate, "delay", lambda task_id: None)
    settings.SSE_HEARTBEAT_SECONDS, settings.MEDIA_ROOT = 15, tmp_path
    document = services.document_create(owner=user, uploaded=SimpleUploadedFile("计划.docx", docx_bytes()))
    task = services.outline_start(document=document)

    class Socket:
        timeout: float | None = None

        def settimeout(self, value: float | None) -> None:
            self.timeout = value

    sock = Socket()
    response = api_client.get(f"/api/v1/tasks/{task.pk}/stream", **{"gunicorn.socket": sock})
    response.close()  # never started: nothing to read
    assert response.status_code == 200 and sock.timeout == 45


def test_a_client_admitted_as_the_last_other_reader_of_its_stream_leaves_misses_nothing():
    """Found by test_faults.py's disconnect storm: a client is caught up to the hub's cursor while
    the stream's last other client leaves (which drops the cursor); a second client admitted
    right after must not move the cursor past what the first one has."""
    from documents.relay.events import Event
    from documents.relay.hub import StreamHub, Subscription

    key = stream_key(990_004)
    stream = [Event.make(n, "chunk", text=f"块{n}") for n in range(1, 11)]
    visible = {"up_to": 5}  # what Redis holds so far
    hub = StreamHub()

    class Conn:
        during_xrange = None

        def xrange(self, name: str, min: str, max: str) -> list:  # noqa: A002 (redis-py's names)
            low = 0 if min == "-" else int(min.strip("(").split("-")[0])
            high = visible["up_to"] if max == "+" else int(max.split("-")[0])
            if self.during_xrange:
                self.during_xrange, hook = None, self.during_xrange
                hook()
            return [(f"{e.seq}-0", e.to_fields()) for e in stream if low < e.seq <= high]

    def tail() -> None:  # what one XREAD after the cursor brings
        cursor = hub._cursor.get(key, 0)
        hub._deliver(key, [e for e in stream if cursor < e.seq <= visible["up_to"]])

    def seqs(sub: Subscription) -> list[int]:
        return [sub.events.get_nowait().seq for _ in range(sub.events.qsize())]

    conn = Conn()
    old = Subscription(key=key, position=0)
    hub._pending.append(old)
    hub._admit_pending(conn)
    assert seqs(old) == [1, 2, 3, 4, 5]

    visible["up_to"] = 8
    first, second = Subscription(key=key, position=3), Subscription(key=key, position=8)
    hub._pending += [first, second]
    conn.during_xrange = lambda: hub.unsubscribe(old)
    hub._admit_pending(conn)
    visible["up_to"] = 10
    tail()

    assert seqs(first) == [4, 5, 6, 7, 8, 9, 10]
    assert seqs(second) == [9, 10]


def test_a_finished_task_whose_end_the_hub_has_not_brought_yet_is_served_whole_from_redis():
    """Found by test_faults.py's disconnect storm on a loaded machine: the hub was slower than one
    heartbeat and the task had finished, so the client got the saved chunks and end, without the
    status and progress events Redis still had (gaps in its seqs)."""
    from documents.relay.sse import event_stream
    from documents.relay.writer import StreamWriter
    from ops.redis_pool import redis_client

    task_id = 990_005
    redis_client().delete(stream_key(task_id))

    try:
        writer = StreamWriter(task_id)
        writer.emit("status", status="running")
        writer.emit("chunk", text="# 计划\n\n")
        writer.emit("progress", done=1, total=1, section="")
        writer.emit("chunk", text="要点。")
        writer.emit("status", status="succeeded")
        writer.emit("done", status="succeeded")
        saved = saved_events(
            result="# 计划\n\n要点。", chunk_index=[[2, 6], [4, 3]], status="succeeded",
            error_code="", error_message="", last_seq=6,
        )  # fmt: skip
        frames = event_stream(
            task_id=task_id, last_event_id=2, load_saved=lambda: saved, heartbeat=0.05, stream_hub=_IdleHub()
        )
        ids = _ids(frames)
        assert ids == [3, 4, 5, 6]

        redis_client().delete(stream_key(task_id))
        writer = StreamWriter(task_id)  # a stream that never got its end: the saved one is served
        writer.emit("status", status="running")
        writer.emit("chunk", text="# 计划\n\n")
        frames = event_stream(
            task_id=task_id, last_event_id=1, load_saved=lambda: saved, heartbeat=0.05, stream_hub=_IdleHub()
        )
        assert _ids(frames) == [2, 4, 6]

        # Saved, but the end not yet published (the worker saves first): found by test_faults.py,
        # a reader lost the status event between the last chunk and the end.
        writer.emit("progress", done=1, total=1, section="")
        writer.emit("chunk", text="要点。")
        writer.emit("status", status="succeeded")
        frames = event_stream(
            task_id=task_id, last_event_id=2, load_saved=lambda: saved, heartbeat=0.05, stream_hub=_IdleHub()
        )
        assert _ids(frames) == [3, 4, 5, 6]
    finally:
        redis_client().delete(stream_key(task_id))


def test_a_replay_goes_out_in_a_few_large_writes_without_the_hub_and_loses_nothing():
    from documents.relay.reader import REPLAY_PAGE
    from documents.relay.sse import event_stream

    class NoHub:  # a finished stream is replayed by the request itself
        def subscribe(self, task_id: int, *, after: int) -> None:
            raise AssertionError("a finished stream needs no subscription")

    task_id = 990_006
    with _fresh_stream(task_id) as writer:
        for i in range(REPLAY_PAGE + 500):
            writer.emit("chunk", text=f"第{i}段 ")
        writer.emit("done", status="succeeded")
        writes = list(
            event_stream(task_id=task_id, last_event_id=0, load_saved=lambda: None, stream_hub=NoHub())
        )

        assert writes[0].startswith("retry: ")  # the retry advice goes with the first page
        assert _ids(writes) == list(range(1, REPLAY_PAGE + 502))
        # Not one write per event (what made a 10,000-event resume slow), but bounded ones.
        assert len(writes) == 2
        assert max(len(_ids([w])) for w in writes) <= REPLAY_PAGE
        assert '"text":"第0段 "' in writes[0]  # the stored JSON, as it is


def test_the_first_write_waits_until_the_reader_is_subscribed():
    # The first write carries the response's headers: a client that has them is being tailed, so
    # its first heartbeat comes one interval later however many clients connect at once.
    from documents.relay.sse import event_stream

    subscribed: list[int] = []

    class RecordingHub(_IdleHub):
        def subscribe(self, task_id: int, *, after: int) -> Subscription:
            subscribed.append(after)
            return super().subscribe(task_id, after=after)

    task_id = 990_010
    with _fresh_stream(task_id) as writer:
        writer.emit("status", status="running")
        writer.emit("chunk", text="# 计划")
        frames = event_stream(task_id=task_id, last_event_id=2, load_saved=lambda: None,
                              stream_hub=RecordingHub(), retry_ms=1500)  # fmt: skip
        first = next(frames)
        frames.close()

    assert first == "retry: 1500\n\n"  # nothing to catch up on: the advice alone
    assert subscribed == [2]  # already tailing from where the client is


def test_an_error_in_a_replay_is_shown_in_the_readers_language():
    from documents.relay.sse import event_stream

    task_id = 990_007
    with _fresh_stream(task_id) as writer:
        writer.emit("chunk", text="# 计划")
        writer.emit("error", code="provider_unreachable", message="The AI service could not be reached.")
        frames = "".join(
            event_stream(task_id=task_id, last_event_id=0, load_saved=lambda: None, language="zh-hans")
        )
        english = "".join(event_stream(task_id=task_id, last_event_id=1, load_saved=lambda: None))

    assert _ids([frames]) == [1, 2]
    error = json.loads(frames.rsplit("data: ", 1)[1])
    assert error["code"] == "provider_unreachable" and error["message"].startswith("无法连接到 AI 服务")
    assert "could not be reached" in english and _ids([english]) == [2]


@contextmanager
def _fresh_stream(task_id: int) -> Iterator[StreamWriter]:
    """A writer on an empty stream for `task_id`, and nothing of it left in Redis afterwards."""
    writer = StreamWriter(task_id)
    writer.reset()
    try:
        yield writer
    finally:
        writer.reset()


class _IdleHub:
    """A stream reader that has not brought anything yet (a slow hub, or Redis without the end)."""

    def subscribe(self, task_id: int, *, after: int) -> Subscription:
        return Subscription(key=stream_key(task_id), position=after)

    def unsubscribe(self, sub: Subscription) -> None:
        pass


def _ids(frames: Iterable[str]) -> list[int]:
    """The event ids in what a stream wrote, in order (writes hold one event or many)."""
    return [int(i) for i in re.findall(r"^id: (\d+)$", "".join(frames), flags=re.MULTILINE)]


def test_a_batch_of_events_goes_to_redis_in_one_round_trip_with_contiguous_seqs():
    from documents.relay.reader import read_events

    task_id = 990_008
    with _fresh_stream(task_id) as writer:
        writer.emit("status", status="running")
        batch = writer.emit_many("chunk", [{"text": "第一"}, {"text": " second"}])
        writer.emit("done", status="succeeded")
        events, written = read_events(task_id), list(writer.events)

    assert [e.seq for e in batch] == [2, 3]
    assert [(e.seq, e.type, e.data.get("text")) for e in events] == [
        (1, "status", None), (2, "chunk", "第一"), (3, "chunk", " second"), (4, "done", None),
    ]  # fmt: skip
    # What a reader gets is what the worker stored, byte for byte.
    assert [e.to_sse() for e in events] == [e.to_sse() for e in written]


@pytest.mark.parametrize(("finished_check", "at_least", "at_most"), [(60.0, 1, 1), (0.0, 4, 100)])
def test_an_idle_stream_asks_the_database_at_its_first_heartbeat_then_every_finished_check(
    finished_check, at_least, at_most
):
    from documents.relay.sse import event_stream

    task_id = 990_009
    asked: list[float] = []

    def load_saved() -> None:
        asked.append(0)  # still running

    with _fresh_stream(task_id) as writer:
        writer.emit("status", status="running")
        frames = "".join(
            event_stream(
                task_id=task_id, last_event_id=0, load_saved=load_saved, heartbeat=0.02, max_duration=0.3,
                stream_hub=_IdleHub(), finished_check=finished_check,
            )
        )  # fmt: skip

    assert frames.count(": heartbeat") >= 5
    assert at_least <= len(asked) <= at_most


def test_the_readers_of_one_task_share_a_still_running_answer_for_a_heartbeat():
    """Thousands of idle readers over hundreds of tasks: one database check per task and heartbeat,
    not one per reader (bench/capacity.py). A finished answer is never shared: each reader loads it."""
    from documents.relay.sse import _finished_events

    asked: list[int] = []

    def running() -> None:
        asked.append(1)

    for _ in range(10):
        assert _finished_events(990_011, running, fresh_for=30.0) is None
    assert len(asked) == 1
    for _ in range(3):
        assert _finished_events(990_012, running, fresh_for=0.0) is None  # finished_check=0: always ask
    assert len(asked) == 4

    saved = [Event.make(1, "done", status="succeeded")]
    loads: list[int] = []

    def finished() -> list[Event]:
        loads.append(1)
        return saved

    assert [_finished_events(990_013, finished, fresh_for=30.0) for _ in range(3)] == [saved] * 3
    assert len(loads) == 3


def test_an_idle_stream_sends_its_heartbeat_before_it_asks_the_database():
    from documents.relay.sse import event_stream

    task_id = 990_014
    received: list[str] = []
    seen_at_check: list[list[str]] = []

    def load_saved() -> None:
        seen_at_check.append(list(received))

    with _fresh_stream(task_id) as writer:
        writer.emit("status", status="running")
        reader = event_stream(
            task_id=task_id, last_event_id=0, load_saved=load_saved, heartbeat=0.02, max_duration=0.2,
            stream_hub=_IdleHub(), finished_check=60.0,
        )  # fmt: skip
        received.extend(reader)

    assert seen_at_check, "the stream asked the database"
    assert seen_at_check[0][-1] == ": heartbeat\n\n"
