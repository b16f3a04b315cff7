"""The writer: events in one round trip with contiguous seqs, and streams that expire (real test Redis)."""

from __future__ import annotations

from documents.relay.events import stream_key
from documents.relay.writer import StreamWriter
from documents.tests.unit.relay.streams import fresh_stream


def test_a_finished_stream_and_its_cancel_flag_expire_after_the_stream_ttl(settings):
    from documents.relay.events import cancel_key
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


def test_a_batch_of_events_goes_to_redis_in_one_round_trip_with_contiguous_seqs():
    from documents.relay.reader import read_events

    task_id = 990_008
    with fresh_stream(task_id) as writer:
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
