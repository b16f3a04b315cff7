// When an outline finishes while its tab is in the background, say so in the tab title and,
// if the user opted in, with a browser notification. Listens to the outline:done / outline:error
// events that outline-pane.js (streaming cards) and task-poll.js (polling cards) dispatch.
import { gettext, interpolate } from "./i18n.js";

const KEY = "outliner:notify";
const baseTitle = document.title;
let unseen = 0;

function optedIn() {
  return "Notification" in window && Notification.permission === "granted" && localStorage.getItem(KEY) === "1";
}

function announce(event, ok) {
  if (!document.hidden) return;
  const card = event.target.closest?.("[data-document-title]");
  const name = card?.dataset.documentTitle || gettext("your document");
  unseen += 1;
  const headline = ok ? gettext("Outline ready") : gettext("Outline stopped");
  document.title = `${ok ? "✓" : "⚠"} (${unseen}) ${headline} · ${baseTitle}`;
  if (optedIn()) {
    const body = ok
      ? interpolate(gettext("The outline of “%(name)s” is ready."), { name }, true)
      : interpolate(gettext("The outline of “%(name)s” stopped: %(reason)s"), { name, reason: event.detail?.message || "" }, true);
    new Notification(headline, {
      body,
      tag: `outliner-${card?.id || "task"}`,
    });
  }
}

document.addEventListener("outline:done", (event) => announce(event, event.detail?.status === "succeeded"));
document.addEventListener("outline:error", (event) => {
  if (event.detail?.source === "task") announce(event, false);
});
document.addEventListener("visibilitychange", () => {
  if (!document.hidden) {
    unseen = 0;
    document.title = baseTitle;
  }
});

/** A short message beside the button, read out by screen readers (role=status). */
function say(button, message) {
  let status = button.parentElement?.querySelector("[data-notify-status]");
  if (!status) {
    status = document.createElement("span");
    status.setAttribute("role", "status");
    status.setAttribute("data-notify-status", "");
    status.className = "text-xs text-amber-800 dark:text-amber-300";
    button.after(status);
  }
  status.textContent = message;
}

// The opt-in button exists in the page but stays hidden where notifications are impossible.
function setupToggle(button) {
  if (!("Notification" in window)) return;
  const render = () => {
    const on = optedIn();
    button.textContent = on ? gettext("Notifications on") : gettext("Notify me when done");
    button.setAttribute("aria-pressed", String(on));
  };
  button.hidden = false;
  render();
  button.addEventListener("click", async () => {
    if (optedIn()) {
      localStorage.removeItem(KEY);
    } else {
      const permission = await Notification.requestPermission();
      if (permission === "granted") localStorage.setItem(KEY, "1");
      // Blocked (by the user, earlier, or by the browser): the click did nothing visible.
      else if (permission === "denied") say(button, gettext("Notifications are blocked for this site. Allow them in your browser's site settings, then try again."));
    }
    render();
  });
}
document.querySelectorAll("[data-notify-toggle]").forEach(setupToggle);
