"""Fixtures of the tests generated from the URLconf (test_authorization_matrix.py, test_csrf.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from documents.tests.routes import World, shared_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:  # noqa: ANN001
    """One owner's documents, outline and tasks and another user's, built once per module."""
    with django_db_blocker.unblock(), shared_world(tmp_path_factory.mktemp("media")) as world:
        yield world


@pytest.fixture
def lenient_task_limit(settings) -> None:  # noqa: ANN001
    # The world has active tasks and the owner starts more; the per-user limit is not under test.
    settings.MAX_ACTIVE_TASKS_PER_USER = 100
