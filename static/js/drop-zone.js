// The upload drop zone (partials/drop_zone.html) works without this: its file input covers it.
// This adds what HTML cannot: a highlight while files are dragged over it, files dropped anywhere
// in it (not only on the input), and the chosen files' names. Listeners are on the document, so a
// zone that HTMX swapped in (the upload panel after an upload) works the same.
import { gettext, interpolate, ngettext } from "./i18n.js";

const zoneOf = (event) => event.target.closest?.("[data-drop-zone]");

for (const type of ["dragenter", "dragover"]) {
  document.addEventListener(type, (event) => {
    const zone = zoneOf(event);
    if (!zone) return;
    event.preventDefault(); // allows the drop
    zone.dataset.dragover = "";
  });
}

document.addEventListener("dragleave", (event) => {
  const zone = zoneOf(event);
  if (zone && !zone.contains(event.relatedTarget)) delete zone.dataset.dragover;
});

document.addEventListener("drop", (event) => {
  const zone = zoneOf(event);
  if (!zone) return;
  delete zone.dataset.dragover;
  const input = zone.querySelector("input[type=file]");
  const files = event.dataTransfer?.files;
  if (!input || !files?.length) return;
  event.preventDefault();
  input.files = files;
  input.dispatchEvent(new Event("change", { bubbles: true }));
});

document.addEventListener("change", (event) => {
  const input = event.target;
  const zone = input.closest?.("[data-drop-zone]");
  const chosen = zone?.querySelector("[data-chosen]");
  if (!chosen || !input.files) return;
  const names = Array.from(input.files, (file) => file.name);
  chosen.textContent = names.length
    ? interpolate(
        ngettext("%(count)s file chosen: %(names)s. Press Upload.", "%(count)s files chosen: %(names)s. Press Upload.", names.length),
        { count: names.length, names: names.join(gettext(", ")) },
        true,
      )
    : "";
});
