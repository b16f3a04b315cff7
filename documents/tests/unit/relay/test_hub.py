"""The hub: one reader thread per process fans every stream out to its clients, through client
comings and goings and Redis outages (real test Redis)."""

from __future__ import annotations

import json
import threading
import time

import pytest

from documents.relay.events import Event, stream_key
from documents.relay.hub import Subscription
from documents.relay.writer import StreamWriter
from documents.tests.unit.relay.streams import Wire, fresh_stream


def test_a_stream_read_after_its_last_client_left_leaves_no_position_behind():
    """The hub can still be blocked on a key when its last client leaves; what it reads then
    must not be remembered, or the next stream under that key (task ids repeat after a database
    reset) would start from that position and lose its first events."""
    import time

    from documents.relay.hub import StreamHub
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


def test_a_client_that_subscribes_as_redis_drops_the_reader_is_admitted_after_the_reconnect():
    """A Redis restart drops the hub's connection while it waits idle; the next client's catch-up
    is the first command to fail. That client must be caught up once the reader reconnects, not
    left with heartbeats only (found by test_faults.py's Redis restart)."""
    import time

    from documents.relay.hub import StreamHub
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


def test_a_client_admitted_as_the_last_other_reader_of_its_stream_leaves_misses_nothing():
    """Found by test_faults.py's disconnect storm: a client is caught up to the hub's cursor while
    the stream's last other client leaves (which drops the cursor); a second client admitted
    right after must not move the cursor past what the first one has."""
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
        return [event.seq for event in sub.get_ready(1000)]

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


def test_the_hub_counts_each_chunk_once_per_reader_it_hands_it_to():
    """The relayed-chunks counter is bumped once per read from Redis, for all readers at once (once
    per reader's write was 5,000 locked writes to the metrics file per chunk of a popular task)."""
    from documents.relay.hub import StreamHub
    from ops.tests.test_metrics import sample

    key = stream_key(990_020)
    hub = StreamHub()
    ahead, behind = Subscription(key=key, position=1), Subscription(key=key, position=0)
    hub._subs[key] = {ahead, behind}
    before = sample("outliner_sse_chunks_relayed_total")

    hub._deliver(key, [Event.make(1, "chunk", text="一"), Event.make(2, "progress", done=1, total=2),
                       Event.make(3, "chunk", text="二")])  # fmt: skip

    assert [e.seq for e in ahead.get_ready(10)] == [2, 3]
    assert [e.seq for e in behind.get_ready(10)] == [1, 2, 3]
    assert sample("outliner_sse_chunks_relayed_total") == before + 3  # one to the reader ahead, two behind


def _waiting(sub: Subscription) -> tuple[threading.Thread, list]:
    """A reader waiting in get(), as an idle stream does (in a thread of its own)."""
    got: list = []
    reader = threading.Thread(target=lambda: got.append(sub.get(timeout=5)))
    reader.start()
    deadline = time.monotonic() + 5
    while not sub._waiting:
        assert time.monotonic() < deadline
        time.sleep(0.001)
    return reader, got


def test_the_hub_writes_events_to_a_waiting_readers_socket_itself_and_lets_it_wait_on():
    """Under gevent, waking each of 5,000 readers of one task to write an event took 628 ms; the
    hub writes the bytes itself. The reader is not woken; it learns what was written (`written`,
    `wrote_at`: its heartbeat waits from then). A terminal event still goes through the reader,
    which ends the response; so does everything for a reader that is not waiting."""
    from documents.relay.hub import StreamHub

    key = stream_key(990_021)
    wire, busy_wire = Wire(), Wire()
    hub = StreamHub()
    sub = Subscription(key=key, position=1, sink=wire)
    busy = Subscription(key=key, position=1, sink=busy_wire)  # writing a heartbeat, say: not waiting
    hub._subs[key] = {sub, busy}
    reader, got = _waiting(sub)

    hub._deliver(key, [Event.make(2, "chunk", text="第一段"), Event.make(3, "progress", done=1, total=2)])

    assert [(e.id, e.event) for e in wire.events()] == [("2", "chunk"), ("3", "progress")]
    assert json.loads(wire.events()[0].data)["text"] == "第一段"
    assert (sub.written, sub.position, sub.get_ready(10)) == (3, 3, [])
    reader.join(0.2)
    assert reader.is_alive() and got == []  # still waiting: nobody woke it
    assert busy_wire.hub_writes == 0 and [e.seq for e in busy.get_ready(10)] == [2, 3]

    hub._deliver(key, [Event.make(4, "done", status="succeeded")])
    reader.join(5)
    assert got[0].seq == 4 and wire.hub_writes == 1  # the end came through the reader


@pytest.mark.parametrize("room", [0, 7, BrokenPipeError, ValueError])
def test_what_a_readers_socket_does_not_take_the_reader_writes_itself_in_order(room, caplog):
    """A full socket (a slow reader) takes nothing, or part of a write; a closed one fails. The hub
    never waits for one: the reader is woken and writes the events (or the rest of the frame, as
    it is) with its own bounded write, or fails on them and ends. A write failing otherwise (a
    bug) is logged and handled the same: never the end of the reader thread every stream needs."""
    from documents.relay.hub import StreamHub

    key = stream_key(990_022)
    wire = Wire(room=room if isinstance(room, int) else 0)
    wire.broken = None if isinstance(room, int) else room
    hub = StreamHub()
    sub = Subscription(key=key, position=1, sink=wire)
    hub._subs[key] = {sub}
    reader, got = _waiting(sub)

    hub._deliver(key, [Event.make(2, "chunk", text="慢读者")])
    reader.join(5)
    hub._deliver(key, [Event.make(3, "chunk", text="之后")])  # not waiting any more: queued

    if room == 7:
        assert got == [None] and sub.written == 2 and len(wire.bytes) == 7
        wire.send_rest(sub.take_rest())
        assert [e.id for e in wire.events()] == ["2"]
        assert [e.seq for e in sub.get_ready(10)] == [3]
    else:
        assert got[0].seq == 2 and sub.written == 0 and wire.bytes == b""
        assert [e.seq for e in sub.get_ready(10)] == [3]
    assert ("could not write to a stream" in caplog.text) == (room is ValueError)


def test_a_client_that_has_all_the_hub_has_read_is_admitted_without_a_round_trip(monkeypatch):
    """Most clients of a task arrive with everything the hub has read of its stream (their replay
    read to the end): an XRANGE each for nothing was a share of a 10,000-client connect storm. A
    client behind the hub is still caught up from Redis."""
    import redis

    from documents.relay.hub import StreamHub

    ranges: list[str] = []
    xrange = redis.Redis.xrange

    def counted(self: redis.Redis, key: str, **kwargs: object) -> object:
        ranges.append(key)
        return xrange(self, key, **kwargs)

    monkeypatch.setattr(redis.Redis, "xrange", counted)
    task_id = 990_023
    hub = StreamHub(block_ms=200)
    with fresh_stream(task_id) as writer:
        writer.emit("status", status="running")
        writer.emit("chunk", text="一")
        first = hub.subscribe(task_id, after=0)
        assert [first.get(timeout=5).seq for _ in range(2)] == [1, 2]
        assert len(ranges) == 1
        level = hub.subscribe(task_id, after=2)  # has what the hub has read: no catch-up
        behind = hub.subscribe(task_id, after=1)  # behind it: caught up from Redis
        deadline = time.monotonic() + 5
        while len(hub._subs.get(stream_key(task_id), ())) < 3:  # both admitted, before the next event
            assert time.monotonic() < deadline
            time.sleep(0.01)
        writer.emit("chunk", text="二")
        assert [level.get(timeout=5).seq] == [3]
        assert [behind.get(timeout=5).seq for _ in range(2)] == [2, 3]
        assert first.get(timeout=5).seq == 3
        assert len(ranges) == 2
        for sub in (first, level, behind):
            hub.unsubscribe(sub)
