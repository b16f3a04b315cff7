"""One client's SSE stream: replay, tail, heartbeats, the saved copy of a finished task
(real test Redis)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

import pytest

from documents.relay.events import Event, saved_events, stream_key
from documents.relay.hub import Subscription
from documents.relay.writer import StreamWriter
from documents.tests.unit.relay.streams import fresh_stream


class _IdleHub:
    """A stream reader that has not brought anything yet (a slow hub, or Redis without the end)."""

    def subscribe(self, task_id: int, *, after: int, sink: object = None) -> Subscription:
        return Subscription(key=stream_key(task_id), position=after)

    def unsubscribe(self, sub: Subscription) -> None:
        pass


def _ids(frames: Iterable[str]) -> list[int]:
    """The event ids in what a stream wrote, in order (writes hold one event or many)."""
    return [int(i) for i in re.findall(r"^id: (\d+)$", "".join(frames), flags=re.MULTILINE)]


def test_a_finished_task_whose_end_the_hub_has_not_brought_yet_is_served_whole_from_redis(settings):
    """Found by test_faults.py's disconnect storm on a loaded machine: the hub was slower than one
    heartbeat and the task had finished, so the client got the saved chunks and end, without the
    status and progress events Redis still had (gaps in its seqs)."""
    from documents.relay.sse import event_stream
    from ops.redis_pool import redis_client

    settings.SSE_END_GRACE_SECONDS = 0.1  # twice below, the end never comes: the saved copy follows
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
        def subscribe(self, task_id: int, *, after: int, sink: object = None) -> None:
            raise AssertionError("a finished stream needs no subscription")

    task_id = 990_006
    with fresh_stream(task_id) as writer:
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
        def subscribe(self, task_id: int, *, after: int, sink: object = None) -> Subscription:
            subscribed.append(after)
            return super().subscribe(task_id, after=after)

    task_id = 990_010
    with fresh_stream(task_id) as writer:
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
    with fresh_stream(task_id) as writer:
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


@pytest.mark.parametrize(("finished_check", "at_least", "at_most"), [(60.0, 1, 1), (0.0, 4, 100)])
def test_an_idle_stream_asks_the_database_at_its_first_heartbeat_then_every_finished_check(
    finished_check, at_least, at_most
):
    from documents.relay.sse import event_stream

    task_id = 990_009
    asked: list[float] = []

    def load_saved() -> None:
        asked.append(0)  # still running

    with fresh_stream(task_id) as writer:
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

    with fresh_stream(task_id) as writer:
        writer.emit("status", status="running")
        reader = event_stream(
            task_id=task_id, last_event_id=0, load_saved=load_saved, heartbeat=0.02, max_duration=0.2,
            stream_hub=_IdleHub(), finished_check=60.0,
        )  # fmt: skip
        received.extend(reader)

    assert seen_at_check, "the stream asked the database"
    assert seen_at_check[0][-1] == ": heartbeat\n\n"


def test_a_client_that_left_frees_the_stream_before_the_next_heartbeat(settings):
    """An idle stream looks at its connection between heartbeats: 70 closed clients held a
    thread each until their next heartbeat write failed (15 s), and the site was down."""
    from documents.relay.sse import event_stream

    settings.SSE_DISCONNECT_CHECK_SECONDS = 0.01
    task_id, looks = 990_015, []

    class Polled:  # a client that nothing can watch (a thread per stream): asked between heartbeats
        def gone(self) -> bool:
            looks.append(1)
            return len(looks) >= 3  # the client closes after a moment

        def watch(self, wake: object) -> None:
            return None

        def sink(self) -> None:
            return None

    with fresh_stream(task_id) as writer:
        writer.emit("status", status="running")
        frames = list(
            event_stream(
                task_id=task_id, last_event_id=1, load_saved=lambda: None, heartbeat=60.0, max_duration=60.0,
                stream_hub=_IdleHub(), client=Polled(),
            )
        )  # fmt: skip

    # Ended by the third look (well before the 60 s heartbeat and duration), writing only its opening.
    assert len(looks) == 3 and ": heartbeat" not in "".join(frames) and frames[0].startswith("retry:")


@pytest.mark.parametrize("after", [2, 3, 50])
def test_a_resume_at_or_past_the_end_of_a_finished_task_gets_the_end_at_once(after):
    """It waited for the first heartbeat (15 s) before it ended, and then ended with nothing, so a
    client reconnected; now the terminal event comes again right away."""
    from documents.relay.sse import event_stream

    task_id = 990_016
    with fresh_stream(task_id) as writer:
        writer.emit("chunk", text="要点。")
        writer.emit("done", status="succeeded")
        saved = saved_events(
            result="要点。", chunk_index=[[1, 3]], status="succeeded", error_code="", error_message="",
            last_seq=2,
        )  # fmt: skip
        frames = "".join(
            event_stream(
                task_id=task_id, last_event_id=after, load_saved=lambda: saved, heartbeat=60.0,
                stream_hub=_IdleHub(), finished=True,
            )
        )  # fmt: skip

    assert ": heartbeat" not in frames
    assert frames.count("event: done") == 1 and "event: chunk" not in frames and _ids([frames]) == [2]


@pytest.mark.parametrize("tail", [False, True], ids=["replay", "tail"])
def test_a_task_saved_as_finished_before_its_last_events_reach_redis_loses_none_of_them(tail, settings):
    """Found by test_faults.py's disconnect storm (CI, seqs 76 then 78): the worker saves the task
    as finished, then publishes its final progress, status and end. A client that resumed in
    between got the saved copy's end at once, without the two events before it."""
    import threading

    from documents.relay.sse import event_stream

    settings.SSE_END_GRACE_SECONDS = 5.0
    task_id = 990_017
    with fresh_stream(task_id) as writer:
        writer.emit("chunk", text="# 计划\n\n")
        writer.emit("chunk", text="要点。")
        saved = saved_events(
            result="# 计划\n\n要点。", chunk_index=[[1, 6], [2, 3]], status="succeeded", error_code="",
            error_message="", last_seq=5,
        )  # fmt: skip

        def publish_the_rest() -> None:
            writer.emit("progress", done=1, total=1, section="")
            writer.emit("status", status="succeeded")
            writer.emit("done", status="succeeded")

        later = threading.Timer(0.3, publish_the_rest)
        later.start()
        try:
            frames = "".join(
                event_stream(
                    task_id=task_id, last_event_id=1, load_saved=lambda: saved, heartbeat=0.05,
                    stream_hub=_IdleHub(), finished=not tail,
                )
            )  # fmt: skip
        finally:
            later.join()

    assert _ids([frames]) == [2, 3, 4, 5]
    assert "event: progress" in frames and "event: status" in frames and frames.count("event: done") == 1


def test_a_finished_task_whose_end_never_reaches_redis_is_served_from_the_saved_copy(settings):
    """The grace is bounded: when Redis never gets the end (lost, or the worker died after saving),
    the saved chunks and end follow once it is over."""
    from documents.relay.sse import event_stream

    settings.SSE_END_GRACE_SECONDS = 0.1
    task_id = 990_018
    with fresh_stream(task_id) as writer:
        writer.emit("chunk", text="Plan\n")
        saved = saved_events(
            result="Plan\nPoint.", chunk_index=[[1, 5], [2, 6]], status="succeeded", error_code="",
            error_message="", last_seq=4,
        )  # fmt: skip
        frames = "".join(
            event_stream(
                task_id=task_id, last_event_id=1, load_saved=lambda: saved, heartbeat=60.0,
                stream_hub=_IdleHub(), finished=True,
            )
        )  # fmt: skip

    assert _ids([frames]) == [2, 4] and "Point." in frames and ": heartbeat" not in frames


def test_a_stream_whose_events_the_hub_writes_finishes_its_writes_and_repeats_none(settings):
    """Under gevent the hub writes a waiting stream's events to its socket itself (hub.py). What one
    write left over (the socket was full) the stream writes first, as it is; the heartbeat waits a
    whole interval after the hub's last write; and what the hub wrote is not sent again when the
    stream finds its task finished in the database. All of it on one connection, read back by a
    third-party parser, in order."""
    import threading
    import time

    from documents.relay.hub import StreamHub
    from documents.relay.sse import event_stream
    from documents.tests.unit.relay.streams import Wire, WireClient

    settings.SSE_END_GRACE_SECONDS = 0.1
    task_id, wire, hub, finished = 990_030, Wire(), StreamHub(block_ms=200), threading.Event()
    saved = saved_events(result="一二" + "三" * 50, chunk_index=[[2, 1], [3, 1], [4, 50]], status="succeeded",
                         error_code="", error_message="", last_seq=5)  # fmt: skip
    with fresh_stream(task_id) as writer:
        writer.emit("status", status="running")
        frames = event_stream(
            task_id=task_id, last_event_id=0, load_saved=lambda: saved if finished.is_set() else None,
            heartbeat=3.0, finished_check=0, max_duration=30, stream_hub=hub, client=WireClient(wire),
        )  # fmt: skip
        stream = threading.Thread(target=lambda: [wire.write(frame) for frame in frames])
        stream.start()

        def wait_for(ids: list[str]) -> None:
            deadline = time.monotonic() + 5
            while [e.id for e in wire.events()] != ids:
                assert time.monotonic() < deadline, wire.events()
                time.sleep(0.01)

        wait_for(["1"])  # the replay, written by the stream
        deadline = time.monotonic() + 5
        while True:
            with hub._lock:  # the hub's thread adds to it
                if any(sub._waiting for subs in hub._subs.values() for sub in subs):
                    break
            assert time.monotonic() < deadline
            time.sleep(0.01)
        time.sleep(1.5)
        writer.emit("chunk", text="一")
        writer.emit("chunk", text="二")
        wait_for(["1", "2", "3"])
        # Past the first heartbeat's time (2.4 s: sse.HEARTBEAT_LEAD_SECONDS), well short of one
        # after the hub's write.
        time.sleep(1.5)
        assert b": heartbeat" not in wire.bytes
        written = wire.hub_writes
        wire.room = 9  # the socket fills: the next write stops short, the stream writes the rest
        writer.emit("chunk", text="三" * 50)
        wait_for(["1", "2", "3", "4"])
        wire.room = None
        finished.set()  # its end never reaches Redis: the next heartbeat's check finds it saved
        stream.join(10)

    assert not stream.is_alive()
    assert wire.hub_writes > written >= 1  # the hub wrote some of them itself
    assert [(e.id, e.event) for e in wire.events()] == [
        ("1", "status"), ("2", "chunk"), ("3", "chunk"), ("4", "chunk"), ("5", "done")
    ]  # fmt: skip
    assert json.loads(wire.events()[-2].data)["text"] == "三" * 50


@pytest.mark.parametrize(("heartbeat", "every"), [(15.0, 14.0), (5.0, 4.0), (1.0, 0.8)])
def test_a_heartbeat_is_timed_ahead_of_its_interval_so_a_busy_loop_still_keeps_it(heartbeat, every):
    """SSE_HEARTBEAT_SECONDS is the longest silence a client may see: a worker busy with thousands
    of streams wakes one late, so the heartbeat is timed a second early (a fifth of a short one)."""
    from documents.relay.sse import _beat_every

    assert _beat_every(heartbeat) == pytest.approx(every)
