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
    } else if ((await Notification.requestPermission()) === "granted") {
      localStorage.setItem(KEY, "1");
    }
    render();
  });
}
document.querySelectorAll("[data-notify-toggle]").forEach(setupToggle);
