// node --test static/js/tests/   (a DOM from happy-dom, a dev dependency; no browser)
import { test, before, after, beforeEach, mock } from "node:test";
import assert from "node:assert/strict";
import { Window } from "happy-dom";

let window;
let document;
let pane; // the module under test, imported once the DOM globals exist

before(async () => {
  window = new Window({ url: "http://localhost:8000/documents/1" });
  document = window.document;
  // streaming-markdown's default renderer uses the global `document`, as in a browser.
  globalThis.document = document;
  pane = await import("../outline-pane.js");
});

after(async () => {
  await window.happyDOM.close();
  delete globalThis.document;
});

beforeEach(() => {
  document.body.replaceChildren();
});

// The labels the server renders into data-status-labels (OutlineTask.Status), in English.
const LABELS = {
  queued: "Queued",
  preparing: "Preparing",
  running: "Running",
  succeeded: "Succeeded",
  failed: "Failed",
  cancelled: "Cancelled",
};
/** A value escaped for a double-quoted attribute, as Django's autoescaping does. */
const attr = (value) =>
  value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#x27;");

function card({ status = "running", startedAt = "2026-11-25T21:00:00Z", url = "/api/v1/tasks/42/stream", paneHtml = "<p>saved result</p>", preserveId = "outline-pane-42", labels = LABELS } = {}) {
  const labelsAttr = labels === null ? "" : ` data-status-labels="${attr(JSON.stringify(labels))}"`;
  document.body.insertAdjacentHTML(
    "beforeend",
    `<article data-outline-stream data-stream-url="${url}" data-status="${status}"${labelsAttr}>
      <span data-task-status>${status}</span>
      <progress data-task-progress value="0" max="0"></progress> <span data-task-progress-label></span>
      <span data-task-elapsed data-started-at="${startedAt}"></span>
      <div data-outline-pane data-preserve-id="${preserveId}" class="prose">${paneHtml}</div>
      <p data-task-error hidden></p>
    </article>`,
  );
  return document.body.lastElementChild;
}

/** A fake fetchStream: records the call; the test drives the callbacks. */
function fakeConnect() {
  const calls = [];
  const connect = (url, options) => {
    const call = { url, options, closed: false };
    calls.push(call);
    return { close: () => (call.closed = true), finished: new Promise(() => {}) };
  };
  return { calls, connect };
}

/** A card bound to a fake stream; its animation frames run when the test says (send.runFrames). */
function bind(element, extra = {}) {
  const fake = fakeConnect();
  const frames = [];
  const binding = pane.bindOutlineStream(element, {
    fetchStream: fake.connect,
    requestFrame: (fn) => frames.push(fn),
    ...extra,
  });
  const send = (type, data) => fake.calls[0].options.onEvent({ type, data, seq: data.seq ?? null });
  send.runFrame = () => frames.splice(0).forEach((fn) => fn()); // the frames queued so far
  send.runFrames = () => {
    for (let i = 0; frames.length && i < 1000; i++) send.runFrame();
  };
  return { binding, fake, send };
}

/** A chunk arrives, then the browser draws. */
const chunk = (send, text) => {
  send("chunk", { text });
  send.runFrames();
};
const q = (el, sel) => el.querySelector(sel);
const nextFrame = () => new Promise((resolve) => setTimeout(resolve, 40));

test("a card whose status is terminal is left alone", () => {
  for (const status of ["succeeded", "failed", "cancelled"]) {
    const el = card({ status });
    const fake = fakeConnect();
    assert.equal(pane.bindOutlineStream(el, { fetchStream: fake.connect }), null);
    assert.equal(fake.calls.length, 0);
    assert.equal(q(el, "[data-outline-pane]").innerHTML, "<p>saved result</p>");
    assert.equal(el.hasAttribute("data-outline-bound"), false);
  }
});

test("binding clears the pane, connects from seq 0 to the card's URL, once per element", () => {
  const el = card();
  const { binding, fake } = bind(el);
  assert.ok(binding);
  assert.equal(fake.calls.length, 1);
  assert.equal(fake.calls[0].url, "/api/v1/tasks/42/stream");
  assert.equal(fake.calls[0].options.lastEventId, 0);
  assert.equal(q(el, "[data-outline-pane]").childNodes.length, 0);
  assert.equal(q(el, "[data-outline-pane]").getAttribute("aria-busy"), "true");
  assert.ok(el.hasAttribute("data-outline-bound"));
  assert.equal(pane.bindOutlineStream(el, { fetchStream: fake.connect }), binding);
  assert.equal(fake.calls.length, 1);
  binding.close();
});

test("chunks are appended to the Markdown incrementally, even when split mid-token", () => {
  const el = card();
  const { binding, send } = bind(el);
  const out = q(el, "[data-outline-pane]");
  chunk(send, "# Out");
  const h1 = out.querySelector(".md-title");
  assert.ok(h1, "the heading appears before its line is complete");
  chunk(send, "line\n\n## Sec");
  chunk(send, "tion 1\n\n- first **bo");
  chunk(send, "ld** item\n- 第二项\n\n");
  assert.equal(out.querySelector(".md-title"), h1, "earlier nodes are kept, not re-rendered");
  assert.equal(h1.textContent, "Outline");
  // One <h1> per page (the document's name): the outline's title is a level-2 heading.
  assert.deepEqual([h1.tagName, h1.getAttribute("role"), h1.getAttribute("aria-level")], ["DIV", "heading", "2"]);
  assert.equal(out.querySelector("h2").textContent, "Section 1");
  const items = [...out.querySelectorAll("li")].map((li) => li.textContent);
  assert.deepEqual(items, ["first bold item", "第二项"]);
  assert.equal(out.querySelector("li strong").textContent, "bold");
  binding.close();
});

test("the chunks that arrive between two frames are rendered in the next one, as one run of text", () => {
  const el = card();
  const { binding, send } = bind(el);
  const out = q(el, "[data-outline-pane]");
  for (const text of ["Twenty ", "deltas ", "of one ", "paragraph 一段文字"]) send("chunk", { text });
  assert.equal(out.childNodes.length, 0, "nothing is drawn before the frame");
  send.runFrames();
  const p = out.querySelector("p");
  // (the parser holds back a paragraph's last character until it knows what follows)
  assert.match(p.textContent, /^Twenty deltas of one paragraph 一段文/);
  assert.equal(p.childNodes.length, 1, "one text node, not one per delta");
  chunk(send, " and more\n\n");
  assert.equal(p.childNodes.length, 1, "later deltas extend the same text node");
  assert.equal(p.textContent, "Twenty deltas of one paragraph 一段文字 and more");
  binding.close();
});

test("a backlog larger than a frame's budget is drawn over several frames, characters kept whole", () => {
  const el = card();
  const { binding, send } = bind(el);
  const out = q(el, "[data-outline-pane]");
  // An emoji (two UTF-16 units) straddles every 4,000-unit boundary a frame could cut at.
  const text = Array.from({ length: 10 }, (_, i) => `${"字".repeat(3999)}😀${i}`).join("");
  send("chunk", { text });
  send.runFrame();
  const first = out.textContent.length;
  assert.ok(first > 0 && first < text.length / 2, `one frame drew ${first} of ${text.length} units`);
  assert.doesNotMatch(out.textContent, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u);
  send.runFrames();
  send("done", { seq: 3, status: "succeeded" });
  assert.equal(out.textContent, text);
  binding.close();
});

test("the end draws the text still waiting for its frame", () => {
  const el = card();
  const { binding, send } = bind(el);
  send("chunk", { text: "# Title\n\nThe last words" });
  send("done", { seq: 2, status: "succeeded" });
  const out = q(el, "[data-outline-pane]");
  assert.equal(out.querySelector(".md-title").textContent, "Title");
  assert.equal(out.querySelector("p").textContent, "The last words");
  send.runFrames(); // a frame queued before the end draws nothing more
  assert.equal(out.textContent, "TitleThe last words");
  binding.close();
});

test("raw HTML from the model never becomes markup", () => {
  const el = card();
  const { binding, send } = bind(el);
  const out = q(el, "[data-outline-pane]");
  const evil = [
    "<script>alert(1)</script>\n\n",
    '<img src=x onerror="alert(1)">\n\n',
    '<a href="javascript:alert(1)">x</a> <iframe src="https://evil.example"></iframe>\n\n',
    "<svg onload=alert(1)><style>body{display:none}</style>\n\n",
    "```html\n<script>alert(2)</script>\n```\n\n",
    "Inline `<b onclick=alert(3)>` code\n\n",
  ];
  for (const text of evil) chunk(send, text);
  send("done", { status: "succeeded" });
  for (const tag of ["script", "img", "iframe", "svg", "style", "b"]) {
    assert.equal(out.querySelector(tag), null, `no <${tag}> element`);
  }
  for (const node of out.querySelectorAll("*")) {
    for (const { name } of node.attributes) assert.ok(!name.startsWith("on"), `no ${name} attribute`);
  }
  assert.match(out.textContent, /<script>alert\(1\)<\/script>/, "the HTML shows as text");
  assert.match(out.textContent, /<img src=x onerror="alert\(1\)">/);
  binding.close();
});

test("links keep only http(s)/mailto targets; images are never loaded", () => {
  const el = card();
  const { binding, send } = bind(el);
  const out = q(el, "[data-outline-pane]");
  const md = [
    "[ok](https://example.com/a?b=1) [mail](mailto:a@example.com) [rel](/documents/2)\n\n",
    "[js](javascript:alert(1)) [JS](JaVaScRiPt:alert(1)) [tab](java\tscript:alert(1)) [data](data:text/html,<script>alert(1)</script>) [vb](vbscript:msgbox) [file](file:///etc/passwd)\n\n",
    "![tracker](https://evil.example/p.png?secret=1) ![x](javascript:alert(1))\n\n",
    "auto https://example.org/x done\n\n",
  ].join("");
  // split into awkward pieces, as the network would
  for (let i = 0; i < md.length; i += 7) chunk(send, md.slice(i, i + 7));
  send("done", { status: "succeeded" });
  const links = [...out.querySelectorAll("a")].map((a) => [a.textContent, a.getAttribute("href")]);
  assert.deepEqual(links, [
    ["ok", "https://example.com/a?b=1"],
    ["mail", "mailto:a@example.com"],
    ["rel", "http://localhost:8000/documents/2"],
    ["js", null],
    ["JS", null],
    ["tab", null],
    ["data", null],
    ["vb", null],
    ["file", null],
    ["tracker", "https://evil.example/p.png?secret=1"],
    ["x", null],
    ["https://example.org/x", "https://example.org/x"],
  ]);
  assert.equal(out.querySelector("img"), null);
  for (const a of out.querySelectorAll("a[href]")) {
    assert.equal(a.getAttribute("rel"), "noopener noreferrer nofollow ugc");
    assert.equal(a.getAttribute("target"), "_blank");
  }
  binding.close();
});

test("safeUrl allows http, https and mailto only", () => {
  const base = "http://localhost:8000/";
  assert.equal(pane.safeUrl("https://a.example/x", base), "https://a.example/x");
  assert.equal(pane.safeUrl("  mailto:x@y.z ", base), "mailto:x@y.z");
  assert.equal(pane.safeUrl("#sec", base), "http://localhost:8000/#sec");
  for (const bad of ["javascript:alert(1)", " javascript:1", "java\nscript:1", "data:text/html,x", "blob:x", "ftp://x", "", null]) {
    assert.equal(pane.safeUrl(bad, base), null, String(bad));
  }
});

test("a code fence language becomes a sanitised class, nothing else", () => {
  const el = card();
  const { binding, send } = bind(el);
  chunk(send, '```python" onclick="x\nprint(1)\n```\n\n```js\nlet a\n```\n\n');
  const codes = [...q(el, "[data-outline-pane]").querySelectorAll("pre code")];
  assert.equal(codes.length, 2);
  assert.equal(codes[0].getAttribute("class"), null);
  assert.equal(codes[0].getAttribute("onclick"), null);
  assert.equal(codes[1].getAttribute("class"), "language-js");
  binding.close();
});

test("progress updates the bar and the label", () => {
  const el = card();
  const { binding, send } = bind(el);
  send("progress", { seq: 3, done: 2, total: 12, section: "Methods & <Results>" });
  const bar = q(el, "[data-task-progress]");
  assert.equal(bar.max, 12);
  assert.equal(bar.value, 2);
  assert.equal(q(el, "[data-task-progress-label]").textContent, "Section 3 of 12: Methods & <Results>");
  assert.equal(q(el, "[data-task-progress-label]").children.length, 0);
  binding.close();
});

test("progressLabel", () => {
  assert.equal(pane.progressLabel({ done: 0, total: 4, section: "Intro" }), "Section 1 of 4: Intro");
  assert.equal(pane.progressLabel({ done: 3, total: 4, section: "End" }), "Section 4 of 4: End");
  assert.equal(pane.progressLabel({ done: 4, total: 4, section: "" }), "4 of 4 sections done");
  assert.equal(pane.progressLabel({ done: 1, total: 3 }), "Section 2 of 3");
  assert.equal(pane.progressLabel({ done: 0, total: 0, section: "Reading" }), "Reading");
});

test("status events update the text and data-status", () => {
  const el = card({ status: "queued" });
  const { binding, send } = bind(el);
  send("status", { seq: 1, status: "preparing" });
  assert.equal(el.dataset.status, "preparing");
  assert.equal(q(el, "[data-task-status]").textContent, "Preparing");
  send("status", { seq: 2, status: "running" });
  assert.equal(el.dataset.status, "running");
  binding.close();
});

test("on a Chinese page (its card's labels, Django's catalog loaded), status and progress labels are translated", () => {
  const zh = {
    "Section %(n)s of %(total)s: %(section)s": "第 %(n)s 节，共 %(total)s 节：%(section)s",
    "%(total)s of %(total)s section done": "%(total)s 节已全部完成",
  };
  globalThis.gettext = (msgid) => zh[msgid] ?? msgid;
  globalThis.ngettext = (singular) => zh[singular] ?? singular; // Chinese has one plural form
  try {
    const labels = { queued: "排队中", preparing: "准备中", running: "运行中", succeeded: "已完成", failed: "失败", cancelled: "已取消" };
    const el = card({ status: "queued", labels });
    const { binding, send } = bind(el);
    send("status", { seq: 1, status: "running" });
    send("progress", { seq: 2, done: 1, total: 3, section: "市场分析" });
    assert.equal(q(el, "[data-task-status]").textContent, "运行中");
    assert.equal(el.dataset.status, "running", "data-status stays the machine value");
    assert.equal(q(el, "[data-task-progress-label]").textContent, "第 2 节，共 3 节：市场分析");
    assert.equal(pane.progressLabel({ done: 3, total: 3 }), "3 节已全部完成");
    send("done", { seq: 3, status: "succeeded" });
    assert.equal(q(el, "[data-task-status]").textContent, "已完成");
    binding.close();
  } finally {
    delete globalThis.gettext;
    delete globalThis.ngettext;
  }
});

test("statusLabel names every status and passes unknown ones through", () => {
  assert.deepEqual(
    ["queued", "preparing", "running", "succeeded", "failed", "cancelled", "paused"].map((s) => pane.statusLabel(s, LABELS)),
    ["Queued", "Preparing", "Running", "Succeeded", "Failed", "Cancelled", "paused"],
  );
  assert.equal(pane.statusLabel("constructor", LABELS), "constructor", "only the labels' own keys");
  assert.equal(pane.statusLabel("running"), "running", "no labels: the status as it is");
});

test("the labels come from the card's data-status-labels; none, or unreadable, show statuses as they are", () => {
  assert.deepEqual(pane.statusLabels(card()), LABELS);
  assert.deepEqual(pane.statusLabels(card({ labels: { running: "Läuft \"jetzt\" <b>&</b>" } })), {
    running: 'Läuft "jetzt" <b>&</b>',
  });
  assert.deepEqual(pane.statusLabels(card({ labels: null })), {});
  const broken = card();
  broken.setAttribute("data-status-labels", "{not json");
  assert.deepEqual(pane.statusLabels(broken), {});
  broken.setAttribute("data-status-labels", '["Queued"]');
  assert.deepEqual(pane.statusLabels(broken), {});

  const el = card({ status: "queued", labels: null });
  const { binding, send } = bind(el);
  send("status", { seq: 1, status: "running" });
  assert.equal(q(el, "[data-task-status]").textContent, "running");
  binding.close();
});

test("elapsed time ticks every second and stops on done", () => {
  mock.timers.enable({ apis: ["setInterval"] });
  try {
    let clock = Date.parse("2026-11-25T21:00:05Z");
    const el = card({ startedAt: "2026-11-25T21:00:00Z" });
    const { binding, send } = bind(el, { now: () => clock });
    const elapsed = q(el, "[data-task-elapsed]");
    assert.equal(elapsed.textContent, "0:05");
    clock += 1000;
    mock.timers.tick(1000);
    assert.equal(elapsed.textContent, "0:06");
    clock += 65_000;
    mock.timers.tick(1000);
    assert.equal(elapsed.textContent, "1:11");
    send("done", { seq: 9, status: "succeeded" });
    const final = elapsed.textContent;
    clock += 10_000;
    mock.timers.tick(5000);
    assert.equal(elapsed.textContent, final, "the timer stopped");
    binding.close();
  } finally {
    mock.timers.reset();
  }
});

test("without data-started-at the timer starts when the task starts running", () => {
  mock.timers.enable({ apis: ["setInterval"] });
  try {
    let clock = 1_000_000;
    const el = card({ status: "queued", startedAt: "" });
    const { binding, send } = bind(el, { now: () => clock });
    const elapsed = q(el, "[data-task-elapsed]");
    mock.timers.tick(3000);
    assert.equal(elapsed.textContent, "");
    send("status", { seq: 1, status: "running" });
    assert.equal(elapsed.textContent, "0:00");
    clock += 2000;
    mock.timers.tick(2000);
    assert.equal(elapsed.textContent, "0:02");
    binding.close();
  } finally {
    mock.timers.reset();
  }
});

test("formatElapsed", () => {
  assert.equal(pane.formatElapsed(0), "0:00");
  assert.equal(pane.formatElapsed(-5000), "0:00");
  assert.equal(pane.formatElapsed(59_999), "0:59");
  assert.equal(pane.formatElapsed(754_000), "12:34");
  assert.equal(pane.formatElapsed(3_723_000), "1:02:03");
});

test("done sets the status, flushes the Markdown and dispatches a bubbling outline:done", () => {
  const el = card();
  const { binding, fake, send } = bind(el);
  const seen = [];
  document.addEventListener("outline:done", (e) => seen.push([e.target, e.detail, e.bubbles]), { once: true });
  chunk(send, "Last line without a newline");
  send("done", { seq: 5, status: "succeeded" });
  assert.deepEqual(seen, [[el, { status: "succeeded" }, true]]);
  assert.equal(el.dataset.status, "succeeded");
  assert.equal(q(el, "[data-task-status]").textContent, "Succeeded");
  assert.equal(q(el, "[data-outline-pane]").textContent, "Last line without a newline");
  assert.equal(q(el, "[data-outline-pane]").getAttribute("aria-busy"), "false");
  // nothing after the end
  chunk(send, "more");
  assert.equal(q(el, "[data-outline-pane]").textContent, "Last line without a newline");
  binding.close();
  assert.equal(fake.calls[0].closed, true);
});

test("an error event shows its message, sets failed, and dispatches outline:error", () => {
  const el = card();
  const { binding, send } = bind(el);
  const seen = [];
  const failed = [];
  document.addEventListener("outline:error", (e) => seen.push(e.detail), { once: true });
  document.addEventListener("outline:failed", (e) => failed.push(e.detail), { once: true });
  chunk(send, "# Partial\n\nSome text");
  send("error", { seq: 4, code: "llm_unavailable", message: "The model is unavailable. <b>Try later</b>." });
  const box = q(el, "[data-task-error]");
  assert.equal(box.hidden, false);
  assert.equal(box.textContent, "The model is unavailable. <b>Try later</b>.");
  assert.equal(box.children.length, 0);
  assert.equal(el.dataset.status, "failed");
  assert.equal(q(el, "[data-task-status]").textContent, "Failed");
  assert.deepEqual(seen, [{ source: "task", code: "llm_unavailable", message: "The model is unavailable. <b>Try later</b>." }]);
  assert.deepEqual(failed, [{ code: "llm_unavailable", message: "The model is unavailable. <b>Try later</b>." }], "the card's refresh trigger");
  assert.equal(q(el, "[data-outline-pane] .md-title").textContent, "Partial", "what arrived stays");
  binding.close();
});

test("a stream failure (e.g. 404) shows a clear message and dispatches outline:error", () => {
  const el = card();
  const { binding, fake } = bind(el);
  const seen = [];
  document.addEventListener("outline:error", (e) => seen.push(e.detail), { once: true });
  fake.calls[0].options.onError({ message: "This outline task no longer exists.", status: 404 });
  const box = q(el, "[data-task-error]");
  assert.equal(box.hidden, false);
  assert.equal(box.textContent, "This outline task no longer exists.");
  assert.equal(el.dataset.connection, "failed");
  assert.equal(el.dataset.status, "running", "the task's status is not invented");
  assert.deepEqual(seen, [{ source: "connection", code: "stream_unavailable", message: "This outline task no longer exists.", httpStatus: 404 }]);
  binding.close();
});

test("a pane that got its stream's end takes the id the finished card keeps it by; a broken one does not", () => {
  const ended = (end) => {
    const el = card();
    const { binding, fake, send } = bind(el);
    chunk(send, "# Outline\n\nText");
    const before = q(el, "[data-outline-pane]").id;
    end(send, fake);
    binding.close();
    return [before, q(el, "[data-outline-pane]").id];
  };
  assert.deepEqual(ended((send) => send("done", { seq: 5, status: "succeeded" })), ["", "outline-pane-42"]);
  assert.deepEqual(
    ended((send) => send("error", { seq: 5, code: "llm_unavailable", message: "The model is unavailable." })),
    ["", "outline-pane-42"],
  );
  // Cut off before its end (a 404, retries exhausted): the server's copy of the saved text replaces it.
  assert.deepEqual(ended((_, fake) => fake.calls[0].options.onError({ message: "Gone.", status: 404 })), ["", ""]);
});

test("connection state is exposed as data-connection", () => {
  const el = card();
  const { binding, fake } = bind(el);
  assert.equal(el.dataset.connection, "connecting");
  fake.calls[0].options.onOpen();
  assert.equal(el.dataset.connection, "open");
  fake.calls[0].options.onReconnecting({ attempt: 1, delay: 500 });
  assert.equal(el.dataset.connection, "reconnecting");
  binding.close();
});

test("sticks to the bottom, lets the user scroll up, re-sticks at the bottom", async () => {
  const el = card();
  const out = q(el, "[data-outline-pane]");
  // happy-dom has no layout: give the pane a scroll geometry.
  let scrollTop = 0;
  let scrollHeight = 100;
  Object.defineProperty(out, "clientHeight", { get: () => 100 });
  Object.defineProperty(out, "scrollHeight", { get: () => scrollHeight });
  Object.defineProperty(out, "scrollTop", {
    get: () => scrollTop,
    set: (v) => (scrollTop = Math.max(0, Math.min(v, scrollHeight - 100))),
  });
  const userScrollTo = (top) => {
    out.scrollTop = top;
    out.dispatchEvent(new window.Event("scroll"));
  };
  const { binding, send } = bind(el);

  scrollHeight = 500;
  chunk(send, "para 1\n\n");
  await nextFrame();
  assert.equal(scrollTop, 400, "follows the end");

  userScrollTo(150); // the user scrolls up to read
  scrollHeight = 800;
  chunk(send, "para 2\n\n");
  await nextFrame();
  assert.equal(scrollTop, 150, "stays where the user is");

  userScrollTo(690); // back down to (near) the bottom: within the threshold
  scrollHeight = 1000;
  chunk(send, "para 3\n\n");
  await nextFrame();
  assert.equal(scrollTop, 900, "follows again");

  // Content that grows after our scroll (and its scroll event) is not mistaken for the user.
  scrollHeight = 1400;
  out.dispatchEvent(new window.Event("scroll"));
  chunk(send, "para 4\n\n");
  await nextFrame();
  assert.equal(scrollTop, 1300);

  // A smooth-scrolled wheel's first step up is a few pixels: that, too, stops the following.
  userScrollTo(1290);
  scrollHeight = 1600;
  chunk(send, "para 5\n\n");
  await nextFrame();
  assert.equal(scrollTop, 1290, "stays where the user is");
  binding.close();
});

test("a card removed from the page stops its stream", () => {
  const el = card();
  const { fake, send } = bind(el);
  el.remove();
  chunk(send, "x");
  assert.equal(fake.calls[0].closed, true);
});

test("htmx:beforeCleanupElement on a bound card closes its stream", () => {
  const el = card();
  const { fake } = bind(el);
  el.dispatchEvent(new window.CustomEvent("htmx:beforeCleanupElement", { bubbles: true }));
  assert.equal(fake.calls[0].closed, true);
});

test("end to end with the real fetchStream: htmx:load binds a new card, which streams to done", async () => {
  const sse = [
    "retry: 2000\n\n",
    'id: 1\nevent: status\ndata: {"seq": 1, "status": "running"}\n\n',
    'id: 2\nevent: progress\ndata: {"seq": 2, "done": 0, "total": 2, "section": "引言"}\n\n',
    'id: 3\nevent: chunk\ndata: {"seq": 3, "text": "# 大纲\\n\\n- 第一"}\n\n',
    ": heartbeat\n\n",
    'id: 4\nevent: chunk\ndata: {"seq": 4, "text": "点\\n"}\n\n',
    'id: 5\nevent: done\ndata: {"seq": 5, "status": "succeeded"}\n\n',
  ].join("");
  const bytes = new TextEncoder().encode(sse);
  const requests = [];
  const originalFetch = globalThis.fetch;
  globalThis.fetch = async (url, init) => {
    requests.push({ url, headers: new Headers(init.headers) });
    let i = 0;
    const body = new ReadableStream({
      pull(controller) {
        if (i >= bytes.length) return controller.close();
        controller.enqueue(bytes.slice(i, i + 5)); // 5-byte network chunks: CJK split mid-character
        i += 5;
      },
    });
    return new Response(body, { headers: { "Content-Type": "text/event-stream; charset=utf-8" } });
  };
  try {
    const el = card({ url: "/api/v1/tasks/7/stream" });
    const done = new Promise((resolve) => el.addEventListener("outline:done", (e) => resolve(e.detail)));
    document.dispatchEvent(new window.CustomEvent("htmx:load", { detail: { elt: el } }));
    assert.ok(el.hasAttribute("data-outline-bound"));
    assert.deepEqual(await done, { status: "succeeded" });
    assert.equal(requests.length, 1);
    assert.equal(requests[0].url, "/api/v1/tasks/7/stream");
    assert.equal(requests[0].headers.get("Last-Event-ID"), "0");
    assert.equal(q(el, "[data-outline-pane] .md-title").textContent, "大纲");
    assert.equal(q(el, "[data-outline-pane] li").textContent, "第一点");
    assert.equal(q(el, "[data-task-progress-label]").textContent, "Section 1 of 2: 引言");
    assert.equal(el.dataset.status, "succeeded");
  } finally {
    globalThis.fetch = originalFetch;
  }
});
