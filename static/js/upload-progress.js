// Shows upload progress for the HTMX-enhanced upload form (the plain form works without it).
document.body.addEventListener("htmx:xhr:progress", (event) => {
  const form = event.target.closest?.("[data-upload-form]");
  const bar = form?.querySelector("[data-upload-progress]");
  if (!bar || !event.detail.lengthComputable) return;
  bar.classList.remove("hidden");
  bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
});
