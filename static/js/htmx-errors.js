// An HTMX request that fails (server error, 404, network down) would otherwise do nothing
// visible; say so in the page's alert area instead of failing silently.
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
    ? "That item no longer exists. Reload the page to see the current list."
    : `The server could not complete the request (HTTP ${status}). Please try again.`);
});
document.addEventListener("htmx:sendError", () => {
  show("Could not reach the server. Check your connection and try again.");
});
document.addEventListener("htmx:beforeRequest", () => {
  const el = box();
  if (el) el.hidden = true;
});
