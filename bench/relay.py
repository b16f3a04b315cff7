"""What the relay (analyzer step -> Redis Stream -> the web process's stream reader -> SSE over HTTP)
costs, measured side by side in one run:

- latency: a fake provider writes outline points, each ending with a token stamped with the time
  it was made (`... quarter @<unix time>.`), one point every INTERVAL. Path "direct" reads
  stamped tokens from an asyncio generator (in the client process, the same loop as the other
  clients); path "relayed" runs the real worker service (`services.outline_generate`) with the
  fake provider in a producer process and reads each task's SSE stream from a real gunicorn with
  an SSE client (httpx-sse). Since the reader's gates (issue 19) a point is streamed only once
  the model's whole answer has passed them, so the stamp is the answer's last token and its
  latency is the relay's plus the worker's check of the point (loop watch, tidy, the gates);
  the bench document's sections (a library renovation report) are long enough to need the model,
  and each point is a paraphrase of its section that passes every gate (a point that failed would
  be asked again and its stamp never arrive: the round fails). One section is prepared at a time
  (OUTLINE_PARALLEL=1), so a point never waits for the section before it, and chunk coalescing
  flushes every chunk. Added by the relay = relayed - direct, at 1 stream and at 200 streams
  open at once.
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
import re
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import harness

# One section prepared at a time: a point is streamed as soon as it has passed the gates, not after
# the section before it. One bench user runs all the round's tasks: the fair-share cap (tested in
# documents/tests) would hold all but one of them back.
harness.configure(
    OUTLINE_CHUNK_CHARS="1",
    SSE_HEARTBEAT_SECONDS="5",
    OUTLINE_PARALLEL="1",
    MAX_RUNNING_TASKS_PER_USER="100000",
)

import httpx  # noqa: E402
import psutil  # noqa: E402
from httpx_sse import aconnect_sse  # noqa: E402

from documents.llm import Prompt, Provider, StreamUsage  # noqa: E402
from documents.relay import StreamWriter  # noqa: E402
from ops.redis_pool import redis_client  # noqa: E402
from project.localredis import free_port  # noqa: E402

GO_KEY = "bench:relay:go"  # the producer starts once every client is connected
# A stamp: "@<unix time>" with microseconds, in a point ("... quarter @1765000000.123456.") and in
# the direct path's and django-eventstream's tokens ("@1765000000.123456|").
STAMP = re.compile(r"@(\d+\.\d{6})")

# The bench document's sections, repeated in this order (title, text, the point the fake provider
# writes for it). Each text is long enough to need the model (documents/outline_points.py) and gets
# one point; each point is a paraphrase of its text in its own words: it passes every gate
# (documents/quality.py: not copied, grounded in the document, English, a complete sentence,
# short, no loop) with a stamp at its end.
LIBRARY_REPORT = [
    ("Scope",
     "The renovation covers the main reading room, the children's wing and the archive basement. Work "
     "starts in March, and the building stays open on weekdays while the contractors move floor by floor.",
     "The renovation covers the reading room, the children's wing and the archive basement, floor by floor"),
    ("Budget",
     "The council approved a budget of 4.2 million euros, of which a fifth is held back for risks. "
     "Furniture and shelving come from a separate fund that the library friends raised over two years.",
     "A budget of 4.2 million euros was approved, a fifth of it held back for risks"),
    ("Schedule",
     "Demolition inside the archive basement takes six weeks. The reading room closes for the summer, "
     "and the children's wing reopens in October, before the autumn school term is halfway through.",
     "The reading room closes for the summer and the children's wing reopens in October"),
    ("Accessibility",
     "A new entrance ramp and a second lift replace the stairs at the east door. Shelves in the children's "
     "wing are lowered, and every desk in the reading room gets space for a wheelchair.",
     "A ramp and a second lift replace the east stairs, and reading room desks get wheelchair space"),
    ("Energy",
     "Heat pumps replace the old gas boilers, and the roof carries solar panels over the reading room. "
     "The energy audit expects the building to use forty percent less power once the windows are sealed.",
     "Heat pumps and solar panels should cut the building's power use by forty percent"),
    ("Archive",
     "Rare maps and parish records move to a climate-controlled store in the basement. Staff scan the most "
     "requested records first, so readers can still consult them online while the originals are packed.",
     "Rare maps and parish records move to a climate-controlled store, the most requested scanned first"),
    ("Staffing",
     "Two temporary librarians join the team for the year of works. Volunteers from the library friends "
     "run the pop-up lending desk in the town hall while the main floor is closed.",
     "Two temporary librarians and volunteers keep lending going from a desk in the town hall"),
    ("Risks",
     "Asbestos may be found behind the basement walls, which would stop the works for up to a month. "
     "Supply delays for the lift are the second risk, and the contractor has ordered it early.",
     "Asbestos in the basement walls and a late lift are the main risks to the works"),
    ("Consultation",
     "Readers answered a survey in January, and most asked for longer opening hours and quieter study "
     "rooms. A group of teenagers helped design the new corner for games and homework.",
     "Readers asked for longer opening hours and quieter study rooms, and teenagers designed a homework "
     "corner"),
    ("Next steps",
     "The contractor is chosen in February after a public tender. The council reviews progress every "
     "quarter, and the library publishes a short update on its website after each review.",
     "The contractor is chosen by tender, and the council reviews progress every quarter"),
]  # fmt: skip


class TimestampProvider(Provider):
    """A Provider (documents/llm/) that answers each request (one per section, in document order:
    OUTLINE_PARALLEL=1) with its section's point from LIBRARY_REPORT, word by word, `interval`
    seconds after it was asked; the last token is `@<unix time>.`, stamped as it is yielded."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.asked = 0

    def deltas(self, prompt: Prompt, *, should_stop: Callable[[], bool], usage: StreamUsage) -> Iterator[str]:
        point = LIBRARY_REPORT[self.asked % len(LIBRARY_REPORT)][2]
        self.asked += 1
        time.sleep(self.interval)
        first, *rest = point.split(" ")
        yield first
        for word in rest:
            yield f" {word}"
        yield f" @{time.time():.6f}."


def _latencies(received: list[tuple[float, str]]) -> list[float]:
    return [(at - float(stamp)) * 1000 for at, text in received for stamp in STAMP.findall(text)]


def _bench_document(user, points: int):  # noqa: ANN001, ANN202
    """A document whose outline has `points` stamped points: one per section."""
    from documents.models import Document

    sections = [
        {"level": 1, "title": f"{i + 1}. {title}", "text": text, "source_index": i}
        for i, (title, text, _) in ((i, LIBRARY_REPORT[i % len(LIBRARY_REPORT)]) for i in range(points))
    ]
    return Document.objects.create(
        owner=user, file="bench.docx", original_filename="bench.docx", title="Library renovation",
        size_bytes=1, sha256="0" * 64, structure={"language": "en", "sections": sections},
    )  # fmt: skip


# ------------------------------------------------------------------ producer process
def produce(task_ids: list[int], interval: float, offset: float) -> None:
    """Run the worker service for each task in a thread of its own, once the clients are ready (the
    first `offset` seconds after, the others spread over the interval); then write, for each stamp,
    when its chunk was handed to the StreamWriter (the worker's part of its latency before Redis:
    the loop watch, tidy, the gates, the hand-over from the section's thread, the coalescer) to
    _sent_path(task_ids)."""
    from documents import services

    sent: list[tuple[int, str, float]] = []  # (task, stamp, handed at); list.extend: the threads share it
    emit = StreamWriter.emit

    def emit_noting(writer: StreamWriter, type: str, **data: object):  # noqa: A002, ANN202
        if type == "chunk":
            now = time.time()
            sent.extend((writer.task_id, stamp, now) for stamp in STAMP.findall(str(data["text"])))
        return emit(writer, type, **data)

    StreamWriter.emit = emit_noting  # this process only: what the worker writes is unchanged
    client = redis_client()
    while not client.exists(GO_KEY):
        time.sleep(0.01)
    time.sleep(offset)
    threads = [
        threading.Thread(
            target=services.outline_generate,
            kwargs={"task_id": task_id, "provider": TimestampProvider(interval)},
        )
        for task_id in task_ids
    ]
    for thread in threads:
        thread.start()
        time.sleep(interval / len(threads))  # spread the streams' tokens over the interval
    for thread in threads:
        thread.join()
    _sent_path(task_ids).write_text(json.dumps(sent))


def _sent_path(task_ids: list[int]) -> Path:
    return harness.WORKDIR / f"producer-sent-{task_ids[0]}-{len(task_ids)}.json"


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
    # A producer runs its tasks in one process; a worker runs one at a time (Celery prefork) with a
    # pool of REDIS_POOL_SIZE connections. With one pool of 3 for 200 tasks, their writes and cancel
    # checks queued for a connection (py-spy: a third of the producer's samples).
    env = {**os.environ, "REDIS_POOL_SIZE": str(int(os.environ.get("REDIS_POOL_SIZE") or 3) * len(task_ids))}
    return harness.start(command, log=harness.WORKDIR / f"{mode}-{task_ids[0]}-{len(task_ids)}.log", env=env)


Reader = Callable[[httpx.AsyncClient, int, list[tuple[float, str]], asyncio.Event], Awaitable[None]]


def _side_by_side(
    client: Callable[[], httpx.AsyncClient], read: Reader, streams: int, tokens: int, interval: float
) -> tuple[dict[str, list[float]], list[list[tuple[float, str]]]]:
    """Open `streams` readers (each sets its event once it listens), start the producer (GO_KEY),
    and read the direct path alongside, in the same loop: the same client-side load. Returns the
    latencies and what each reader read, when."""

    async def run() -> tuple[dict[str, list[float]], list[list[tuple[float, str]]]]:
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
                timeout=2 * tokens * interval + 60,
            )
        return {
            "direct_ms": [ms for stream in direct for ms in _latencies(stream)],
            "relayed_ms": [ms for stream in relayed for ms in _latencies(stream)],
        }, relayed

    return asyncio.run(run())


def latency_round(
    port: int,
    token: str,
    user,  # noqa: ANN001
    document,  # noqa: ANN001
    streams: int,
    tokens: int,
    interval: float,
    producers: int,
) -> dict:
    """`streams` tasks of `document` (`tokens` sections, a stamped point each), run by `producers`
    processes."""
    task_ids = _new_tasks(user, document, streams)
    redis_client().delete(GO_KEY)
    # Round robin over the producer processes, each task starting at its place in the interval.
    shares = [task_ids[k::producers] for k in range(min(producers, streams))]
    started = [
        _producer("produce", share, interval, k * interval / streams) for k, share in enumerate(shares)
    ]

    try:
        figures, received = _side_by_side(
            lambda: _client(port, token, streams),
            lambda http, i, out, ready: _sse_stream(http, task_ids[i], out, ready),
            streams, tokens, interval,
        )  # fmt: skip
        for producer in started:
            producer.wait(timeout=30)  # it writes what it measured, then exits
    finally:
        for producer in started:
            harness.stop(producer)
    expected = streams * tokens
    if len(figures["relayed_ms"]) != expected:
        raise RuntimeError(
            f"{len(figures['relayed_ms'])} of {expected} relayed tokens arrived (the producers' logs: "
            f"{harness.WORKDIR}/produce-*.log)"
        )
    # Each token's latency in two: the worker's part, from the stamp to its chunk handed to the
    # StreamWriter, and the rest (the XADD, Redis, the hub, the SSE view, the client).
    handed = {
        (task, stamp): at for share in shares for task, stamp, at in json.loads(_sent_path(share).read_text())
    }
    figures["producer_ms"], figures["after_producer_ms"] = [], []
    for task_id, stream in zip(task_ids, received, strict=True):
        for at, text in stream:
            for stamp in STAMP.findall(text):
                figures["producer_ms"].append((handed[task_id, stamp] - float(stamp)) * 1000)
                figures["after_producer_ms"].append((at - handed[task_id, stamp]) * 1000)
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
        str(tokens),
        str(interval),
    ]
    producer = harness.start(
        command,
        log=harness.WORKDIR / f"peer-produce-{streams}.log", env=peer.env(os.environ["REDIS_URL"]),
    )  # fmt: skip

    try:
        figures, _ = _side_by_side(
            lambda: httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", timeout=httpx.Timeout(60),
                limits=httpx.Limits(max_connections=streams + 10),
            ),
            lambda http, i, out, ready: _peer_stream(http, channels[i], tokens, out, ready),
            streams, tokens, interval,
        )  # fmt: skip
    finally:
        harness.stop(producer)
    return figures


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
    parser.add_argument("--interval-ms", type=float, default=15, help="point (token) interval at 1 stream")
    parser.add_argument(
        # 200 streams x 1 point/s is 600 events/s written (each section's progress, heading and point)
        # by 200 worker threads in --producers processes. Before the gates, at 5 tokens/s each, the
        # one producer process fell behind and its backlog was measured.
        "--many-interval-ms",
        type=float,
        default=1000,
        help="point (token) interval per stream at 200",
    )
    parser.add_argument(
        "--tokens", type=int, default=200, help="stamped points per stream at 1 stream (one per section)"
    )
    parser.add_argument(
        "--many-tokens", type=int, default=50, help="stamped points per stream at 200 streams"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--producers", type=int, default=1, help="processes running the round's tasks (threads in each)"
    )
    parser.add_argument("--flood-chunks", type=int, default=100_000)
    parser.add_argument("--no-peer", dest="peer", action="store_false", help="skip django-eventstream")
    args = parser.parse_args()

    user, token = harness.bench_user()
    document = harness.bench_document(user)  # the throughput round's tasks (no analyzer step)
    documents = {points: _bench_document(user, points) for points in {args.tokens, args.many_tokens}}
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
                    port, token, user, documents[tokens], streams, tokens, interval, args.producers
                ).items():
                    ours.setdefault(key, []).extend(values)
                if peer_server is not None:
                    for key, values in peer_latency_round(peer_port, streams, tokens, interval).items():
                        theirs[key] += values
            label = f"{streams} stream{'s' if streams > 1 else ''}"
            latency[str(streams)] = figures(ours["direct_ms"], ours["relayed_ms"], interval, streams)
            # Each token's latency in two: the worker side (the producer) until its chunk is handed to
            # the StreamWriter, and the rest (the XADD, Redis, the hub, the SSE view, the client).
            latency[str(streams)]["producer_ms"] = harness.distribution(ours["producer_ms"])
            latency[str(streams)]["after_producer_ms"] = harness.distribution(ours["after_producer_ms"])
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
        "stamped_points_per_task": {"1 stream": args.tokens, "more streams": args.many_tokens},
        "sections_prepared_at_once": 1,
        "rounds": args.rounds,
        "producer_processes": args.producers,
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
            f"\n{'':>13} producer {figures['producer_ms']}\n{'':>13} after it {figures['after_producer_ms']}"
        )
    print(f"throughput: {throughput}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in {"produce", "flood"}:
        ids = [int(i) for i in sys.argv[2].split(",")]
        if sys.argv[1] == "produce":
            produce(ids, float(sys.argv[3]), float(sys.argv[4]))
        else:
            flood(ids, int(sys.argv[3]))
    else:
        main()
