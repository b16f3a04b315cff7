"""The wire format: stream keys, SSE frames read back by a third-party parser, events through Redis
fields, saved events rebuilt from the database, errors in the reader's language."""

from __future__ import annotations

import json

import httpx
from httpx_sse import EventSource

from documents.relay.events import Event, saved_events, sse_comment, sse_retry, stream_key


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
