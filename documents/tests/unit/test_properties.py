"""Property tests (Hypothesis) for the two pieces every streamed character passes through: the
SSE framing in documents/relay/ and the chunk coalescer in documents/analyzer.py.

Pure unit tests: no database, no Redis. Each property is bounded so the file runs in seconds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
from httpx_sse import EventSource, ServerSentEvent
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from documents.analyzer import ChunkCoalescer
from documents.relay.events import EVENT_TYPES, Event, sse_comment, sse_retry

PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)

# ------------------------------------------------------------------------ strategies
# Text that is hard on a line-based wire format: every SSE line ending, leading spaces and
# colons (the field/value separator), CJK, emoji (4 bytes in UTF-8, a surrogate pair in JS),
# empty strings; Hypothesis's default alphabet is all of Unicode except surrogates.
LINE_BREAKS = ["\n", "\r\n", "\r", "\n\n"]
TRICKY = [*LINE_BREAKS, " ", "  lead", ":", "data: x", "第一章 总则", "😀", "👩‍💻", "", "\x00", "\u2028"]
texts = st.lists(st.one_of(st.text(max_size=20), st.sampled_from(TRICKY)), max_size=8).map("".join)
long_texts = st.tuples(st.sampled_from(["概述", "a\r\n", "😀 "]), st.integers(1_000, 20_000)).map(
    lambda pair: pair[0] * pair[1]
)
any_text = st.one_of(texts, long_texts)

# The JSON an event carries: what json.dumps round-trips exactly (no NaN: the server never sends it).
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | any_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
# Event.make's own parameters cannot be data keys; "seq" is always the event's seq.
data_keys = texts.filter(lambda key: key not in {"cls", "seq", "type"})
events = st.builds(
    lambda seq, type, data: Event.make(seq, type, **data),
    seq=st.integers(min_value=0, max_value=2**53),
    type=st.sampled_from(sorted(EVENT_TYPES)),
    data=st.dictionaries(data_keys, json_values, max_size=4) | st.builds(lambda t: {"text": t}, any_text),
)
# A heartbeat is one comment line; the server only ever sends "heartbeat", but any text
# without a line break frames as one comment.
comments = st.text(max_size=20).filter(lambda text: "\r" not in text and "\n" not in text)


# ------------------------------------------------------------------------ helpers
def _pieces(payload: bytes, cuts: list[int]) -> Iterator[bytes]:
    """The payload cut at the given offsets (which may fall inside a multi-byte character)."""
    start = 0
    for cut in sorted(set(cuts)):
        yield payload[start:cut]
        start = cut
    yield payload[start:]


def _parse(pieces: Iterator[bytes]) -> list[ServerSentEvent]:
    """What httpx-sse (a maintained, spec-following client) reads from the bytes, as they arrive."""
    response = httpx.Response(
        200, headers={"content-type": "text/event-stream; charset=utf-8"}, content=pieces
    )
    # httpx-sse dispatches an empty event at a blank line once any `id` was seen, even when the
    # block held only a comment (florimondmanca/httpx-sse#35; the spec dispatches nothing). Such
    # a phantom has no data and no retry (every real event has JSON data), so it is dropped
    # here, as a browser would drop it.
    return [sse for sse in EventSource(response).iter_sse() if sse.data or sse.retry is not None]


def _expected(event: Event) -> tuple[str, str, Any, None]:
    return (str(event.seq), event.type, event.data, None)


def _seen(sse: ServerSentEvent) -> tuple[str, str, Any, int | None]:
    return (sse.id, sse.event, json.loads(sse.data), sse.retry)


# ------------------------------------------------------------------------ SSE framing
@PROPERTY_SETTINGS
@given(
    frames=st.lists(st.one_of(events, comments), max_size=8),
    retry=st.none() | st.integers(min_value=0, max_value=10**9),
    data=st.data(),
)
@example(
    frames=[
        Event.make(1, "chunk", text="a\rb\r\nc\n"),
        "heartbeat",
        Event.make(2, "done", status="succeeded"),
    ],
    retry=3000,
    data=None,
)
def test_framed_events_parse_back_exactly_in_any_slicing_of_the_bytes(
    frames: list[Event | str], retry: int | None, data: st.DataObject | None
) -> None:
    wire = ""
    if retry is not None:
        wire += sse_retry(retry)
    for frame in frames:
        wire += frame.to_sse() if isinstance(frame, Event) else sse_comment(frame)
    payload = wire.encode("utf-8")
    # Every byte offset is a possible cut, so cuts land inside multi-byte characters and
    # between \r and \n.
    cuts = [] if data is None else data.draw(st.lists(st.integers(0, len(payload)), max_size=12))

    parsed = _parse(_pieces(payload, cuts))

    expected: list[tuple[str, str, Any, int | None]] = [_expected(f) for f in frames if isinstance(f, Event)]
    if retry is not None:
        # The retry block carries no data: httpx-sse reports it as an event with only retry set.
        first, parsed = parsed[0], parsed[1:]
        assert (first.id, first.event, first.data, first.retry) == ("", "message", "", retry)
    assert [_seen(sse) for sse in parsed] == expected


@PROPERTY_SETTINGS
@given(event=events)
def test_an_event_is_exactly_three_lines_and_a_blank_line(event: Event) -> None:
    # One data: line per event is what lets a client resume with Last-Event-ID: a line break in
    # the payload would start a new field (or end the event) on the wire.
    lines = event.to_sse().split("\n")

    assert lines[3:] == ["", ""]
    assert [line.split(": ", 1)[0] for line in lines[:3]] == ["id", "event", "data"]
    assert not any("\r" in line for line in lines)


@PROPERTY_SETTINGS
@given(comment_texts=st.lists(comments, min_size=1, max_size=5), data=st.data())
def test_a_stream_of_only_heartbeats_delivers_nothing(comment_texts: list[str], data: st.DataObject) -> None:
    payload = "".join(sse_comment(text) for text in comment_texts).encode("utf-8")
    cuts = data.draw(st.lists(st.integers(0, len(payload)), max_size=6))

    response = httpx.Response(
        200, headers={"content-type": "text/event-stream"}, content=_pieces(payload, cuts)
    )
    assert list(EventSource(response).iter_sse()) == []


# ------------------------------------------------------------------------ coalescer
class FakeClock:
    def __init__(self) -> None:
        self.ms = 0

    def __call__(self) -> float:
        return self.ms / 1000


# A model's deltas, each after a pause (ms): empty deltas, single CJK characters, emoji, whole lines.
deltas = st.lists(
    st.tuples(st.one_of(st.text(max_size=12), st.sampled_from(TRICKY)), st.integers(0, 120)), max_size=40
)


@PROPERTY_SETTINGS
@given(deltas=deltas, min_chars=st.integers(0, 64), max_delay_ms=st.integers(0, 200))
@example(deltas=[("一", 0), ("二", 49), ("", 30), ("三", 0), ("四", 0)], min_chars=100, max_delay_ms=50)
def test_coalescer_keeps_every_character_in_order_and_flushes_as_documented(
    deltas: list[tuple[str, int]], min_chars: int, max_delay_ms: int
) -> None:
    clock = FakeClock()
    coalescer = ChunkCoalescer(min_chars=min_chars, max_delay_ms=max_delay_ms, clock=clock)
    chunks: list[str] = []
    pending, pending_since = "", 0  # what the coalescer should be holding, and since when (ms)

    for text, pause_ms in deltas:
        clock.ms += pause_ms
        if text and not pending:
            pending_since = clock.ms
        pending += text
        out = coalescer.feed(text)
        waited = clock.ms - pending_since
        if out is None and text:
            # Held back: below the size, and (to the ms; the coalescer compares float seconds)
            # not yet past the delay since the first unflushed token. The check runs when a
            # token arrives; providers never yield empty deltas (documents/llm/), and an empty
            # one only returns None.
            assert len(pending) < min_chars
            assert waited <= max_delay_ms
        elif out is None:
            pass
        else:
            assert out == pending, "a chunk is exactly the held text, in order"
            assert len(out) >= min_chars or waited >= max_delay_ms
            chunks.append(out)
            pending = ""
    last = coalescer.flush()
    assert last == (pending or None)
    if last is not None:
        chunks.append(last)

    assert all(chunks), "no chunk is empty"
    assert "".join(chunks) == "".join(text for text, _ in deltas)
    assert coalescer.flush() is None, "a flush leaves nothing behind"
