"""Resume cost: how long a client that reconnects with `Last-Event-ID` waits for the events it
missed, when the task's stream holds 10,000 chunks (issue 9's target: a full replay in <= 100 ms).

A task's Redis stream is filled with 10,000 chunk events and its end; then a real gunicorn
(gthread, as `make run`) serves `GET /api/v1/tasks/<id>/stream` with `Last-Event-ID` 0 (all of
it), 5,000 (half) and 9,990 (the tail), each ROUNDS times. The time is from sending the request
to reading the terminal event's bytes; the client only scans bytes, so its own parsing is not
what is measured. Writes var/bench/replay.json and replay.png.

    python -m project.localredis --db 14 -- python bench/replay.py
"""

from __future__ import annotations

import os
import time

import harness

harness.configure()

import httpx  # noqa: E402

from documents.relay import StreamWriter  # noqa: E402
from project.localredis import free_port  # noqa: E402

CHUNKS = int(os.environ.get("BENCH_CHUNKS", "10000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "20"))
TEXT = "要点 key point, "  # 15 characters, CJK included, like a model's delta


def _replay_ms(client: httpx.Client, task_id: int, last_event_id: int) -> float:
    started = time.perf_counter()
    headers = {"Last-Event-ID": str(last_event_id)}
    tail = b""
    with client.stream("GET", f"/api/v1/tasks/{task_id}/stream", headers=headers) as response:
        response.raise_for_status()
        for data in response.iter_raw():
            tail = (tail + data)[-64:]
            if b"event: done" in tail:
                return (time.perf_counter() - started) * 1000
    raise RuntimeError("the stream ended without its terminal event")


def main() -> None:
    from documents.models import OutlineTask

    user, token = harness.bench_user()
    document = harness.bench_document(user)
    task = OutlineTask.objects.create(owner=user, document=document, status=OutlineTask.Status.SUCCEEDED)
    writer = StreamWriter(task.pk)
    writer.reset()  # ids restart with each bench database
    fill_started = time.perf_counter()
    for _ in range(CHUNKS):
        writer.emit("chunk", text=TEXT)
    writer.emit("done", status="succeeded")
    fill_s = time.perf_counter() - fill_started

    port = free_port()
    server = harness.start_gunicorn(port, worker_class="gthread", threads=8)
    results: dict[str, dict] = {}
    samples: dict[str, list[float]] = {}
    try:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as client:
            _replay_ms(client, task.pk, 0)  # warm: first request of the process, first XRANGE
            for after in (0, CHUNKS // 2, CHUNKS - 10):
                samples[str(after)] = times = [_replay_ms(client, task.pk, after) for _ in range(ROUNDS)]
                results[str(after)] = {
                    "events_replayed": CHUNKS + 1 - after,
                    **harness.distribution(times, 2),
                }
    finally:
        harness.stop(server)
        writer.reset()

    full = results["0"]
    report = {
        "chunks": CHUNKS,
        "rounds": ROUNDS,
        "server": "gunicorn gthread, 1 worker, 8 threads",
        "fill_seconds": round(fill_s, 2),
        "by_last_event_id": results,
        "verdicts": [
            harness.verdict(
                f"replay of {CHUNKS} chunks after Last-Event-ID <= 100 ms",
                f"p50 {full['p50']} ms, p95 {full['p95']} ms",
                full["p50"] <= 100,
            )
        ],
    }

    def draw(axes) -> None:  # noqa: ANN001
        labels = [f"{results[k]['events_replayed']} events" for k in samples]
        axes.boxplot(list(samples.values()), tick_labels=labels)
        axes.axhline(100, color="red", linestyle="--", label="target (10,000 events)")
        axes.set_ylabel("request to last byte (ms)")
        axes.set_title(f"Resume with Last-Event-ID: replay time ({ROUNDS} rounds)")
        axes.legend()

    out = harness.write_report("replay", report, draw)
    for after, figures in results.items():
        print(
            f"Last-Event-ID {after:>5}: {figures['events_replayed']:>5} events  "
            f"p50 {figures['p50']:7.1f} ms  p95 {figures['p95']:7.1f} ms  min {figures['min']:7.1f} ms"
        )
    print(f"report: {out}")


if __name__ == "__main__":
    main()
