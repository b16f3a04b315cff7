"""Start the bundled model server (`manage.py runmodel`) as a subprocess for tests.

    with running_model_server() as base_url:  # "http://127.0.0.1:PORT/v1"
        ...

Integration fixtures wrap this; it is a plain context manager so a script can use it too.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from documents.management.commands.runmodel import http_ok
from project.localredis import free_port

BASE_DIR = Path(__file__).resolve().parents[2]
READY_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 20.0


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def running_model_server(
    port: int | None = None, *, model: Path | None = None, env: dict[str, str] | None = None
) -> Iterator[str]:
    """Yield the base URL of a freshly started, ready model server (the bundled model, or the
    .gguf at `model`; `env` overrides settings such as MODEL_THREADS); stop it on exit.

    Fails within a second or so, with the server's log tail, if the process dies while starting.
    """
    port = port or free_port()
    root = f"http://127.0.0.1:{port}"
    log_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 (lives as long as the server)
        prefix=f"modelserver-{port}-", suffix=".log", delete=False
    )
    log_path = Path(log_file.name)
    command = [sys.executable, "manage.py", "runmodel", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(
        command + (["--model", str(model)] if model else []),
        cwd=BASE_DIR, stdout=log_file, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
    )  # fmt: skip
    clean = False
    try:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while not (http_ok(f"{root}/health") or http_ok(f"{root}/v1/models")):
            if server.poll() is not None:
                problem = f"exited with code {server.returncode} while starting"
            elif time.monotonic() > deadline:
                problem = f"was not ready after {READY_TIMEOUT_SECONDS:.0f} s"
            else:
                time.sleep(0.1)
                continue
            raise RuntimeError(f"model server {problem}; log {log_path}:\n{_tail(log_path)}")
        yield f"{root}/v1"
        clean = True
    finally:
        server.terminate()
        try:
            server.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log_file.close()
        if clean:  # keep the log of a failed start or test for reading
            log_path.unlink(missing_ok=True)
