"""`make run`: start every process the app needs and stop them all on Ctrl-C.

Processes: gunicorn (web), a Celery worker, Celery beat (the task reaper), the bundled model
server when no LLM_BASE_URL is set, and a private Redis when none is available.
honcho supervises them: output is prefixed per process and one dying stops the rest.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import environ
from honcho.manager import Manager

from project import localredis

BASE_DIR = Path(__file__).resolve().parent.parent


def main() -> int:
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)  # the same .env the settings read
    port = os.environ.get("PORT", "8000")
    bind = os.environ.get("BIND", "127.0.0.1")
    redis = localredis.plan()
    env = {**os.environ, "REDIS_URL": redis.url, "PYTHONUNBUFFERED": "1"}
    env.setdefault("DJANGO_DEBUG", "1")
    # Prometheus multiprocess files belong to one run of the service: start from an empty dir.
    metrics_dir = Path(env.setdefault("PROMETHEUS_MULTIPROC_DIR", str(BASE_DIR / "var" / "prometheus")))
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    bin_dir = os.path.dirname(sys.executable)

    manager = Manager()

    def add(name: str, command: str) -> None:
        manager.add_process(name, command, env={**env, "OUTLINER_SERVICE": name})

    if redis.command:
        add("redis", " ".join(f"'{c}'" for c in redis.command))
    # gthread workers, not gevent: an open SSE stream holds a thread (waiting on a queue fed
    # by the per-process stream reader), not a process, so 2 x 32 threads serve 64 live
    # streams; and nothing needs monkey-patching (celery, redis, openai, psycopg stay as they
    # are). gthread's --timeout watches the worker's main loop, not request length, so long
    # streams are fine; they end themselves after SSE_MAX_DURATION_SECONDS and the client resumes.
    add(
        "web",
        f"{bin_dir}/gunicorn -c project/gunicorn.conf.py --bind {bind}:{port} --worker-class gthread "
        f"--workers {os.environ.get('WEB_CONCURRENCY', '2')} --threads 32 --timeout 120",
    )
    if not os.environ.get("LLM_BASE_URL"):
        add("model", f"{sys.executable} manage.py runmodel")
    add("worker", f"{bin_dir}/celery -A project worker --loglevel INFO --concurrency 2")
    # beat runs the reaper that fails tasks whose worker died (see WORKER_LOST_AFTER_SECONDS).
    add("beat", f"{bin_dir}/celery -A project beat --loglevel INFO --schedule var/celerybeat-schedule")
    demo = f"{os.environ.get('DEMO_USERNAME', 'demo')} / {os.environ.get('DEMO_PASSWORD', 'outliner-demo')}"
    print(
        f"\n  Outliner is starting at http://{bind}:{port}/\n"
        f"  demo login: {demo}\n"
        f"  Redis: {redis.url}{' (private, started now)' if redis.command else ''}\n"
        f"  LLM: {os.environ.get('LLM_BASE_URL') or 'bundled offline model (manage.py runmodel)'}\n"
        "  Ctrl-C stops everything.\n",
        flush=True,
    )
    manager.loop()
    return manager.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
