"""A worker that starts sweeps once at once: a task left running by a worker that died (the one
now restarting, often) should not wait for the next beat tick."""

from __future__ import annotations

import logging

from celery.signals import worker_ready

logger = logging.getLogger(__name__)


@worker_ready.connect
def _reap_on_start(**kwargs: object) -> None:
    from documents import tasks

    tasks.outline_reap.delay()
