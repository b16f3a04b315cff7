"""The outline task state machine: queued → preparing → running → succeeded | failed | cancelled.

Every transition is one conditional UPDATE (`WHERE status IN <states it may come from>`), so two
processes racing (a cancel and the worker's claim, the reaper and a slow worker) cannot both win;
the loser is told, and the refusal is logged. The caller mirrors a won transition into the
task's stream; the database stays the truth.
"""

from __future__ import annotations

import logging
from typing import Any

from django.utils import timezone

from documents.models import OutlineTask
from ops import metrics

logger = logging.getLogger(__name__)
S = OutlineTask.Status

ALLOWED: dict[str, frozenset[str]] = {
    S.QUEUED: frozenset({S.PREPARING, S.CANCELLED, S.FAILED}),
    S.PREPARING: frozenset({S.RUNNING, S.CANCELLED, S.FAILED}),
    S.RUNNING: frozenset({S.SUCCEEDED, S.CANCELLED, S.FAILED}),
    S.SUCCEEDED: frozenset(),
    S.FAILED: frozenset(),
    S.CANCELLED: frozenset(),
}


def sources_of(target: str) -> list[str]:
    return [source for source, targets in ALLOWED.items() if target in targets]


def can_transition(source: str, target: str) -> bool:
    return target in ALLOWED.get(source, frozenset())


def transition(task_id: int, target: str, *, only_from: set[str] | None = None, **fields: Any) -> bool:
    """Move the task to `target` if its current state allows it (and is in `only_from`, if given).

    Terminal targets also stamp finished_at. Returns whether this call made the transition.
    """
    sources = [s for s in sources_of(target) if only_from is None or s in only_from]
    if target in OutlineTask.TERMINAL:
        fields.setdefault("finished_at", timezone.now())
    won = OutlineTask.objects.filter(pk=task_id, status__in=sources).update(status=target, **fields)
    if won and target in OutlineTask.TERMINAL:
        # Counted where the outcome is decided (worker, cancel, reaper): exactly once per task.
        metrics.task_finished(status=target, error_code=fields.get("error_code", ""))
    if not won:
        current = OutlineTask.objects.filter(pk=task_id).values_list("status", flat=True).first()
        # With only_from the caller is asking "if it is still ..." (a cancel tries queued ->
        # cancelled and otherwise flags the running task): a refusal is an answer, not a fault.
        level = logging.INFO if only_from is not None else logging.WARNING
        logger.log(level, "refused transition task=%s %s -> %s", task_id, current, target)
    return bool(won)
