"""Task states: only forward transitions, each one conditional update. Real (test) database."""

from __future__ import annotations

import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents import services, states
from documents.models import OutlineTask
from documents.tests.conftest import make_docx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_celery")]
S = OutlineTask.Status


@pytest.fixture
def document(user):  # noqa: ANN001, ANN201
    return services.document_create(owner=user, uploaded=SimpleUploadedFile("章.docx", make_docx()))


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        (S.QUEUED, S.PREPARING, True), (S.QUEUED, S.CANCELLED, True), (S.PREPARING, S.RUNNING, True),
        (S.RUNNING, S.SUCCEEDED, True), (S.RUNNING, S.CANCELLED, True), (S.QUEUED, S.SUCCEEDED, False),
        (S.SUCCEEDED, S.FAILED, False), (S.CANCELLED, S.RUNNING, False), (S.FAILED, S.QUEUED, False),
    ],
)  # fmt: skip
def test_state_machine_allows_only_forward_transitions(source, target, allowed):
    assert states.can_transition(source, target) is allowed


def test_illegal_transition_is_refused_and_logged(document, caplog):
    task = services.outline_start(document=document)
    OutlineTask.objects.filter(pk=task.pk).update(status=S.SUCCEEDED)

    with caplog.at_level(logging.WARNING):
        assert states.transition(task.pk, S.CANCELLED) is False

    assert OutlineTask.objects.get(pk=task.pk).status == S.SUCCEEDED
    assert "refused transition" in caplog.text


def test_terminal_transition_stamps_finished_at(document):
    task = services.outline_start(document=document)

    assert states.transition(task.pk, S.CANCELLED)
    assert OutlineTask.objects.get(pk=task.pk).finished_at is not None
