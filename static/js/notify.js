// When an outline finishes while its tab is in the background, say so in the tab title and,
// if the user opted in, with a browser notification. Listens to the outline:done / outline:error
// events that outline-pane.js dispatches on task cards.
const KEY = "outliner:notify";
const baseTitle = document.title;
let unseen = 0;

function optedIn() {
  return "Notification" in window && Notification.permission === "granted" && localStorage.getItem(KEY) === "1";
}

function announce(event, ok) {
  if (!document.hidden) return;
  const card = event.target.closest?.("[data-outline-stream]");
  const name = card?.dataset.documentTitle || "your document";
  unseen += 1;
  document.title = `${ok ? "✓" : "⚠"} (${unseen}) ${ok ? "Outline ready" : "Outline stopped"} · ${baseTitle}`;
  if (optedIn()) {
    new Notification(ok ? "Outline ready" : "Outline stopped", {
      body: ok ? `The outline of “${name}” is ready.` : `The outline of “${name}” stopped: ${event.detail?.message || ""}`,
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
    button.textContent = on ? "Notifications on" : "Notify me when done";
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
