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

``marks`` (byte strings, each unique to one event: its text) makes every client also keep when
it first read each of them (``Client.marked``) and when the kernel received their bytes
(``Client.arrived``), split across reads or not, as heartbeats are. ``fan_out()`` uses them to
time one event's fan-out to all `n` clients of one stream, with the emitter in this process too,
so the same clocks time both ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
import socket
import statistics
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
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
    marked: dict[bytes, float] = field(default_factory=dict)  # mark -> time.monotonic() of its first read
    arrived: dict[bytes, float] = field(default_factory=dict)  # mark -> the kernel's time.time() of its bytes

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
        marks: Sequence[bytes] = (),
        concurrency: int = 200,
        connect_timeout: float = 30.0,
    ) -> None:
        self.url_template = url_template
        self.n = n
        self.headers = headers or {}
        self.heartbeat = heartbeat
        self.marks = tuple(marks)
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
        run = self._run_marked if self.marks else self._run
        self._tasks = [asyncio.create_task(run(c, gate, answered[c.index])) for c in self.clients]
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
        scanner = _Scanner(client, self.heartbeat, self.marks)
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while data := await reader.read(65536):
                scanner.feed(data, time.monotonic())
            client.closed_by_server = True
            client.error = client.error or "closed by server"

    async def _run_marked(self, client: Client, gate: asyncio.Semaphore, done: asyncio.Event) -> None:
        """_run for clients that time marks: a plain non-blocking socket read in a reader callback,
        with recvmsg, so each read also carries the kernel's receive timestamp (SO_TIMESTAMPNS).
        When a server writes one event to thousands of streams, they all become readable at once
        and this one loop reads them in turn. Through _run's stream readers (a task wake-up per
        read) the last of 5,000 read a trivial server's frame 380 ms after it was sent; in a
        callback, 90 ms, of which the kernel's stamps put 80 ms on the server's writing."""
        loop = asyncio.get_running_loop()
        host, port, request = self._request(client.index)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        # Before the first byte: the kernel stamps what arrives once a socket asked for it.
        sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        try:
            try:
                async with gate:
                    started = time.monotonic()
                    try:
                        async with asyncio.timeout(self.connect_timeout):
                            await loop.sock_connect(sock, (host, port))
                            await loop.sock_sendall(sock, request)
                            head = b""
                            while b"\r\n\r\n" not in head:
                                if not (data := await loop.sock_recv(sock, 65536)):
                                    raise asyncio.IncompleteReadError(head, None)
                                head += data
                    except TimeoutError:
                        client.error = "timeout"
                        return
                    except (OSError, asyncio.IncompleteReadError) as error:
                        client.error = type(error).__name__
                        return
                    client.connected_at = time.monotonic()
                    client.connect_s = client.connected_at - started
                    head, _, rest = head.partition(b"\r\n\r\n")
                    status_line = head.split(b"\r\n", 1)[0].split()
                    client.status = int(status_line[1]) if len(status_line) > 1 else None
                    if client.status != 200:
                        client.error = f"http {client.status}"
                        return
            finally:
                done.set()
            scanner = _Scanner(client, self.heartbeat, self.marks)
            scanner.feed(rest, client.connected_at, time.time())
            ended = loop.create_future()
            ancillary = socket.CMSG_SPACE(_TIMESPEC.size)

            def readable() -> None:
                try:
                    data, cmsgs, _, _ = sock.recvmsg(65536, ancillary)
                except (BlockingIOError, InterruptedError):
                    return
                except OSError:
                    data = b""
                now = time.monotonic()
                if not data:
                    loop.remove_reader(sock.fileno())
                    if not ended.done():
                        ended.set_result(None)
                    return
                # The one control message asked for: the timestamp (absent only if stamping failed).
                scanner.feed(data, now, _stamp(cmsgs[0][2]) if cmsgs else time.time())

            loop.add_reader(sock.fileno(), readable)
            try:
                await ended
            finally:
                loop.remove_reader(sock.fileno())
            client.closed_by_server = True
            client.error = client.error or "closed by server"
        finally:
            sock.close()


# Linux's SO_TIMESTAMPNS (asm-generic/socket.h; the socket module lacks it), also its control
# message's type: a struct timespec of the wall-clock time the kernel received the data.
SO_TIMESTAMPNS = 35
_TIMESPEC = struct.Struct("@qq")


def _stamp(raw: bytes) -> float:
    seconds, nanoseconds = _TIMESPEC.unpack_from(raw)
    return seconds + nanoseconds / 1e9


class _Scanner:
    """One client's body, a read at a time: counts heartbeats and records the first read of each
    mark. A marker split across two reads counts once (a tail of the last read is kept)."""

    def __init__(self, client: Client, heartbeat: bytes, marks: tuple[bytes, ...]) -> None:
        self.client = client
        self.heartbeat = heartbeat
        self.marks = marks
        self.tail = b""
        self.mark_tail = b""
        # A mark is recorded once, so its tail may hold a whole one (the longest mark's length).
        self.keep = max(map(len, marks), default=1) - 1

    def feed(self, data: bytes, now: float, arrived: float | None = None) -> None:
        """`now`: time.monotonic() of the read; `arrived`: the kernel's time.time() of the data."""
        client = self.client
        client.bytes += len(data)
        window = self.tail + data
        if count := window.count(self.heartbeat):
            client.heartbeats += count
            client.beats += [now] * count
        # Keep less than one marker, so a marker split across reads is counted once.
        self.tail = window[-(len(self.heartbeat) - 1) :]
        marks, marked = self.marks, client.marked
        if marks and len(marked) < len(marks):
            window = self.mark_tail + data
            for mark in marks:
                if mark not in marked and mark in window:
                    marked[mark] = now
                    if arrived is not None:
                        client.arrived[mark] = arrived
            self.mark_tail = window[-self.keep :] if self.keep else b""


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


class _CpuSampler:
    """A process's CPU time (user + system), sampled every `every` s in a thread of its own, so
    how busy it was over a past window can be asked afterwards. A sample reads /proc: cheap
    beside the clients' loop, with which it shares this process's GIL. The kernel counts CPU
    time in 10 ms ticks and a window widens to the samples around it, so a window of tens of ms
    reads low: the figure means something for fan-outs of hundreds of ms."""

    def __init__(self, pid: int, every: float = 0.02) -> None:
        import psutil

        self.process = psutil.Process(pid)
        self.every = every
        self.samples: list[tuple[float, float]] = []  # (time.monotonic(), CPU seconds)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cpu-sampler", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                times = self.process.cpu_times()
            except psutil.Error:
                return
            self.samples.append((time.monotonic(), times.user + times.system))
            self._stop.wait(self.every)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def busy(self, start: float, end: float) -> float | None:
        """CPU seconds per second over [start, end], widened to the samples around it (1.0: one
        core all the time); None without two samples there."""
        before = [s for s in self.samples if s[0] <= start][-1:]
        after = [s for s in self.samples if s[0] >= end][:1]
        if not before or not after or after[0][0] <= before[0][0]:
            return None
        (t0, c0), (t1, c1) = before[0], after[0]
        return round((c1 - c0) / (t1 - t0), 2)


def fanout_text(k: int) -> str:
    """Event `k`'s text, and with it its mark: unique, and safe in JSON (no quote, no escape), so
    its bytes on the wire are these whatever the server's encoder."""
    return f"[fan-out {k}]"


def fan_out(
    url_template: Url,
    n: int,
    *,
    emit: Callable[[str], None],
    heartbeat: bytes,
    headers: Headers | None = None,
    events: int = 5,
    spacing: float = 1.0,
    settle: float = 5.0,
    timeout: float = 10.0,
    concurrency: int = 200,
    connect_timeout: float = 60.0,
    worker_pid: int | None = None,
) -> dict[str, Any]:
    """One event fanned out to `n` clients of one stream, timed on every client: the clients
    connect, idle `settle` seconds (the server's work of connecting them is over), then `events`
    events go out `spacing` seconds apart, each by `emit(text)` with a text of its own. Per event:
    the clients that read it within `timeout` s of the last emit, and the lag from the call of
    `emit` to each client's copy, in ms, whose max is when the last reader had it:

    - read: until this process read the event's bytes (time.monotonic());
    - arrival: until the kernel received them on the client's socket, i.e. until the server had
      written them to that client. All clients wake at once and one event loop reads them in
      turn, so read = arrival + the bench's own turn-taking (~10 ms at 5,000), which a browser,
      with one stream of its own, never waits for.

    The emitter runs in this process, so the clocks are the clients' (the kernel's stamps are
    wall-clock time: each emit is taken on both clocks). With `worker_pid`, also how busy that
    process (the server's one worker) was: over the last second before the first emit (idle:
    heartbeats only) and, per event, from its emit until its last reader read it."""
    from bench.harness import distribution

    texts = [fanout_text(k) for k in range(1, events + 1)]
    marks = [text.encode() for text in texts]
    with IdleClients(
        url_template, n, headers=headers, heartbeat=heartbeat, marks=marks, concurrency=concurrency,
        connect_timeout=connect_timeout,
    ) as clients:  # fmt: skip
        cpu = _CpuSampler(worker_pid) if worker_pid is not None else None
        clients.hold(settle)
        live = [c for c in clients.clients if c.connected]
        emitted: list[tuple[float, float]] = []  # (monotonic, wall) just before each emit
        emit_ms: list[float] = []
        start = time.monotonic()
        for k, text in enumerate(texts):
            time.sleep(max(0.0, start + k * spacing - time.monotonic()))
            emitted.append((time.monotonic(), time.time()))
            emit(text)
            emit_ms.append((time.monotonic() - emitted[-1][0]) * 1000)
        # Polled seldom: the check walks every client, and holds the GIL the clients' loop needs.
        deadline = emitted[-1][0] + timeout
        while time.monotonic() < deadline and any(len(c.marked) < events for c in live):
            time.sleep(0.25)
        if cpu is not None:
            cpu.stop()
        summary = clients.summary()
    per_event: list[dict[str, Any]] = []
    for k, (mark, (at, wall)) in enumerate(zip(marks, emitted, strict=True)):
        got = [c for c in live if mark in c.marked]
        entry: dict[str, Any] = {"event": k + 1, "clients": len(got), "missed": len(live) - len(got),
                                 "emit_ms": round(emit_ms[k], 2)}  # fmt: skip
        if got:
            entry["arrival_lag_ms"] = distribution([(c.arrived[mark] - wall) * 1000 for c in got], digits=1)
            entry["read_lag_ms"] = distribution([(c.marked[mark] - at) * 1000 for c in got], digits=1)
            if cpu is not None:
                entry["worker_busy"] = cpu.busy(at, max(c.marked[mark] for c in got))
        per_event.append(entry)

    def median_of(lag: str, figure: str) -> float | None:
        # Over the events: one slow event (a heartbeat wave, a collection) is not the figure.
        values = [e[lag][figure] for e in per_event if lag in e]
        return round(statistics.median(values), 1) if values else None

    summary.update(
        events=events, spacing_s=spacing, settle_s=settle,
        reached_all=bool(live) and all(e["missed"] == 0 for e in per_event),
        per_event=per_event,
        worker_busy_idle=cpu.busy(emitted[0][0] - 1.0, emitted[0][0]) if cpu is not None else None,
        lag_ms={lag: {figure: median_of(f"{lag}_lag_ms", figure) for figure in ("min", "p50", "p99", "max")}
                for lag in ("arrival", "read")},
    )  # fmt: skip
    return summary
