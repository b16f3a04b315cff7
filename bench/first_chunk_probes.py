"""Timestamps for bench/first_chunk.py from inside the real web and worker processes, with Celery's
own signals, so no production code carries benchmark hooks.

Each probe writes the wall-clock time (``time.time()``: one clock for every process on the machine)
of one step of an outline task to the Redis hash ``bench:first_chunk:<OutlineTask id>``:

- ``published`` / ``queued``: before / after the web process sends the task (``before_task_publish``
  and ``after_task_publish``, in the request that clicked "Generate outline");
- ``received``: the worker's main process took the message off the queue (``task_received``);
- ``started`` (and ``pid``): a pool process starts running it (``task_prerun``).

This one file has two roles:

- gunicorn's config (``gunicorn -c bench/first_chunk_probes.py``): the project's
  project/gunicorn.conf.py, plus a ``post_worker_init`` hook that connects the publisher probes;
- the worker's command (``python bench/first_chunk_probes.py -A project worker ...``): connects the
  worker probes, then runs ``celery`` with the same arguments, in the same process.
"""

from __future__ import annotations

import os
import runpy
import sys
import time
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parents[1]
OUTLINE_TASK = "documents.tasks.outline_generate"
# The records outlive a run by a day at most, as a finished task's stream does in production.
TTL_SECONDS = 24 * 3600


def probe_key(task_id: int) -> str:
    return f"bench:first_chunk:{task_id}"


def _record(task_id: object, **fields: float | int) -> None:
    from ops.redis_pool import redis_client

    key = probe_key(int(task_id))  # type: ignore[arg-type]
    pipe = redis_client().pipeline(transaction=False)
    pipe.hset(key, mapping=fields)
    pipe.expire(key, TTL_SECONDS)
    pipe.execute()


def _task_id(args: Any) -> object | None:
    # outline_generate(task_id): its only positional argument is the OutlineTask's id.
    return args[0] if args else None


def connect_publisher() -> None:
    from celery.signals import after_task_publish, before_task_publish

    def published(sender: str | None = None, body: Any = None, **kwargs: object) -> None:
        now = time.time()  # first: the Redis write below is not part of what is measured
        if sender == OUTLINE_TASK and body:
            _record(_task_id(body[0]), published=now)

    def queued(sender: str | None = None, body: Any = None, **kwargs: object) -> None:
        now = time.time()
        if sender == OUTLINE_TASK and body:
            _record(_task_id(body[0]), queued=now)

    before_task_publish.connect(published, weak=False)
    after_task_publish.connect(queued, weak=False)


def connect_worker() -> None:
    from celery.signals import task_prerun, task_received

    def received(request: Any = None, **kwargs: object) -> None:
        now = time.time()
        if request is not None and request.task_name == OUTLINE_TASK:
            _record(_task_id(request.args), received=now)

    def started(sender: Any = None, args: Any = None, **kwargs: object) -> None:
        now = time.time()
        if getattr(sender, "name", None) == OUTLINE_TASK:
            _record(_task_id(args), started=now, pid=os.getpid())

    task_received.connect(received, weak=False)
    task_prerun.connect(started, weak=False)


if __name__ == "__main__":
    # The worker: the probes are connected before celery loads the app, and prefork's pool
    # processes inherit them.
    sys.path.insert(0, str(BASE_DIR))
    connect_worker()
    from celery.__main__ import main

    sys.argv = ["celery", *sys.argv[1:]]
    sys.exit(main())
elif __name__ == "__config__":  # the name gunicorn loads a config file under
    # gunicorn's config: every setting of the project's own, unchanged.
    project_config = runpy.run_path(str(BASE_DIR / "project" / "gunicorn.conf.py"))
    globals().update({k: v for k, v in project_config.items() if not k.startswith("_")})

    def post_worker_init(worker: object) -> None:
        connect_publisher()
