"""The shared connection of ops/shared_db.py: one per process, under a lock, reopened when broken."""

from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, connections

from ops import shared_db

pytestmark = pytest.mark.django_db(transaction=True)


def _count_users(db):  # noqa: ANN001, ANN202
    q = db.ops.quote_name
    return f"SELECT COUNT(*) FROM {q('auth_user')} WHERE {q('username')} = %s", ["共享"]


def test_threads_read_committed_rows_on_one_shared_connection_and_open_none_of_their_own(django_user_model):
    django_user_model.objects.create_user("共享")
    rows, opened = [], []

    def read() -> None:
        rows.append(shared_db.fetch_one(_count_users))
        opened.append(len(connections.all(initialized_only=True)))

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert rows == [(1,)] * 8 and opened == [0] * 8
    assert shared_db._shared is not None and shared_db._shared.connection is not None


def test_a_shared_connection_that_broke_is_opened_again_once(django_user_model, monkeypatch):
    django_user_model.objects.create_user("共享")
    assert shared_db.fetch_one(_count_users) == (1,)
    shared = shared_db._shared
    real_cursor, calls = shared.cursor, []

    def broken_once():  # noqa: ANN202 (the database went away under the open connection)
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_cursor()

    monkeypatch.setattr(shared, "cursor", broken_once)
    assert shared_db.fetch_one(_count_users) == (1,) and len(calls) == 2


def test_inside_a_transaction_the_read_sees_what_the_transaction_wrote(django_user_model):
    from django.db import transaction

    with transaction.atomic():
        django_user_model.objects.create_user("共享")
        assert shared_db.fetch_one(_count_users) == (1,)  # on the transaction's own connection
