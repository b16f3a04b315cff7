"""Proves the peer works, per worker class, and gives its figures' order of magnitude:

1. order: 20 events published from this process arrive in order, ids ``<channel>:1..20``;
2. resume: a client that left after event 10 reconnects with ``Last-Event-ID: <channel>:10`` and
   gets 11..20, which were published while it was away;
3. latency: one stream, 200 events 15 ms apart, publish() called -> event parsed by httpx-sse;
4. idle: N idle streams held by one worker, their PSS per client and keep-alives seen.

    python -m project.localredis --db 10 -- python -m bench.peer.smoke
    python -m bench.peer.smoke --worker-class gevent --idle 1000 --idle 5000   # REDIS_URL set

Writes var/bench/peer_smoke.json. Informal: the comparison benchmarks re-measure all of it.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import bench.peer as peer
from bench import harness
from bench.sse_clients import EVENTSTREAM_KEEPALIVE, hold_idle, raise_open_files_limit

APPS = {"gthread": "bench.peer.wsgi", "gevent": "bench.peer.wsgi", "asgi": "bench.peer.asgi"}
CONFIG = "bench/peer/gunicorn.conf.py"
THREADS = 8  # as Outliner's gthread runs (bench.harness.start_gunicorn's default)
CONNECTIONS = 12000  # room for bench/capacity.py --sizes 10000


@contextmanager
def peer_server(worker_class: str) -> Iterator[tuple[int, Any]]:
    from project.localredis import free_port

    port = free_port()
    server = harness.start_gunicorn(
        port, worker_class=worker_class, threads=THREADS, connections=CONNECTIONS, app=APPS[worker_class],
        config=CONFIG, env=peer.env(), name=f"peer-{worker_class}",
    )  # fmt: skip
    try:
        yield port, server
    finally:
        harness.stop(server)


@contextmanager
def stream(url: str, last_event_id: str | None = None) -> Iterator[Iterator[tuple[float, Any]]]:
    """An SSE stream read with httpx-sse, from its stream-open on: (arrival time, chunk event)."""
    import httpx
    from httpx_sse import connect_sse

    headers = {"Last-Event-ID": last_event_id} if last_event_id else {}
    with (
        httpx.Client(timeout=httpx.Timeout(30, connect=10)) as client,
        connect_sse(client, "GET", url, headers=headers) as source,
    ):
        events = source.iter_sse()
        for sse in events:
            if sse.event == "stream-open":
                break
        yield ((time.time(), sse) for sse in events if sse.event == "chunk")


def in_background(target: Any) -> threading.Thread:
    """Runs the producer beside the reading, as the Celery worker runs beside the web process."""
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def reap(channel: str) -> None:
    """Ends the server side of streams a client closed on `channel`. The server only learns of a
    closed client when a write fails (the first write after the close usually still succeeds),
    and until then the stream holds its gthread thread: up to the 20 s keep-alive."""
    from bench.peer.producer import publish

    for _ in range(2):
        publish(channel, "reap")
        time.sleep(0.2)


def check_order_and_resume(port: int) -> dict[str, Any]:
    from bench.peer.producer import publish

    channel = f"smoke-{uuid.uuid4().hex[:8]}"
    url = f"http://127.0.0.1:{port}/events/{channel}/"
    with stream(url) as events:
        producer = in_background(lambda: [publish(channel, f"chunk {i}") for i in range(1, 21)])
        got = [sse for _, sse in itertools.islice(events, 20)]
        producer.join()
    ids = [sse.id for sse in got]
    texts = [json.loads(sse.data)["text"] for sse in got]
    expected = range(1, 21)
    in_order = ids == [f"{channel}:{i}" for i in expected] and texts == [f"chunk {i}" for i in expected]

    # Resume: the client saw 1..20 and left; 21..30 are published while it is away, 31 after.
    for i in range(21, 31):
        publish(channel, f"chunk {i}")
    with stream(url, last_event_id=ids[-1]) as events:
        replayed = [sse.id for _, sse in itertools.islice(events, 10)]
        publish(channel, "chunk 31")
        replayed += [sse.id for _, sse in itertools.islice(events, 1)]
    reap(channel)
    resume_ok = replayed == [f"{channel}:{i}" for i in range(21, 32)]
    print(f"  order: {'ok' if in_order else 'WRONG ' + str(ids)}; resume: {'ok' if resume_ok else replayed}")
    return {"in_order": in_order, "resume_ok": resume_ok}


def latency(port: int, events: int = 200, interval: float = 0.015) -> dict[str, Any]:
    from bench.peer.producer import publish

    def produce() -> None:
        for _ in range(events):
            publish(channel, f"{time.time():.6f}")
            time.sleep(interval)

    channel = f"latency-{uuid.uuid4().hex[:8]}"
    with stream(f"http://127.0.0.1:{port}/events/{channel}/") as chunks:
        producer = in_background(produce)
        got = list(itertools.islice(chunks, events))
        producer.join()
    reap(channel)
    values = [(received - float(json.loads(sse.data)["text"])) * 1000 for received, sse in got]
    figures = harness.distribution(values, digits=2)
    print(f"  latency ms: p50 {figures['p50']} p99 {figures['p99']} max {figures['max']}")
    return figures


KEEPALIVE_S = 20.0  # django-eventstream's keep-alive (django_eventstream/views.py), not a setting


def idle(
    port: int,
    server: Any,
    n: int,
    hold: float,
    connect_timeout: float,
    *,
    run: str | None = None,
    while_held: Callable[[], dict[str, Any]] | None = None,
    concurrency: int = 200,
) -> dict[str, Any]:
    """`n` idle clients on channels ``idle-<run>-<i>`` (bench.sse_clients.hold_idle)."""
    # Channel names are unique per run: Redis pub/sub ignores the database number, so a peer run
    # by someone else on the same Redis server hears our `events_channel` messages (and we theirs).
    run = run or uuid.uuid4().hex[:8]

    def warm() -> None:
        # One stream opened and closed: the loop, the pub/sub subscriber and django-eventstream's
        # imports exist before the baseline, so the difference is the clients.
        with stream(f"http://127.0.0.1:{port}/events/warm-{run}/"):
            pass
        reap(f"warm-{run}")

    summary, _ = hold_idle(
        f"http://127.0.0.1:{port}/events/idle-{run}-{{i}}/", n, worker_pid=harness.worker_pid(server),
        interval=KEEPALIVE_S, hold=hold, heartbeat=EVENTSTREAM_KEEPALIVE, warm=warm,
        redis_port=redis_port(), connect_timeout=connect_timeout, while_held=while_held,
        concurrency=concurrency,
    )  # fmt: skip
    print(
        f"  idle {n}: connected {summary['connected']} failed {summary['failed']} {summary['errors']}"
        f" in {summary['connect_all_s']} s; PSS {summary['pss_before_mib']} -> {summary['pss_held_mib']}"
        f" -> {summary['pss_after_hold_mib']} MiB ({summary['pss_per_client_kib']} KiB/client);"
        f" keep-alives/client {summary.get('heartbeats', {}).get('p50')}"
    )
    return summary


def redis_port() -> int:
    from urllib.parse import urlsplit

    return urlsplit(peer.env()["REDIS_URL"]).port or 6379


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker-class", action="append", choices=sorted(APPS))
    parser.add_argument("--idle", action="append", type=int, help="idle clients to hold (repeatable)")
    parser.add_argument("--hold", type=float, default=25.0, help="seconds to hold them (keep-alive: 20 s)")
    args = parser.parse_args()
    raise_open_files_limit()  # before gunicorn starts: it inherits the limit
    os.environ.update(peer.env())
    from bench.peer.producer import setup

    setup()
    report: dict[str, Any] = {}
    for worker_class in args.worker_class or ["gthread", "gevent"]:
        print(f"{worker_class}:")
        # A gthread stream holds a thread, so it holds `threads` streams; twice that shows it.
        sizes = [2 * THREADS] if worker_class == "gthread" else (args.idle or [1000, 5000])
        timeout = 5.0 if worker_class == "gthread" else 60.0
        entry: dict[str, Any] = {"idle": []}
        for index, n in enumerate(sizes):
            # A fresh server per size: closed clients linger server-side until the next keep-alive
            # write fails, and freed memory is not given back, so a reused worker would mix sizes.
            with peer_server(worker_class) as (port, server):
                if index == 0:
                    entry.update(check_order_and_resume(port))
                    entry["latency_ms"] = latency(port)
                entry["idle"].append(idle(port, server, n, args.hold, timeout))
        report[worker_class] = entry
    print(harness.write_report("peer_smoke", report))


if __name__ == "__main__":
    main()
