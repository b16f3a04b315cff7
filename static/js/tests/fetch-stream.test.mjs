// node --test static/js/tests/
import { test, beforeEach, afterEach } from "node:test";
import assert from "node:assert/strict";
import { fetchStream, backoffDelay, httpErrorMessage } from "../fetch-stream.js";

const encoder = new TextEncoder();
const SSE_HEADERS = { "Content-Type": "text/event-stream; charset=utf-8" };

/** One SSE event as the server writes it. */
function ev(seq, type, data = {}) {
  return `id: ${seq}\nevent: ${type}\ndata: ${JSON.stringify({ seq, ...data })}\n\n`;
}

/**
 * A Response whose body streams `chunks` (strings or Uint8Arrays), then closes, errors (drop:
 * an Error), or stays open (hang: true) until the request's signal aborts, as real fetch does.
 */
function sseResponse(chunks, { status = 200, headers = SSE_HEADERS, drop = null, hang = false, signal } = {}) {
  const queue = chunks.map((chunk) => (typeof chunk === "string" ? encoder.encode(chunk) : chunk));
  const body = new ReadableStream({
    start(controller) {
      signal?.addEventListener("abort", () => {
        try {
          controller.error(signal.reason ?? new DOMException("aborted", "AbortError"));
        } catch {
          // already closed
        }
      });
    },
    // One network chunk per read; the drop (error) comes only after every chunk was read.
    pull(controller) {
      if (queue.length) controller.enqueue(queue.shift());
      else if (drop) controller.error(drop);
      else if (!hang) controller.close();
      else return new Promise(() => {}); // stays open
    },
  });
  return new Response(body, { status, headers });
}

/**
 * Install a fake global fetch: each call takes the next handler from `script` (a function
 * (init, n) => Response | Promise<Response>, or an Error to reject with). Records the requests.
 */
function mockFetch(script) {
  const calls = [];
  const original = globalThis.fetch;
  globalThis.fetch = async (url, init = {}) => {
    const n = calls.length;
    calls.push({ url, init, headers: new Headers(init.headers) });
    const step = script[n];
    if (step === undefined) throw new Error(`unexpected fetch #${n + 1}`);
    if (step instanceof Error) throw step;
    return step(init, n);
  };
  return { calls, restore: () => (globalThis.fetch = original) };
}

/** Collects delays instead of waiting: fully deterministic. */
function fakeSleep() {
  const delays = [];
  const sleep = (ms) => {
    delays.push(ms);
    return Promise.resolve();
  };
  return { delays, sleep };
}

let mock;
beforeEach(() => {
  mock = null;
});
afterEach(() => {
  mock?.restore();
});

function collect(url, opts = {}) {
  const events = [];
  const errors = [];
  const reconnects = [];
  const { delays, sleep } = fakeSleep();
  const stream = fetchStream(url, {
    sleep,
    random: () => 0.5,
    onEvent: (e) => events.push(e),
    onError: (e) => errors.push(e),
    onReconnecting: (r) => reconnects.push(r),
    ...opts,
  });
  return { stream, events, errors, reconnects, delays };
}

test("sends the SSE request headers, same-origin credentials, Last-Event-ID 0 at first", async () => {
  mock = mockFetch([() => sseResponse(["retry: 2000\n\n", ev(1, "done", { status: "succeeded" })])]);
  const r = collect("/api/v1/tasks/42/stream");
  assert.deepEqual(await r.stream.finished, { reason: "done" });
  const { url, init, headers } = mock.calls[0];
  assert.equal(url, "/api/v1/tasks/42/stream");
  assert.equal(headers.get("Accept"), "text/event-stream");
  assert.equal(headers.get("Last-Event-ID"), "0");
  assert.equal(init.credentials, "same-origin");
  assert.ok(init.signal instanceof AbortSignal);
  assert.deepEqual(r.events, [{ type: "done", data: { seq: 1, status: "succeeded" }, seq: 1, lastEventId: "1" }]);
});

test("sends extra headers (a bearer token) on every connection, without overriding the SSE ones", async () => {
  mock = mockFetch([
    () => sseResponse([ev(1, "chunk", { text: "a" })]),
    () => sseResponse([ev(2, "done", { status: "succeeded" })]),
  ]);
  const r = collect("/s", { headers: { Authorization: "Bearer otl_x", "Last-Event-ID": "99" } });
  await r.stream.finished;
  assert.deepEqual(mock.calls.map((c) => c.headers.get("Authorization")), ["Bearer otl_x", "Bearer otl_x"]);
  assert.deepEqual(mock.calls.map((c) => c.headers.get("Last-Event-ID")), ["0", "1"]);
});

test("resumes with Last-Event-ID after the server closes the stream without a terminal event", async () => {
  mock = mockFetch([
    () => sseResponse(["retry: 1500\n\n", ev(1, "status", { status: "running" }), ev(2, "chunk", { text: "# A" })]),
    () => sseResponse(["retry: 1500\n\n", ev(3, "chunk", { text: "\n" }), ev(4, "done", { status: "succeeded" })]),
  ]);
  const r = collect("/s");
  assert.equal((await r.stream.finished).reason, "done");
  assert.equal(mock.calls.length, 2);
  assert.equal(mock.calls[0].headers.get("Last-Event-ID"), "0");
  assert.equal(mock.calls[1].headers.get("Last-Event-ID"), "2");
  assert.deepEqual(r.events.map((e) => e.seq), [1, 2, 3, 4]);
  assert.equal(r.stream.lastEventId, 4);
  assert.deepEqual(r.errors, []);
});

test("resumes after a network error mid-stream (body errors), even mid-event", async () => {
  mock = mockFetch([
    () => sseResponse([ev(1, "chunk", { text: "a" }), "id: 2\nevent: chunk\ndata: {\"se"], { drop: new TypeError("network error") }),
    new TypeError("Failed to fetch"),
    () => sseResponse([ev(2, "chunk", { text: "b" }), ev(3, "done", { status: "succeeded" })]),
  ]);
  const r = collect("/s");
  assert.equal((await r.stream.finished).reason, "done");
  assert.deepEqual(mock.calls.map((c) => c.headers.get("Last-Event-ID")), ["0", "1", "1"]);
  assert.deepEqual(r.events.map((e) => e.data.text ?? e.type), ["a", "b", "done"]);
});

test("drops events whose seq is <= the last one seen (replays and duplicates)", async () => {
  mock = mockFetch([
    () => sseResponse([ev(1, "chunk", { text: "a" }), ev(2, "chunk", { text: "b" }), ev(2, "chunk", { text: "b" })]),
    // a server that (wrongly) replays from the start
    () => sseResponse([ev(1, "chunk", { text: "a" }), ev(2, "chunk", { text: "b" }), ev(3, "chunk", { text: "c" }), ev(1, "chunk", { text: "a" }), ev(4, "done", { status: "succeeded" })]),
  ]);
  const r = collect("/s");
  await r.stream.finished;
  assert.deepEqual(r.events.map((e) => e.seq), [1, 2, 3, 4]);
  assert.equal(r.events.map((e) => e.data.text ?? "").join(""), "abc");
});

test("starts after options.lastEventId and drops anything at or below it", async () => {
  mock = mockFetch([() => sseResponse([ev(5, "chunk", { text: "old" }), ev(6, "chunk", { text: "new" }), ev(7, "done", { status: "succeeded" })])]);
  const r = collect("/s", { lastEventId: 5 });
  await r.stream.finished;
  assert.equal(mock.calls[0].headers.get("Last-Event-ID"), "5");
  assert.deepEqual(r.events.map((e) => e.seq), [6, 7]);
});

test("stops for good on done: nothing after it is delivered, no reconnect", async () => {
  mock = mockFetch([
    () => sseResponse([ev(1, "chunk", { text: "a" }) + ev(2, "done", { status: "succeeded" }) + ev(3, "chunk", { text: "late" })], { hang: true }),
  ]);
  const closes = [];
  const r = collect("/s", { onClose: (c) => closes.push(c) });
  assert.deepEqual(await r.stream.finished, { reason: "done" });
  assert.deepEqual(r.events.map((e) => e.type), ["chunk", "done"]);
  assert.equal(mock.calls.length, 1);
  assert.equal(r.stream.closed, true);
  assert.deepEqual(closes, [{ reason: "done" }]);
  assert.equal(mock.calls[0].init.signal.aborted, false, "a terminal event ends the read without an abort");
});

test("a terminal event repeated at or below the last seq ends the stream, delivered once", async () => {
  // The server answers a resume at or past the end of a finished task with its end again.
  mock = mockFetch([() => sseResponse([ev(7, "done", { status: "succeeded" })], { hang: true })]);
  const r = collect("/s", { lastEventId: 7 });
  assert.deepEqual(await r.stream.finished, { reason: "done" });
  assert.deepEqual(r.events, []);
  assert.equal(mock.calls.length, 1);
});

test("stops for good on an error event", async () => {
  mock = mockFetch([() => sseResponse([ev(1, "error", { code: "llm_failed", message: "The model failed." })])]);
  const r = collect("/s");
  assert.deepEqual(await r.stream.finished, { reason: "error" });
  assert.equal(r.events[0].data.message, "The model failed.");
  assert.equal(mock.calls.length, 1);
  assert.deepEqual(r.errors, [], "an error *event* is data, not a transport failure");
});

for (const status of [404, 401, 403, 400]) {
  test(`no reconnect on HTTP ${status}: onError once with a clear message`, async () => {
    mock = mockFetch([() => new Response('{"detail": "Not found"}', { status, headers: { "Content-Type": "application/json" } })]);
    const r = collect("/s");
    assert.deepEqual(await r.stream.finished, { reason: "failed" });
    assert.equal(mock.calls.length, 1);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0].status, status);
    assert.equal(r.errors[0].message, httpErrorMessage(status));
    assert.deepEqual(r.reconnects, []);
    assert.deepEqual(r.delays, []);
  });
}

test("the 404 message says the task is gone", () => {
  assert.match(httpErrorMessage(404), /no longer exists/);
  assert.match(httpErrorMessage(401), /sign/);
});

test("a 200 that is not an event stream (e.g. a login page after a redirect) stops with an error", async () => {
  mock = mockFetch([() => new Response("<html>login</html>", { status: 200, headers: { "Content-Type": "text/html" } })]);
  const r = collect("/s");
  assert.equal((await r.stream.finished).reason, "failed");
  assert.equal(mock.calls.length, 1);
  assert.match(r.errors[0].message, /signed out/);
});

test("retries on 5xx and network errors with exponential backoff and full jitter, capped at 30 s", async () => {
  const failures = [
    () => new Response("oops", { status: 500 }),
    () => new Response("bad gateway", { status: 502 }),
    new TypeError("Failed to fetch"),
    new TypeError("Failed to fetch"),
    new TypeError("Failed to fetch"),
    new TypeError("Failed to fetch"),
    new TypeError("Failed to fetch"),
    new TypeError("Failed to fetch"),
  ];
  mock = mockFetch([...failures, () => sseResponse([ev(1, "done", { status: "succeeded" })])]);
  const r = collect("/s", { random: () => 0.5 });
  assert.equal((await r.stream.finished).reason, "done");
  assert.equal(mock.calls.length, failures.length + 1);
  // base 1000 ms: half of min(30000, 1000 * 2^n)
  assert.deepEqual(r.delays, [500, 1000, 2000, 4000, 8000, 15000, 15000, 15000]);
  assert.deepEqual(r.reconnects.map((x) => x.attempt), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(r.errors, []);
});

test("full jitter: the delay is random() times the ceiling, from 0 up to the ceiling", () => {
  assert.equal(backoffDelay(0, 1000, 30000, () => 0), 0);
  assert.equal(backoffDelay(3, 1000, 30000, () => 0.999), 7992);
  assert.equal(backoffDelay(10, 1000, 30000, () => 0.999), 29970);
  assert.equal(backoffDelay(60, 1000, 30000, () => 0.5), 15000);
  for (let i = 0; i < 100; i += 1) {
    const d = backoffDelay(4, 1000, 30000);
    assert.ok(d >= 0 && d < 16000);
  }
});

test("the server's retry: value is the backoff base", async () => {
  mock = mockFetch([
    () => sseResponse(["retry: 3000\n\n"]), // opens, then closes with nothing: not healthy
    new TypeError("Failed to fetch"),
    new TypeError("Failed to fetch"),
    () => sseResponse([ev(1, "done", { status: "succeeded" })]),
  ]);
  const r = collect("/s", { random: () => 0.5 });
  await r.stream.finished;
  assert.deepEqual(r.delays, [1500, 3000, 6000]);
});

test("the backoff starts over after a connection that brought new events", async () => {
  mock = mockFetch([
    new TypeError("Failed to fetch"),
    new TypeError("Failed to fetch"),
    () => sseResponse([ev(1, "chunk", { text: "a" })]),
    new TypeError("Failed to fetch"),
    () => sseResponse([ev(2, "done", { status: "succeeded" })]),
  ]);
  const r = collect("/s", { random: () => 0.5 });
  await r.stream.finished;
  assert.deepEqual(r.delays, [500, 1000, 500, 1000]);
});

test("a connection that only brought heartbeats counts as healthy", async () => {
  mock = mockFetch([
    new TypeError("Failed to fetch"),
    () => sseResponse([": heartbeat\n\n"]),
    () => sseResponse([ev(1, "done", { status: "succeeded" })]),
  ]);
  const r = collect("/s", { random: () => 0.5 });
  await r.stream.finished;
  assert.deepEqual(r.delays, [500, 500]);
});

test("a 503 with Retry-After waits at least that long (up to the cap)", async () => {
  mock = mockFetch([
    () => new Response("busy", { status: 503, headers: { "Retry-After": "7" } }),
    () => sseResponse([ev(1, "done", { status: "succeeded" })]),
  ]);
  const r = collect("/s", { random: () => 0.5 });
  await r.stream.finished;
  assert.deepEqual(r.delays, [7000]);
});

test("gives up after maxRetries consecutive failures and says so", async () => {
  mock = mockFetch([new TypeError("a"), new TypeError("b"), new TypeError("c"), new TypeError("d")]);
  const r = collect("/s", { maxRetries: 3 });
  assert.deepEqual(await r.stream.finished, { reason: "failed" });
  assert.equal(mock.calls.length, 4); // the first try and 3 retries
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0].message, /connection/i);
});

test("close() aborts an open stream and stops reconnecting", async () => {
  let opened;
  const openedP = new Promise((resolve) => (opened = resolve));
  mock = mockFetch([
    (init) => {
      opened();
      return sseResponse([ev(1, "chunk", { text: "a" })], { hang: true, signal: init.signal });
    },
  ]);
  const r = collect("/s");
  await openedP;
  await new Promise((resolve) => setTimeout(resolve, 10));
  r.stream.close();
  assert.deepEqual(await r.stream.finished, { reason: "closed" });
  assert.equal(mock.calls[0].init.signal.aborted, true);
  assert.deepEqual(r.events.map((e) => e.seq), [1]);
  assert.deepEqual(r.errors, []);
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(mock.calls.length, 1);
});

test("close() also works on a body that ignores the abort signal", async () => {
  mock = mockFetch([() => sseResponse([": hi\n\n"], { hang: true })]);
  const r = collect("/s");
  await new Promise((resolve) => setTimeout(resolve, 10));
  r.stream.close();
  assert.equal((await r.stream.finished).reason, "closed");
  assert.equal(mock.calls.length, 1);
});

test("close() during the backoff sleep stops without another request", async () => {
  mock = mockFetch([new TypeError("Failed to fetch")]);
  let stream;
  const sleeping = new Promise((resolve) => {
    stream = fetchStream("/s", {
      sleep: (ms, signal) => {
        resolve();
        return new Promise((done) => signal.addEventListener("abort", done));
      },
    });
  });
  await sleeping;
  stream.close();
  assert.equal((await stream.finished).reason, "closed");
  assert.equal(mock.calls.length, 1);
});

test("an aborted options.signal closes the stream", async () => {
  mock = mockFetch([(init) => sseResponse([], { hang: true, signal: init.signal })]);
  const controller = new AbortController();
  const r = collect("/s", { signal: controller.signal });
  await new Promise((resolve) => setTimeout(resolve, 5));
  controller.abort();
  assert.equal((await r.stream.finished).reason, "aborted");
  assert.equal(mock.calls.length, 1);
});

test("pagehide ends the stream; pagehide+pageshow from the bfcache resumes after the last seq", async () => {
  const page = new EventTarget();
  const pageEvent = (type, persisted) => Object.assign(new Event(type), { persisted });

  mock = mockFetch([(init) => sseResponse([], { hang: true, signal: init.signal })]);
  const gone = collect("/s", { pageLifecycle: page });
  await new Promise((resolve) => setTimeout(resolve, 5));
  page.dispatchEvent(pageEvent("pagehide", false));
  assert.equal((await gone.stream.finished).reason, "pagehide");
  mock.restore();

  mock = mockFetch([
    (init) => sseResponse([ev(1, "chunk", { text: "a" })], { hang: true, signal: init.signal }),
    () => sseResponse([ev(2, "done", { status: "succeeded" })]),
  ]);
  const kept = collect("/s", { pageLifecycle: page });
  await new Promise((resolve) => setTimeout(resolve, 5));
  page.dispatchEvent(pageEvent("pagehide", true));
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(mock.calls.length, 1, "no reconnect while the page is in the bfcache");
  assert.equal(mock.calls[0].init.signal.aborted, true);
  page.dispatchEvent(pageEvent("pageshow", true));
  assert.equal((await kept.stream.finished).reason, "done");
  assert.equal(mock.calls[1].headers.get("Last-Event-ID"), "1");
  assert.deepEqual(kept.delays, [], "resuming from the bfcache does not back off");
  assert.deepEqual(kept.events.map((e) => e.seq), [1, 2]);
});

test("a silent connection (no heartbeat within idleTimeout) is reopened", async () => {
  mock = mockFetch([
    (init) => sseResponse([], { hang: true, signal: init.signal }),
    () => sseResponse([ev(1, "done", { status: "succeeded" })]),
  ]);
  const r = collect("/s", { idleTimeout: 20 });
  assert.equal((await r.stream.finished).reason, "done");
  assert.equal(mock.calls.length, 2);
  assert.equal(mock.calls[0].init.signal.aborted, true);
});

test("an exception in onEvent does not break the stream or cause a replay", async () => {
  mock = mockFetch([() => sseResponse([ev(1, "chunk", { text: "a" }), ev(2, "chunk", { text: "b" }), ev(3, "done", {})])]);
  const seen = [];
  const originalError = console.error;
  console.error = () => {};
  try {
    const stream = fetchStream("/s", {
      onEvent: (e) => {
        seen.push(e.seq);
        if (e.seq === 1) throw new Error("handler bug");
      },
    });
    assert.equal((await stream.finished).reason, "done");
  } finally {
    console.error = originalError;
  }
  assert.deepEqual(seen, [1, 2, 3]);
  assert.equal(mock.calls.length, 1);
});

test("CJK text split inside a character across network chunks arrives intact", async () => {
  const text = "第一章：引言与背景";
  const bytes = encoder.encode(ev(1, "chunk", { text }) + ev(2, "done", { status: "succeeded" }));
  const cut = bytes.indexOf(0xe7) + 1; // inside the first 3-byte character
  mock = mockFetch([() => sseResponse([bytes.slice(0, cut), bytes.slice(cut)])]);
  const r = collect("/s");
  await r.stream.finished;
  assert.equal(r.events[0].data.text, text);
});
