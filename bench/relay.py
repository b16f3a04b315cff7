"""What the relay (analyzer step -> Redis Stream -> the web process's stream reader -> SSE over HTTP)
costs, measured side by side in one run:

- latency: a fake provider emits tokens stamped with the time they were made, one every
  INTERVAL. Path "direct" reads such a provider straight (in the client process, the same
  asyncio loop as the other clients); path "relayed" runs the real worker service
  (`services.outline_generate`) with it in a producer process and reads each task's SSE
  stream from a real gunicorn with an SSE client (httpx-sse). Chunk coalescing flushes every
  token so each token's latency is seen. Added by the relay = relayed - direct, at 1 stream and
  at 200 streams open at once.
- throughput: a producer writes chunks as fast as it can to 50 streams, each read by a client;
  the figure is chunks relayed per second of the web process's CPU time (the producer, the
  clients and Redis share the same 2 cores, so wall-clock rate understates what the web
  process does) and per wall-clock second.

Writes var/bench/relay.json and relay.png.

    make bench          # all of bench/; or:
    python -m project.localredis --db 14 -- python bench/relay.py [--worker-class gevent]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import harness

harness.configure(OUTLINE_CHUNK_CHARS="1", SSE_HEARTBEAT_SECONDS="5")

import httpx  # noqa: E402
import psutil  # noqa: E402
from httpx_sse import aconnect_sse  # noqa: E402

from documents.llm import Prompt, Provider, StreamUsage  # noqa: E402
from documents.relay import StreamWriter  # noqa: E402
from ops.redis_pool import redis_client  # noqa: E402
from project.localredis import free_port  # noqa: E402

GO_KEY = "bench:relay:go"  # the producer starts once every client is connected
SECTIONS = 5


class TimestampProvider(Provider):
    """A Provider (documents/llm/) that emits `@<unix time>|` every `interval` seconds.

    It also notes how long the worker service took over each token before it asked for the next
    (coalescing, the XADD, a database snapshot): in `handled_ms`, the producer's part of a token's
    latency (an upper bound: the token is in Redis before the snapshot)."""

    def __init__(self, tokens: int, interval: float, handled_ms: list[float] | None = None) -> None:
        self.tokens, self.interval = tokens, interval
        self.handled_ms = handled_ms if handled_ms is not None else []

    def deltas(self, prompt: Prompt, *, should_stop: Callable[[], bool], usage: StreamUsage) -> Iterator[str]:
        for _ in range(self.tokens):
            time.sleep(self.interval)
            made = time.time()
            yield f"@{made:.6f}|"
            self.handled_ms.append((time.time() - made) * 1000)


def _latencies(received: list[tuple[float, str]]) -> list[float]:
    return [
        (at - float(part[1:])) * 1000
        for at, text in received
        for part in text.split("|")
        if part.startswith("@")
    ]


# ------------------------------------------------------------------ producer process
def produce(task_ids: list[int], tokens: int, interval: float) -> None:
    """Run the worker service for each task in a thread of its own, once the clients are ready;
    then write the producer's handling time per token to _handled_path(task_ids)."""
    from documents import services

    client = redis_client()
    while not client.exists(GO_KEY):
        time.sleep(0.01)
    handled_ms: list[float] = []  # list.append is atomic: the threads share it
    threads = [
        threading.Thread(
            target=services.outline_generate,
            kwargs={"task_id": task_id, "provider": TimestampProvider(tokens, interval, handled_ms)},
        )
        for task_id in task_ids
    ]
    for thread in threads:
        thread.start()
        time.sleep(interval / len(threads))  # spread the streams' tokens over the interval
    for thread in threads:
        thread.join()
    _handled_path(task_ids).write_text(json.dumps(handled_ms))


def _handled_path(task_ids: list[int]) -> Path:
    return harness.WORKDIR / f"producer-handled-{task_ids[0]}-{len(task_ids)}.json"


def flood(task_ids: list[int], chunks: int) -> None:
    """Write `chunks` chunk events round-robin over the tasks' streams, as fast as one process can."""
    client = redis_client()
    while not client.exists(GO_KEY):
        time.sleep(0.01)
    writers = [StreamWriter(task_id) for task_id in task_ids]
    # A batch per stream per round trip: one process's emit() round trips would be the limit.
    per_stream, batch = chunks // len(writers), 20
    for start in range(0, per_stream, batch):
        for writer in writers:
            writer.emit_many("chunk", [{"text": "要点 key point, "}] * min(batch, per_stream - start))
    for writer in writers:
        writer.emit("done", status="succeeded")


# ------------------------------------------------------------------ client side
async def _direct_stream(tokens: int, interval: float, received: list[tuple[float, str]]) -> None:
    async def timestamped() -> AsyncIterator[str]:
        for _ in range(tokens):
            await asyncio.sleep(interval)
            yield f"@{time.time():.6f}|"

    for _ in range(SECTIONS):
        async for token in timestamped():
            received.append((time.time(), token))


async def _sse_stream(
    client: httpx.AsyncClient, task_id: int, received: list[tuple[float, str]], ready: asyncio.Event
) -> None:
    async with aconnect_sse(client, "GET", f"/api/v1/tasks/{task_id}/stream") as source:
        ready.set()
        async for sse in source.aiter_sse():
            if sse.event == "chunk":
                received.append((time.time(), json.loads(sse.data)["text"]))
            elif sse.event in {"done", "error"}:
                return


async def _peer_stream(
    client: httpx.AsyncClient,
    channel: str,
    expected: int,
    received: list[tuple[float, str]],
    ready: asyncio.Event,
) -> None:
    async with aconnect_sse(client, "GET", f"/events/{channel}/") as source:
        async for sse in source.aiter_sse():
            if sse.event == "stream-open":  # django-eventstream's first event: listening
                ready.set()
            elif sse.event == "chunk":
                received.append((time.time(), json.loads(sse.data)["text"]))
                if len(received) == expected:
                    return


async def _count_stream(
    client: httpx.AsyncClient, task_id: int, counts: list[int], ready: asyncio.Event
) -> None:
    async with client.stream("GET", f"/api/v1/tasks/{task_id}/stream") as response:
        ready.set()
        pending = b""
        async for data in response.aiter_raw():
            complete, _, pending = (pending + data).rpartition(b"\n\n")  # whole frames only
            counts.append(complete.count(b"\nevent: chunk\n"))
            if b"\nevent: done\n" in complete:
                return


def _client(port: int, token: str, streams: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=httpx.Timeout(60),
        limits=httpx.Limits(max_connections=streams + 10),
    )


def _new_tasks(user, document, count: int) -> list[int]:  # noqa: ANN001
    from documents.models import OutlineTask

    ids = []
    for _ in range(count):
        task = OutlineTask.objects.create(owner=user, document=document)  # no Celery: the producer runs it
        StreamWriter(task.pk).reset()  # ids restart with each bench database
        ids.append(task.pk)
    return ids


def _producer(mode: str, task_ids: list[int], *args: object) -> subprocess.Popen:
    command = [sys.executable, __file__, mode, ",".join(map(str, task_ids)), *map(str, args)]
    return harness.start(command, log=harness.WORKDIR / f"{mode}-{len(task_ids)}.log")


Reader = Callable[[httpx.AsyncClient, int, list[tuple[float, str]], asyncio.Event], Awaitable[None]]


def _side_by_side(
    client: Callable[[], httpx.AsyncClient], read: Reader, streams: int, tokens: int, interval: float
) -> dict[str, list[float]]:
    """Open `streams` readers (each sets its event once it listens), start the producer (GO_KEY),
    and read the direct path alongside, in the same loop: the same client-side load."""

    async def run() -> dict[str, list[float]]:
        direct: list[list[tuple[float, str]]] = [[] for _ in range(streams)]
        relayed: list[list[tuple[float, str]]] = [[] for _ in range(streams)]
        async with client() as http:
            readies = [asyncio.Event() for _ in range(streams)]
            readers = [asyncio.create_task(read(http, i, relayed[i], readies[i])) for i in range(streams)]
            await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 60)
            redis_client().set(GO_KEY, 1)
            # Bounded: a stream that never gets all its tokens (a producer that failed) ends the run.
            await asyncio.wait_for(
                asyncio.gather(
                    *readers, *(_direct_stream(tokens, interval, direct[i]) for i in range(streams))
                ),
                timeout=2 * tokens * SECTIONS * interval + 60,
            )
        return {
            "direct_ms": [ms for stream in direct for ms in _latencies(stream)],
            "relayed_ms": [ms for stream in relayed for ms in _latencies(stream)],
        }

    return asyncio.run(run())


def latency_round(port: int, token: str, user, document, streams: int, tokens: int, interval: float) -> dict:  # noqa: ANN001
    task_ids = _new_tasks(user, document, streams)
    redis_client().delete(GO_KEY)
    producer = _producer("produce", task_ids, tokens, interval)

    try:
        figures = _side_by_side(
            lambda: _client(port, token, streams),
            lambda http, i, out, ready: _sse_stream(http, task_ids[i], out, ready),
            streams, tokens, interval,
        )  # fmt: skip
        producer.wait(timeout=30)  # it writes what it measured, then exits
    finally:
        harness.stop(producer)
    figures["producer_ms"] = json.loads(_handled_path(task_ids).read_text())
    relayed_ms = figures["relayed_ms"]
    expected = streams * tokens * SECTIONS
    if len(relayed_ms) != expected:
        raise RuntimeError(f"{len(relayed_ms)} of {expected} relayed tokens arrived")
    return figures


def peer_latency_round(port: int, streams: int, tokens: int, interval: float) -> dict:
    """latency_round's measurement against django-eventstream (bench/peer/): its producer publishes
    the same stamped tokens with send_event from another process, its clients read the same way."""
    import uuid

    from bench import peer

    channels = [f"relay-{uuid.uuid4().hex[:8]}-{i}" for i in range(streams)]  # pub/sub ignores the db
    redis_client().delete(GO_KEY)
    command = [
        sys.executable,
        "-m",
        "bench.peer.producer",
        ",".join(channels),
        str(tokens * SECTIONS),
        str(interval),
    ]
    producer = harness.start(
        command,
        log=harness.WORKDIR / f"peer-produce-{streams}.log", env=peer.env(os.environ["REDIS_URL"]),
    )  # fmt: skip

    try:
        return _side_by_side(
            lambda: httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", timeout=httpx.Timeout(60),
                limits=httpx.Limits(max_connections=streams + 10),
            ),
            lambda http, i, out, ready: _peer_stream(http, channels[i], tokens * SECTIONS, out, ready),
            streams, tokens, interval,
        )  # fmt: skip
    finally:
        harness.stop(producer)


def throughput_round(
    port: int, token: str, user, document, web: psutil.Process, streams: int, chunks: int
) -> dict:  # noqa: ANN001
    task_ids = _new_tasks(user, document, streams)
    redis_client().delete(GO_KEY)
    producer = _producer("flood", task_ids, chunks)
    counts: list[int] = []

    async def run() -> tuple[float, float]:
        async with _client(port, token, streams) as client:
            readies = [asyncio.Event() for _ in task_ids]
            readers = [
                asyncio.create_task(_count_stream(client, t, counts, readies[i]))
                for i, t in enumerate(task_ids)
            ]
            await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 60)
            cpu_before = sum(web.cpu_times()[:2])
            started = time.perf_counter()
            redis_client().set(GO_KEY, 1)
            await asyncio.gather(*readers)
            return time.perf_counter() - started, sum(web.cpu_times()[:2]) - cpu_before

    try:
        wall_s, cpu_s = asyncio.run(run())
    finally:
        harness.stop(producer)
    relayed = sum(counts)
    chunks = chunks // streams * streams
    if relayed != chunks:
        raise RuntimeError(f"{relayed} of {chunks} chunks arrived")
    return {
        "streams": streams,
        "chunks": chunks,
        "wall_seconds": round(wall_s, 3),
        "web_cpu_seconds": round(cpu_s, 3),
        "chunks_per_wall_second": round(chunks / wall_s),
        "chunks_per_web_cpu_second": round(chunks / cpu_s),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker-class", default="gevent", choices=["gevent", "gthread"])
    parser.add_argument("--streams", type=int, nargs="*", default=[1, 200])
    parser.add_argument("--interval-ms", type=float, default=15, help="token interval at 1 stream")
    parser.add_argument(
        # 200 streams x 1 token/s is 1,000 events/s written: the producer process (200 worker threads,
        # one process) keeps up; at 5 tokens/s each it fell behind and its backlog was measured.
        "--many-interval-ms",
        type=float,
        default=1000,
        help="token interval per stream at 200",
    )
    parser.add_argument("--tokens", type=int, default=40, help="tokens per section (5 sections)")
    parser.add_argument("--many-tokens", type=int, default=10, help="tokens per section at 200 streams")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--flood-chunks", type=int, default=100_000)
    parser.add_argument("--no-peer", dest="peer", action="store_false", help="skip django-eventstream")
    args = parser.parse_args()

    user, token = harness.bench_user()
    document = harness.bench_document(user, sections=SECTIONS)
    port, peer_port = free_port(), free_port()
    server = harness.start_gunicorn(port, worker_class=args.worker_class, threads=256, connections=1000)
    web = psutil.Process(server.pid).children()[0]
    peer_server = None
    if args.peer:
        from bench import peer

        peer_server = harness.start_gunicorn(
            peer_port, worker_class=args.worker_class, threads=256, connections=1000, app="bench.peer.wsgi",
            config="bench/peer/gunicorn.conf.py", env=peer.env(os.environ["REDIS_URL"]), name="peer",
        )  # fmt: skip
    latency: dict[str, dict] = {}
    peer_latency: dict[str, dict] = {}
    samples: dict[str, dict[str, list[float]]] = {}

    def figures(direct: list[float], relayed: list[float], interval: float, streams: int) -> dict:
        d, r = harness.distribution(direct), harness.distribution(relayed)
        return {
            "token_interval_ms": interval * 1000,
            "tokens_per_second_total": round(streams / interval),
            "direct_ms": d,
            "relayed_ms": r,
            "added_ms": {q: round(r[q] - d[q], 3) for q in ("p50", "p95", "p99")},
        }

    try:
        for streams in args.streams:
            interval = (args.interval_ms if streams == 1 else args.many_interval_ms) / 1000
            tokens = args.tokens if streams == 1 else args.many_tokens
            ours: dict[str, list[float]] = {"direct_ms": [], "relayed_ms": []}
            theirs: dict[str, list[float]] = {"direct_ms": [], "relayed_ms": []}
            for _ in range(args.rounds):  # interleaved: both under the same conditions
                for key, values in latency_round(
                    port, token, user, document, streams, tokens, interval
                ).items():
                    ours.setdefault(key, []).extend(values)
                if peer_server is not None:
                    for key, values in peer_latency_round(peer_port, streams, tokens, interval).items():
                        theirs[key] += values
            label = f"{streams} stream{'s' if streams > 1 else ''}"
            latency[str(streams)] = figures(ours["direct_ms"], ours["relayed_ms"], interval, streams)
            # What of the added latency the worker side (the producer) takes before the web side.
            latency[str(streams)]["producer_handled_ms"] = harness.distribution(ours["producer_ms"])
            samples[f"direct\n{label}"] = ours["direct_ms"]
            samples[f"Outliner\n{label}"] = ours["relayed_ms"]
            if peer_server is not None:
                peer_latency[str(streams)] = figures(
                    theirs["direct_ms"], theirs["relayed_ms"], interval, streams
                )
                samples[f"eventstream\n{label}"] = theirs["relayed_ms"]
        throughput = throughput_round(port, token, user, document, web, 50, args.flood_chunks)
    finally:
        harness.stop(server)
        if peer_server is not None:
            harness.stop(peer_server)

    verdicts = []
    if "1" in latency:
        added = latency["1"]["added_ms"]
        verdicts.append(harness.verdict(
            "relay adds <= 2 ms p50 and <= 10 ms p99 at 1 stream",
            f"p50 +{added['p50']} ms, p99 +{added['p99']} ms", added["p50"] <= 2 and added["p99"] <= 10,
        ))  # fmt: skip
    many = [k for k in latency if k != "1"]
    for key in many:
        added = latency[key]["added_ms"]
        verdicts.append(harness.verdict(
            f"relay adds <= 50 ms p99 at {key} streams", f"p99 +{added['p99']} ms (p50 +{added['p50']} ms)",
            added["p99"] <= 50,
        ))  # fmt: skip
    verdicts.append(harness.verdict(
        ">= 20,000 chunks/s relayed by one web process",
        f"{throughput['chunks_per_web_cpu_second']} per web CPU-second, "
        f"{throughput['chunks_per_wall_second']} per wall second (all on the same 2 cores)",
        throughput["chunks_per_web_cpu_second"] >= 20_000,
    ))  # fmt: skip
    report = {
        "server": f"gunicorn {args.worker_class}, 1 worker",
        "sections_per_task": SECTIONS,
        "tokens_per_section": {"1 stream": args.tokens, "more streams": args.many_tokens},
        "rounds": args.rounds,
        "latency_by_streams": latency,
        "peer": "django-eventstream 5.3.4, RedisStorage + pub/sub, same gunicorn (bench/peer/)",
        "peer_latency_by_streams": peer_latency,
        "throughput": throughput,
        "verdicts": verdicts,
    }

    def draw(axes) -> None:  # noqa: ANN001
        axes.boxplot(list(samples.values()), tick_labels=list(samples), showfliers=False, whis=(1, 99))
        axes.set_ylabel("token made -> token read by the client (ms)")
        axes.set_title(
            f"Relay latency: direct, Outliner, django-eventstream (gunicorn {args.worker_class}; p1-p99)"
        )

    print(f"report: {harness.write_report('relay', report, draw if samples else None)}")
    for streams, figures in latency.items():
        print(
            f"{streams:>4} streams: direct {figures['direct_ms']}\n{'':>13} relayed {figures['relayed_ms']}"
            f"\n{'':>13} producer {figures['producer_handled_ms']}"
        )
    print(f"throughput: {throughput}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in {"produce", "flood"}:
        ids = [int(i) for i in sys.argv[2].split(",")]
        if sys.argv[1] == "produce":
            produce(ids, int(sys.argv[3]), float(sys.argv[4]))
        else:
            flood(ids, int(sys.argv[3]))
    else:
        main()
