// The agent's ticket page: composer modes, canned responses, the resolve shortcut, and presence (heartbeats + live topic).
(function () {
  "use strict";
  const root = document.querySelector(".tp[data-ticket-id]");
  if (!root) return;
  const ticketId = root.dataset.ticketId;
  const me = root.dataset.me;

  // --- composer: the radios are the modes; keep the call fields, labels and placeholder in step ---------------------
  const form = document.getElementById("composer-form");
  const body = document.getElementById("tp-body");
  function setMode(mode, focus) {
    if (!form) return;
    const composer = form.closest(".tp-composer");
    composer.className = composer.className.replace(/tp-mode-\w+/, "tp-mode-" + mode);
    form.dataset.mode = mode;
    const call = mode === "call";
    for (const el of form.querySelectorAll("[data-call-fields] input")) {
      el.disabled = !call;
      if (el.name !== "Input.Internal") el.required = call;
    }
    const submit = form.querySelector("button[type=submit]");
    if (submit && submit.dataset["label" + cap(mode)]) submit.textContent = submit.dataset["label" + cap(mode)];
    const audience = form.querySelector(".tp-audience");
    if (audience) audience.textContent = audience.dataset["audience" + cap(mode)] || "";
    if (body) body.placeholder = body.dataset["placeholder" + cap(mode)] || "";
    if (focus && body) body.focus();
  }
  const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);
  if (form) {
    for (const radio of form.querySelectorAll("input[name='Input.Mode']")) {
      radio.addEventListener("change", () => setMode(radio.value, true));
    }
    // A shortcut clicks the label: the radio changes and the text takes the focus.
    for (const label of form.querySelectorAll(".tp-tab")) {
      label.addEventListener("click", () => setTimeout(() => body && body.focus(), 0));
    }
  }

  // --- canned responses: insert the filled text at the cursor -------------------------------------------------------
  document.addEventListener("click", (e) => {
    const item = e.target.closest?.(".tp-canned-item");
    if (!item || !body) return;
    const text = item.dataset.cannedText || "";
    const start = body.selectionStart ?? body.value.length, end = body.selectionEnd ?? body.value.length;
    const before = body.value.slice(0, start), after = body.value.slice(end);
    const sep = before && !before.endsWith("\n") ? "\n" : "";
    body.value = before + sep + text + after;
    const caret = (before + sep + text).length;
    body.setSelectionRange(caret, caret);
    body.dispatchEvent(new Event("input", { bubbles: true }));
    item.closest("details")?.removeAttribute("open");
    body.focus();
  });
  document.addEventListener("input", (e) => {
    if (!e.target.classList?.contains("tp-canned-filter")) return;
    const q = e.target.value.trim().toLowerCase();
    for (const li of e.target.closest(".tp-canned-menu").querySelectorAll("li")) {
      li.hidden = q !== "" && !li.textContent.toLowerCase().includes(q);
    }
  });

  // --- action pop-overs: one open at a time; Escape closes; the resolve shortcut focuses the solution --------------
  document.addEventListener("toggle", (e) => {
    const d = e.target;
    if (!(d instanceof HTMLDetailsElement) || !d.open || !d.classList.contains("tp-action")) return;
    for (const other of document.querySelectorAll("details.tp-action[open]")) if (other !== d) other.open = false;
    d.querySelector("textarea, input:not([type=hidden]), select")?.focus();
  }, true);
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape") return;
    for (const d of document.querySelectorAll("details.tp-action[open], details.tp-canned[open]")) d.open = false;
  });

  // The header's "why these deadlines" link opens the explanation it points to.
  document.addEventListener("click", (e) => {
    const link = e.target.closest?.("a.tp-why-link");
    const why = document.getElementById("tp-why");
    if (!link || !why) return;
    e.preventDefault();
    why.open = true;
    why.scrollIntoView({ block: "nearest" });
  });

  // --- presence: a heartbeat every 10 s (typing while the composer was typed in lately), others shown live ----------
  const url = root.dataset.presenceUrl;
  const token = () => document.querySelector("input[name='__RequestVerificationToken']")?.value || "";
  let lastTyped = 0, lastState = "";
  function state() { return Date.now() - lastTyped < 12000 ? "typing" : "viewing"; }
  async function beat(s, keepalive) {
    lastState = s;
    try {
      const response = await fetch(url, {
        method: "POST", credentials: "same-origin", keepalive: !!keepalive,
        headers: { "Content-Type": "application/json", "RequestVerificationToken": token() },
        body: JSON.stringify({ state: s }),
      });
      if (response.ok && !keepalive) show(await response.json());
    } catch (_) { /* the next beat retries */ }
  }
  function show(data) {
    if (!data || String(data.ticket) !== ticketId) return;
    const box = document.getElementById("tp-presence");
    if (!box) return;
    const others = (data.people || []).filter((p) => String(p.personId) !== me);
    const list = box.querySelector(".tp-presence-list");
    list.replaceChildren(...others.map((p) => {
      const span = document.createElement("span");
      span.className = "tp-presence-person" + (p.state === "typing" ? " typing" : "");
      const avatar = document.createElement("span");
      avatar.className = "tp-avatar tp-avatar-sm";
      avatar.textContent = (p.name || "?").trim().charAt(0).toUpperCase();
      span.append(avatar, document.createTextNode(" " + p.name + (p.state === "typing" ? " (" + root.dataset.typingLabel + ")" : "")));
      return span;
    }));
    box.hidden = others.length === 0;
  }
  if (body) body.addEventListener("input", () => { const was = state(); lastTyped = Date.now(); if (was !== "typing") beat("typing"); });
  document.addEventListener("guichet:presence", (e) => { try { show(JSON.parse(e.detail)); } catch (_) { } });
  beat("viewing");
  setInterval(() => { if (!document.hidden || lastState !== "viewing") beat(state()); }, 10000);
  window.addEventListener("pagehide", () => beat("left", true));
})();
