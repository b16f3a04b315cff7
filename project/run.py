"""`make run`: start every process the app needs and stop them all on Ctrl-C.

Processes: gunicorn (web), a Celery worker, Celery beat (the task reaper), the bundled model
server when no LLM_BASE_URL is set, and a private Redis when none is available.
honcho supervises them: output is prefixed per process and one dying stops the rest.
"""

from __future__ import annotations

import os
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
    bin_dir = os.path.dirname(sys.executable)

    manager = Manager()
    if redis.command:
        manager.add_process("redis", " ".join(f"'{c}'" for c in redis.command), env=env)
    # gthread workers, not gevent: an open SSE stream holds a thread (waiting on a queue fed
    # by the per-process stream reader), not a process, so 2 x 32 threads serve 64 live
    # streams; and nothing needs monkey-patching (celery, redis, openai, psycopg stay as they
    # are). gthread's --timeout watches the worker's main loop, not request length, so long
    # streams are fine; they end themselves after SSE_MAX_DURATION_SECONDS and the client resumes.
    manager.add_process(
        "web",
        f"{bin_dir}/gunicorn project.wsgi --bind {bind}:{port} --worker-class gthread "
        f"--workers {os.environ.get('WEB_CONCURRENCY', '2')} --threads 32 --timeout 120 --access-logfile -",
        env=env,
    )
    if not os.environ.get("LLM_BASE_URL"):
        manager.add_process("model", f"{sys.executable} manage.py runmodel", env=env)
    manager.add_process(
        "worker", f"{bin_dir}/celery -A project worker --loglevel INFO --concurrency 2", env=env
    )
    # beat runs the reaper that fails tasks whose worker died (see WORKER_LOST_AFTER_SECONDS).
    manager.add_process(
        "beat",
        f"{bin_dir}/celery -A project beat --loglevel INFO --schedule var/celerybeat-schedule",
        env=env,
    )
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
