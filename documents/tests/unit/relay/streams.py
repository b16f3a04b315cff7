"""What the relay's tests share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from documents.relay.writer import StreamWriter


@contextmanager
def fresh_stream(task_id: int) -> Iterator[StreamWriter]:
    """A writer on an empty stream for `task_id`, and nothing of it left in Redis afterwards."""
    writer = StreamWriter(task_id)
    writer.reset()
    try:
        yield writer
    finally:
        writer.reset()
