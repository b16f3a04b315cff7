// Where focus goes after HTMX replaces what held it. The Upload button and a task card's Cancel
// button are swapped out by their own response, and focus fell back to <body>: a keyboard or
// screen-reader user was thrown to the top of the page. When that happened, focus moves to the
// first element of the new content marked data-focus-after-swap (the upload results, the card's
// heading), which says what changed. Focus the user has put elsewhere is left alone.
document.addEventListener("htmx:afterSettle", (event) => {
  const active = document.activeElement;
  if (active && active !== document.body && active.isConnected) return;
  const root = event.detail?.elt ?? event.target;
  const within = root instanceof Element ? root : document;
  const target =
    (within.matches?.("[data-focus-after-swap]") ? within : null) ??
    within.querySelector?.("[data-focus-after-swap]") ??
    document.querySelector("[data-focus-after-swap]");
  target?.focus({ preventScroll: false });
});
