"""Thin Celery tasks: they take ids and call services."""

from __future__ import annotations

from celery import Task, shared_task

from documents import services
from documents.models import Document


@shared_task(acks_late=True)
def document_reextract(document_id: int) -> int:
    """Re-run structure extraction for one stored document (after an extractor upgrade)."""
    document = Document.objects.filter(pk=document_id).first()
    if document is None:  # deleted meanwhile: nothing to do
        return 0
    return len(services.document_reextract(document=document).sections)


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def outline_generate(self: Task, task_id: int) -> None:
    try:
        services.outline_generate(task_id=task_id, worker=self.request.hostname or "")
    except services.TaskDeferred as deferred:
        if self.request.is_eager:
            # Run in the caller (CELERY_TASK_ALWAYS_EAGER): no queue to hand it back to, and a
            # retry would run it again at once, forever. It stays queued for the reaper's re-send.
            return
        # Back to the same queue for later; this worker slot takes the next task meanwhile.
        raise self.retry(countdown=deferred.countdown) from None


@shared_task(ignore_result=True)
def outline_reap() -> None:
    services.outline_reap()
