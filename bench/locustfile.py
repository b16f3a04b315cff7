"""Locust users for the load and soak run (bench/soak.py starts everything and runs this file).

Each user, with its own API token, loops: upload a .docx (English and Chinese headings), start an
outline, read its Server-Sent Events stream to the end, and now and then cancel mid-stream and
continue the cancelled task. Every stream is checked: the concatenated chunks must equal the
task's saved result, sequence numbers must be contiguous, and the stream must end with a
terminal event; a mismatch is a failure in Locust's statistics like an HTTP error.

    locust -f bench/locustfile.py --headless -u 50 -r 10 -t 3m --host http://127.0.0.1:8000
    (OUTLINER_TOKENS_FILE: one API token per line)
"""

from __future__ import annotations

import io
import itertools
import json
import os
import random
import time

import httpx
from docx import Document as DocxDocument
from httpx_sse import connect_sse
from locust import HttpUser, between, task

TOKENS = [t for t in open(os.environ["OUTLINER_TOKENS_FILE"]).read().split() if t]  # noqa: SIM115
_next_token = itertools.cycle(TOKENS)
CANCEL_SHARE = float(os.environ.get("OUTLINER_CANCEL_SHARE", "0.3"))


def _docx(n: int) -> bytes:
    doc = DocxDocument()
    for level, title in [(1, f"Introduction {n}"), (2, "背景与目标"), (1, "结论")]:
        doc.add_heading(title, level=level)
        doc.add_paragraph("公司计划在明年上线新的平台。 The plan has three phases and a budget.")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


class StreamBroken(Exception):
    """The stream lost, repeated or reordered events, or did not end."""


class OutlinerUser(HttpUser):
    wait_time = between(0.5, 2)

    def on_start(self) -> None:
        self.token = next(_next_token)
        self.client.headers["Authorization"] = f"Bearer {self.token}"
        self.sse = httpx.Client(
            base_url=self.host, headers={"Authorization": f"Bearer {self.token}"}, timeout=60
        )
        self.uploads = 0

    def on_stop(self) -> None:
        self.sse.close()

    @task
    def outline_journey(self) -> None:
        self.uploads += 1
        with self.client.post(
            "/api/v1/documents",
            files={"file": (f"报告-{self.uploads}.docx", _docx(self.uploads))},
            name="upload",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(
                    f"upload: HTTP {response.status_code} {response.error or response.text[:200]}"
                )
                return
            document_id = response.json()["id"]
        task_id = self._start(f"/api/v1/documents/{document_id}/tasks", "start")
        if task_id is None:
            return
        cancel = random.random() < CANCEL_SHARE
        status = self._stream(task_id, cancel_after=random.randint(1, 6) if cancel else None)
        if status == "cancelled":
            continued = self._start(f"/api/v1/tasks/{task_id}/continue", "continue")
            if continued is not None:
                self._stream(continued, cancel_after=None)

    def _start(self, path: str, name: str) -> int | None:
        with self.client.post(path, name=name, catch_response=True) as response:
            if response.status_code != 202:
                response.failure(
                    f"{name}: HTTP {response.status_code} {response.error or response.text[:200]}"
                )
                return None
            return response.json()["id"]

    def _cancel(self, task_id: int) -> None:
        with self.client.post(
            f"/api/v1/tasks/{task_id}/cancel", name="cancel", catch_response=True
        ) as response:
            # 409 task_finished is the documented answer when the task ended before the cancel came.
            if response.status_code == 409 and response.json()["error"]["code"] == "task_finished":
                response.success()
            elif response.status_code != 200:
                response.failure(
                    f"cancel: HTTP {response.status_code} {response.error or response.text[:200]}"
                )

    def _stream(self, task_id: int, *, cancel_after: int | None) -> str | None:
        """Read the task's stream to its terminal event (cancelling after `cancel_after` chunks);
        check it against the saved task; report it to Locust as one "stream" request."""
        started = time.perf_counter()
        chunks: list[str] = []
        seqs: list[int] = []
        final: str | None = None
        error: Exception | None = None
        try:
            with connect_sse(self.sse, "GET", f"/api/v1/tasks/{task_id}/stream") as source:
                source.response.raise_for_status()
                for event in source.iter_sse():
                    if not event.data:
                        continue  # the `retry:` advice at the start is a field, not an event
                    seqs.append(int(event.id))
                    data = json.loads(event.data)
                    if event.event == "chunk":
                        chunks.append(data["text"])
                        if cancel_after is not None and len(chunks) == cancel_after:
                            self._cancel(task_id)
                    if event.event in ("done", "error"):
                        final = data.get("status", "failed")
                        break
            if final is None:
                raise StreamBroken("the stream ended without a terminal event")
            if seqs != list(range(seqs[0], seqs[0] + len(seqs))):
                raise StreamBroken(f"sequence numbers not contiguous: {seqs[:20]}…")
            saved = self.client.get(f"/api/v1/tasks/{task_id}", name="task").json()
            if "".join(chunks) != saved["result"]:
                raise StreamBroken(
                    f"stream text != saved result ({len(''.join(chunks))} vs {len(saved['result'])})"
                )
            if final == "failed":
                raise StreamBroken(f"task failed: {saved.get('error')}")
        except Exception as exc:  # any failure is reported, with what it was
            error = exc
        self.environment.events.request.fire(
            request_type="SSE",
            name="stream",
            response_time=(time.perf_counter() - started) * 1000,
            response_length=sum(len(c) for c in chunks),
            exception=error,
            context={},
        )
        return final
