"""Schemathesis against the API's own OpenAPI document, in process (WSGI): every operation, with
valid and invalid input, must never answer 5xx and must answer only what its schema documents
(status code, content type, body shape).

Requests carry a real bearer token for a user who owns real documents and tasks, and path ids
are often swapped for theirs (or another user's), so the fuzzer gets past the 404s and into the
views. Each generated request runs inside a savepoint that is rolled back, so every example
sees the same world and a DELETE cannot starve the rest. No worker: queueing a task is patched
out, as in test_api.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import redis
import schemathesis
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from documents import services, tasks
from documents.models import OutlineTask
from documents.tests.conftest import make_docx

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 25
S = OutlineTask.Status


@dataclass(frozen=True)
class World:
    token: str
    ids: dict[str, list[int]]  # path parameter name -> ids worth hitting
    docx: bytes


@pytest.fixture
def world(user, other_user, settings, tmp_path, monkeypatch) -> Iterator[World]:  # noqa: ANN001
    settings.MEDIA_ROOT = tmp_path
    # A queued task's stream tails until it ends: keep that short, with no worker to end it.
    settings.SSE_MAX_DURATION_SECONDS = 0.05
    settings.SSE_HEARTBEAT_SECONDS = 0.05
    monkeypatch.setattr(tasks.outline_generate, "delay", lambda task_id: None)
    # In-process WSGI requests fire request_started/finished, whose close_old_connections would
    # close the test's connection mid-transaction; Django's own test Client unhooks it the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    _clear_streams()

    docx = make_docx(body="本办法适用于公司全体员工。")
    fresh = services.document_create(owner=user, uploaded=SimpleUploadedFile("计划.docx", docx))
    kept = services.document_create(owner=user, uploaded=SimpleUploadedFile("kept.docx", docx))
    theirs = services.document_create(owner=other_user, uploaded=SimpleUploadedFile("o.docx", docx))
    queued = services.outline_start(document=fresh)
    cancelled = services.outline_cancel(task=services.outline_start(document=fresh))
    failed = OutlineTask.objects.create(
        owner=user, document=fresh, status=S.FAILED, error_code="worker_lost", result="# 计划\n\n", last_seq=3
    )
    succeeded = OutlineTask.objects.create(
        owner=user, document=kept, status=S.SUCCEEDED, result="# Kept\n\n## 背景\n\n摘要。\n", last_seq=2,
        chunk_index=[[1, 18]],
    )  # fmt: skip
    services.outline_adopt(task=succeeded, author=user)
    their_task = OutlineTask.objects.create(owner=other_user, document=theirs, status=S.QUEUED)
    try:
        yield World(
            token=services.api_token_create(user=user),
            ids={
                "document_id": [kept.pk, fresh.pk, theirs.pk],
                "task_id": [queued.pk, cancelled.pk, failed.pk, succeeded.pk, their_task.pk],
                "number": [1, 2],
            },
            docx=docx,
        )
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        _clear_streams()


def _clear_streams() -> None:
    # Task ids restart with each test database; a stream left from another run must not leak in.
    with redis.Redis.from_url(django_settings.REDIS_URL) as client:
        keys = list(client.scan_iter("model_result:*"))
        if keys:
            client.delete(*keys)


def _fuzz(operation: schemathesis.APIOperation, world: World, mode: schemathesis.GenerationMode) -> None:
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,  # the same requests on every run: a failure here is never a flake
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    def run(case: schemathesis.Case, data: st.DataObject) -> None:
        # Real ids first: Hypothesis leans towards the first choice, and the generated value
        # (usually a miss, 404) stays one of them.
        for name, value in (case.path_parameters or {}).items():
            if name in world.ids:
                case.path_parameters[name] = data.draw(st.sampled_from([*world.ids[name], value]), label=name)
        body = case.body if isinstance(case.body, dict) else {}
        if "version" in body:  # the kept outline's current version, so a save can succeed
            body["version"] = data.draw(st.sampled_from([1, body["version"]]), label="version")
        if "file" in body and data.draw(st.booleans(), label="real docx"):
            body["file"] = world.docx
        with transaction.atomic():
            response = case.call(headers={"Authorization": f"Bearer {world.token}"})
            transaction.set_rollback(True)
        case.validate_response(response, checks=CHECKS)

    run()


@pytest.mark.parametrize("mode", [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE])
def test_no_operation_answers_5xx_or_outside_its_schema(
    world: World, mode: schemathesis.GenerationMode
) -> None:
    from project.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 18, "every operation of the API is fuzzed"
    failures: dict[str, BaseException] = {}
    for operation in operations:
        try:
            _fuzz(operation, world, mode)
        # Collect them all, for one report of every operation that fails (a FailureGroup is a
        # BaseExceptionGroup, not an Exception).
        except (Exception, FailureGroup) as exc:
            failures[operation.label] = exc
    assert not failures, "\n\n".join(f"{label}:\n{exc}" for label, exc in failures.items())
