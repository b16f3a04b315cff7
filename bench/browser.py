"""The browser side of streaming: a real Chromium on the real task page renders a 100,000-character
outline streamed live at thousands of chunks a second. Issue 9's targets: no long task (a main-thread
task over 50 ms, which is what Chromium reports as one), and a cost per chunk that does not grow
with the document (per-chunk cost with the document at ~100k characters over that at ~1k: <= 2).

A real gunicorn (gthread, as `make run`) serves the app; the browser logs in through the login form
and opens the page of a running task, whose card streams with the production front end
(static/js/outline-pane.js, fetch-stream.js, sse-parser.js, streaming-markdown). A writer thread
plays the worker: it appends a Markdown outline (## / ### headings, bullet lists, bold, CJK) to the
task's Redis stream as a model's deltas (3-20 characters each), as fast as StreamWriter.emit goes;
then it saves the result in the database and publishes the end, as
documents/services/outline_tasks.py does, so the
card re-renders from the server as in production. Nothing in the front end is changed for this:

- long tasks: a buffered PerformanceObserver('longtask') installed before the page loads; split into
  page load, streaming (first chunk to `done`) and the final re-render of the card.
- per-chunk cost (the figure the target is judged on): all main-thread time (Chrome DevTools
  Protocol Performance.getMetrics TaskDuration: script, style, layout, paint) over a burst of
  WINDOW chunks with the document at ~1k and at ~100k characters, minus the same measurement over
  an idle window (what measuring itself costs), divided by WINDOW. The writer holds back around each
  window so that only those chunks fall in it.
- along the whole stream, for the chart: the script time of each network read (from the read
  resolving to fetch-stream asking for the next one: SSE parsing, JSON, streaming-markdown, DOM
  appends) per chunk it carried, and the time of each scroll-follow frame (outline-pane.js reads
  scrollHeight in requestAnimationFrame, which forces style and layout), by document length.

Each round streams the whole outline to a new task in a new server and browser, in two CPU layouts
(harness.cpu_layouts), interleaved, BENCH_ROUNDS rounds each: "split", the browser on a CPU of its
own and the writer and gunicorn on the other, as on a user's machine, whose browser does not share
its CPU with the server; and "shared", all of it on both CPUs of this machine. The targets are
judged on "split" (every round); "shared" is reported beside it, since it shows what the server's
bursts on the same two cores do to the page.

Writes var/bench/browser.json and var/bench/browser.png. BENCH_TRACE=<path> also writes a Chrome
trace (open it in ui.perfetto.dev) of the stream from ~3k to ~98k characters, to see where the
main-thread time goes (each round writes it: the last round's is left); tracing slows the page, so
its figures are not comparable.

    .venv/bin/python -m project.localredis --db 14 -- .venv/bin/python bench/browser.py
"""

from __future__ import annotations

import os
import queue
import random
import re
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import harness

CHARACTERS = int(os.environ.get("BENCH_CHARACTERS", "100000"))
WINDOW = int(os.environ.get("BENCH_WINDOW", "200"))  # chunks per measured window
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))  # streams per CPU layout (harness.cpu_layouts)
SMALL_AT = 1_000  # characters: where the small-document window starts
SETTLE_S = 0.3  # after a window's last chunk arrived: its frames get drawn inside the window
TRACE = os.environ.get("BENCH_TRACE")  # a path: write a Chrome trace of the stream up to ~100k
TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "blink", "cc", "v8.execute"]
PASSWORD = "bench-passphrase-not-secret-42"
LONG_TASK_MS = 50

# In the page before any of its scripts: the long-task observer, and the two timings described
# above. The read wrapper counts a read's events before it starts the clock, so that is not timed.
INIT_SCRIPT = """
(() => {
  const bench = (window.__bench = {longTasks: [], longFrames: [], lastSeq: 0, waiters: [],
                                    firstChunkAt: null, doneAt: null});
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) bench.longTasks.push({start: e.startTime, ms: e.duration});
  }).observe({type: "longtask", buffered: true});
  // What a long frame was made of: script (and the style and layout it forced), then the
  // rendering update (style, layout, paint).
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const end = e.startTime + e.duration;
      bench.longFrames.push({
        start: e.startTime, ms: e.duration,
        scriptMs: e.scripts.reduce((sum, s) => sum + s.duration, 0),
        forcedLayoutMs: e.scripts.reduce((sum, s) => sum + s.forcedStyleAndLayoutDuration, 0),
        renderMs: e.renderStart ? end - e.renderStart : 0,
        styleLayoutMs: e.styleAndLayoutStart ? end - e.styleAndLayoutStart : 0,
        scripts: e.scripts.map((s) => `${s.invoker} ${Math.round(s.duration)}`),
      });
    }
  }).observe({type: "long-animation-frame", buffered: true});

  // The last event id the page has read, seen on the stream's reads (fetch-stream.js reads the
  // body with a reader), so the bench knows when a burst has arrived without polling the page.
  bench.waitFor = (seq) => new Promise((resolve) => {
    if (bench.lastSeq >= seq) resolve(bench.lastSeq);
    else bench.waiters.push([seq, resolve]);
  });
  const decoder = new TextDecoder();
  const read = ReadableStreamDefaultReader.prototype.read;
  ReadableStreamDefaultReader.prototype.read = function () {
    return read.call(this).then((result) => {
      if (!result.value) return result;
      const text = decoder.decode(result.value, {stream: true});
      const id = text.lastIndexOf("id: ");
      const seq = id === -1 ? 0 : parseInt(text.slice(id + 4, text.indexOf("\\n", id)), 10) || 0;
      if (seq > bench.lastSeq) bench.lastSeq = seq;
      const now = performance.now();
      if (bench.firstChunkAt === null && text.includes("event: chunk\\n")) bench.firstChunkAt = now;
      if (bench.doneAt === null && text.includes("event: done\\n")) bench.doneAt = now;
      bench.waiters = bench.waiters.filter(([want, resolve]) => want > bench.lastSeq || resolve());
      return result;
    });
  };
})();
"""


# ------------------------------------------------------------------------- the outline
def outline_markdown(characters: int, seed: int = 9) -> tuple[str, list[str]]:
    """A model-like outline of about `characters` characters, and the section titles in it."""
    rng = random.Random(seed)
    topics = ["市场分析 Market", "实施计划 Plan", "预算 Budget", "风险 Risks", "团队 Team", "技术 Technology"]
    phrase = "the platform grows revenue through better checkout 客户体验 提升 销售额 with a phased rollout"
    words = phrase.split(" ") + ["led", "by", "IT", "while", "finance", "tracks", "risk", "风险", "控制"]
    parts: list[str] = []
    titles: list[str] = []
    length = 0
    n = 0
    while length < characters:
        n += 1
        title = f"{n}. {rng.choice(topics)}"
        titles.append(title)
        section = [f"## {title}\n\n", f"{' '.join(rng.choices(words, k=rng.randint(15, 30)))}.\n\n"]
        for k in range(1, rng.randint(2, 4)):
            section.append(f"### {n}.{k} 要点 Key points\n\n")
            for _ in range(rng.randint(3, 6)):
                lead = " ".join(rng.choices(words, k=rng.randint(1, 3)))
                section.append(f"- **{lead}**: {' '.join(rng.choices(words, k=rng.randint(6, 16)))}\n")
                if rng.random() < 0.3:
                    section.append(f"  - {' '.join(rng.choices(words, k=rng.randint(4, 10)))}\n")
            section.append("\n")
        text = "".join(section)
        parts.append(text)
        length += len(text)
    return "".join(parts)[:characters], titles


def deltas(text: str, seed: int = 9) -> list[str]:
    """The text cut as a model's deltas: 3 to 20 characters each."""
    rng = random.Random(seed)
    out, i = [], 0
    while i < len(text):
        size = rng.randint(3, 20)
        out.append(text[i : i + size])
        i += size
    return out


@dataclass
class Plan:
    """The task's events in order (seq = index + 1) and the document length after each."""

    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    characters: list[int] = field(default_factory=list)
    chunks: list[int] = field(default_factory=list)  # chunk events up to each event

    def add(self, type: str, **data: Any) -> None:
        self.events.append((type, data))
        self.characters.append(self.length + len(data.get("text", "")))
        self.chunks.append((self.chunks[-1] if self.chunks else 0) + (type == "chunk"))

    def at(self, seq: int) -> tuple[int, int]:
        """(characters, chunks) once event `seq` is in (the end, after the plan, adds neither)."""
        i = min(seq, len(self.events)) - 1
        return (self.characters[i], self.chunks[i]) if i >= 0 else (0, 0)

    @property
    def length(self) -> int:
        return self.characters[-1] if self.characters else 0

    def first_seq_at(self, characters: int) -> int:
        return next(i + 1 for i, c in enumerate(self.characters) if c >= characters)


def plan_stream(markdown: str, titles: list[str]) -> Plan:
    """What the worker publishes: status running, a progress event as each section starts, the
    chunks (the end is published separately, after the database has the result)."""
    plan = Plan()
    plan.add("status", status="running")
    starts = [m.start() for m in re.finditer(r"^## ", markdown, re.MULTILINE)]
    section = 0
    for delta in deltas(markdown):
        if section < len(starts) and plan.length + len(delta) > starts[section]:
            plan.add("progress", done=section, total=len(titles), section=titles[section])
            section += 1
        plan.add("chunk", text=delta)
    return plan


class Writer(threading.Thread):
    """Plays the worker in a thread of its own (the ORM refuses to run beside Playwright's event
    loop): emits the plan's events up to the seq it is told, as fast as it can, and finishes."""

    def __init__(self, task_id: int, plan: Plan) -> None:
        super().__init__(daemon=True, name="bench-writer")
        from documents.relay import StreamWriter

        self.stream = StreamWriter(task_id)
        self.stream.reset()  # ids restart with each bench database
        self.plan = plan
        self.jobs: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self.done: queue.Queue[BaseException | None] = queue.Queue()
        self.busy_s = 0.0
        self.chunks = 0

    def run(self) -> None:
        while (job := self.jobs.get()) is not None:
            try:
                job()
                self.done.put(None)
            except BaseException as exc:  # handed to the main thread, which raises it
                self.done.put(exc)

    def do(self, job: Callable[[], None], *, wait: bool = True) -> None:
        self.jobs.put(job)
        if wait:
            self.wait()

    def wait(self, timeout: float | None = None) -> bool:
        """Whether the job given last has finished (raising what it raised), waiting up to `timeout`."""
        try:
            exc = self.done.get(timeout=timeout)
        except queue.Empty:
            return False
        if exc is not None:
            raise exc
        return True

    def write_until(self, seq: int, *, wait: bool = True) -> None:
        def emit() -> None:
            started = time.perf_counter()
            while self.stream.seq < seq:
                type, data = self.plan.events[self.stream.seq]
                self.stream.emit(type, **data)
                self.chunks += type == "chunk"
            self.busy_s += time.perf_counter() - started

        self.do(emit, wait=wait)


# ------------------------------------------------------------------------- measuring
class MainThread:
    """Main-thread time of the page's renderer, from the DevTools Protocol's cumulative counters."""

    NAMES = ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration", "LayoutCount")

    def __init__(self, page: Any) -> None:
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Performance.enable", {"timeDomain": "threadTicks"})

    def sample(self) -> dict[str, float]:
        metrics = self.cdp.send("Performance.getMetrics")["metrics"]
        return {m["name"]: m["value"] for m in metrics if m["name"] in self.NAMES}


def measure_window(page: Any, writer: Writer, main: MainThread, chunks: int) -> dict[str, float]:
    """Main-thread seconds (by counter) spent while `chunks` more chunks stream in and are drawn;
    chunks=0 measures the measuring (the same calls, nothing streamed)."""
    until = writer.stream.seq + chunks
    before = main.sample()
    if chunks:
        writer.write_until(until)
    page.evaluate("(seq) => window.__bench.waitFor(seq)", until)
    time.sleep(SETTLE_S)
    after = main.sample()
    return {name: after[name] - before[name] for name in MainThread.NAMES}


def ms_per_layout(delta: dict[str, float]) -> float:
    return round(delta["LayoutDuration"] / max(delta["LayoutCount"], 1) * 1000, 2)


def settle(main: MainThread, *, quiet_ms: float = 2.0, every: float = 0.1, timeout: float = 15) -> None:
    """Wait until the page's main thread is idle (under `quiet_ms` in `every` seconds). A page that
    fell behind the stream is still drawing its backlog after the last chunk arrived: measured as
    the idle window, that made a burst cost less than "nothing" (0 µs per chunk in one run)."""
    deadline = time.monotonic() + timeout
    before = main.sample()["TaskDuration"]
    while time.monotonic() < deadline:
        time.sleep(every)
        now = main.sample()["TaskDuration"]
        if (now - before) * 1000 < quiet_ms:
            return
        before = now
    raise RuntimeError(f"the page was still busy {timeout} s after the stream's last chunk")


def per_chunk_window(page: Any, writer: Writer, main: MainThread, plan: Plan) -> dict[str, Any]:
    settle(main)
    idle = measure_window(page, writer, main, 0)
    start = writer.stream.seq
    burst = measure_window(page, writer, main, WINDOW)
    chunks = plan.at(writer.stream.seq)[1] - plan.at(start)[1]
    durations = [name for name in MainThread.NAMES if name.endswith("Duration")]
    cost = {name: max(0.0, burst[name] - idle[name]) / chunks * 1e6 for name in durations}
    return {
        "characters_from": plan.at(start)[0],
        "characters_to": plan.at(writer.stream.seq)[0],
        "chunks": chunks,
        "per_chunk_us": {name.removesuffix("Duration").lower(): round(v, 1) for name, v in cost.items()},
        "window_ms": round(burst["TaskDuration"] * 1000, 2),
        "layouts": int(burst["LayoutCount"]),
        "ms_per_layout": ms_per_layout(burst),
        "idle_window_ms": round(idle["TaskDuration"] * 1000, 2),
    }


def follow(page: Any, writer: Writer, main: MainThread, plan: Plan, every: float = 0.5) -> list[list[float]]:
    """While the writer writes, every `every` seconds: [document characters, all main-thread µs
    per chunk read, chunks read, ms per layout]. Per chunk depends on how many chunks each frame
    draws (a page that falls behind draws more per frame, and each costs less); the cost of one
    layout does not, and shows how the rendering work grows with the document."""
    points = []
    before, seq = main.sample(), page.evaluate("window.__bench.lastSeq")
    while True:
        finished = writer.wait(timeout=every)
        now, now_seq = main.sample(), page.evaluate("window.__bench.lastSeq")
        (characters, chunks), (_, chunks_before) = plan.at(now_seq), plan.at(seq)
        if chunks > chunks_before:
            delta = {name: now[name] - before[name] for name in MainThread.NAMES}
            per_chunk = delta["TaskDuration"] / (chunks - chunks_before) * 1e6
            points.append([characters, round(per_chunk), chunks - chunks_before, ms_per_layout(delta)])
        before, seq = now, now_seq
        if finished:
            return points


def finish(task_id: int, writer: Writer, plan: Plan, markdown: str) -> None:
    """Save the result and publish the end, in outline_tasks._finish's order: the database first, so the
    card the page re-fetches on `done` shows the saved outline."""
    from documents import states
    from documents.models import OutlineTask

    chunk_index = [[i + 1, len(d["text"])] for i, (t, d) in enumerate(plan.events) if t == "chunk"]
    task = OutlineTask.objects.get(pk=task_id)
    duration_ms = round(writer.busy_s * 1000)
    states.transition(
        task_id, OutlineTask.Status.SUCCEEDED, only_from={OutlineTask.Status.RUNNING},
        last_seq=writer.stream.seq + 2, result=markdown, chunk_index=chunk_index,
        progress_done=task.progress_total,
        metrics={"queue_wait_ms": 0, "first_chunk_ms": 0, "duration_ms": duration_ms,
                 "chunks": len(chunk_index), "characters": len(markdown), "tokens": 0,
                 "tokens_per_second": None, "worker": "bench", "cpu_ms": duration_ms},
    )  # fmt: skip
    writer.stream.emit("status", status="succeeded")
    writer.stream.emit("done", status="succeeded")


def binned(points: list[tuple[int, float]], bins: int = 10) -> list[dict[str, float]]:
    """Median of `points` (document characters, value) in `bins` equal spans of the document."""
    if not points:
        return []
    top = max(c for c, _ in points) + 1
    groups: list[list[float]] = [[] for _ in range(bins)]
    for characters, value in points:
        groups[characters * bins // top].append(value)
    return [
        {"characters": round((i + 0.5) * top / bins), "n": len(g), "median": round(statistics.median(g), 2)}
        for i, g in enumerate(groups)
        if g
    ]


# ------------------------------------------------------------------------- main
def stream_once(
    layout: str, browser_cpus: set[int], server_cpus: set[int], user: Any, markdown: str, titles: list[str]
) -> dict[str, Any]:
    """One round: a new task, server and browser on their CPUs, the whole outline streamed."""
    from playwright.sync_api import sync_playwright

    from documents.models import OutlineTask
    from project.localredis import free_port

    plan = plan_stream(markdown, titles)
    document = harness.bench_document(user, sections=len(titles))
    task = OutlineTask.objects.create(
        owner=user, document=document, status=OutlineTask.Status.RUNNING, progress_total=len(titles),
        started_at=document.created_at, heartbeat_at=document.created_at, worker="bench",
    )  # fmt: skip
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    # This thread and what it starts run on the server's CPUs; Playwright's driver, and so the
    # browser it launches, on the browser's.
    with harness.on_cpus(server_cpus):
        writer = Writer(task.pk, plan)
        writer.start()
        server = harness.start_gunicorn(port)
        with harness.on_cpus(browser_cpus):
            playwright = sync_playwright().start()
        try:
            browser = harness.launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            harness.browser_log_in(page, base_url, user.username, PASSWORD)
            page.add_init_script(INIT_SCRIPT)
            page.goto(f"{base_url}/documents/tasks/{task.pk}/")
            page.locator("[data-outline-stream][data-connection=open]").wait_for()
            main_thread = MainThread(page)
            loaded_at = page.evaluate("performance.now()")

            writer.write_until(plan.first_seq_at(SMALL_AT) - 1)
            page.evaluate("(seq) => window.__bench.waitFor(seq)", writer.stream.seq)
            small = per_chunk_window(page, writer, main_thread, plan)
            if TRACE:  # the long stretch, for chrome://tracing or ui.perfetto.dev (it slows the page)
                browser.start_tracing(page=page, path=TRACE, categories=TRACE_CATEGORIES)
            writer.write_until(len(plan.events) - WINDOW, wait=False)
            along = follow(page, writer, main_thread, plan)
            if TRACE:
                browser.stop_tracing()
            page.evaluate("(seq) => window.__bench.waitFor(seq)", writer.stream.seq)
            large = per_chunk_window(page, writer, main_thread, plan)
            writer.do(lambda: finish(task.pk, writer, plan, markdown))
            # The card re-renders from the server when the stream ends (hx-trigger outline:done).
            page.get_by_test_id("task-metrics").wait_for()
            time.sleep(0.5)  # a long task is reported when it ends
            measured = page.evaluate("window.__bench")
            shown = page.get_by_test_id("outline-pane").text_content() or ""
            browser.close()
        finally:
            playwright.stop()
            writer.jobs.put(None)
            harness.stop(server)
            writer.stream.reset()

    if "要点" not in shown or len(shown) < CHARACTERS // 2:
        raise RuntimeError("the page did not show the streamed outline")
    return summarise_round(layout, plan, writer, measured, loaded_at, small, large, along)


def summarise_round(
    layout: str, plan: Plan, writer: Writer, measured: dict[str, Any], loaded_at: float,
    small: dict[str, Any], large: dict[str, Any], along: list[list[float]],
) -> dict[str, Any]:  # fmt: skip
    first, done = measured["firstChunkAt"], measured["doneAt"]
    phases: dict[str, list[float]] = {"page_load": [], "streaming": [], "final_render": []}
    for task in measured["longTasks"]:
        phase = (
            "page_load" if task["start"] < first else "streaming" if task["start"] < done else "final_render"
        )
        phases[phase].append(task["ms"])
    # The longest frames while streaming, by what they spent their time on (long-animation-frame).
    streaming_frames = [f for f in measured["longFrames"] if first <= f["start"] < done]
    longest_frames = [
        {"ms_after_load": round(f["start"] - loaded_at)}
        | {k: round(v, 1) if isinstance(v, float) else v for k, v in f.items() if k != "start"}
        for f in sorted(streaming_frames, key=lambda f: -f["ms"])[:5]
    ]
    small_us, large_us = small["per_chunk_us"]["task"], large["per_chunk_us"]["task"]
    return {
        "layout": layout,
        "characters": plan.length,
        "chunks": writer.chunks,
        "events": len(plan.events),
        "chunk_rate_per_s": round(writer.chunks / writer.busy_s),
        "writer_busy_s": round(writer.busy_s, 2),
        "page_streaming_s": round((done - first) / 1000, 2),
        "long_tasks": {
            name: {"count": len(v), "max_ms": round(max(v, default=0), 1)} for name, v in phases.items()
        },
        "long_task_starts_ms_after_load": [round(t["start"] - loaded_at) for t in measured["longTasks"]],
        "longest_frames_while_streaming": longest_frames,
        "per_chunk_small": small,
        "per_chunk_large": large,
        # None: a window measured no more than the idle one, which says nothing about the cost.
        "per_chunk_ratio": round(large_us / small_us, 2) if small_us > 0 and large_us > 0 else None,
        "along_stream": along,
    }


def main() -> None:
    harness.configure()
    markdown, titles = outline_markdown(CHARACTERS)
    user, _ = harness.bench_user(password=PASSWORD)
    layouts = harness.cpu_layouts()
    rounds = []
    for n in range(ROUNDS):  # the layouts interleaved, so a slow spell of the machine hits both
        for layout, (browser_cpus, server_cpus) in layouts.items():
            result = stream_once(layout, browser_cpus, server_cpus, user, markdown, titles)
            streaming = result["long_tasks"]["streaming"]
            print(f"round {n + 1} {layout}: {result['chunks']:,} chunks at {result['chunk_rate_per_s']:,}/s, "
                  f"{streaming['count']} long tasks while streaming (longest {streaming['max_ms']} ms), "
                  f"final render {result['long_tasks']['final_render']['count']}, "
                  f"per chunk x{result['per_chunk_ratio']}")  # fmt: skip
            rounds.append(result)
    report(layouts, rounds)


def report(layouts: dict[str, tuple[set[int], set[int]]], rounds: list[dict[str, Any]]) -> None:
    # The targets are judged with the browser on a CPU of its own when the machine has two: a
    # user's browser does not share its CPU with the server, and on this 2-core machine sharing
    # one makes long tasks of the server's bursts (docs/benchmarks.md, "Browser").
    judged = "split" if "split" in layouts else "shared"
    by_layout = {name: [r for r in rounds if r["layout"] == name] for name in layouts}

    def summary(results: list[dict[str, Any]]) -> dict[str, Any]:
        streaming = [r["long_tasks"]["streaming"] for r in results]
        ratios = [r["per_chunk_ratio"] for r in results]
        valid = [x for x in ratios if x is not None]
        return {
            "rounds": len(results),
            "long_tasks_while_streaming": [s["count"] for s in streaming],
            "longest_ms": max((s["max_ms"] for s in streaming), default=0),
            "long_tasks_at_the_end": [r["long_tasks"]["final_render"]["count"] for r in results],
            "chunk_rate_per_s": [r["chunk_rate_per_s"] for r in results],
            "per_chunk_ratios": ratios,
            "per_chunk_ratio_median": statistics.median(valid) if valid else None,
        }

    summaries = {name: summary(results) for name, results in by_layout.items()}

    def told(name: str) -> str:
        s = summaries[name]
        return (f"{name}: {s['long_tasks_while_streaming']} long tasks in {s['rounds']} rounds "
                f"(longest {s['longest_ms']} ms)")  # fmt: skip

    judged_summary = summaries[judged]
    ratios = judged_summary["per_chunk_ratios"]
    verdicts = [
        harness.verdict(
            f"no long task (> {LONG_TASK_MS} ms) while streaming {CHARACTERS:,} characters ({judged})",
            "; ".join(told(name) for name in summaries),
            not any(judged_summary["long_tasks_while_streaming"]),
        ),
        harness.verdict(
            f"cost per chunk at ~100k characters <= 2x that at ~1k ({judged}, every round, CDP TaskDuration)",
            f"x{ratios} (median x{judged_summary['per_chunk_ratio_median']})",
            all(x is not None and x <= 2 for x in ratios),
        ),
    ]
    result = {
        "characters": CHARACTERS,
        "window_chunks": WINDOW,
        "layouts": {
            name: {"browser_cpus": sorted(browser), "server_cpus": sorted(server)}
            for name, (browser, server) in layouts.items()
        },
        "judged_on": judged,
        "summary": summaries,
        "rounds": rounds,
        "along_stream_columns": ["characters", "main_thread_us_per_chunk", "chunks_read", "ms_per_layout"],
        "verdicts": verdicts,
    }

    def draw(axes: Any) -> None:
        colours = {"split": "tab:blue", "shared": "tab:orange"}
        for name, results in by_layout.items():
            for i, r in enumerate(results):
                points = r["along_stream"]
                label = f"{name}: main-thread µs per chunk read" if i == 0 else None
                axes.plot([p[0] for p in points], [p[1] for p in points], ".-", color=colours[name],
                          alpha=0.45, label=label)  # fmt: skip
                for w in (r["per_chunk_small"], r["per_chunk_large"]):
                    axes.hlines(w["per_chunk_us"]["task"], w["characters_from"], w["characters_to"],
                                colors=colours[name], linewidth=5)  # fmt: skip
        axes.set_ylim(bottom=0)
        axes.set_xlabel("document length (characters)")
        axes.set_ylabel("main-thread µs per chunk")
        counts = "; ".join(f"{name} {s['long_tasks_while_streaming']}" for name, s in summaries.items())
        axes.set_title(f"Browser: long tasks while streaming, by round: {counts}", fontsize=10)
        axes.legend(fontsize=8, loc="upper left", title="bars: windows of 200 chunks", title_fontsize=8)

    path = harness.write_report("browser", result, draw)
    print(f"report in {path}")


if __name__ == "__main__":
    main()
