"""One database connection per process, kept open and shared under a lock, for one short read
that thousands of requests make at once: the SSE endpoint's access check.

Django opens a connection per request (CONN_MAX_AGE), and under gevent per greenlet, so each
stream's connect opened one and closed it again: about 1 ms on SQLite (its WAL index is set up
on a connection's first read) and more on PostgreSQL, where it is a new backend. That was a
quarter of the gevent worker's time in a 5,000-client connect storm (bench/capacity.py, py-spy),
after the query itself had become one. The read is a single indexed SELECT, so sharing one
connection costs no waiting worth the name.

Raw SQL only (the ORM always takes the request's own connection). Inside a transaction (a
test's) the request's connection is used instead: only it sees what the transaction wrote.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper

_lock = threading.Lock()  # under gevent, a greenlet's lock (the worker patches threading)
_shared: BaseDatabaseWrapper | None = None
_pid: int | None = None


def fetch_one(query: Callable[[BaseDatabaseWrapper], tuple[str, Sequence[Any]]]) -> tuple[Any, ...] | None:
    """The first row of the (sql, params) that `query` writes for the connection it is given (its
    vendor's quoting and types); a shared connection that broke (a database restart) is opened
    again once."""
    if _in_transaction():
        with connection.cursor() as cursor:
            cursor.execute(*query(connection))
            return cursor.fetchone()
    with _lock:
        for attempt in (1, 2):
            shared = _connection()
            try:
                with shared.cursor() as cursor:
                    cursor.execute(*query(shared))
                    return cursor.fetchone()
            except (OperationalError, InterfaceError):
                shared.close()
                if attempt == 2:
                    raise
    raise AssertionError("unreachable")


def _in_transaction() -> bool:
    own = own_connection()
    return own is not None and own.in_atomic_block


def own_connection() -> BaseDatabaseWrapper | None:
    """This thread's (greenlet's) default connection if it has set one up, without setting one up:
    asking `connection` would make one for every request that has none."""
    return next((db for db in connections.all(initialized_only=True) if db.alias == DEFAULT_DB_ALIAS), None)


def _connection() -> BaseDatabaseWrapper:
    global _shared, _pid
    if _shared is None or _pid != os.getpid():  # never a parent's (a forked worker)
        _shared = connections.create_connection(DEFAULT_DB_ALIAS)
        _shared.inc_thread_sharing()  # any thread or greenlet, one at a time (the lock)
        _pid = os.getpid()
    return _shared


def close() -> None:
    """Closes the shared connection (the next read opens it again): a test run's database cannot be
    dropped while a connection to it is open."""
    with _lock:
        if _shared is not None and _pid == os.getpid():
            _shared.close()
