"""A fake OpenAI-compatible provider as a real HTTP server, for fault, load and benchmark runs that
need exact, cheap, repeatable generations (the bundled model is CPU-bound and not deterministic).

It speaks just enough of the API the openai SDK uses: `GET /v1/models`, and streamed
`POST /v1/completions` and `POST /v1/chat/completions` (Server-Sent Events, `data: [DONE]`).
Each answer is `tokens` deltas, one every `interval` seconds, mixing English and Chinese words;
a client that closes the connection stops its generation (as llama.cpp does), and `active()`
counts generations still running, so a test can prove a cancelled stream freed the provider.

    python -m documents.tests.provider_server --port 8799 --tokens 40 --interval-ms 20
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WORDS = ["Outline", " of", " the", " section", ":", " 要点", "一", "，", " key", " points", " 和", "结论"]


def reply_tokens(count: int) -> list[str]:
    """The deltas of one answer: deterministic, so a test can compare what it got."""
    return [WORDS[i % len(WORDS)] for i in range(count)]


class ProviderServer(ThreadingHTTPServer):
    daemon_threads = True
    # Load runs open many connections at once; the default backlog of 5 would refuse some.
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], *, tokens: int, interval: float) -> None:
        super().__init__(address, _Handler)
        self.tokens = tokens
        self.interval = interval
        self._lock = threading.Lock()
        self._active = 0
        self.requests = 0

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/v1"

    def active(self) -> int:
        with self._lock:
            return self._active

    @contextmanager
    def generating(self) -> Iterator[None]:
        with self._lock:
            self._active += 1
            self.requests += 1
        try:
            yield
        finally:
            with self._lock:
                self._active -= 1


class _Handler(BaseHTTPRequestHandler):
    server: ProviderServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the stdlib's name)
        pass  # a load run would print a line per request

    def do_GET(self) -> None:
        if self.path.rstrip("/") != "/v1/models":
            self._json(HTTPStatus.NOT_FOUND, {"error": {"message": "not found"}})
            return
        self._json(HTTPStatus.OK, {"object": "list", "data": [{"id": "fake", "object": "model"}]})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        chat = self.path.rstrip("/") == "/v1/chat/completions"
        if not chat and self.path.rstrip("/") != "/v1/completions":
            self._json(HTTPStatus.NOT_FOUND, {"error": {"message": "not found"}})
            return
        tokens = reply_tokens(min(self.server.tokens, int(body.get("max_tokens") or self.server.tokens)))
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        with self.server.generating():
            try:
                for token in tokens:
                    time.sleep(self.server.interval)
                    self._event(self._chunk(token, chat=chat, finish=None))
                self._event(self._chunk("", chat=chat, finish="length"))
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return  # the client closed the stream: stop generating, as a real server does

    def _chunk(self, text: str, *, chat: bool, finish: str | None) -> dict:
        if chat:
            choice = {"index": 0, "delta": {"content": text} if text else {}, "finish_reason": finish}
            return {"id": "fake", "object": "chat.completion.chunk", "created": 0, "model": "fake",
                    "choices": [choice]}  # fmt: skip
        choice = {"index": 0, "text": text, "finish_reason": finish, "logprobs": None}
        return {"id": "fake", "object": "text_completion", "created": 0, "model": "fake", "choices": [choice]}

    def _event(self, payload: dict) -> None:
        self.wfile.write(b"data: " + json.dumps(payload, ensure_ascii=False).encode() + b"\n\n")
        self.wfile.flush()

    def _json(self, status: HTTPStatus, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def running_provider(*, tokens: int = 40, interval: float = 0.02, port: int = 0) -> Iterator[ProviderServer]:
    """A provider server on loopback in a thread of this process, for the block's duration."""
    server = ProviderServer(("127.0.0.1", port), tokens=tokens, interval=interval)
    thread = threading.Thread(target=server.serve_forever, name="fake-provider", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tokens", type=int, default=40)
    parser.add_argument("--interval-ms", type=float, default=20.0)
    args = parser.parse_args()
    server = ProviderServer(("127.0.0.1", args.port), tokens=args.tokens, interval=args.interval_ms / 1000)
    server.serve_forever()


if __name__ == "__main__":
    main()
