// Portal niceties; every form works without this script.
(function () {
  "use strict";
  function size(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1048576) return (bytes / 1024).toFixed(1) + " KB";
    return (bytes / 1048576).toFixed(1) + " MB";
  }
  // Lists the chosen files under the input, and flags the ones over the limit before the upload starts.
  document.querySelectorAll("input.file-input").forEach((input) => {
    const list = input.parentElement.querySelector(".file-list");
    if (!list) return;
    const max = Number(input.dataset.maxBytes || 0);
    input.addEventListener("change", () => {
      list.textContent = "";
      for (const file of input.files) {
        const li = document.createElement("li");
        li.textContent = file.name + " — " + size(file.size);
        if (max && file.size > max) { li.className = "too-big"; li.textContent += " (" + list.dataset.tooBig + ")"; }
        list.appendChild(li);
      }
    });
  });
  // Error summaries take the focus, so a screen reader or keyboard user lands on what to fix.
  const summary = document.querySelector(".alert-error[tabindex='-1']");
  if (summary) summary.focus();
  // A submitted form is not sent twice by an impatient second click.
  document.querySelectorAll("form[method=post]").forEach((form) => {
    form.addEventListener("submit", () => {
      setTimeout(() => form.querySelectorAll("button[type=submit]").forEach((b) => { b.disabled = true; }), 0);
    });
  });
})();
