"""The wire format of a task's live output, in one place.

- Redis: one Stream per task, ``model_result:{task_id}:chunks``. Entry ids are ``<seq>-0``, so an
  SSE event id maps one-to-one to a stream entry and ``Last-Event-ID: N`` resumes with
  ``XREAD``/``XRANGE`` after ``N-0``, exactly.
- SSE: ``id: <seq>``, ``event: chunk|status|progress|error|done``, ``data: <JSON>``; ``retry:``
  first; ``: heartbeat`` comments while idle.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from documents.errors import ERRORS, error_message

EVENT_TYPES = frozenset({"chunk", "status", "progress", "error", "done"})
TERMINAL_TYPES = frozenset({"error", "done"})


def stream_key(task_id: int) -> str:
    return f"model_result:{task_id}:chunks"


def cancel_key(task_id: int) -> str:
    """Set by a cancel from any web process; the worker polls it between tokens."""
    return f"model_result:{task_id}:cancel"


def entry_id(seq: int) -> str:
    return f"{seq}-0"


def after_bound(seq: int) -> str:
    """The XRANGE lower bound for the entries after seq `seq` (all of them for 0)."""
    return f"({entry_id(seq)}" if seq else "-"


@dataclass(frozen=True)
class Event:
    seq: int
    type: str
    data: dict[str, Any]  # always includes "seq"

    @classmethod
    def make(cls, seq: int, type: str, **data: Any) -> Event:
        if type not in EVENT_TYPES:
            raise ValueError(f"unknown event type {type!r}")
        return cls(seq=seq, type=type, data={"seq": seq, **data})

    @property
    def is_terminal(self) -> bool:
        return self.type in TERMINAL_TYPES

    def for_reader(self, language: str | None) -> Event:
        """The event as a reader of `language` gets it: an error's message is stored in English
        and shown in the reader's language, as the pages do (documents/errors.py)."""
        code = self.data.get("code")
        if self.type != "error" or not language or code not in ERRORS:
            return self
        return replace(self, data={**self.data, "message": error_message(code, language)})

    @cached_property
    def payload(self) -> str:
        # ensure_ascii=False keeps CJK readable on the wire; JSON never contains a raw newline, so
        # one data: line per event is always valid SSE. Redis stores exactly this text, so a
        # replay sends what it reads without decoding and re-encoding it (replay_frames).
        return json.dumps(self.data, ensure_ascii=False, separators=(",", ":"))

    def to_sse(self) -> str:
        # Cached: the hub hands one Event to every client of the stream.
        return sse_frame(self.seq, self.type, self.payload)

    def to_fields(self) -> dict[str, str]:
        return {"seq": str(self.seq), "type": self.type, "data": self.payload}

    @classmethod
    def from_fields(cls, fields: dict[Any, Any]) -> Event:
        def text(value: Any) -> str:
            return value.decode() if isinstance(value, bytes) else value

        decoded = {text(k): text(v) for k, v in fields.items()}
        event = cls(seq=int(decoded["seq"]), type=decoded["type"], data=json.loads(decoded["data"]))
        event.__dict__["payload"] = decoded["data"]  # the stored JSON is the wire's: not encoded again
        return event


def sse_frame(seq: int | str, type: str, payload: str) -> str:
    return f"id: {seq}\nevent: {type}\ndata: {payload}\n\n"


def sse_retry(milliseconds: int) -> str:
    return f"retry: {milliseconds}\n\n"


def sse_comment(text: str) -> str:
    return f": {text}\n\n"


def chunk_events(*, result: str, chunk_index: list[list[int]]) -> list[Event]:
    """The chunk events (original seqs) that a saved result was streamed as."""
    events: list[Event] = []
    offset = 0
    for seq, length in chunk_index:
        events.append(Event.make(seq, "chunk", text=result[offset : offset + length]))
        offset += length
    return events


def saved_events(
    *,
    result: str,
    chunk_index: list[list[int]],
    status: str,
    error_code: str,
    error_message: str,
    last_seq: int,
) -> list[Event]:
    """Rebuild a finished task's chunk events (with their original seqs) and terminal event from
    the database, for when its Redis stream has expired or was lost."""
    events = chunk_events(result=result, chunk_index=chunk_index)
    offset = sum(length for _, length in chunk_index)
    if offset < len(result):  # text saved without an index entry (never expected): still serve it
        events.append(Event.make((events[-1].seq if events else 0) + 1, "chunk", text=result[offset:]))
    terminal_seq = max(last_seq, (events[-1].seq if events else 0) + 1)
    if status == "failed":
        events.append(Event.make(terminal_seq, "error", code=error_code or "internal", message=error_message))
    else:
        events.append(Event.make(terminal_seq, "done", status=status))
    return events
