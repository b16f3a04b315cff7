"""Issue 20's findings 1-3 and 9, measured the same way on any checkout, so that a fix is shown as
a before and after from one script:

    python -m project.localredis --db 14 -- .venv/bin/python bench/hardening.py [--tree PATH]

`--tree` runs it against another checkout of the project (a `git worktree` of the commit before
the fixes, say) with this checkout's virtualenv. Printed as a table and written to
var/bench/hardening-<label>.json.

1. save: `PUT /outline` of "[" x N (the sanitizer's link pattern), and the same with a stale
   version (refused: how long before the 409).
2. render: the editor's preview of "![" x 6,000, and the document page with it as the outline.
3. streams: one user opens 40 streams of one task on gunicorn (gthread, 32 threads): how many are
   served, refused or left hanging, whether /healthz still answers; then they all close and we
   time how long until four streams open again and /healthz answers.
9. diff: a revision's section diff over N equal headings with one changed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parents[1]
# The finding: 70 streams of one account on 2 workers x 32 threads took /healthz down.
THREADS, STREAMS = 32, 40


def _timed(function, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return round(time.perf_counter() - started, 3), result


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, default=HERE, help="the checkout to measure")
    parser.add_argument("--label", default="", help="the report's name (default: the tree's commit)")
    args = parser.parse_args()
    tree = args.tree.resolve()
    label = (
        args.label
        or subprocess.run(
            ["git", "-C", str(tree), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    work = Path(tempfile.mkdtemp(prefix="outliner-hardening-"))
    (work / "prometheus").mkdir()
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "project.settings", "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}", "MEDIA_ROOT": str(work / "media"),
        "PROMETHEUS_MULTIPROC_DIR": str(work / "prometheus"), "LOG_LEVEL": "WARNING",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "SSE_HEARTBEAT_SECONDS": "15", "DJANGO_ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
    })  # fmt: skip
    sys.path.insert(0, str(tree))
    os.chdir(tree)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    report = {"tree": str(tree), "label": label}
    report.update(_save_and_render())
    report["diff"] = _diff()
    report["streams"] = _streams(tree, work)
    out = HERE / "var" / "bench" / f"hardening-{label}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"wrote {out}")


def _outline():  # noqa: ANN202
    from django.contrib.auth.models import User

    from documents import services
    from documents.models import Document, Outline

    user = User.objects.create_user(f"bench-{time.monotonic_ns()}", password="bench-password-9")
    document = Document.objects.create(
        owner=user, file="bench.docx", original_filename="bench.docx", title="Bench", size_bytes=1,
        sha256="0" * 64, structure={"language": "en", "sections": []},
    )  # fmt: skip
    outline = Outline.objects.create(document=document, markdown="# Bench\n")
    return user, services.api_token_create(user=user), outline


def _save_and_render() -> dict:
    from django.test import Client

    from documents.models import Outline

    user, token, outline = _outline()
    api = Client(headers={"Authorization": f"Bearer {token}"})
    url = f"/api/v1/documents/{outline.document_id}/outline"
    save = {}
    for n in (20_000, 40_000):
        version = Outline.objects.get(pk=outline.pk).version
        body = {"version": version, "markdown": "# T\n\n" + "[" * n}
        seconds, response = _timed(api.put, url, body, content_type="application/json")
        save[f'"[" x {n:,}'] = {"seconds": seconds, "status": response.status_code}
    body = {"version": 1, "markdown": "# T\n\n" + "[" * 40_000}
    seconds, response = _timed(api.put, url, body, content_type="application/json")
    save['stale version, "[" x 40,000'] = {"seconds": seconds, "status": response.status_code}

    browser = Client()
    browser.force_login(user)
    images = "![" * 6_000
    seconds, response = _timed(
        browser.post, f"/documents/{outline.document_id}/outline/preview/", {"markdown": images}
    )
    render = {'preview of "![" x 6,000': {"seconds": seconds, "status": response.status_code}}
    Outline.objects.filter(pk=outline.pk).update(markdown="# T\n\n## S\n\n" + images)
    from django.conf import settings
    from django.core.cache import caches

    if "markdown" in settings.CACHES:  # the page's first view renders, not the preview's cache
        caches["markdown"].clear()
    for attempt in ("first", "again"):
        seconds, response = _timed(browser.get, f"/documents/{outline.document_id}/")
        render[f"document page with it, {attempt}"] = {"seconds": seconds, "status": response.status_code}
    return {"save": save, "render": render}


def _diff() -> dict:
    from documents.outline_markdown import diff_structures

    result = {}
    for n in (6_000, 12_000):
        old = [{"title": "Section", "level": 1, "text": ""} for _ in range(n)]
        new = [dict(s) for s in old]
        new[n // 2] = {"title": "Changed", "level": 1, "text": ""}
        seconds, _ = _timed(diff_structures, old, new)
        result[f"{n:,} equal headings, one changed"] = {"seconds": seconds}
    return result


def _streams(tree: Path, work: Path) -> dict:
    from documents.models import OutlineTask

    user, token, outline = _outline()
    task = OutlineTask.objects.create(owner=user, document=outline.document, status="running")
    port = _free_port()
    log = open(work / "web.log", "w")  # noqa: SIM115
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "project/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
         "--worker-class", "gthread", "--workers", "1", "--threads", str(THREADS)],
        cwd=tree, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start; see {work / 'web.log'}")
            time.sleep(0.2)
        headers = {"Authorization": f"Bearer {token}"}
        stream_url = f"{base}/api/v1/tasks/{task.pk}/stream"
        with httpx.Client(headers=headers, timeout=3) as client, ExitStack() as open_streams:

            def open_one() -> str:
                try:
                    response = open_streams.enter_context(client.stream("GET", stream_url))
                except httpx.TimeoutException:
                    return "hanging"
                return {200: "served", 429: "refused"}.get(response.status_code, str(response.status_code))

            with ThreadPoolExecutor(max_workers=STREAMS) as pool:
                outcomes = list(pool.map(lambda _: open_one(), range(STREAMS)))
            healthz = _healthz_seconds(base)
        closed = time.monotonic()
        reopened = None
        with httpx.Client(headers=headers, timeout=2) as client, ExitStack() as again:
            opened = 0
            while opened < 4 and time.monotonic() - closed < 30:
                try:
                    response = again.enter_context(client.stream("GET", stream_url))
                    opened += response.status_code == 200
                except httpx.TimeoutException:
                    pass
            if opened == 4 and _healthz_seconds(base) is not None:
                reopened = round(time.monotonic() - closed, 2)
        return {
            f"{STREAMS} streams of one task by one user ({THREADS} threads)": {
                outcome: outcomes.count(outcome) for outcome in sorted(set(outcomes))
            },
            "/healthz meanwhile (s, null: no answer in 5 s)": healthz,
            "after they close, 4 streams open again and /healthz answers in (s)": reopened,
        }
    finally:
        web.terminate()  # streams still open (before the fixes) hold a graceful stop for 30 s
        try:
            web.wait(timeout=40)
        except subprocess.TimeoutExpired:
            web.kill()
            web.wait(timeout=10)
        log.close()


def _healthz_seconds(base: str) -> float | None:
    try:
        seconds, response = _timed(httpx.get, f"{base}/healthz", timeout=5)
    except httpx.TimeoutException:
        return None
    return seconds if response.status_code == 200 else None


if __name__ == "__main__":
    main()
