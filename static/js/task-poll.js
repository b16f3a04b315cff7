// Task cards that poll instead of streaming (the `streaming` flag is off: [data-outline-poll]).
// HTMX re-renders such a card every second with the text so far. This module keeps the reader's
// place in the outline pane across those swaps (or follows the end, if they were at the end),
// and when a card that was in progress comes back finished it dispatches the same
// outline:done / outline:error events a streaming card does, so the tab title and browser
// notifications (notify.js) work the same way.

export const TERMINAL_STATUSES = new Set(["succeeded", "failed", "cancelled"]);
const SELECTOR = "[data-outline-poll]";
const STICK_THRESHOLD_PX = 24;

const seen = new Map(); // card id -> {status, top, atBottom}

/** Note the card's status and its pane's scroll position before HTMX replaces it. */
export function rememberCard(card) {
  if (!card?.id) return;
  const pane = card.querySelector("[data-outline-pane]");
  seen.set(card.id, {
    status: card.dataset.status || "",
    top: pane ? pane.scrollTop : 0,
    atBottom: pane ? pane.scrollHeight - pane.scrollTop - pane.clientHeight <= STICK_THRESHOLD_PX : true,
  });
}

/** Put the reader back where they were in the new card; announce a finish. Returns the event
 * name dispatched, if any. */
export function restoreCard(card) {
  const previous = card?.id ? seen.get(card.id) : undefined;
  if (!previous) return null;
  const pane = card.querySelector("[data-outline-pane]");
  if (pane) pane.scrollTop = previous.atBottom ? pane.scrollHeight : previous.top;
  const status = card.dataset.status || "";
  if (!TERMINAL_STATUSES.has(status)) return null;
  seen.delete(card.id);
  if (TERMINAL_STATUSES.has(previous.status)) return null;
  const view = card.ownerDocument.defaultView ?? globalThis;
  const Ctor = view.CustomEvent ?? globalThis.CustomEvent;
  if (status === "failed") {
    const message = card.querySelector("[data-task-error]")?.textContent?.trim() || "";
    card.dispatchEvent(new Ctor("outline:error", { bubbles: true, detail: { source: "task", message } }));
    return "outline:error";
  }
  card.dispatchEvent(new Ctor("outline:done", { bubbles: true, detail: { status } }));
  return "outline:done";
}

if (typeof document !== "undefined" && typeof document.addEventListener === "function") {
  document.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail?.target;
    if (target?.matches?.(SELECTOR)) rememberCard(target);
  });
  document.addEventListener("htmx:load", (event) => {
    const element = event.detail?.elt ?? event.target;
    if (element?.matches?.(SELECTOR)) restoreCard(element);
  });
}
