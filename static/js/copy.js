// Copy buttons: <button data-copy-from="ID" hidden> copies the value of the field with that id.
// Without JavaScript the button stays hidden and the field (read-only) is selected by hand; with
// it, the button shows, and a status beside it ([data-copy-status]) says whether the copy worked
// (a browser may refuse the clipboard: the field is then selected, ready for Ctrl+C).
import { gettext } from "./i18n.js";

for (const button of document.querySelectorAll("[data-copy-from]")) {
  const field = document.getElementById(button.dataset.copyFrom);
  if (!field) continue;
  button.hidden = false;
  const status = button.parentElement?.querySelector("[data-copy-status]");
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      if (status) status.textContent = gettext("Copied.");
    } catch {
      field.select();
      if (status) status.textContent = gettext("Copying was blocked: press Ctrl+C (⌘C) to copy the selected token.");
    }
  });
}

for (const field of document.querySelectorAll("[data-select-on-focus]")) {
  field.addEventListener("focus", () => field.select());
}
