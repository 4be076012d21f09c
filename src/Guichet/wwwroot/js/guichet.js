// Guichet's only script: live regions refreshed from server-sent events, keyboard shortcuts, ticking SLA countdowns.
// Pages work without it; it makes them live.
(function () {
  "use strict";

  // --- live regions: on a change event, re-fetch this page and swap each [data-live-region] in place -------------
  const regions = () => document.querySelectorAll("[data-live-region]");
  let pending = null;
  function refresh() {
    if (pending) return;
    pending = setTimeout(async () => {
      pending = null;
      if (document.querySelector("[data-live-region] :focus, [data-live-region] form.dirty")) { pending = setTimeout(() => { pending = null; refresh(); }, 2000); return; }
      try {
        const response = await fetch(location.href, { headers: { "X-Guichet-Live": "1" }, credentials: "same-origin" });
        if (!response.ok) return;
        const html = new DOMParser().parseFromString(await response.text(), "text/html");
        for (const region of regions()) {
          const fresh = html.querySelector(`[data-live-region="${region.dataset.liveRegion}"]`);
          if (fresh && fresh.innerHTML !== region.innerHTML) {
            region.innerHTML = fresh.innerHTML;
            region.dispatchEvent(new CustomEvent("guichet:updated", { bubbles: true }));
          }
        }
        tick();
        restoreSelection();
      } catch (_) { /* next event retries */ }
    }, 300);
  }

  function listen() {
    if (!document.querySelector("[data-live=on]") || !window.EventSource) return;
    const source = new EventSource("/live/events");
    source.addEventListener("tickets", (e) => {
      const watched = [...regions()].some((r) => !r.dataset.liveTickets || e.data.split(",").some((id) => r.dataset.liveTickets.split(",").includes(id)));
      if (watched) refresh();
    });
    source.addEventListener("presence", (e) => document.dispatchEvent(new CustomEvent("guichet:presence", { detail: e.data })));
    window.addEventListener("pagehide", () => source.close());
  }

  // --- SLA countdowns: <span data-due="ISO instant"> shows the time left, coloured by risk -------------------------
  function tick() {
    const now = Date.now();
    for (const el of document.querySelectorAll("[data-due]")) {
      const due = Date.parse(el.dataset.due);
      if (isNaN(due)) continue;
      const left = due - now, abs = Math.abs(left);
      const h = Math.floor(abs / 3600000), m = Math.floor((abs % 3600000) / 60000);
      const text = (left < 0 ? "-" : "") + (h >= 48 ? Math.floor(h / 24) + "d" : h > 0 ? h + "h" + String(m).padStart(2, "0") : m + "min");
      const label = el.querySelector(".sla-text") || el;
      if (label.textContent !== text) label.textContent = text;
      const warnAt = Number(el.dataset.warnMinutes || 60) * 60000;
      el.classList.toggle("sla-bad", left < 0);
      el.classList.toggle("sla-warn", left >= 0 && left < warnAt);
      el.classList.toggle("sla-ok", left >= warnAt);
    }
  }

  // --- keyboard: ? help, / search, j/k rows, Enter open, and page actions by data-key ---------------------------------
  let selected = -1;
  const rows = () => [...document.querySelectorAll("[data-row-href]")];
  function select(i) {
    const all = rows();
    if (!all.length) return;
    selected = Math.max(0, Math.min(all.length - 1, i));
    all.forEach((r, n) => r.classList.toggle("selected", n === selected));
    all[selected].scrollIntoView({ block: "nearest" });
    sessionStorage.setItem("guichet.row", all[selected].dataset.rowHref);
  }
  function restoreSelection() {
    const href = sessionStorage.getItem("guichet.row");
    const i = rows().findIndex((r) => r.dataset.rowHref === href);
    if (i >= 0) { selected = i; rows()[i].classList.add("selected"); }
  }
  let lastKey = "";
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement || t.isContentEditable) {
      if (e.key === "Escape") t.blur();
      return;
    }
    const key = e.key;
    if (key === "?") { document.getElementById("shortcuts")?.showModal(); e.preventDefault(); return; }
    if (key === "/") { const q = document.getElementById("top-q"); if (q) { q.focus(); e.preventDefault(); } return; }
    if (lastKey === "g" && key === "q") { location.href = "/desk"; return; }
    lastKey = key;
    if (key === "j") { select(selected + 1); e.preventDefault(); return; }
    if (key === "k") { select(selected - 1); e.preventDefault(); return; }
    if (key === "Enter" && selected >= 0) { location.href = rows()[selected].dataset.rowHref; return; }
    const action = document.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (action) {
      e.preventDefault();
      if (action.matches("textarea, input, select")) action.focus(); else action.click();
    }
  });

  // Rows are links as a whole, for the mouse too.
  document.addEventListener("click", (e) => {
    const row = e.target.closest?.("[data-row-href]");
    if (row && !e.target.closest("a, button, input, select, label")) location.href = row.dataset.rowHref;
  });

  // A form being typed in is not replaced by a live refresh.
  document.addEventListener("input", (e) => e.target.form?.classList.add("dirty"));

  document.addEventListener("DOMContentLoaded", () => { tick(); setInterval(tick, 30000); restoreSelection(); listen(); });
})();
