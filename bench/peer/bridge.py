"""Serves django-eventstream's async stream from a WSGI worker (gthread or gevent).

Django cannot stream an async generator under WSGI: StreamingHttpResponse.__iter__ collects it
into a list first, which for an endless SSE stream means never. So each worker process gets one
asyncio loop in a thread of its own (a greenlet under gevent, whose monkey-patched selectors make
the loop cooperative), every stream's generator runs on it, and the WSGI iterator hands each
chunk over to the worker's thread or greenlet. One loop per process, not one per request, because
django-eventstream's pub/sub subscriber is a task started on the loop of the first stream and
must outlive that stream, and because one OS thread (gevent's) can run only one loop at a time.

The hand-over (run_coroutine_threadsafe, then Future.result) is a cost the peer would not pay
under ASGI; ``bench.peer.asgi`` serves the same view without it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator

_loop: asyncio.AbstractEventLoop | None = None
_lock = threading.Lock()


def loop() -> asyncio.AbstractEventLoop:
    """This process's stream loop, started on first use (after gunicorn forked the worker)."""
    global _loop
    with _lock:
        if _loop is None:
            ready = threading.Event()
            new = asyncio.new_event_loop()

            def run() -> None:
                asyncio.set_event_loop(new)
                new.call_soon(ready.set)
                new.run_forever()

            threading.Thread(target=run, name="eventstream-loop", daemon=True).start()
            ready.wait()
            _loop = new
    return _loop


def iterate(chunks: AsyncIterator[bytes]) -> Iterator[bytes]:
    """`chunks` as a sync iterator, each step run on the stream loop. Closing it (gunicorn does
    when the client is gone, at the next write) closes the generator, which drops its listener."""
    stream_loop = loop()
    try:
        while True:
            try:
                yield asyncio.run_coroutine_threadsafe(anext(chunks), stream_loop).result()
            except StopAsyncIteration:
                return
    finally:
        aclose = getattr(chunks, "aclose", None)
        if aclose is not None:
            asyncio.run_coroutine_threadsafe(aclose(), stream_loop).result(timeout=10)
