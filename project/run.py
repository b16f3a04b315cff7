"""`make run`: start every process the app needs and stop them all on Ctrl-C.

Processes: gunicorn (web), a Celery worker, and a private Redis when none is available.
honcho supervises them: output is prefixed per process and one dying stops the rest.
"""

from __future__ import annotations

import os
import sys

from honcho.manager import Manager

from project import localredis


def main() -> int:
    port = os.environ.get("PORT", "8000")
    bind = os.environ.get("BIND", "127.0.0.1")
    redis = localredis.plan()
    env = {**os.environ, "REDIS_URL": redis.url, "PYTHONUNBUFFERED": "1"}
    env.setdefault("DJANGO_DEBUG", "1")
    bin_dir = os.path.dirname(sys.executable)

    manager = Manager()
    if redis.command:
        manager.add_process("redis", " ".join(f"'{c}'" for c in redis.command), env=env)
    # gthread workers: each open connection holds a thread, not a process, so a few
    # processes serve many concurrent requests (and, later, long-lived streams).
    manager.add_process(
        "web",
        f"{bin_dir}/gunicorn project.wsgi --bind {bind}:{port} --worker-class gthread "
        f"--workers {os.environ.get('WEB_CONCURRENCY', '2')} --threads 32 --timeout 120 --access-logfile -",
        env=env,
    )
    manager.add_process(
        "worker", f"{bin_dir}/celery -A project worker --loglevel INFO --concurrency 2", env=env
    )
    demo = f"{os.environ.get('DEMO_USERNAME', 'demo')} / {os.environ.get('DEMO_PASSWORD', 'outliner-demo')}"
    print(
        f"\n  Outliner is starting at http://{bind}:{port}/\n"
        f"  demo login: {demo}\n"
        f"  Redis: {redis.url}{' (private, started now)' if redis.command else ''}\n"
        "  Ctrl-C stops everything.\n",
        flush=True,
    )
    manager.loop()
    return manager.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
