"""N idle SSE clients from one process, for the capacity benchmarks (Outliner's stream and the peer's).

Thousands of httpx clients would cost more than the server under test, so each client is a plain
``asyncio.open_connection`` that sends one HTTP/1.1 GET, reads the status line and then only
counts bytes and heartbeat lines. All of them run on one event loop in a background thread, so a
synchronous benchmark can hold them open while it measures the server:

    with IdleClients("http://127.0.0.1:8000/api/v1/tasks/{i}/stream", 1000,
                     headers={"Authorization": f"Bearer {token}"}, heartbeat=b": heartbeat") as clients:
        print(clients.connected, clients.failed)     # once every client has its headers or failed
        clients.hold(20)                             # let a heartbeat or two through
        report = clients.summary()

``url_template`` is formatted with ``i`` (0..n-1), or is a function of ``i``, so each client can
have its own task or channel;
``headers`` is a mapping, or a function of ``i`` for per-client tokens. A client counts as
connected once the server answered 200 with its headers (under gthread a stream holds a thread,
so clients past the thread count wait in gunicorn's queue and fail with ``timeout``). Heartbeats
are counted by the marker bytes (Outliner: ``: heartbeat``; django-eventstream:
``event: keep-alive``) in the raw body: a marker split across two reads counts once, but one
split across two HTTP chunks would not count (both servers write a heartbeat in one write, so
one chunk). ``closed_by_server`` (error "closed by server") is a stream the server ended.

Each heartbeat's arrival time is kept too (``Client.beats``), so ``heartbeat_gaps(interval)`` can
say whether they came on time: the gaps from the headers to the first heartbeat and between
heartbeats, per client, against the server's own interval. ``delivery_s()`` checks that a server
holding all those streams still delivers an event to one more client.
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

Headers = Mapping[str, str] | Callable[[int], Mapping[str, str]]
Url = str | Callable[[int], str]

OUTLINER_HEARTBEAT = b": heartbeat"
EVENTSTREAM_KEEPALIVE = b"event: keep-alive"


def raise_open_files_limit() -> int:
    """Soft RLIMIT_NOFILE up to the hard limit (each client is a descriptor, and so is each of its
    server-side sockets in a server started from this process); returns the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


@dataclass
class Client:
    """What one client saw."""

    index: int
    status: int | None = None
    error: str | None = None  # why it failed to connect, or why the server ended it early
    connect_s: float | None = None  # request sent -> status line and headers read
    bytes: int = 0  # after the headers, chunked framing included
    heartbeats: int = 0
    closed_by_server: bool = False
    connected_at: float | None = None  # time.monotonic() when the headers were read
    beats: list[float] = field(default_factory=list)  # time.monotonic() of each heartbeat's read

    @property
    def connected(self) -> bool:
        return self.status == 200


class IdleClients:
    """Opens `n` SSE streams on entering (at most `concurrency` connecting at once, so the
    listen backlog is not what is measured) and closes them all on leaving."""

    def __init__(
        self,
        url_template: Url,
        n: int,
        *,
        headers: Headers | None = None,
        heartbeat: bytes = OUTLINER_HEARTBEAT,
        concurrency: int = 200,
        connect_timeout: float = 30.0,
    ) -> None:
        self.url_template = url_template
        self.n = n
        self.headers = headers or {}
        self.heartbeat = heartbeat
        self.concurrency = concurrency
        self.connect_timeout = connect_timeout
        self.clients = [Client(i) for i in range(n)]
        self.connect_seconds = 0.0  # wall time until every client connected or failed
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="sse-clients", daemon=True)
        self._tasks: list[asyncio.Task[None]] = []
        self._writers: list[asyncio.StreamWriter] = []

    # ------------------------------------------------------------------ sync facade
    def __enter__(self) -> IdleClients:
        raise_open_files_limit()
        self._thread.start()
        started = time.monotonic()
        asyncio.run_coroutine_threadsafe(self._open_all(), self._loop).result()
        self.connect_seconds = time.monotonic() - started
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def hold(self, seconds: float) -> None:
        """Keep the streams open (and counting) for `seconds`."""
        time.sleep(seconds)

    def close(self) -> None:
        if not self._thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self._close_all(), self._loop).result(timeout=60)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    @property
    def connected(self) -> int:
        return sum(c.connected for c in self.clients)

    @property
    def failed(self) -> int:
        return self.n - self.connected

    def summary(self) -> dict[str, Any]:
        """Counts, failure reasons and per-client distributions (bench.harness.distribution)."""
        from bench.harness import distribution

        live = [c for c in self.clients if c.connected]
        report: dict[str, Any] = {
            "n": self.n,
            "connected": len(live),
            "failed": self.n - len(live),
            "errors": dict(Counter(c.error for c in self.clients if c.error)),
            "closed_by_server": sum(c.closed_by_server for c in self.clients),
            "connect_all_s": round(self.connect_seconds, 3),
        }
        if live:
            report["connect_s"] = distribution([c.connect_s or 0.0 for c in live])
            report["bytes"] = distribution([float(c.bytes) for c in live], digits=0)
            report["heartbeats"] = distribution([float(c.heartbeats) for c in live], digits=0)
        return report

    def heartbeat_gaps(self, interval: float, *, slack: float = 1.0) -> dict[str, Any]:
        """Whether heartbeats came on time, for a server that sends one every `interval` seconds
        of silence: every gap between two heartbeats of a connected client, and each client's
        longest. A stream that went quiet for good has no gap to show, so the silence since its
        last heartbeat counts as a client's longest too. The first heartbeat's delay (from the
        headers) is reported apart: it includes the server's work to open the stream, which under
        load runs late while other clients connect. On time: p99 gap <= interval + `slack`."""
        from bench.harness import distribution

        now = time.monotonic()
        live = [c for c in self.clients if c.connected and c.connected_at is not None]
        gaps: list[float] = []
        longest: list[float] = []
        for client in live:
            own = [later - earlier for earlier, later in zip(client.beats, client.beats[1:], strict=False)]
            gaps += own
            longest.append(max([*own, now - (client.beats or [client.connected_at])[-1]]))
        firsts = [c.beats[0] - c.connected_at for c in live if c.beats and c.connected_at is not None]
        report: dict[str, Any] = {"interval_s": interval, "rule": f"p99 gap <= interval + {slack:g} s"}
        if firsts:
            report["first_heartbeat_s"] = distribution(firsts)
        report["clients_without_heartbeat"] = sum(not c.beats for c in live)
        if not gaps:
            return {**report, "on_time": False}
        figures = distribution(gaps)
        return {
            **report,
            "gap_s": figures,
            "longest_per_client_s": distribution(longest),
            "clients_late": sum(gap > interval + slack for gap in longest),
            "on_time": figures["p99"] <= interval + slack,
        }

    # ------------------------------------------------------------------ the loop's side
    async def _open_all(self) -> None:
        gate = asyncio.Semaphore(self.concurrency)
        answered = {client.index: asyncio.Event() for client in self.clients}
        self._tasks = [asyncio.create_task(self._run(c, gate, answered[c.index])) for c in self.clients]
        await asyncio.gather(*(event.wait() for event in answered.values()))

    async def _close_all(self) -> None:
        for writer in self._writers:
            writer.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _request(self, index: int) -> tuple[str, int, bytes]:
        template = self.url_template
        url = urlsplit(template(index) if callable(template) else template.format(i=index))
        headers = self.headers(index) if callable(self.headers) else self.headers
        path = url.path + (f"?{url.query}" if url.query else "")
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: {url.netloc}",
            "Accept: text/event-stream",
            "Cache-Control: no-cache",
            *(f"{name}: {value}" for name, value in headers.items()),
        ]
        return url.hostname or "127.0.0.1", url.port or 80, ("\r\n".join(lines) + "\r\n\r\n").encode()

    async def _run(self, client: Client, gate: asyncio.Semaphore, done: asyncio.Event) -> None:
        host, port, request = self._request(client.index)
        try:
            async with gate:
                started = time.monotonic()
                try:
                    async with asyncio.timeout(self.connect_timeout):
                        reader, writer = await asyncio.open_connection(host, port)
                        self._writers.append(writer)
                        writer.write(request)
                        head = await reader.readuntil(b"\r\n\r\n")
                except TimeoutError:
                    client.error = "timeout"
                    return
                except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
                    client.error = type(error).__name__
                    return
                client.connected_at = time.monotonic()
                client.connect_s = client.connected_at - started
                status_line = head.split(b"\r\n", 1)[0].split()
                client.status = int(status_line[1]) if len(status_line) > 1 else None
                if client.status != 200:
                    client.error = f"http {client.status}"
                    writer.close()
                    return
        finally:
            done.set()
        await self._count(client, reader)

    async def _count(self, client: Client, reader: asyncio.StreamReader) -> None:
        marker, tail = self.heartbeat, b""
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while data := await reader.read(65536):
                client.bytes += len(data)
                window = tail + data
                if count := window.count(marker):
                    client.heartbeats += count
                    client.beats += [time.monotonic()] * count
                # Keep less than one marker, so a marker split across reads is counted once.
                tail = window[-(len(marker) - 1) :]
            client.closed_by_server = True
            client.error = client.error or "closed by server"


def delivery_s(
    url: str,
    publish: Callable[[], None],
    *,
    ready: bytes,
    event: bytes,
    headers: Mapping[str, str] | None = None,
    settle: float = 0.5,
    timeout: float = 10.0,
) -> float | None:
    """Seconds from `publish()` to `event` (the marker bytes of the published event) read by one
    more client of `url`, or None if it never came within `timeout`. The client waits for
    `ready` (bytes the server sends as a stream opens) and then `settle` seconds, so that the
    event reaches it through the server's live fan-out, not a catch-up read at connect."""
    import httpx

    try:
        return _delivery_s(url, publish, ready, event, headers, settle, timeout)
    except httpx.TimeoutException:  # an overloaded server may not even answer within `timeout`
        return None


def _delivery_s(
    url: str,
    publish: Callable[[], None],
    ready: bytes,
    event: bytes,
    headers: Mapping[str, str] | None,
    settle: float,
    timeout: float,
) -> float | None:
    import httpx

    with (
        httpx.Client(timeout=httpx.Timeout(timeout)) as http,
        http.stream("GET", url, headers={"Accept": "text/event-stream", **(headers or {})}) as response,
    ):
        response.raise_for_status()
        chunks = response.iter_raw()
        seen = b""
        for data in chunks:
            seen += data
            if ready in seen:
                break
        time.sleep(settle)
        published = time.monotonic()
        publish()
        seen = b""
        try:
            for data in chunks:  # heartbeats keep coming: check the clock, not only the read timeout
                seen = seen[-len(event) :] + data
                if event in seen:
                    return time.monotonic() - published
                if time.monotonic() - published > timeout:
                    break
        except httpx.ReadTimeout:
            pass
    return None


def hold_idle(
    url_template: Url,
    n: int,
    *,
    worker_pid: int,
    interval: float,
    hold: float,
    heartbeat: bytes,
    headers: Headers | None = None,
    warm: Callable[[], None] | None = None,
    redis_port: int = 6379,
    concurrency: int = 200,
    connect_timeout: float = 60.0,
    while_held: Callable[[], dict[str, Any]] | None = None,
) -> tuple[dict[str, Any], IdleClients]:
    """`n` idle clients held `hold` seconds on one worker process (`worker_pid`), with what they
    cost it: the worker's PSS warm (after `warm()`, one stream opened and closed, so imports and
    the fan-out exist) and with every client connected, per client, and the worker's connections
    to Redis before and after. `while_held()` runs after the hold with every client still
    connected, its figures added to the summary. Returns the figures and the (closed) clients."""
    from bench import harness

    if warm is not None:
        warm()
    time.sleep(0.5)
    before = harness.pss_mib(worker_pid)
    redis_before = harness.redis_connections(worker_pid, redis_port)
    with IdleClients(
        url_template, n, headers=headers, heartbeat=heartbeat, concurrency=concurrency,
        connect_timeout=connect_timeout,
    ) as clients:  # fmt: skip
        held = harness.pss_mib(worker_pid)
        redis_held = harness.redis_connections(worker_pid, redis_port)
        clients.hold(hold)
        after = harness.pss_mib(worker_pid)
        redis_after = harness.redis_connections(worker_pid, redis_port)
        summary = clients.summary()
        summary["heartbeat_gaps"] = clients.heartbeat_gaps(interval)
        if while_held is not None:
            summary.update(while_held())
    # The larger of the two: the hold's heartbeats may allocate more (or the collector free some).
    grown = max(held, after) - before
    per_client_kib = grown * 1024 / max(summary["connected"], 1)
    # Streams the server ended meanwhile freed some of what they took, but not all of it (the
    # allocator keeps it): per stream still open is then an upper bound, per client a lower one.
    still_open = summary["connected"] - summary["closed_by_server"]
    summary.update(
        hold_s=hold,
        pss_before_mib=round(before, 1), pss_held_mib=round(held, 1), pss_after_hold_mib=round(after, 1),
        pss_grown_mib=round(grown, 1), pss_per_client_kib=round(per_client_kib, 1), open_at_end=still_open,
        pss_per_open_stream_kib=round(grown * 1024 / max(still_open, 1), 1),
        redis_connections={"warm": redis_before, "connected": redis_held, "after_hold": redis_after},
    )  # fmt: skip
    return summary, clients
