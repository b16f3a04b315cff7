"""Resume cost: how long a client that reconnects with `Last-Event-ID` waits for the events it
missed, when the task's stream holds 10,000 chunks (issue 9's target: a full replay in <= 100 ms).

A task's Redis stream is filled with 10,000 chunk events and its end; then a real gunicorn
(gthread, as `make run`) serves `GET /api/v1/tasks/<id>/stream` with `Last-Event-ID` 0 (all of
it), 5,000 (half) and 9,990 (the tail), each ROUNDS times. The time is from sending the request
to reading the terminal event's bytes; the client only scans bytes, so its own parsing is not
what is measured. Writes var/bench/replay.json.

    python -m project.localredis --db 14 -- python bench/replay.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))
WORKDIR = Path(tempfile.mkdtemp(prefix="outliner-bench-"))
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DATABASE_URL": f"sqlite:///{WORKDIR / 'bench.sqlite3'}",
        "MEDIA_ROOT": str(WORKDIR / "media"),
        "PROMETHEUS_MULTIPROC_DIR": str(WORKDIR / "prometheus"),
        "LOG_LEVEL": "WARNING",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    }
)

import django  # noqa: E402

django.setup()

import httpx  # noqa: E402
from django.core.management import call_command  # noqa: E402

from documents.streaming import StreamWriter  # noqa: E402
from documents.tests.processes import stop_process  # noqa: E402
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
    from django.contrib.auth.models import User

    from documents import services
    from documents.models import Document, OutlineTask

    call_command("migrate", verbosity=0)
    user = User.objects.create_user("bench")
    token = services.api_token_create(user=user)
    document = Document.objects.create(
        owner=user, file="bench.docx", original_filename="bench.docx", title="Bench", size_bytes=1,
        sha256="0" * 64, structure={"language": "en", "sections": []},
    )  # fmt: skip
    task = OutlineTask.objects.create(owner=user, document=document, status=OutlineTask.Status.SUCCEEDED)
    writer = StreamWriter(task.pk)
    writer.reset()  # ids restart with each bench database
    pipe_started = time.perf_counter()
    for _ in range(CHUNKS):
        writer.emit("chunk", text=TEXT)
    writer.emit("done", status="succeeded")
    fill_s = time.perf_counter() - pipe_started

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "project/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
         "--worker-class", "gthread", "--threads", "8", "--workers", "1"],
        cwd=BASE_DIR, env=os.environ.copy(),
    )  # fmt: skip
    results: dict[str, dict] = {}
    try:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as client:
            deadline = time.monotonic() + 30
            while True:
                try:
                    client.get("/healthz")
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            _replay_ms(client, task.pk, 0)  # warm: first request of the process, first XRANGE
            for after in (0, CHUNKS // 2, CHUNKS - 10):
                times = [_replay_ms(client, task.pk, after) for _ in range(ROUNDS)]
                results[str(after)] = {
                    "events_replayed": CHUNKS + 1 - after,
                    "p50_ms": round(statistics.median(times), 2),
                    "p95_ms": round(statistics.quantiles(times, n=20)[-1], 2),
                    "min_ms": round(min(times), 2),
                }
    finally:
        stop_process(server)
        writer.reset()

    report = {
        "chunks": CHUNKS,
        "rounds": ROUNDS,
        "fill_seconds": round(fill_s, 2),
        "by_last_event_id": results,
    }
    out = BASE_DIR / "var" / "bench" / "replay.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    for after, figures in results.items():
        print(
            f"Last-Event-ID {after:>5}: {figures['events_replayed']:>5} events  "
            f"p50 {figures['p50_ms']:7.1f} ms  p95 {figures['p95_ms']:7.1f} ms  "
            f"min {figures['min_ms']:7.1f} ms"
        )
    print(f"(target: all {CHUNKS} in <= 100 ms; report in {out})")


if __name__ == "__main__":
    main()
