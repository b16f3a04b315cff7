"""Added latency of the relay (analyzer step -> Redis Stream -> stream reader -> SSE over HTTP)
compared with reading the provider directly, measured side by side in one run.

A fake provider emits timestamped tokens at a fixed interval. Path A reads it directly; path B
runs the real worker service (outline_generate) with it and reads the task's SSE stream from a
real gunicorn server with an SSE client. Chunk coalescing is set to flush every token so each
token's latency is visible. Prints p50/p99 of both and of the difference.

    make bench      # or: python -m project.localredis -- python bench/relay_latency.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
        "OUTLINE_CHUNK_CHARS": "1",
        "LOG_LEVEL": "WARNING",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    }
)

import django  # noqa: E402

django.setup()

import httpx  # noqa: E402
from django.core.management import call_command  # noqa: E402
from httpx_sse import connect_sse  # noqa: E402

from documents.llm import Prompt, StreamUsage  # noqa: E402
from documents.streaming import StreamWriter  # noqa: E402
from project.localredis import free_port  # noqa: E402

TOKENS_PER_SECTION = int(os.environ.get("BENCH_TOKENS", "40"))
SECTIONS = int(os.environ.get("BENCH_SECTIONS", "5"))
INTERVAL = float(os.environ.get("BENCH_INTERVAL_MS", "15")) / 1000


class TimestampProvider:
    """Emits tokens `@<unix time>|` every INTERVAL seconds."""

    @contextmanager
    def stream(
        self,
        prompt: Prompt,
        *,
        should_stop: Callable[[], bool] | None = None,
        usage: StreamUsage | None = None,
    ) -> Iterator[Iterator[str]]:
        def tokens() -> Iterator[str]:
            for _ in range(TOKENS_PER_SECTION):
                time.sleep(INTERVAL)
                yield f"@{time.time():.6f}|"

        yield tokens()


def _latencies(texts: Iterator[tuple[float, str]]) -> list[float]:
    out = []
    for received, text in texts:
        for part in text.split("|"):
            if part.startswith("@"):
                out.append((received - float(part[1:])) * 1000)
    return out


def direct() -> list[float]:
    def texts() -> Iterator[tuple[float, str]]:
        for _ in range(SECTIONS):
            with TimestampProvider().stream(Prompt(text="", messages=[], max_tokens=1)) as deltas:
                for delta in deltas:
                    yield time.time(), delta

    return _latencies(texts())


def relayed(port: int, token: str, task_id: int) -> list[float]:
    from documents import services

    worker = threading.Thread(
        target=services.outline_generate, kwargs={"task_id": task_id, "provider": TimestampProvider()}
    )
    received: list[tuple[float, str]] = []
    headers = {"Authorization": f"Bearer {token}"}
    with (
        httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30) as client,
        connect_sse(client, "GET", f"/api/v1/tasks/{task_id}/stream") as source,
    ):
        worker.start()
        for sse in source.iter_sse():
            if sse.event == "chunk":
                received.append((time.time(), json.loads(sse.data)["text"]))
            if sse.event in {"done", "error"}:
                break
    worker.join()
    return _latencies(iter(received))


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    from django.contrib.auth.models import User

    from documents import services
    from documents.models import Document, OutlineTask

    call_command("migrate", verbosity=0)
    user = User.objects.create_user("bench")
    token = services.api_token_create(user=user)
    sections = [
        {"level": 1, "title": f"Section {i}", "text": "Text.", "source_index": i} for i in range(SECTIONS)
    ]
    document = Document.objects.create(
        owner=user, file="bench.docx", original_filename="bench.docx", title="Bench", size_bytes=1,
        sha256="0" * 64, structure={"language": "en", "sections": sections},
    )  # fmt: skip
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "project.wsgi", "--bind", f"127.0.0.1:{port}",
         "--worker-class", "gthread", "--threads", "8", "--log-level", "warning"],
        cwd=BASE_DIR, env=os.environ.copy(),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        direct_ms, relay_ms = [], []
        for _ in range(int(os.environ.get("BENCH_ROUNDS", "3"))):  # interleaved: same conditions
            direct_ms += direct()
            task = OutlineTask.objects.create(owner=user, document=document)  # no Celery: run in-thread
            StreamWriter(task.pk).reset()  # ids restart with each bench database
            relay_ms += relayed(port, token, task.pk)
    finally:
        server.terminate()
        server.wait(timeout=10)

    print(f"tokens: direct={len(direct_ms)} relayed={len(relay_ms)} interval={INTERVAL * 1000:.0f} ms")
    print(f"direct  latency ms: p50={_pct(direct_ms, 50):7.3f}  p99={_pct(direct_ms, 99):7.3f}")
    print(f"relayed latency ms: p50={_pct(relay_ms, 50):7.3f}  p99={_pct(relay_ms, 99):7.3f}")
    print(
        f"added by the relay ms: p50={_pct(relay_ms, 50) - _pct(direct_ms, 50):7.3f}  "
        f"p99={_pct(relay_ms, 99) - _pct(direct_ms, 99):7.3f}"
    )


if __name__ == "__main__":
    main()
