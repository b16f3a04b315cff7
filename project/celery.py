"""The Celery app. Settings come from Django's settings under the CELERY_ prefix.

The signal handlers here make workers observable: log lines carry the ids of the request that
queued the task, the worker stamps a heartbeat (ops.workers), and process exits tidy the
Prometheus multiprocess files.
"""

import logging.config
import os

from celery import Celery
from celery.signals import (
    before_task_publish,
    setup_logging,
    task_postrun,
    task_prerun,
    worker_process_shutdown,
    worker_ready,
    worker_shutdown,
)

from ops import logs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

app = Celery("outliner")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

LOG_CONTEXT_HEADER = "outliner_log"


@setup_logging.connect
def _logging(**kwargs: object) -> None:
    # Django's LOGGING (JSON or console, with the context filter), not Celery's own format.
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@before_task_publish.connect
def _carry_log_context(headers: dict | None = None, **kwargs: object) -> None:
    # The publishing request's ids travel with the message (task.request.outliner_log).
    if headers is not None:
        headers[LOG_CONTEXT_HEADER] = logs.current()


@task_prerun.connect
def _bind_log_context(task_id: str | None = None, task: object = None, **kwargs: object) -> None:
    carried = getattr(getattr(task, "request", None), LOG_CONTEXT_HEADER, None) or {}
    logs.clear(**{k: v for k, v in carried.items() if k in logs.CONTEXT_FIELDS}, celery_task_id=task_id)


@task_postrun.connect
def _clear_log_context(**kwargs: object) -> None:
    logs.clear()


_heartbeat = None


@worker_ready.connect
def _start_worker_heartbeat(sender: object = None, **kwargs: object) -> None:
    global _heartbeat
    from django.conf import settings

    from ops import scrape, workers

    name = getattr(sender, "hostname", None) or os.uname().nodename
    _heartbeat = workers.WorkerHeartbeat(name).start()
    if settings.WORKER_METRICS_PORT:
        scrape.serve_worker_metrics(settings.WORKER_METRICS_PORT)


@worker_shutdown.connect
def _stop_worker_heartbeat(**kwargs: object) -> None:
    if _heartbeat is not None:
        _heartbeat.stop()


@worker_process_shutdown.connect
def _forget_process_metrics(pid: int | None = None, **kwargs: object) -> None:
    from ops import metrics

    metrics.mark_process_dead(pid or os.getpid())
