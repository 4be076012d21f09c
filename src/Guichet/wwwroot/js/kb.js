// Guichet knowledge base: suggestions while a customer types (#portal-suggestions), and insertion of articles and
// solutions into the ticket composer (#composer-body) from the knowledge panel. Vanilla JS, no framework.
(() => {
  "use strict";
  // Loaded by several components of one page at times: set up once.
  if (window.guichetKb) return;
  window.guichetKb = true;

  // ---- deflection while typing ---------------------------------------------------------------------------------
  const slot = document.getElementById("portal-suggestions");
  if (slot && !slot.dataset.kbReady) {
    slot.dataset.kbReady = "1";
    const selector = slot.dataset.kbInputs || "[data-kb-suggest]";
    let timer = 0;
    let controller = null;
    let last = "";
    const query = () => Array.from(document.querySelectorAll(selector))
      .map((el) => (el.value || "").trim()).filter((v) => v.length > 0).join(" ").slice(0, 300);
    const refresh = async () => {
      const q = query();
      if (q === last) return;
      last = q;
      if (controller) controller.abort();
      if (q.replace(/\s+/g, "").length < 3) {
        slot.innerHTML = "";
        return;
      }
      controller = new AbortController();
      try {
        const response = await fetch("/portal/suggest?q=" + encodeURIComponent(q), {
          signal: controller.signal, credentials: "same-origin", headers: { Accept: "text/html" },
        });
        // The server encodes every text of the fragment; this only places it.
        if (response.ok) slot.innerHTML = await response.text();
      } catch (e) {
        if (e.name !== "AbortError") slot.innerHTML = "";
      }
    };
    document.addEventListener("input", (event) => {
      if (!(event.target instanceof Element) || !event.target.matches(selector)) return;
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
    });
    // A field already filled (back button, kept form after an error) suggests at once.
    if (query().length > 0) refresh();
  }

  // ---- insertion into the composer -----------------------------------------------------------------------------
  const insert = (text) => {
    const composer = document.getElementById("composer-body") || document.getElementById("tp-body");
    if (!composer) {
      if (navigator.clipboard) navigator.clipboard.writeText(text).catch(() => {});
      return false;
    }
    const start = composer.selectionStart ?? composer.value.length;
    const end = composer.selectionEnd ?? composer.value.length;
    const before = composer.value.slice(0, start);
    const glue = before.length > 0 && !before.endsWith("\n") ? "\n\n" : "";
    composer.value = before + glue + text + composer.value.slice(end);
    const caret = (before + glue + text).length;
    composer.focus();
    composer.setSelectionRange(caret, caret);
    // Let the composer's own script (draft saving, presence "typing") know the text changed.
    composer.dispatchEvent(new Event("input", { bubbles: true }));
    return true;
  };

  const say = (panel, key) => {
    const status = panel.querySelector(".kb-panel-status");
    if (status) status.textContent = status.dataset[key] || "";
  };

  document.addEventListener("click", async (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-kb-insert-text], [data-kb-insert-article]") : null;
    if (!button) return;
    const panel = button.closest(".kb-panel");
    if (!panel) return;
    event.preventDefault();
    if (button.hasAttribute("data-kb-insert-text")) {
      say(panel, insert(button.getAttribute("data-kb-insert-text")) ? "kbInserted" : "kbFailed");
      return;
    }
    // An article: the server records the use (link + count) and returns its text.
    const form = new FormData(panel.querySelector("#kb-panel-token") || undefined);
    form.set("articleId", button.getAttribute("data-kb-insert-article"));
    button.disabled = true;
    try {
      const response = await fetch("/desk/kb/tickets/" + encodeURIComponent(panel.dataset.kbTicket) + "/insert", {
        method: "POST", body: form, credentials: "same-origin", headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      say(panel, insert(data.text) ? "kbInserted" : "kbFailed");
      button.classList.add("kb-done");
    } catch {
      say(panel, "kbFailed");
    } finally {
      button.disabled = false;
    }
  });
})();
