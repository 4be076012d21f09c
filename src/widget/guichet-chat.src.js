// Guichet chat widget: one <script> tag, everything inside a Shadow DOM, no globals besides this closure.
// <script src="https://desk.example/widget/guichet-chat.js" data-widget="website" async></script>
// `signalR` is the @microsoft/signalr browser build, bundled in front of this file by scripts/build-widget.sh.
(function (script) {
  "use strict";
  if (!script) { return; }
  var CSS = ":host{all:initial} .gc{font:14px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;color:#1f2933;box-sizing:border-box} .gc *{box-sizing:border-box;font:inherit} .gc-floating{position:fixed;right:20px;bottom:20px;width:360px;max-width:calc(100vw - 24px);height:540px;max-height:calc(100vh - 40px);z-index:2147483000;display:flex;flex-direction:column;background:#fff;border-radius:14px;box-shadow:0 12px 40px rgba(15,23,42,.25);overflow:hidden} .gc-inline{display:flex;flex-direction:column;height:560px;background:#fff;border:1px solid #d9e0e8;border-radius:12px;overflow:hidden} .gc-closed{width:auto;height:auto;background:none;box-shadow:none;overflow:visible} .gc-closed>:not(.gc-launch){display:none} .gc-launch{display:none} .gc-closed .gc-launch{display:inline-flex;align-items:center;gap:8px;border:0;border-radius:999px;padding:12px 20px;background:#1d4ed8;color:#fff;font-weight:600;cursor:pointer;box-shadow:0 6px 20px rgba(29,78,216,.4)} .gc-closed .gc-launch::before{content:\"\";width:10px;height:10px;border-radius:50%;background:#4ade80} .gc-head{display:flex;align-items:center;justify-content:space-between;padding:14px 16px;background:linear-gradient(135deg,#1d4ed8,#2563eb);color:#fff} .gc-head strong{font-weight:600} .gc-x{background:none;border:0;color:#fff;font-size:22px;line-height:1;cursor:pointer;padding:0 4px} .gc-body{flex:1;display:flex;flex-direction:column;min-height:0;padding:12px 14px;gap:8px;overflow:auto} .gc-online,.gc-offline,.gc-info{margin:0;padding:8px 10px;border-radius:8px;background:#ecfdf5;color:#065f46;font-size:13px} .gc-offline{background:#fff7ed;color:#9a3412} .gc-info{background:#eff6ff;color:#1e40af} .gc-info:empty,.gc-typing:empty,.gc-error:empty{display:none} .gc-form{display:flex;flex-direction:column;gap:10px} .gc-field{display:flex;flex-direction:column;gap:4px;font-size:13px;color:#475569} .gc input,.gc textarea{width:100%;border:1px solid #cbd5e1;border-radius:8px;padding:8px 10px;color:#0f172a;background:#fff;resize:vertical} .gc input:focus,.gc textarea:focus,.gc button:focus-visible{outline:2px solid #2563eb;outline-offset:1px} .gc-primary{border:0;border-radius:8px;padding:9px 14px;background:#1d4ed8;color:#fff;font-weight:600;cursor:pointer} .gc-primary:disabled{opacity:.6} .gc-secondary{border:1px solid #1d4ed8;border-radius:8px;padding:8px 12px;background:#fff;color:#1d4ed8;cursor:pointer} .gc-link{border:0;background:none;color:#64748b;text-decoration:underline;cursor:pointer;padding:4px 0} .gc-error{margin:0;color:#b91c1c;font-size:13px} .gc-list{list-style:none;margin:0;padding:0;flex:1;overflow:auto;display:flex;flex-direction:column;gap:8px;min-height:120px} .gc-msg{max-width:82%;padding:8px 11px;border-radius:12px;background:#f1f5f9;display:flex;flex-direction:column;gap:2px;word-wrap:break-word;white-space:pre-wrap} .gc-visitor{align-self:flex-end;background:#1d4ed8;color:#fff;border-bottom-right-radius:4px} .gc-agent{align-self:flex-start;border-bottom-left-radius:4px} .gc-system{align-self:center;background:none;color:#64748b;font-size:12px} .gc-pending{opacity:.6} .gc-who{font-size:11px;font-weight:600;opacity:.75} .gc-time{font-size:10px;opacity:.6;align-self:flex-end} .gc-filelink{color:inherit;font-weight:600;display:inline-flex;align-items:center;gap:4px} .gc-typing{margin:0;font-size:12px;color:#64748b;font-style:italic} .gc-compose{display:flex;gap:6px;align-items:flex-end;border-top:1px solid #e2e8f0;padding-top:8px} .gc-compose textarea{flex:1;resize:none} .gc-file{display:none} .gc-attach{border:1px solid #cbd5e1;background:#fff;border-radius:8px;padding:8px;cursor:pointer;color:#475569;display:inline-flex;align-items:center;justify-content:center;height:38px} .gc-footer{display:flex;justify-content:flex-end} .gc-footer:has(.gc-end){justify-content:stretch} .gc-end{display:flex;flex-direction:column;gap:10px;width:100%} .gc-rate{display:flex;flex-wrap:wrap;gap:8px;align-items:center;padding:10px;border:1px solid #e2e8f0;border-radius:10px} .gc-rate p{margin:0;width:100%;font-weight:600} .gc-choice{border:1px solid #cbd5e1;border-radius:999px;background:#fff;padding:6px 12px;cursor:pointer} .gc-choice[aria-pressed=true]{border-color:#1d4ed8;background:#eff6ff;color:#1d4ed8;font-weight:600} .gc-rate textarea{width:100%}";
  var CLIP = "<svg width=\"16\" height=\"16\" viewBox=\"0 0 24 24\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\" stroke-linecap=\"round\" stroke-linejoin=\"round\" aria-hidden=\"true\"><path d=\"M21.44 11.05l-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48\"/></svg>";
  var key = script.getAttribute("data-widget") || "website";
  var server = new URL(script.src, location.href).origin;
  var inline = script.getAttribute("data-target");
  var portal = key === "portal";
  var lang = (script.getAttribute("data-lang") || navigator.language || "en").toLowerCase().indexOf("fr") === 0 ? "fr" : "en";
  // In the portal the chat belongs to the signed-in person: another account in the same browser must not resume it.
  var storeKey = "guichet-chat:" + server + ":" + key + (portal ? ":" + (script.getAttribute("data-person") || "") : "");
  var T = {};
  var state = load();
  var connection = null;
  var messages = {};
  var typingTimer = null;
  var lastTyping = 0;
  var limits = { text: 4000, file: 10485760 };

  function load() { try { return JSON.parse(localStorage.getItem(storeKey)) || {}; } catch (e) { return {}; } }
  function save() { try { localStorage.setItem(storeKey, JSON.stringify(state)); } catch (e) { /* private mode: the chat still works until reload */ } }
  function t(name, arg) { var s = T[name] || name; return arg === undefined ? s : s.replace("{0}", arg); }

  var host = document.createElement("div");
  host.setAttribute("data-guichet-chat", key);
  var root = host.attachShadow({ mode: "open" });
  root.innerHTML = "<style>" + CSS + "</style><div class='gc' part='panel'></div>";
  var shell = root.querySelector(".gc");
  if (inline && document.getElementById(inline)) {
    document.getElementById(inline).appendChild(host);
    shell.classList.add("gc-inline");
  } else {
    document.body.appendChild(host);
    shell.classList.add("gc-floating", "gc-closed");
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; } // text only: never HTML from a message
    return e;
  }

  function api(path, body, headers) {
    var h = { "Content-Type": "application/json", "Accept-Language": lang };
    if (state.token) { h["X-Guichet-Visitor"] = state.token; }
    for (var k in headers || {}) { h[k] = headers[k]; }
    if (body instanceof FormData) { delete h["Content-Type"]; }
    return fetch(server + "/chat/w/" + encodeURIComponent(key) + path, {
      method: body === undefined ? "GET" : "POST", headers: h, credentials: portal ? "same-origin" : "omit",
      body: body === undefined ? undefined : (body instanceof FormData ? body : JSON.stringify(body))
    }).then(function (r) {
      if (r.status === 204 || r.status === 202) { return {}; }
      return r.json().catch(function () { return {}; }).then(function (j) { if (!r.ok) { j.failed = true; } return j; });
    });
  }

  function firstError(j) {
    if (j && j.errors) { for (var f in j.errors) { return j.errors[f][0]; } }
    return (j && (j.detail || j.title)) || t("error");
  }

  function frame(title) {
    shell.textContent = "";
    var head = el("header", "gc-head");
    head.appendChild(el("strong", null, title || t("title")));
    if (!inline) {
      var close = el("button", "gc-x", "×");
      close.setAttribute("aria-label", t("close"));
      close.onclick = function () { shell.classList.add("gc-closed"); };
      head.appendChild(close);
    }
    shell.appendChild(head);
    var launcher = el("button", "gc-launch", t("open"));
    launcher.onclick = function () { shell.classList.remove("gc-closed"); var f = shell.querySelector("textarea,input"); if (f) { f.focus(); } };
    shell.appendChild(launcher);
    var body = el("div", "gc-body");
    shell.appendChild(body);
    return body;
  }

  function field(form, name, label, type, required) {
    var wrap = el("label", "gc-field");
    wrap.appendChild(el("span", null, label));
    var input = type === "textarea" ? el("textarea") : el("input");
    if (type !== "textarea") { input.type = type; }
    input.name = name; input.required = !!required;
    if (type === "textarea") { input.maxLength = limits.text; input.rows = 3; }
    wrap.appendChild(input);
    form.appendChild(wrap);
    return input;
  }

  function showStart(available) {
    var body = frame();
    body.appendChild(el("p", available ? "gc-online" : "gc-offline", available ? t("online") : t("offline")));
    var form = el("form", "gc-form");
    var name = null, email = null, subject = null;
    if (!portal) { name = field(form, "name", t("name"), "text", true); email = field(form, "email", t("email"), "email", true); }
    if (!available) { subject = field(form, "subject", t("subject"), "text", false); }
    var message = field(form, "message", t("message"), "textarea", true);
    var error = el("p", "gc-error"); error.setAttribute("role", "alert");
    form.appendChild(error);
    var submit = el("button", "gc-primary", available ? t("start") : t("send_request"));
    submit.type = "submit";
    form.appendChild(submit);
    form.onsubmit = function (e) {
      e.preventDefault();
      submit.disabled = true;
      var payload = { name: name && name.value, email: email && email.value, message: message.value, language: lang };
      if (!available) {
        payload.subject = subject.value;
        api("/request", payload).then(function (j) {
          submit.disabled = false;
          if (j.failed) { error.textContent = firstError(j); return; }
          body.textContent = "";
          body.appendChild(el("p", "gc-online", t("request_sent", j.ticketNumber)));
        });
        return;
      }
      api("/start", payload).then(function (j) {
        submit.disabled = false;
        if (j.failed) { error.textContent = firstError(j); return; }
        state = { token: j.token, chatId: j.chatId, ticket: j.ticketNumber, lastId: 0 };
        save();
        showChat();
      });
    };
    body.appendChild(form);
  }

  var view = {};

  function showChat() {
    var body = frame(state.ticket ? t("title") + " · " + t("ticket", state.ticket) : t("title"));
    view.info = el("p", "gc-info"); view.info.setAttribute("aria-live", "polite");
    view.list = el("ol", "gc-list"); view.list.setAttribute("aria-live", "polite");
    view.typing = el("p", "gc-typing");
    var form = el("form", "gc-compose");
    view.input = el("textarea"); view.input.rows = 2; view.input.maxLength = limits.text; view.input.placeholder = t("placeholder");
    view.input.setAttribute("aria-label", t("message"));
    view.input.onkeydown = function (e) { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); send(); } };
    view.input.oninput = function () {
      var now = Date.now();
      if (connection && connection.state === "Connected" && now - lastTyping > 2000) { lastTyping = now; connection.invoke("Typing").catch(function () {}); }
    };
    var file = el("input"); file.type = "file"; file.className = "gc-file"; file.setAttribute("aria-label", t("attach"));
    file.onchange = function () { if (file.files.length) { upload(file.files[0]); file.value = ""; } };
    var attach = el("button", "gc-attach"); attach.innerHTML = CLIP; // our own constant markup, never message text attach.type = "button"; attach.title = t("attach"); attach.setAttribute("aria-label", t("attach"));
    attach.onclick = function () { file.click(); };
    var sendButton = el("button", "gc-primary", t("send")); sendButton.type = "submit";
    form.onsubmit = function (e) { e.preventDefault(); send(); };
    form.appendChild(attach); form.appendChild(file); form.appendChild(view.input); form.appendChild(sendButton);
    view.error = el("p", "gc-error"); view.error.setAttribute("role", "alert");
    view.footer = el("div", "gc-footer");
    var end = el("button", "gc-link", t("end")); end.type = "button";
    end.onclick = function () { if (connection) { connection.invoke("Leave").catch(function () {}); } };
    view.footer.appendChild(end);
    body.appendChild(view.info); body.appendChild(view.list); body.appendChild(view.typing);
    body.appendChild(form); body.appendChild(view.error); body.appendChild(view.footer);
    view.form = form;
    messages = {};
    connect();
  }

  function add(m) {
    if (messages[m.id]) { return; }
    messages[m.id] = true;
    if (m.id > (state.lastId || 0)) { state.lastId = m.id; save(); }
    if (m.clientId) { var pending = view.list.querySelector("[data-client='" + m.clientId + "']"); if (pending) { pending.remove(); } }
    var li = el("li", "gc-msg gc-" + m.author);
    li.appendChild(el("span", "gc-who", m.author === "visitor" ? t("you") : (m.name || t("title"))));
    if (m.file) {
      var a = el("a", "gc-filelink");
      a.innerHTML = CLIP; a.appendChild(document.createTextNode(" " + m.file.name));
      a.href = server + "/chat/files/" + m.file.id + "?visitor=" + encodeURIComponent(state.token);
      a.target = "_blank"; a.rel = "noopener";
      li.appendChild(a);
    } else {
      li.appendChild(el("span", "gc-text", m.body));
    }
    var at = new Date(m.at);
    li.appendChild(el("time", "gc-time", at.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" })));
    view.list.appendChild(li);
    view.list.scrollTop = view.list.scrollHeight;
    view.typing.textContent = "";
  }

  function status(s, agentName, position) {
    if (s === "Waiting") { view.info.textContent = position ? t("queue", position) : ""; }
    else if (s === "Active") { view.info.textContent = agentName ? t("joined", agentName) : ""; }
    else if (s === "Ended") { ended(); }
  }

  function send() {
    var text = view.input.value.trim();
    if (!text || !connection) { return; }
    var clientId = "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
    var li = el("li", "gc-msg gc-visitor gc-pending"); li.setAttribute("data-client", clientId);
    li.appendChild(el("span", "gc-who", t("you"))); li.appendChild(el("span", "gc-text", text));
    view.list.appendChild(li);
    view.input.value = "";
    view.error.textContent = "";
    var attempt = function () {
      connection.invoke("Send", text, clientId).then(add).catch(function (e) {
        if (connection.state !== "Connected") { setTimeout(attempt, 1000); return; } // re-sent once reconnected
        li.remove(); view.input.value = text; view.error.textContent = hubError(e);
      });
    };
    attempt();
  }

  function upload(file) {
    if (file.size > limits.file) { view.error.textContent = t("error"); return; }
    var data = new FormData(); data.append("file", file, file.name);
    api("/files", data).then(function (j) { if (j.failed) { view.error.textContent = firstError(j); } else { add(j); } });
  }

  function hubError(e) {
    var m = (e && e.message) || "";
    var i = m.indexOf("HubException: ");
    return i >= 0 ? m.slice(i + 14) : t("error");
  }

  function connect() {
    connection = new signalR.HubConnectionBuilder()
      .withUrl(server + "/hubs/chat?widget=" + encodeURIComponent(key) + "&visitor=" + encodeURIComponent(state.token), { withCredentials: false })
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: function (c) { return Math.min(10000, 500 * Math.pow(2, c.previousRetryCount)); } })
      .configureLogging(signalR.LogLevel.None)
      .build();
    connection.on("message", add);
    connection.on("typing", function (chatId, who) {
      if (who !== "agent") { return; }
      view.typing.textContent = t("typing");
      clearTimeout(typingTimer); typingTimer = setTimeout(function () { view.typing.textContent = ""; }, 4000);
    });
    connection.on("queue", function (chatId, position) {
      view.info.textContent = (view.transferred ? t("transferred") + " " : "") + t("queue", position);
    });
    connection.on("status", function (s) {
      view.transferred = s.status === "Waiting";
      if (view.transferred) { view.info.textContent = t("transferred"); } else { status(s.status, s.agentName); }
    });
    connection.onreconnecting(function () { view.info.textContent = t("reconnecting"); });
    connection.onreconnected(resume);
    connection.onclose(function () { if (state.token && !state.ended) { setTimeout(start, 3000); } });
    start();
  }

  function start() {
    connection.start().then(resume).catch(function () { if (state.token) { setTimeout(start, 3000); } });
  }

  // After a drop or a reload: everything after the last message this browser saw, from the database.
  function resume() {
    // A fresh page shows the whole conversation; a reconnect only asks for what it missed.
    var after = Object.keys(messages).length ? (state.lastId || 0) : 0;
    return connection.invoke("Resume", after).then(function (s) {
      state.ticket = s.ticketNumber; save();
      s.messages.forEach(add);
      status(s.status, s.agentName, s.queuePosition);
      if (s.status === "Ended" && s.rated) { state.rated = true; }
    }).catch(function () {
      // The token is unknown (chat purged): start over.
      state = {}; save(); init();
    });
  }

  function ended() {
    if (view.endedShown) { return; }
    view.endedShown = true;
    state.ended = true; save();
    view.form.remove(); view.footer.textContent = ""; view.typing.textContent = "";
    view.info.textContent = t("ended");
    var box = el("div", "gc-end");
    var transcript = el("button", "gc-secondary", t("transcript")); transcript.type = "button";
    transcript.onclick = function () { transcript.disabled = true; api("/transcript", {}).then(function () { transcript.textContent = t("transcript_sent"); }); };
    box.appendChild(transcript);
    if (!state.rated) {
      var rate = el("form", "gc-rate");
      rate.appendChild(el("p", null, t("rate")));
      var choice = null;
      ["good", "bad"].forEach(function (r) {
        var b = el("button", "gc-choice gc-" + r, t(r)); b.type = "button"; b.setAttribute("aria-pressed", "false");
        b.onclick = function () { choice = r; rate.querySelectorAll(".gc-choice").forEach(function (x) { x.setAttribute("aria-pressed", String(x === b)); }); };
        rate.appendChild(b);
      });
      var comment = el("textarea"); comment.rows = 2; comment.maxLength = 2000; comment.placeholder = t("comment"); comment.setAttribute("aria-label", t("comment"));
      rate.appendChild(comment);
      var go = el("button", "gc-primary", t("rate_send")); go.type = "submit";
      rate.appendChild(go);
      rate.onsubmit = function (e) {
        e.preventDefault();
        if (!choice) { return; }
        api("/rating", { rating: choice, comment: comment.value }).then(function (j) {
          if (j.failed) { return; }
          state.rated = true; save(); rate.textContent = ""; rate.appendChild(el("p", "gc-online", t("thanks")));
        });
      };
      box.appendChild(rate);
    }
    var again = el("button", "gc-link", t("new_chat")); again.type = "button";
    again.onclick = function () { if (connection) { connection.stop(); } state = {}; save(); view = {}; init(); };
    box.appendChild(again);
    view.footer.appendChild(box);
    if (connection) { connection.stop(); }
  }

  function init() {
    api("/status?lang=" + lang).then(function (s) {
      T = s.texts || {};
      limits.text = s.maxMessageLength || limits.text; limits.file = s.maxFileBytes || limits.file;
      if (state.token) {
        showChat();
        if (state.ended) { view.endedShown = false; }
      } else {
        showStart(!!s.available);
      }
    }).catch(function () { /* Guichet unreachable: show nothing rather than a broken panel */ });
  }

  init();
})(document.currentScript);
