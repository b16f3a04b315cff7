"""The relay: a task's output from the worker to every reader, through one Redis Stream per task.

- `events`: the wire format (stream keys and entry ids, the Event, SSE framing); the one module
  that knows it.
- `writer`: the worker's side (`StreamWriter`), numbering events and healing Redis outages.
- `reader`: reading a stream back (whole, as live text, or as ready SSE frames for a resume).
- `hub`: one thread per web process that tails every watched stream with one blocking XREAD.
- `sse`: one client's SSE stream: replay, then tail, heartbeats, the saved copy as fallback.
- `client`: the client's end of a stream: whether it left (under gevent, a wake-up when it does).
- `cancel`: the cancel flag the worker polls.
- `slots`: how many streams one user and one task may hold open (leases in Redis).

Everything outside imports from here; the Redis pool is ops/redis_pool.py.
"""

from documents.relay.cancel import cancel_request, cancel_requested, cancel_settle
from documents.relay.client import SocketClient
from documents.relay.events import Event, cancel_key, chunk_events, saved_events, stream_key
from documents.relay.hub import StreamHub, hub
from documents.relay.reader import StreamMissing, live_text, read_events, replay_frames
from documents.relay.sse import event_stream
from documents.relay.writer import StreamWriter

__all__ = [
    "Event",
    "StreamHub",
    "StreamMissing",
    "SocketClient",
    "StreamWriter",
    "cancel_key",
    "cancel_request",
    "cancel_requested",
    "cancel_settle",
    "chunk_events",
    "event_stream",
    "hub",
    "live_text",
    "read_events",
    "replay_frames",
    "saved_events",
    "stream_key",
]
