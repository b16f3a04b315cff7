// An HTMX request that fails (server error, 404, network down) would otherwise do nothing
// visible; say so in the page's alert area instead of failing silently.
import { gettext, interpolate } from "./i18n.js";

const box = () => document.getElementById("request-error");

function show(message) {
  const el = box();
  if (!el) return;
  el.textContent = message;
  el.hidden = false;
}

document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  show(status === 404
    ? gettext("That item no longer exists. Reload the page to see the current list.")
    : interpolate(gettext("The server could not complete the request (HTTP %(status)s). Please try again."), { status }, true));
});
document.addEventListener("htmx:sendError", () => {
  show(gettext("Could not reach the server. Check your connection and try again."));
});
document.addEventListener("htmx:beforeRequest", () => {
  const el = box();
  if (el) el.hidden = true;
});
