"""What the benchmarks share: an isolated Django (its own SQLite, media and metrics directory),
real gunicorn servers, a bench user with an API token, distributions, and the JSON + PNG report
each benchmark writes to var/bench/.

A benchmark calls ``configure()`` before it imports anything of Django's or the project's.
Redis is the one in REDIS_URL: run benchmarks under ``python -m project.localredis --db 14 --``
(as ``make bench`` does) so they never share keys with the app or the tests.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parents[1]
REPORT_DIR = BASE_DIR / "var" / "bench"
# A benchmark's own processes (a producer, say) inherit its directory, and so its database.
WORKDIR = Path(os.environ.get("OUTLINER_BENCH_WORKDIR") or tempfile.mkdtemp(prefix="outliner-bench-"))
BIN_DIR = Path(sys.executable).parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "project.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "DATABASE_URL": f"sqlite:///{WORKDIR / 'bench.sqlite3'}",
    "MEDIA_ROOT": str(WORKDIR / "media"),
    "PROMETHEUS_MULTIPROC_DIR": str(WORKDIR / "prometheus"),
    "LOG_LEVEL": "WARNING",
    "OUTLINER_BENCH_WORKDIR": str(WORKDIR),
    "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    # As in production, whatever the calling shell has (the test environment turns it on): WhiteNoise
    # looking for a file on every request made connecting 5,000 streams about a fifth slower.
    "WHITENOISE_AUTOREFRESH": "0",
    # A benchmark logs its browser in as one user, each round, and the counters live in Redis past
    # the run: the per-username limit (10 in 5 minutes) refused the log-in of a later round, whose
    # page then waited for a navigation that never came. The limits are tested in documents/tests.
    "LOGIN_RATE_PER_USERNAME": "",
    "LOGIN_RATE_PER_IP": "",
    # The capacity benchmarks hold thousands of streams of one bench user (and one task); the caps
    # on open streams per user and per task are tested in documents/tests.
    "SSE_MAX_STREAMS_PER_USER": "0",
    "SSE_MAX_STREAMS_PER_TASK": "0",
}


def configure(**extra_env: str) -> None:
    """Point this process (and the servers it starts) at the bench environment, set Django up and
    create the bench database."""
    os.environ.update({**BENCH_ENV, **extra_env})
    (WORKDIR / "prometheus").mkdir(exist_ok=True)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def bench_user(username: str = "bench", *, password: str | None = None) -> tuple[Any, str]:
    """A user and an API token for it (and a password, for a benchmark that logs a browser in)."""
    from django.contrib.auth.models import User

    from documents import services

    user = User.objects.create_user(username, password=password)
    return user, services.api_token_create(user=user)


def bench_document(user: Any, *, sections: int = 0) -> Any:
    """A document with `sections` one-line sections (no file behind it: the bench never reads one)."""
    from documents.models import Document

    structure = {
        "language": "en",
        "sections": [
            {"level": 1, "title": f"Section {i}", "text": "Text.", "source_index": i} for i in range(sections)
        ],
    }
    return Document.objects.create(
        owner=user, file="bench.docx", original_filename="bench.docx", title="Bench", size_bytes=1,
        sha256="0" * 64, structure=structure,
    )  # fmt: skip


# ------------------------------------------------------------------------- processes
def start(command: Sequence[str], *, log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    out = open(log, "w")  # noqa: SIM115 (the child keeps its own descriptor)
    process = subprocess.Popen(
        list(command), cwd=BASE_DIR, env=env or os.environ.copy(), stdout=out, stderr=subprocess.STDOUT
    )
    out.close()
    return process


def start_gunicorn(
    port: int,
    *,
    worker_class: str = "gthread",
    threads: int = 8,
    connections: int = 1000,
    workers: int = 1,
    app: str = "project.wsgi",
    config: str = "project/gunicorn.conf.py",
    env: dict[str, str] | None = None,
    name: str = "web",
) -> subprocess.Popen:
    """gunicorn with the production config, as `make run` starts it (gthread) or with gevent."""
    command = [
        str(BIN_DIR / "gunicorn"), "-c", config, app, "--bind", f"127.0.0.1:{port}",
        "--worker-class", worker_class, "--workers", str(workers), "--timeout", "300",
    ]  # fmt: skip
    if worker_class == "gthread":
        command += ["--threads", str(threads)]
    else:
        command += ["--worker-connections", str(connections)]
    process = start(command, log=WORKDIR / f"{name}-{port}.log", env=env)
    wait_http(f"http://127.0.0.1:{port}/healthz", process)
    return process


def start_celery_worker(
    *,
    concurrency: int = 2,
    pool: str = "prefork",
    loglevel: str = "INFO",
    command: Sequence[str] | None = None,
    env: dict[str, str] | None = None,
    name: str = "worker",
    timeout: float = 60,
) -> subprocess.Popen:
    """A Celery worker as `make run` starts it (prefork, 2 processes; project/run.py), once it answers
    a ping. `command` replaces the `celery` executable (a wrapper that takes celery's arguments);
    the worker gets a hostname of its own, so the ping is answered by this worker and no other."""
    import socket

    from project.celery import app

    hostname = f"{name}-{os.getpid()}@{socket.gethostname()}"
    process = start(
        [*(command or [str(BIN_DIR / "celery")]), "-A", "project", "worker", "--loglevel", loglevel,
         "--pool", pool, "--concurrency", str(concurrency), "--hostname", hostname],
        log=WORKDIR / f"{name}.log", env=env,
    )  # fmt: skip
    deadline = time.monotonic() + timeout
    while not app.control.ping(destination=[hostname], timeout=0.5):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            raise RuntimeError(f"the Celery worker did not start (log in {WORKDIR / f'{name}.log'})")
    return process


def wait_http(url: str, process: subprocess.Popen | None = None, timeout: float = 90) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        if (process is not None and process.poll() is not None) or time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not come up (logs in {WORKDIR})")
        time.sleep(0.1)


def stop(process: subprocess.Popen) -> None:
    from documents.tests.processes import stop_process

    stop_process(process)


def pss_mib(pid: int, *, children_only: bool = False) -> float:
    """Memory of a process tree (gunicorn: its workers; celery: master and pool) as PSS: forked
    children share pages with their parent, and RSS would count those once per child."""
    import psutil

    try:
        parent = psutil.Process(pid)
        members = parent.children(recursive=True) + ([] if children_only else [parent])
        return sum(p.memory_full_info().pss for p in members if p.is_running()) / 2**20
    except psutil.NoSuchProcess:
        return float("nan")


def redis_connections(pid: int, port: int = 6379) -> int:
    """The process's open TCP connections to Redis on `port`. Counted on the process, not with
    Redis's INFO clients: other programs (and other benchmarks) share the Redis server."""
    import psutil

    try:
        return sum(
            1
            for conn in psutil.Process(pid).net_connections(kind="tcp")
            if conn.raddr and conn.raddr.port == port and conn.status == psutil.CONN_ESTABLISHED
        )
    except psutil.NoSuchProcess:
        return -1


def worker_pid(server: subprocess.Popen) -> int:
    """The one worker of a gunicorn started with workers=1 (the process that holds the streams)."""
    import psutil

    children = psutil.Process(server.pid).children()
    if len(children) != 1:
        raise RuntimeError(f"expected one gunicorn worker, found {len(children)}")
    return children[0].pid


# ------------------------------------------------------------------------- CPUs
def cpu_layouts() -> dict[str, tuple[set[int], set[int]]]:
    """Where the browser and the server side run: {name: (browser CPUs, server CPUs)}.

    "split" gives the browser a CPU of its own and the server side (writer, gunicorn) the others,
    as on a user's machine, whose browser never shares its CPU with the server; "shared" puts both
    on every CPU, as a 2-core bench machine does by default. With one CPU there is only "shared".
    Redis is the machine's service and stays where it is (on every CPU)."""
    cpus = sorted(os.sched_getaffinity(0))
    shared = {"shared": (set(cpus), set(cpus))}
    return shared if len(cpus) < 2 else {"split": ({cpus[0]}, set(cpus[1:]))} | shared


@contextmanager
def on_cpus(cpus: set[int]) -> Iterator[None]:
    """Run the calling thread on `cpus` for the block. What it starts meanwhile (a thread, a
    process, Playwright's driver and the browser that starts) inherits them and keeps them."""
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, cpus)  # 0: the calling thread (Linux)
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


# ------------------------------------------------------------------------- browser
# Playwright cannot download its own browser here: Debian's Chromium, with the e2e tests' flags.
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]  # fmt: skip


def launch_chromium(playwright: Any) -> Any:
    """A headless Chromium from a started `sync_playwright()`."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def browser_log_in(page: Any, base_url: str, username: str, password: str) -> None:
    """Log `page` in through the login form, as a person does (session and CSRF cookies included)."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/documents/")


# ------------------------------------------------------------------------- figures
def percentile(values: Sequence[float], q: float) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def distribution(values: Sequence[float], digits: int = 3) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": round(percentile(values, 50), digits),
        "p95": round(percentile(values, 95), digits),
        "p99": round(percentile(values, 99), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
    }


def write_report(name: str, report: dict[str, Any], draw: Callable[[Any], None] | None = None) -> Path:
    """var/bench/<name>.json, and <name>.png drawn by `draw(axes)` (matplotlib, no display)."""
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    path = REPORT_DIR / f"{name}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    if draw is not None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        figure, axes = plt.subplots(figsize=(8, 4.5), layout="constrained")
        draw(axes)
        figure.savefig(REPORT_DIR / f"{name}.png", dpi=110)
        plt.close(figure)
    return path


def verdict(target: str, measured: str, met: bool) -> dict[str, Any]:
    """One target's line in a report (and in docs/benchmarks.md)."""
    print(f"{'MET   ' if met else 'MISSED'} {target}: {measured}")
    return {"target": target, "measured": measured, "met": met}
