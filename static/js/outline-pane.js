// Binds every task card [data-outline-stream] to its SSE stream and renders the outline
// Markdown as it grows. Loaded as a module; it binds on load (DOMContentLoaded) and on
// `htmx:load` (cards swapped in by HTMX), each element once.
//
// Card contract (see bindOutlineStream): data-stream-url, data-status, data-status-labels (the
// server's label of every status, JSON), and inside it [data-task-status], [data-task-progress],
// [data-task-progress-label], [data-task-elapsed][data-started-at], [data-outline-pane],
// [data-task-error].
//
// Markdown is rendered with streaming-markdown, which appends DOM nodes as text arrives (no
// re-render, no flicker) and never parses HTML: it builds elements with createElement and puts
// model text in with createTextNode, so raw HTML in the model's output shows as text. Our
// renderer wrapper below also vets every attribute the model controls: link targets must be
// http(s) or mailto, images are never fetched (they become plain links), code-fence languages
// become a sanitised class name.

import { fetchStream } from "./fetch-stream.js";
import { gettext, ngettext, interpolate } from "./i18n.js";
import * as smd from "../vendor/streaming-markdown/smd.min.js";

export const TERMINAL_STATUSES = new Set(["succeeded", "failed", "cancelled"]);
const SELECTOR = "[data-outline-stream]";
const SAFE_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);
const STICK_THRESHOLD_PX = 24; // "at the bottom" tolerance for sticky scrolling
const MAX_RETRIES = 12; // consecutive failed reconnects before telling the user
// Characters rendered per animation frame at most. A model writes a few hundred a second; a page
// that was in the background (no frames) or is replaying a long outline catches up over a few
// frames instead of in one long task.
const FRAME_TEXT_BUDGET = 4000;
const GROUP_BLOCKS = 32; // top-level blocks per group at most (createSafeRenderer)

const bindings = new WeakMap();

/** The URL if it is http(s)/mailto (relative URLs resolve against the page), else null. */
export function safeUrl(value, base = globalThis.document?.baseURI) {
  if (typeof value !== "string") return null;
  const trimmed = value.trim();
  if (!trimmed) return null;
  let url;
  try {
    url = base ? new URL(trimmed, base) : new URL(trimmed);
  } catch {
    return null;
  }
  return SAFE_PROTOCOLS.has(url.protocol) ? url.href : null;
}

/**
 * A streaming-markdown renderer into `root` that never creates markup from model text and
 * only sets vetted attributes.
 */
export function createSafeRenderer(root) {
  const doc = root.ownerDocument;
  const base = smd.default_renderer(root);
  // The outline's top-level blocks go into groups, <div data-outline-group>: a new one at each
  // h1/h2 (a section), or after GROUP_BLOCKS blocks. Each frame the browser styles, lays out and
  // checks the visibility of the pane's children (styles.css: those out of view are skipped); a
  // long outline has thousands of blocks, but only tens of groups.
  let blocks = GROUP_BLOCKS;
  function startBlock(type) {
    const heading = type === smd.HEADING_1 || type === smd.HEADING_2;
    if (blocks >= GROUP_BLOCKS || (heading && blocks > 0)) {
      const group = doc.createElement("div");
      group.setAttribute("data-outline-group", "");
      base.data.nodes[0] = root.appendChild(group);
      blocks = 0;
    }
    blocks += 1;
  }
  return {
    data: base.data,
    add_token(data, type) {
      if (data.index === 0 && type !== smd.DOCUMENT) startBlock(type);
      if (type === smd.HEADING_1) {
        // The page's own <h1> names the document: the outline's title is a level-2 heading that
        // looks like a title, as the server renders it (outline_markdown.render_markdown).
        const title = doc.createElement("div");
        title.setAttribute("role", "heading");
        title.setAttribute("aria-level", "2");
        title.className = "md-title";
        data.nodes[data.index + 1] = data.nodes[data.index].appendChild(title);
        data.index += 1;
        return;
      }
      if (type === smd.IMAGE) {
        // No request to a URL the model chose (tracking, data exfiltration via the query
        // string): an image becomes a link whose text is its alt text.
        const link = doc.createElement("a");
        link.className = "md-image-link";
        data.nodes[data.index + 1] = data.nodes[data.index].appendChild(link);
        data.index += 1;
        return;
      }
      base.add_token(data, type);
    },
    end_token: base.end_token,
    add_text(data, text) {
      // One text node per run of text, not one per write: a paragraph streamed in 40 deltas would
      // otherwise be 40 nodes for the browser to style and lay out.
      const node = data.nodes[data.index];
      const last = node.lastChild;
      if (last && last.nodeType === 3) last.appendData(text);
      else node.appendChild(doc.createTextNode(text));
    },
    set_attr(data, type, value) {
      const node = data.nodes[data.index];
      if (!node || data.index === 0) return; // the pane or a group: no attributes from the model
      switch (type) {
        case smd.HREF:
        case smd.SRC: {
          const href = safeUrl(value, doc.baseURI);
          if (href && node.localName === "a") {
            node.setAttribute("href", href);
            node.setAttribute("rel", "noopener noreferrer nofollow ugc");
            node.setAttribute("target", "_blank");
          }
          break;
        }
        case smd.LANG: {
          const lang = String(value).trim().split(/\s+/)[0];
          if (/^[A-Za-z0-9_+#.-]{1,40}$/.test(lang)) node.setAttribute("class", `language-${lang}`);
          break;
        }
        case smd.START:
          if (/^[0-9]{1,9}$/.test(value)) node.setAttribute("start", value);
          break;
        case smd.CHECKED:
          node.setAttribute("checked", "");
          break;
        default:
          break; // any attribute we do not know is dropped
      }
    },
  };
}

/** "0:07", "12:34", "1:02:03". */
export function formatElapsed(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/**
 * The card's task status labels: data-status-labels, `{"queued": "Queued", ...}` rendered by the
 * server from OutlineTask.Status in the page's language, so there is no copy of them here. None,
 * or not a JSON object: {} (statuses then show as they are).
 */
export function statusLabels(element) {
  try {
    const labels = JSON.parse(element?.dataset?.statusLabels || "{}");
    return labels !== null && typeof labels === "object" && !Array.isArray(labels) ? labels : {};
  } catch {
    return {};
  }
}

/** The label of a task status from the card's labels (statusLabels); unknown: as is. */
export function statusLabel(status, labels = {}) {
  // Own keys only: a status named like an Object method ("constructor") is not a label.
  const label = Object.hasOwn(labels, status) ? labels[status] : undefined;
  return typeof label === "string" ? label : status;
}

/**
 * "Section 3 of 12: Methods". `done` counts the sections finished and `section` names the one
 * being written now (documents/analyzer.py), so the current section is number done + 1; the
 * last progress event (done == total, no section) reads "12 of 12 sections done".
 */
export function progressLabel({ done, total, section }) {
  const t = toCount(total);
  const d = toCount(done);
  if (!t) return section ? String(section) : "";
  if (d >= t) {
    return interpolate(
      ngettext("%(total)s of %(total)s section done", "%(total)s of %(total)s sections done", t),
      { total: t },
      true,
    );
  }
  const values = { n: d + 1, total: t, section };
  return section
    ? interpolate(gettext("Section %(n)s of %(total)s: %(section)s"), values, true)
    : interpolate(gettext("Section %(n)s of %(total)s"), values, true);
}

function isLowSurrogate(code) {
  return code >= 0xdc00 && code <= 0xdfff;
}

function toCount(value) {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

function parseTime(value) {
  if (!value) return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : t;
}

/**
 * Bind one card to its stream. Returns the binding ({close(), element, stream}) or null when
 * there is nothing to do (terminal status, missing URL or pane). Binding twice returns the
 * first binding.
 *
 * @param {HTMLElement} element
 * @param {object} [options]
 * @param {typeof fetchStream} [options.fetchStream]  injectable for tests
 * @param {object} [options.streamOptions]  extra fetchStream options (tests: fetch, sleep, ...)
 * @param {() => number} [options.now]
 * @param {(fn: () => void) => void} [options.requestFrame]  tests: when a frame's rendering runs
 */
export function bindOutlineStream(element, options = {}) {
  if (!element || element.nodeType !== 1) return null;
  if (bindings.has(element)) return bindings.get(element);
  const { fetchStream: connect = fetchStream, streamOptions = {}, now = Date.now } = options;

  const status = (element.dataset.status || "").trim().toLowerCase();
  if (TERMINAL_STATUSES.has(status)) return null; // the server rendered the saved result
  const url = element.dataset.streamUrl;
  const pane = element.querySelector("[data-outline-pane]");
  if (!url || !pane) {
    console.warn("outline-pane: a [data-outline-stream] element needs data-stream-url and a [data-outline-pane]", element);
    return null;
  }
  const doc = element.ownerDocument;
  const view = doc.defaultView ?? globalThis;
  const statusEl = element.querySelector("[data-task-status]");
  const labels = statusLabels(element);
  const progressEl = element.querySelector("[data-task-progress]");
  const progressLabelEl = element.querySelector("[data-task-progress-label]");
  const elapsedEl = element.querySelector("[data-task-elapsed]");
  const errorEl = element.querySelector("[data-task-error]");

  // The stream replays from seq 1, so start from an empty pane: everything shows exactly once.
  pane.replaceChildren();
  pane.setAttribute("aria-busy", "true");
  const parser = smd.parser(createSafeRenderer(pane));
  let markdownEnded = false;
  let finished = false;

  // ---- sticky scrolling: follow the end unless the user scrolled up; re-stick at the bottom.
  // Where the reader is gets read once a frame, after that frame's text, with the one layout the
  // scroll needs anyway (a scroll listener reading it forced another layout every frame).
  let stick = true;
  let lastTop = pane.scrollTop;
  let lastHeight = pane.scrollHeight;
  let scrollQueued = false;
  const raf = options.requestFrame ?? (typeof view.requestAnimationFrame === "function"
    ? (fn) => view.requestAnimationFrame(fn)
    : (fn) => setTimeout(fn, 16));
  function scrollToEnd() {
    const top = pane.scrollTop;
    // Any move up since our last scroll is the user's (we only scroll down): stop following,
    // even a few pixels from the end (a smooth-scrolled wheel's first step is that small). At the
    // end as it was before this frame's text: follow again.
    if (top < lastTop) stick = false;
    else if (lastHeight - top - pane.clientHeight <= STICK_THRESHOLD_PX) stick = true;
    if (stick) pane.scrollTop = pane.scrollHeight;
    lastTop = pane.scrollTop;
    lastHeight = pane.scrollHeight;
  }
  function followEnd() {
    if (scrollQueued) return;
    scrollQueued = true;
    raf(() => {
      scrollQueued = false;
      scrollToEnd();
    });
  }

  // ---- rendering, once per frame: chunks arrive faster than frames (hundreds a second from a
  // model, thousands in a replay), and the browser styles and lays out what changed per frame, so
  // the text of all the chunks since the last frame goes to the Markdown parser in one write.
  let pendingText = "";
  let renderQueued = false;
  function queueText(text) {
    pendingText += text;
    if (renderQueued) return;
    renderQueued = true;
    raf(renderFrame);
  }
  function renderFrame() {
    renderQueued = false;
    if (markdownEnded || !pendingText) return;
    let end = Math.min(pendingText.length, FRAME_TEXT_BUDGET);
    if (end < pendingText.length && isLowSurrogate(pendingText.charCodeAt(end))) end -= 1; // keep pairs whole
    const text = pendingText.slice(0, end);
    pendingText = pendingText.slice(end);
    smd.parser_write(parser, text);
    if (pendingText) {
      renderQueued = true;
      raf(renderFrame);
    }
    scrollToEnd();
  }

  // ---- elapsed time
  let startedAt = parseTime(elapsedEl?.dataset.startedAt);
  let timer = null;
  function tick() {
    if (elapsedEl && startedAt !== null) elapsedEl.textContent = formatElapsed(now() - startedAt);
  }
  function stopTimer() {
    if (timer !== null) clearInterval(timer);
    timer = null;
  }
  if (elapsedEl) {
    tick();
    timer = setInterval(tick, 1000);
  }

  function setStatus(value) {
    if (typeof value !== "string" || !value) return;
    element.dataset.status = value;
    if (statusEl) statusEl.textContent = statusLabel(value, labels);
    if (startedAt === null && (value === "preparing" || value === "running")) {
      startedAt = now();
      tick();
    }
    if (TERMINAL_STATUSES.has(value)) {
      tick();
      stopTimer();
    }
  }

  function endMarkdown() {
    if (markdownEnded) return;
    markdownEnded = true;
    if (pendingText) smd.parser_write(parser, pendingText); // the end shows everything at once
    pendingText = "";
    smd.parser_end(parser); // flushes text still pending in the parser
    followEnd();
  }

  function showError(message) {
    if (!errorEl) return;
    errorEl.textContent = message;
    errorEl.hidden = false;
  }

  function finish() {
    finished = true;
    endMarkdown();
    stopTimer();
    pane.setAttribute("aria-busy", "false");
  }

  // The stream's end is in: the pane has the whole text, so the finished card the server renders
  // next keeps this pane (hx-preserve matches it by this id) instead of a fresh copy of it. A pane
  // whose stream broke off gets no id, and the server's copy (the saved text) replaces it.
  function keepWhenReRendered() {
    if (pane.dataset.preserveId) pane.id = pane.dataset.preserveId;
  }

  function emit(name, detail) {
    const Ctor = view.CustomEvent ?? globalThis.CustomEvent;
    element.dispatchEvent(new Ctor(name, { bubbles: true, detail }));
  }

  function onEvent({ type, data }) {
    if (finished) return;
    if (!element.isConnected) {
      binding.close(); // the card was swapped out of the page
      return;
    }
    switch (type) {
      case "chunk":
        if (typeof data?.text === "string" && data.text) queueText(data.text);
        break;
      case "progress": {
        const total = toCount(data?.total);
        const done = Math.min(toCount(data?.done), total || Infinity);
        if (progressEl) {
          progressEl.max = total || 1;
          progressEl.value = total ? done : 0;
        }
        if (progressLabelEl) progressLabelEl.textContent = progressLabel({ done, total, section: data?.section });
        break;
      }
      case "status":
        setStatus(data?.status);
        break;
      case "done": {
        const final = typeof data?.status === "string" && data.status ? data.status : "succeeded";
        if (final === "succeeded" && progressEl && progressEl.max > 0) progressEl.value = progressEl.max;
        setStatus(final);
        finish();
        keepWhenReRendered();
        element.dataset.connection = "closed";
        emit("outline:done", { status: final });
        break;
      }
      case "error": {
        const message = typeof data?.message === "string" && data.message
          ? data.message
          : gettext("Generating the outline failed.");
        showError(message);
        setStatus("failed");
        finish();
        keepWhenReRendered();
        element.dataset.connection = "closed";
        emit("outline:error", { source: "task", code: data?.code ?? null, message });
        // The card re-fetches itself on this one: an htmx trigger filter (outline:error[...])
        // would need eval, which the Content Security Policy forbids.
        emit("outline:failed", { code: data?.code ?? null, message });
        break;
      }
      default:
        break;
    }
  }

  const binding = {
    element,
    stream: null,
    close() {
      binding.stream?.close();
      stopTimer();
      if (!finished) pane.setAttribute("aria-busy", "false");
      finished = true;
    },
  };
  bindings.set(element, binding);
  element.setAttribute("data-outline-bound", "");
  element.dataset.connection = "connecting";
  binding.stream = connect(url, {
    maxRetries: MAX_RETRIES,
    ...streamOptions,
    lastEventId: 0,
    onEvent,
    onOpen() {
      element.dataset.connection = "open";
    },
    onReconnecting() {
      element.dataset.connection = "reconnecting";
    },
    onError({ message, status: httpStatus }) {
      if (finished) return;
      showError(message);
      finish();
      element.dataset.connection = "failed";
      emit("outline:error", { source: "connection", code: "stream_unavailable", message, httpStatus: httpStatus ?? null });
    },
  });
  return binding;
}

/** Bind `root` (if it is a card) and every card inside it. */
export function initOutlineStreams(root = globalThis.document) {
  if (!root) return;
  if (root.nodeType === 1 && root.matches(SELECTOR)) bindOutlineStream(root);
  root.querySelectorAll?.(SELECTOR).forEach((element) => bindOutlineStream(element));
}

if (typeof document !== "undefined" && typeof document.addEventListener === "function") {
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => initOutlineStreams(document), { once: true });
  } else {
    initOutlineStreams(document);
  }
  document.addEventListener("htmx:load", (event) => initOutlineStreams(event.detail?.elt ?? event.target));
  // The finished card keeps a streamed pane (hx-preserve), but moving it into the new card resets
  // its scroll position: put the reader back where they were.
  const places = new Map(); // pane id -> scrollTop
  document.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail?.target;
    if (!target?.matches?.(SELECTOR)) return;
    const kept = target.querySelector("[data-outline-pane][id]");
    if (kept) places.set(kept.id, kept.scrollTop);
  });
  document.addEventListener("htmx:load", (event) => {
    const root = event.detail?.elt ?? event.target;
    for (const [id, top] of places) {
      const kept = root?.querySelector?.(`[data-outline-pane][id="${id}"]`);
      if (!kept) continue;
      kept.scrollTop = top;
      places.delete(id);
    }
  });
  // A card that HTMX removes or replaces stops streaming.
  document.addEventListener("htmx:beforeCleanupElement", (event) => bindings.get(event.target)?.close());
}
