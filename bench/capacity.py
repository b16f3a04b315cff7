"""Capacity: how many idle SSE clients one web process holds, and what each costs, for Outliner and
for its peer (django-eventstream with its Redis storage, bench/peer/), side by side.

Each server runs as gunicorn with one gevent worker and ``--worker-connections 12000`` (the peer
under the same gunicorn settings, bench/peer/gunicorn.conf.py), a fresh server per size (1,000
and 5,000 clients), on the same machine. The clients are bench.sse_clients.IdleClients: raw
asyncio connections in this process that read the headers, then record every heartbeat.

- Outliner: 5,000 clients spread over 500 running tasks, 10 per task, all of one user with one
  API token (``GET /api/v1/tasks/<id>/stream``, ``Authorization: Bearer``). Each task's Redis
  stream exists (one status event), so every client stays connected waiting for output.
  SSE_HEARTBEAT_SECONDS is 5 for the run (``--heartbeat``; 20 compares like for like with the
  peer's keep-alive); clients are held 20 s (about four heartbeats), or 2.25 heartbeats if longer.
- Peer: one channel per client (django-eventstream's keep-alive is hard-coded at 20 s, so its
  clients are held 45 s, two keep-alives or more); measured in a child process, because a process
  that has Outliner's Django set up cannot publish to the peer (bench/peer/producer.py).

Per server and size:

- connected and failed clients (a 429 or any refusal counts as a failure);
- heartbeats on time: every gap (headers -> first heartbeat, heartbeat -> heartbeat) of every
  client, p50/p99/max, against that server's own interval; on time = p99 gap <= interval + 1 s;
- memory per idle stream: the worker's PSS with every client connected (the larger of just after
  connecting and after the hold) minus its PSS warm (after one stream opened and closed), over
  the clients connected; and the slope between 1,000 and 5,000 clients;
- Redis connections: the worker's established TCP connections to Redis (counted on the process:
  other programs share the Redis server) warm, with every client connected, and after the hold;
- still working: after the hold, with every client still connected, one more client of one task
  (channel) is sent one chunk; the seconds from emitting it to reading it (target <= 1 s), five
  clients one after another, the median being the figure.

Then, per size, the fan-out round (bench.sse_clients.fan_out), on a fresh server of its own: all N
clients read ONE task's stream (Outliner: a running task of its own, whose stream holds one status
event; the peer: one channel), connect as above and idle 5 s, then 5 chunk events go out 1 s
apart (Outliner: ``StreamWriter.emit("chunk")`` from this process, as the Celery worker writes;
the peer: ``publish()`` from its child process), each with a text of its own that every client
looks for. Per event: the clients that got it, and the lag from the emit call to each client's
read of it, p50/p99/max, the max being when the last reader had it; the figure is the median of
the events' max (target <= 250 ms for 5,000 readers). The clients also keep the kernel's receive
time of the event's bytes ("arrival"), which leaves out the bench's own turn-taking over
thousands of sockets woken at once; both are reported, the verdict is on the read. A trivial
server writing one frame to 5,000 sockets as fast as Python can measures ~80 ms arrival and ~90
ms read: about the bench's floor. Beside each event, the worker's CPU use (core-seconds per
second) from the emit to the last read, and idle (heartbeats only) just before: whether the
fan-out is bound by the worker's one core.

Writes var/bench/capacity.json and capacity.png (worker PSS growth against clients connected).

    .venv/bin/python -m project.localredis --db 14 -- .venv/bin/python bench/capacity.py
    ... bench/capacity.py --sizes 200 --fanout-only   # a quick fan-out check (or --no-fanout)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: bench/ is sys.path[0]

from bench import harness  # noqa: E402
from bench.sse_clients import (  # noqa: E402
    EVENTSTREAM_KEEPALIVE,
    OUTLINER_HEARTBEAT,
    delivery_s,
    fan_out,
    hold_idle,
    raise_open_files_limit,
)

SIZES = (1000, 5000)
CLIENTS_PER_TASK = 10
CONNECTIONS = 12000  # gunicorn --worker-connections, both servers (10,000 clients and some room)
HEARTBEAT_S = 5.0  # Outliner's SSE_HEARTBEAT_SECONDS for the run
PEER_KEEPALIVE_S = 20.0  # django-eventstream's, not configurable (django_eventstream/views.py)
OUTLINER_HOLD_S = 20.0
PEER_HOLD_S = 45.0
SLACK_S = 1.0  # "on time": p99 gap <= interval + SLACK_S
CONNECT_TIMEOUT_S = 60.0
# Connects in flight at once (IdleClients; --concurrency): a steady stream of new clients rather
# than a reconnect storm of hundreds at once. The same for both servers.
CONCURRENCY = 50
DELIVERY_TARGET_S = 1.0
DELIVERY_SAMPLES = 5  # one more client's chunk, measured this many times; the median is the figure
PSS_TARGET_KIB = 35.0  # issue 23: ahead of the peer's 37.8 KiB (2026-12-06)
REDIS_SLACK = 2  # the peer: connections it may add between sizes and still be called bounded
REDIS_TARGET = 4  # Outliner: Redis connections of a web process, whatever the number of streams
FANOUT_EVENTS = 5
FANOUT_SPACING_S = 1.0  # between emits: each event's fan-out is over before the next (or it shows)
# Idle after the last client connected, before the first emit: the last subscriptions are in, and
# every Outliner client has had a heartbeat (with it its first "finished?" check).
FANOUT_SETTLE_S = 5.0
FANOUT_TIMEOUT_S = 10.0  # after the last emit: a client without an event by then missed it
FANOUT_TARGET_MS = 250.0
FANOUT_TARGET_N = 5000  # readers of one task


def hold_s() -> float:
    """How long Outliner's clients are held: about four heartbeats, and two at the peer's interval."""
    return max(OUTLINER_HOLD_S, 2.25 * HEARTBEAT_S)


def redis_port() -> int:
    from urllib.parse import urlsplit

    return urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")).port or 6379


# ------------------------------------------------------------------------- Outliner
def outliner_tasks(user: Any, document: Any, count: int) -> list[int]:
    """Running tasks whose Redis streams exist (one status event): a client of one waits for output."""
    from documents.models import OutlineTask
    from documents.relay import StreamWriter

    ids = []
    for _ in range(count):
        task = OutlineTask.objects.create(owner=user, document=document, status=OutlineTask.Status.RUNNING)
        writer = StreamWriter(task.pk)
        writer.reset()  # ids restart with each bench database
        writer.emit("status", status="running")
        ids.append(task.pk)
    return ids


def outliner_round(
    n: int, token: str, task_ids: list[int], warm_task: int, concurrency: int
) -> dict[str, Any]:
    from django.conf import settings

    from documents.relay import StreamWriter
    from project.localredis import free_port

    port = free_port()
    base = f"http://127.0.0.1:{port}/api/v1/tasks"
    auth = {"Authorization": f"Bearer {token}"}
    server = harness.start_gunicorn(
        port, worker_class="gevent", connections=CONNECTIONS, name=f"outliner-{n}"
    )
    check_task = task_ids[0]
    check_writer = StreamWriter.resume(check_task)
    warm_writer = StreamWriter.resume(warm_task)

    def warm() -> None:
        # One stream through the hub (subscribe, tail, a chunk delivered), then closed.
        delivery_s(f"{base}/{warm_task}/stream", lambda: warm_writer.emit("chunk", text="warm"),
                   ready=b"retry:", event=b"event: chunk", headers=auth)  # fmt: skip

    def still_delivers() -> dict[str, Any]:
        return delivery_samples(lambda: delivery_s(
            f"{base}/{check_task}/stream", lambda: check_writer.emit("chunk", text="after the hold"),
            ready=b"retry:", event=b"event: chunk", headers=auth,
        ))  # fmt: skip

    try:
        summary, _ = hold_idle(
            lambda i: f"{base}/{task_ids[i // CLIENTS_PER_TASK]}/stream", n,
            worker_pid=harness.worker_pid(server), interval=HEARTBEAT_S, hold=hold_s(),
            heartbeat=OUTLINER_HEARTBEAT, headers=auth, warm=warm, redis_port=redis_port(),
            concurrency=concurrency, connect_timeout=CONNECT_TIMEOUT_S, while_held=still_delivers,
        )  # fmt: skip
    finally:
        harness.stop(server)
    summary.update(tasks=n // CLIENTS_PER_TASK, clients_per_task=CLIENTS_PER_TASK,
                   redis_pool_size=settings.REDIS_POOL_SIZE)  # fmt: skip
    report_line("outliner", summary)
    return summary


def delivery_samples(sample: Callable[[], float | None]) -> dict[str, Any]:
    """One more client's delivery, DELIVERY_SAMPLES times one after another (a new client each):
    the median is the figure, since one sample on this machine varied 4-22 ms from run to run."""
    samples = [sample() for _ in range(DELIVERY_SAMPLES)]
    got = [s for s in samples if s is not None]
    return {
        "delivery_after_hold_s": round(statistics.median(got), 4) if len(got) == len(samples) else None,
        "delivery_samples_s": [None if s is None else round(s, 4) for s in samples],
    }


def fanout_kwargs(concurrency: int) -> dict[str, Any]:
    """What both servers' fan-out rounds share (bench.sse_clients.fan_out)."""
    return {
        "events": FANOUT_EVENTS, "spacing": FANOUT_SPACING_S, "settle": FANOUT_SETTLE_S,
        "timeout": FANOUT_TIMEOUT_S, "concurrency": concurrency, "connect_timeout": CONNECT_TIMEOUT_S,
    }  # fmt: skip


def outliner_fanout(
    n: int, token: str, task_id: int, concurrency: int, *, hub_writes: bool = True
) -> dict[str, Any]:
    """All `n` clients on one task's stream; chunks emitted from this process, as the worker does.
    `hub_writes` False: SSE_HUB_WRITES=0, each stream writes its own events (the way before)."""
    from documents.relay import StreamWriter
    from project.localredis import free_port

    port = free_port()
    # A fresh server, not the idle round's: that round's clients (on other tasks) would still be
    # leaving it, and its memory figures would count these clients.
    server = harness.start_gunicorn(
        port, worker_class="gevent", connections=CONNECTIONS, name=f"outliner-fanout-{n}",
        env={**os.environ, "SSE_HUB_WRITES": "1" if hub_writes else "0"},
    )  # fmt: skip
    writer = StreamWriter.resume(task_id)
    try:
        summary = fan_out(
            f"http://127.0.0.1:{port}/api/v1/tasks/{task_id}/stream", n,
            emit=lambda text: writer.emit("chunk", text=text), heartbeat=OUTLINER_HEARTBEAT,
            headers={"Authorization": f"Bearer {token}"}, worker_pid=harness.worker_pid(server),
            **fanout_kwargs(concurrency),
        )  # fmt: skip
    finally:
        harness.stop(server)
    summary.update(task=task_id, hub_writes=hub_writes)
    fanout_line("outliner" if hub_writes else OWN_WRITES, summary)
    return summary


OWN_WRITES = "outliner, each stream writing"  # the fan-out with SSE_HUB_WRITES=0 (--compare-hub-writes)


# ------------------------------------------------------------------------- peer
def peer_round(mode: str, n: int, concurrency: int) -> dict[str, Any]:
    """In a child process (`capacity.py peer idle|fanout N CONCURRENCY OUT`): see the module
    docstring."""
    out = harness.WORKDIR / f"peer-{mode}-{n}.json"
    command = [sys.executable, __file__, "peer", mode, str(n), str(concurrency), str(out)]
    subprocess.run(command, check=True, cwd=harness.BASE_DIR)
    summary = json.loads(out.read_text())
    (report_line if mode == "idle" else fanout_line)("peer", summary)
    return summary


def peer_child(mode: str, n: int, concurrency: int, out: Path) -> None:
    import bench.peer as peer
    from bench.peer import smoke

    os.environ.update(peer.env())
    from bench.peer.producer import publish, setup

    setup()
    run = uuid.uuid4().hex[:8]  # unique channels: pub/sub ignores the database number
    if mode == "fanout":
        # A fresh server, as Outliner's fan-out has: the idle round's closed streams linger in the
        # peer until their next keep-alive write (20 s).
        channel = f"fanout-{run}"
        # send_event's first call in a process took 250 ms (its lazy set-up): not the fan-out's.
        publish(f"fanout-warm-{run}", "warm")
        with smoke.peer_server("gevent") as (port, server):
            summary = fan_out(
                f"http://127.0.0.1:{port}/events/{channel}/", n, emit=lambda text: publish(channel, text),
                heartbeat=EVENTSTREAM_KEEPALIVE, worker_pid=harness.worker_pid(server),
                **fanout_kwargs(concurrency),
            )  # fmt: skip
        summary.update(channel=channel)
        out.write_text(json.dumps(summary))
        return
    with smoke.peer_server("gevent") as (port, server):

        def still_delivers() -> dict[str, Any]:
            channel = f"idle-{run}-0"  # a channel that has an idle client, as Outliner's task has ten
            return delivery_samples(lambda: delivery_s(
                f"http://127.0.0.1:{port}/events/{channel}/", lambda: publish(channel, "after the hold"),
                ready=b"event: stream-open", event=b"event: chunk",
            ))  # fmt: skip

        summary = smoke.idle(
            port,
            server,
            n,
            PEER_HOLD_S,
            CONNECT_TIMEOUT_S,
            run=run,
            while_held=still_delivers,
            concurrency=concurrency,
        )
    summary.update(channels=n, clients_per_channel=1)
    out.write_text(json.dumps(summary))


# ------------------------------------------------------------------------- report
def report_line(name: str, s: dict[str, Any]) -> None:
    gaps = s["heartbeat_gaps"].get("gap_s", {})
    first = s["heartbeat_gaps"].get("first_heartbeat_s", {})
    print(
        f"{name} {s['n']}: connected {s['connected']} failed {s['failed']} {s['errors'] or ''} in"
        f" {s['connect_all_s']} s; heartbeat gap p50 {gaps.get('p50')} p99 {gaps.get('p99')} max"
        f" {gaps.get('max')} s (interval {s['heartbeat_gaps']['interval_s']} s; first after"
        f" p50 {first.get('p50')} p99 {first.get('p99')} s); PSS {s['pss_before_mib']} ->"
        f" {s['pss_held_mib']} -> {s['pss_after_hold_mib']} MiB = {s['pss_per_client_kib']} KiB/client;"
        f" Redis connections {s['redis_connections']}; delivery after hold {s['delivery_after_hold_s']} s"
        f" (median of {s.get('delivery_samples_s')})",
        flush=True,
    )


def fanout_line(name: str, s: dict[str, Any]) -> None:
    read, arrival = s["lag_ms"]["read"], s["lag_ms"]["arrival"]
    print(
        f"{name} fan-out {s['n']}: connected {s['connected']} failed {s['failed']}"
        f"{' ' + str(s['errors']) if s['errors'] else ''} in {s['connect_all_s']} s, all on one stream;"
        f" {s['events']} events {s['spacing_s']:g} s apart,"
        f" medians over them: last reader (max) {read['max']} ms, p50 {read['p50']}, p99 {read['p99']} ms"
        f" (arrival on the socket: max {arrival['max']}, p50 {arrival['p50']}, p99 {arrival['p99']} ms);"
        f" every event to every client: {'yes' if s['reached_all'] else 'NO'};"
        f" worker CPU idle {s['worker_busy_idle']}",
        flush=True,
    )
    for e in s["per_event"]:
        lag, got = e.get("read_lag_ms", {}), e.get("arrival_lag_ms", {})
        print(
            f"  event {e['event']}: {e['clients']} clients ({e['missed']} missed); read max {lag.get('max')}"
            f" p50 {lag.get('p50')} p99 {lag.get('p99')} ms; arrival max {got.get('max')} ms;"
            f" emit {e['emit_ms']} ms; worker CPU {e.get('worker_busy')} (core-seconds/s, emit -> last read)",
            flush=True,
        )


def slope_kib(rounds: dict[int, dict[str, Any]]) -> float | None:
    """PSS growth per extra client between the smallest and the largest size (fresh servers)."""
    small, large = min(rounds), max(rounds)
    if small == large:
        return None
    added = rounds[large]["connected"] - rounds[small]["connected"]
    grown = rounds[large]["pss_grown_mib"] - rounds[small]["pss_grown_mib"]
    return round(grown * 1024 / added, 1) if added else None


def verdicts(name: str, rounds: dict[int, dict[str, Any]], redis_bound: int | None) -> list[dict[str, Any]]:
    n = max(rounds)
    s = rounds[n]
    gaps = s["heartbeat_gaps"]
    figures = gaps.get("gap_s", {})
    interval = gaps["interval_s"]
    slope = slope_kib(rounds)
    redis = s["redis_connections"]
    most = max(redis["connected"], redis["after_hold"])
    least_rounds = rounds[min(rounds)]["redis_connections"]
    grew = most - max(least_rounds["connected"], least_rounds["after_hold"])
    # Outliner's: a fixed number (its reader's and a small pool). The peer has no pool setting: its
    # bound is no growth.
    bound = f"<= {redis_bound}" if redis_bound else "no growth with N"
    bounded = most <= redis_bound if redis_bound is not None else grew <= REDIS_SLACK
    delivery = s["delivery_after_hold_s"]
    first = gaps.get("first_heartbeat_s", {})
    return [
        harness.verdict(
            f"{name}: all {n} idle SSE clients connected on one gevent worker, 0 failures",
            f"{s['connected']} connected, {s['failed']} failed {s['errors'] or ''} in {s['connect_all_s']} s",
            s["connected"] == n and s["failed"] == 0 and s["closed_by_server"] == 0,
        ),
        harness.verdict(
            f"{name}: heartbeats on time at {n} (p99 gap <= interval {interval:g} s + {SLACK_S:g} s)",
            f"gap p50 {figures.get('p50')} s, p99 {figures.get('p99')} s, max {figures.get('max')} s;"
            f" {gaps.get('clients_late')} clients late, {gaps.get('clients_without_heartbeat')} without one;"
            f" first heartbeat p99 {gaps.get('first_heartbeat_s', {}).get('p99')} s after the headers",
            bool(gaps.get("on_time")),
        ),
        harness.verdict(
            f"{name}: first heartbeat within one interval ({interval:g} s) of the headers at {n} (p99)",
            f"p50 {first.get('p50')} s, p99 {first.get('p99')} s, max {first.get('max')} s",
            first.get("p99") is not None and first["p99"] <= interval,
        ),
        harness.verdict(
            f"{name}: < {PSS_TARGET_KIB:g} KiB of worker memory (PSS) per idle stream at {n}",
            f"{s['pss_per_client_kib']} KiB/stream ({s['pss_grown_mib']} MiB for {s['connected']},"
            f" {s['closed_by_server']} of them ended by the server: {s['pss_per_open_stream_kib']} KiB"
            f" per stream still open);"
            f" slope {min(rounds)}->{n}: {slope} KiB/stream",
            # Streams the server ended freed (some of) their memory: a figure of fewer streams than said.
            s["closed_by_server"] == 0
            and s["pss_per_client_kib"] < PSS_TARGET_KIB
            and (slope is None or slope < PSS_TARGET_KIB),
        ),
        harness.verdict(
            f"{name}: Redis connections bounded ({bound})",
            f"warm {redis['warm']}, {n} connected {redis['connected']}, after hold {redis['after_hold']};"
            f" at {min(rounds)}: {least_rounds['connected']}",
            bounded,
        ),
        harness.verdict(
            f"{name}: with {n} open, one more client gets a chunk within {DELIVERY_TARGET_S:g} s",
            "never" if delivery is None else f"{delivery * 1000:.1f} ms",
            delivery is not None and delivery <= DELIVERY_TARGET_S,
        ),
    ]


def side_by_side(results: dict[str, dict[int, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Outliner against the peer, measured in this run (both ran): connecting the clients, and one
    more client's first chunk with every client open, at each size both ran."""
    if "outliner" not in results or "peer" not in results:
        return []
    found = []
    for n in sorted(set(results["outliner"]) & set(results["peer"])):
        ours, theirs = results["outliner"][n], results["peer"][n]
        found.append(
            harness.verdict(
                f"outliner connects {n} clients at least as fast as the peer",
                f"{ours['connect_all_s']} s against {theirs['connect_all_s']} s",
                ours["connect_all_s"] <= theirs["connect_all_s"],
            )
        )
        mine, peer = ours["delivery_after_hold_s"], theirs["delivery_after_hold_s"]
        found.append(
            harness.verdict(
                f"with {n} open, one more outliner client's first chunk no slower than the peer's",
                f"{None if mine is None else round(mine * 1000, 1)} ms against"
                f" {None if peer is None else round(peer * 1000, 1)} ms",
                mine is not None and peer is not None and mine <= peer,
            )
        )
    return found


def fanout_verdict(name: str, rounds: dict[int, dict[str, Any]]) -> dict[str, Any]:
    n = FANOUT_TARGET_N if FANOUT_TARGET_N in rounds else max(rounds)  # the goal is set at 5,000
    s = rounds[n]
    read, arrival = s["lag_ms"]["read"], s["lag_ms"]["arrival"]
    maxima = [e.get("read_lag_ms", {}).get("max") for e in s["per_event"]]
    missed = sum(e["missed"] for e in s["per_event"])
    what = "task" if name.startswith("outliner") else "task (channel)"
    return harness.verdict(
        f"{name}: one event reaches all {n} readers of one {what} within {FANOUT_TARGET_MS:g} ms",
        f"last reader after {read['max']} ms, the median of {s['events']} events' {maxima} ms;"
        f" p50 {read['p50']} ms, p99 {read['p99']} ms (arrival on the socket: max {arrival['max']} ms);"
        f" {s['connected']} connected, {s['failed']} failed, {missed} copies missed",
        s["connected"] == n
        and s["reached_all"]
        and read["max"] is not None
        and read["max"] <= FANOUT_TARGET_MS,
    )


def draw(results: dict[str, dict[int, dict[str, Any]]]) -> Any:
    def paint(axes: Any) -> None:
        top = 0
        for name, rounds in results.items():
            offset = 10 if name == "peer" else -18  # the peer's line runs above Outliner's: labels apart
            sizes = sorted(rounds)
            # Streams still open: those the server ended do not count as held.
            xs = [0] + [rounds[n]["open_at_end"] for n in sizes]
            ys = [0] + [rounds[n]["pss_grown_mib"] for n in sizes]
            top = max(top, *xs)
            line = axes.plot(xs, ys, marker="o", label=name)[0]
            for x, n in zip(xs[1:], sizes, strict=True):
                axes.annotate(
                    f"{rounds[n]['pss_per_open_stream_kib']} KiB/stream", (x, rounds[n]["pss_grown_mib"]),
                    textcoords="offset points", xytext=(-60, offset), color=line.get_color(),
                )  # fmt: skip
        target = f"target: {PSS_TARGET_KIB:g} KiB/stream"
        axes.plot([0, top], [0, top * PSS_TARGET_KIB / 1024], "r--", label=target)
        axes.margins(x=0.08, y=0.1)  # room for the labels at the ends
        axes.set_xlabel("idle SSE streams open after the hold (one gevent worker)")
        axes.set_ylabel("worker PSS growth over warm (MiB)")
        axes.set_title("Memory of idle streams: Outliner vs django-eventstream (Redis storage)")
        axes.legend()

    return paint


def main() -> None:
    global HEARTBEAT_S  # --heartbeat: the rounds and the report read it
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--server", choices=["outliner", "peer"], action="append")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY, help="connects in flight at once")
    rounds = parser.add_mutually_exclusive_group()
    rounds.add_argument("--no-fanout", action="store_true", help="only the idle rounds")
    rounds.add_argument("--fanout-only", action="store_true", help="only the fan-out rounds")
    parser.add_argument(
        "--compare-hub-writes", action="store_true",
        help="also Outliner's fan-out with SSE_HUB_WRITES=0 (each stream writes its events), in the same run",
    )  # fmt: skip
    parser.add_argument(
        "--heartbeat", type=float, default=HEARTBEAT_S,
        help="Outliner's SSE_HEARTBEAT_SECONDS (20: the peer's keep-alive, like for like)",
    )  # fmt: skip
    args = parser.parse_args()
    HEARTBEAT_S = args.heartbeat
    servers = args.server or ["outliner", "peer"]
    run_idle, run_fanout = not args.fanout_only, not args.no_fanout
    raise_open_files_limit()  # before any server starts: they inherit it
    harness.configure(SSE_HEARTBEAT_SECONDS=f"{HEARTBEAT_S:g}")

    results: dict[str, dict[int, dict[str, Any]]] = {}
    fanouts: dict[str, dict[int, dict[str, Any]]] = {}
    if "outliner" in servers:
        user, token = harness.bench_user()
        document = harness.bench_document(user)
        if run_idle:
            task_ids = outliner_tasks(user, document, max(args.sizes) // CLIENTS_PER_TASK + 1)
            warm_task, task_ids = task_ids[-1], task_ids[:-1]
        # One task per size: a round's chunks stay in its stream, and the next round's clients
        # would read them back at connect.
        fanout_tasks = outliner_tasks(user, document, 2 * len(args.sizes)) if run_fanout else []
        for index, n in enumerate(args.sizes):
            if run_idle:
                results.setdefault("outliner", {})[n] = outliner_round(
                    n, token, task_ids, warm_task, args.concurrency
                )
            if run_fanout:
                fanouts.setdefault("outliner", {})[n] = outliner_fanout(
                    n, token, fanout_tasks[2 * index], args.concurrency
                )
                if args.compare_hub_writes:
                    fanouts.setdefault(OWN_WRITES, {})[n] = outliner_fanout(
                        n, token, fanout_tasks[2 * index + 1], args.concurrency, hub_writes=False
                    )
    if "peer" in servers:
        for n in args.sizes:
            if run_idle:
                results.setdefault("peer", {})[n] = peer_round("idle", n, args.concurrency)
            if run_fanout:
                fanouts.setdefault("peer", {})[n] = peer_round("fanout", n, args.concurrency)

    bounds = {"outliner": REDIS_TARGET, "peer": None}
    report = {
        "server": f"gunicorn, 1 gevent worker, --worker-connections {CONNECTIONS}; a fresh server per size",
        "clients": "bench.sse_clients.IdleClients (raw asyncio, in the benchmark process), "
        f"{args.concurrency} connecting at once",
        "outliner": f"{CLIENTS_PER_TASK} clients per running task, one user and token;"
        f" SSE_HEARTBEAT_SECONDS={HEARTBEAT_S:g}; held {hold_s():g} s",
        "peer": f"django-eventstream, RedisStorage + EVENTSTREAM_REDIS; one channel per client;"
        f" keep-alive {PEER_KEEPALIVE_S:g} s (hard-coded); held {PEER_HOLD_S:g} s",
        "on_time_rule": f"p99 of heartbeat gaps <= the server's interval + {SLACK_S:g} s",
        "memory_rule": "worker PSS with all connected (max of just connected, after the hold) minus warm,"
        " per client connected",
        "results": {name: {str(n): s for n, s in rounds.items()} for name, rounds in results.items()},
        "pss_slope_kib_per_stream": {name: slope_kib(rounds) for name, rounds in results.items()},
        "fanout": {
            "setup": f"all N clients on one stream (Outliner: one running task; the peer: one channel),"
            f" a fresh server per size; idle {FANOUT_SETTLE_S:g} s after connecting, then {FANOUT_EVENTS}"
            f" chunk events {FANOUT_SPACING_S:g} s apart",
            "lag_rule": "ms from the emit call (Outliner: StreamWriter.emit in this process; the peer:"
            " publish() in its child) to a client's read of the event (read) or to the kernel's receipt"
            " of its bytes on the client's socket (arrival); max = the last reader; figures are"
            f" medians over the events; target: read max <= {FANOUT_TARGET_MS:g} ms",
            "results": {name: {str(n): s for n, s in rounds.items()} for name, rounds in fanouts.items()},
        },
        "verdicts": [
            v
            for name in servers
            for v in [
                *(verdicts(name, results[name], bounds[name]) if name in results else []),
                *([fanout_verdict(name, fanouts[name])] if name in fanouts else []),
            ]
        ]
        + ([fanout_verdict(OWN_WRITES, fanouts[OWN_WRITES])] if OWN_WRITES in fanouts else [])
        + side_by_side(results),
    }
    print(f"report: {harness.write_report('capacity', report, draw(results) if results else None)}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "peer":
        peer_child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5]))
    else:
        main()
