# Fixtures that run real processes (model server, Celery worker) are registered once for the
# whole run, so integration and end-to-end tests share one worker and one model server.
from collections.abc import Iterator

import pytest

pytest_plugins = ["documents.tests.processes"]


@pytest.fixture(autouse=True)
def _fresh_flag_cache() -> None:
    # Flags are cached per process (5 s); a test's rolled-back flag must not leak into the next.
    from django.core.cache import caches

    caches["flags"].clear()


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    # Every test logs in and uploads from 127.0.0.1: counts from earlier tests must not refuse it.
    # Only the rate-limit keys go (cache.clear() would flush the whole Redis database).
    from django.conf import settings
    from django.core.cache import caches

    from ops.ratelimits import clear_counts

    if settings.CACHES["ratelimit"]["BACKEND"].endswith("RedisCache"):
        clear_counts(caches["ratelimit"])


@pytest.fixture(autouse=True)
def _one_section_at_a_time(settings) -> None:  # noqa: ANN001
    # A fake provider hands out its scripted replies in call order; sections prepared in parallel
    # would take them in any order. (The parallel preparation has its own test.)
    settings.OUTLINE_PARALLEL = 1


@pytest.fixture(autouse=True)
def _shared_connection_closed() -> Iterator[None]:
    # The SSE endpoint's shared connection (ops/shared_db.py) outlives requests by design; not
    # tests: PostgreSQL cannot drop the test database while it is open.
    yield
    from ops import shared_db

    shared_db.close()


def pytest_sessionfinish(session, exitstatus) -> None:  # noqa: ANN001
    # `make test` gives each run its own Prometheus multiprocess directory (see the Makefile).
    import os
    import shutil
    from pathlib import Path

    path = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR", ""))
    if path.name.startswith("prometheus-test-"):
        shutil.rmtree(path, ignore_errors=True)
