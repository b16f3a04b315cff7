// Server-Sent Events over fetch(): unlike EventSource it lets us send Last-Event-ID ourselves,
// see HTTP statuses (and stop on 4xx instead of retrying forever), and back off with jitter.
//
//   const stream = fetchStream("/api/v1/tasks/42/stream", {
//     lastEventId: 0,
//     onEvent: ({type, data, seq}) => ...,   // data is the parsed JSON payload
//     onError: ({message, status}) => ...,  // final: the stream has stopped for good
//   });
//   stream.close();
//
// Events carry `id: <seq>`, contiguous from 1. Any event whose seq is <= the last one seen is
// dropped, so a replay after a reconnect never duplicates anything. "done" and "error" are
// terminal: after one, the stream stops. If the server closes the connection without a terminal
// event (its maximum duration, a restart) or the network fails, we reconnect with the last seq
// in Last-Event-ID after an exponential backoff with full jitter: a random delay in
// [0, min(cap, base * 2^attempt)), base = the server's `retry:` value (else 1 s), cap 30 s.

import { gettext, interpolate } from "./i18n.js";
import { SSEParser } from "./sse-parser.js";

const DEFAULT_TERMINAL = ["done", "error"];

/** Resolves after `ms`, or early (without rejecting) when `signal` aborts. */
export function defaultSleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Full-jitter exponential backoff: a uniform random delay in [0, min(cap, base * 2^attempt)). */
export function backoffDelay(attempt, base, cap, random = Math.random) {
  const ceiling = Math.min(cap, base * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/** A clear, user-facing message for an HTTP status that ends the stream. */
export function httpErrorMessage(status) {
  if (status === 401) return gettext("You are signed out. Reload the page and sign in to see this outline.");
  if (status === 403) return gettext("You do not have access to this outline.");
  if (status === 404) return gettext("This outline task no longer exists.");
  if (status === 410) return gettext("This outline stream has expired. Reload the page to see the saved result.");
  return interpolate(
    gettext("The server refused the outline stream (HTTP %(status)s). Reload the page to try again."),
    { status },
    true,
  );
}

class FatalStreamError extends Error {
  constructor(message, status) {
    super(message);
    this.name = "FatalStreamError";
    this.status = status;
  }
}

/**
 * @param {string} url
 * @param {object} options
 * @param {number|string} [options.lastEventId=0]  seq to resume after (0: replay from the start)
 * @param {(event: {type: string, data: any, seq: number|null, lastEventId: string}) => void} [options.onEvent]
 * @param {(response: Response) => void} [options.onOpen]      every successful (re)connection
 * @param {(error: {message: string, status?: number, cause?: any}) => void} [options.onError]
 *        the stream stopped for good (HTTP 4xx, not an event stream, or maxRetries used up)
 * @param {(info: {attempt: number, delay: number, error?: any}) => void} [options.onReconnecting]
 * @param {(info: {reason: string}) => void} [options.onClose]  once, whenever the stream stops;
 *        reason: "done" | "error" (terminal events), "failed" (after onError), "closed" (close()),
 *        "aborted" (options.signal), "pagehide" (the page was unloaded)
 * @param {AbortSignal} [options.signal]     aborting it is the same as close()
 * @param {number} [options.maxRetries=Infinity]  consecutive failed reconnects before giving up;
 *        a connection that brought a new event or a heartbeat, or stayed open healthyAfter ms,
 *        resets the count (and the backoff)
 * @param {number} [options.healthyAfter=10000]
 * @param {number} [options.baseDelay=1000]  backoff base until the server sends `retry:`
 * @param {number} [options.maxDelay=30000]  backoff cap
 * @param {number} [options.idleTimeout=45000]  no byte (not even a heartbeat) for this long:
 *        the connection is presumed dead and is reopened; 0 turns the check off
 * @param {string[]} [options.terminalEvents=["done", "error"]]
 * @param {(ms: number, signal: AbortSignal) => Promise<void>} [options.sleep]  injectable for tests
 * @param {() => number} [options.random=Math.random]  injectable for tests
 * @param {typeof fetch} [options.fetch]  injectable for tests (default: the global fetch)
 * @param {EventTarget|null} [options.pageLifecycle]  where to listen for pagehide/pageshow
 *        (default: window in a browser)
 * @returns {{close(): void, readonly lastEventId: number, readonly closed: boolean, finished: Promise<{reason: string}>}}
 */
export function fetchStream(url, options = {}) {
  const {
    onEvent,
    onOpen,
    onError,
    onReconnecting,
    onClose,
    signal,
    headers = {}, // extra request headers, e.g. Authorization for API clients
    maxRetries = Infinity,
    baseDelay = 1000,
    maxDelay = 30000,
    idleTimeout = 45000,
    terminalEvents = DEFAULT_TERMINAL,
    sleep = defaultSleep,
    random = Math.random,
    healthyAfter = 10000,
    fetch: fetchImpl = (...args) => globalThis.fetch(...args),
    pageLifecycle = typeof window !== "undefined" ? window : null,
  } = options;

  let lastSeq = toSeq(options.lastEventId) ?? 0;
  let serverRetry = null; // ms from the server's `retry:` field
  let closed = false;
  let finishedReason = null;
  let paused = false; // the page is hidden (pagehide): no connection until pageshow
  let resumeWaiter = null;
  let connection = null; // AbortController of the current fetch or backoff sleep
  let resolveFinished;
  const finished = new Promise((resolve) => (resolveFinished = resolve));

  function stop(reason) {
    if (finishedReason !== null) return;
    finishedReason = reason;
    closed = true;
    connection?.abort();
    resumeWaiter?.();
    signal?.removeEventListener("abort", onAbortSignal);
    pageLifecycle?.removeEventListener("pagehide", onPageHide);
    pageLifecycle?.removeEventListener("pageshow", onPageShow);
    safeCall(onClose, { reason });
    resolveFinished({ reason });
  }

  function onAbortSignal() {
    stop("aborted");
  }
  // Leaving the page ends the request (the browser would, but this way nothing looks like a
  // network error, and the page stays eligible for the back/forward cache). If the page comes
  // back from that cache, we resume after the last seq.
  function onPageHide(event) {
    if (closed) return;
    if (event?.persisted) {
      paused = true;
      connection?.abort();
    } else {
      stop("pagehide");
    }
  }
  function onPageShow(event) {
    if (closed || !paused || !event?.persisted) return;
    paused = false;
    resumeWaiter?.();
  }

  if (signal?.aborted) {
    stop("aborted");
  } else {
    signal?.addEventListener("abort", onAbortSignal, { once: true });
    pageLifecycle?.addEventListener("pagehide", onPageHide);
    pageLifecycle?.addEventListener("pageshow", onPageShow);
    run();
  }

  async function run() {
    let attempt = 0; // consecutive connections that were not healthy: the backoff exponent
    while (!closed) {
      if (paused) {
        await new Promise((resolve) => (resumeWaiter = resolve));
        resumeWaiter = null;
        continue;
      }
      let outcome;
      try {
        outcome = await connect();
      } catch (error) {
        if (closed) break;
        if (error instanceof FatalStreamError) {
          safeCall(onError, { message: error.message, status: error.status, cause: error });
          stop("failed");
          break;
        }
        outcome = { healthy: false, error };
      }
      if (closed) break;
      if (outcome.terminal) {
        stop(outcome.terminal);
        break;
      }
      if (paused) continue;
      if (outcome.healthy) attempt = 0;
      if (attempt >= maxRetries) {
        safeCall(onError, {
          message: gettext("Lost the connection to the server. Reload the page to see the latest outline."),
          cause: outcome.error,
        });
        stop("failed");
        break;
      }
      let delay = backoffDelay(attempt, serverRetry ?? baseDelay, maxDelay, random);
      if (outcome.retryAfter != null) delay = Math.max(delay, Math.min(outcome.retryAfter, maxDelay));
      attempt += 1;
      safeCall(onReconnecting, { attempt, delay, error: outcome.error });
      connection = new AbortController();
      await sleep(delay, connection.signal);
    }
  }

  /** One connection. Resolves {terminal, healthy, error?}; throws FatalStreamError to stop. */
  async function connect() {
    const controller = (connection = new AbortController());
    const openedAt = Date.now();
    let healthy = false; // a new event or a heartbeat arrived, or it stayed open a while
    let terminal = null;
    let idleTimer = null;
    const armIdle = () => {
      if (!idleTimeout) return;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => controller.abort(new Error("stream idle")), idleTimeout);
    };
    let reader = null;
    try {
      armIdle();
      const response = await fetchImpl(url, {
        method: "GET",
        headers: { ...headers, Accept: "text/event-stream", "Last-Event-ID": String(lastSeq) },
        credentials: "same-origin",
        cache: "no-store",
        signal: controller.signal,
      });

      if (!response.ok) {
        response.body?.cancel().catch(() => {});
        const status = response.status;
        if (status === 408 || status === 429 || status >= 500) {
          return { healthy, error: new Error(`HTTP ${status}`), retryAfter: retryAfterMs(response) };
        }
        throw new FatalStreamError(httpErrorMessage(status), status);
      }
      const contentType = response.headers.get("Content-Type") || "";
      if (!/^\s*text\/event-stream\b/i.test(contentType) || !response.body) {
        // E.g. the login page, after the session expired and fetch followed a redirect.
        response.body?.cancel().catch(() => {});
        throw new FatalStreamError(
          gettext("The server did not answer with an outline stream (you may have been signed out). Reload the page."),
          response.status,
        );
      }
      safeCall(onOpen, response);

      const parser = new SSEParser(
        (event) => {
          if (terminal || closed) return; // nothing after a terminal event, even in the same chunk
          const seq = toSeq(event.lastEventId);
          if (seq !== null) {
            if (seq <= lastSeq) {
              // A duplicate or a replay: already handled. A terminal event repeated is the server
              // saying the task is over (a resume at or past its end): stop, do not reconnect.
              if (terminalEvents.includes(event.type)) terminal = event.type;
              return;
            }
            lastSeq = seq;
            healthy = true;
          }
          let data;
          try {
            data = JSON.parse(event.data);
          } catch {
            console.warn(`fetchStream: ignoring an event whose data is not JSON (seq ${seq})`);
            return;
          }
          safeCall(onEvent, { type: event.type, data, seq, lastEventId: event.lastEventId });
          if (terminalEvents.includes(event.type)) terminal = event.type;
        },
        {
          onRetry: (ms) => {
            serverRetry = ms;
          },
          onComment: () => {
            healthy = true; // a heartbeat: the server is up and the connection works
          },
        },
      );
      const decoder = new TextDecoder("utf-8");
      reader = response.body.getReader();
      // A read pending on a body that ignores the abort must still end (close(), idle, pagehide).
      const cancelOnAbort = () => reader.cancel().catch(() => {});
      if (controller.signal.aborted) cancelOnAbort();
      controller.signal.addEventListener("abort", cancelOnAbort, { once: true });
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        armIdle();
        parser.feed(decoder.decode(value, { stream: true }));
        if (terminal || closed) break;
      }
      if (!terminal && !closed) parser.feed(decoder.decode()); // flush; a half event is dropped
      if (terminal) return { terminal, healthy: true };
      return { healthy: healthy || Date.now() - openedAt >= healthyAfter, error: new Error("stream ended") };
    } catch (error) {
      if (error instanceof FatalStreamError) throw error;
      if (terminal) return { terminal, healthy: true };
      return { healthy: healthy || Date.now() - openedAt >= healthyAfter, error };
    } finally {
      clearTimeout(idleTimer);
      reader?.cancel().catch(() => {});
      if (connection === controller) connection = null;
    }
  }

  return {
    close() {
      stop("closed");
    },
    get lastEventId() {
      return lastSeq;
    },
    get closed() {
      return closed;
    },
    finished,
  };
}

function toSeq(value) {
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 ? value : null;
  if (typeof value === "string" && /^[0-9]+$/.test(value.trim())) {
    const n = Number(value.trim());
    return Number.isSafeInteger(n) ? n : null;
  }
  return null;
}

function retryAfterMs(response) {
  const header = response.headers.get("Retry-After");
  if (!header) return null;
  if (/^\s*[0-9]+\s*$/.test(header)) return Number(header) * 1000;
  const when = Date.parse(header);
  return Number.isNaN(when) ? null : Math.max(0, when - Date.now());
}

function safeCall(callback, arg) {
  if (typeof callback !== "function") return;
  try {
    callback(arg);
  } catch (error) {
    // A bug in a handler must not tear down the stream (and replay everything).
    if (typeof reportError === "function") reportError(error);
    else console.error(error);
  }
}
