// node --test static/js/tests/   (a DOM from happy-dom; no browser)
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { Window } from "happy-dom";

let window;
let document;
let poll;

before(async () => {
  window = new Window({ url: "http://localhost:8000/documents/1" });
  document = window.document;
  poll = await import("../task-poll.js");
});

after(async () => {
  await window.happyDOM.close();
});

beforeEach(() => {
  document.body.replaceChildren();
});

function card(status, { error = "" } = {}) {
  document.body.replaceChildren();
  document.body.insertAdjacentHTML(
    "beforeend",
    `<article id="task-card-7" data-outline-poll data-status="${status}" data-document-title="计划">
       <p data-task-error ${error ? "" : "hidden"}>${error}</p>
       <div data-outline-pane style="height: 100px; overflow-y: auto"></div>
     </article>`,
  );
  const element = document.getElementById("task-card-7");
  const pane = element.querySelector("[data-outline-pane]");
  // happy-dom does no layout: give the pane the geometry a browser would.
  Object.defineProperty(pane, "scrollHeight", { configurable: true, value: 1000 });
  Object.defineProperty(pane, "clientHeight", { configurable: true, value: 100 });
  return { element, pane };
}

function events(element) {
  const seen = [];
  for (const name of ["outline:done", "outline:error"]) {
    document.addEventListener(name, (e) => seen.push([name, e.detail, e.target.id]), { once: true });
  }
  return seen;
}

test("a reader who scrolled up keeps their place when the card is re-rendered", () => {
  const old = card("running");
  old.pane.scrollTop = 250;
  poll.rememberCard(old.element);

  const fresh = card("running");
  assert.equal(poll.restoreCard(fresh.element), null);
  assert.equal(fresh.pane.scrollTop, 250);
});

test("a reader at the end follows the end as the outline grows", () => {
  const old = card("running");
  old.pane.scrollTop = 900; // at the bottom: 1000 - 900 - 100 = 0
  poll.rememberCard(old.element);

  const fresh = card("running");
  poll.restoreCard(fresh.element);
  assert.equal(fresh.pane.scrollTop, 1000);
});

test("a card that comes back succeeded announces outline:done once", () => {
  poll.rememberCard(card("running").element);
  const fresh = card("succeeded");
  const seen = events(fresh.element);

  assert.equal(poll.restoreCard(fresh.element), "outline:done");
  assert.deepEqual(seen, [["outline:done", { status: "succeeded" }, "task-card-7"]]);
  assert.equal(poll.restoreCard(fresh.element), null); // nothing remembered any more
});

test("a card that comes back failed announces outline:error with the card's message", () => {
  poll.rememberCard(card("running").element);
  const fresh = card("failed", { error: "AI 服务繁忙（请求过于频繁）。" });
  const seen = events(fresh.element);

  assert.equal(poll.restoreCard(fresh.element), "outline:error");
  assert.deepEqual(seen[0][1], { source: "task", message: "AI 服务繁忙（请求过于频繁）。" });
});

test("a card that was already finished, or never polled, announces nothing", () => {
  poll.rememberCard(card("cancelled").element);
  assert.equal(poll.restoreCard(card("cancelled").element), null);
  assert.equal(poll.restoreCard(card("succeeded").element), null);
});
