// Agent chat console (/desk/chat): the waiting queue of the agent's groups, their open chats, one conversation at a time.
// Messages are inserted as text only. Strings come from the page (data-texts), rendered by the server in the agent's language.
(function () {
  "use strict";
  var root = document.getElementById("chat-console");
  if (!root || !window.signalR) { return; }
  var T = JSON.parse(root.getAttribute("data-texts"));
  var lang = document.documentElement.lang || "en";
  var state = { waiting: [], mine: [], current: null, last: {}, groups: [], agents: [], max: 3, me: 0 };
  var $ = function (id) { return document.getElementById(id); };
  var typingTimer = null, lastTyping = 0;

  function t(name, a, b) { return (T[name] || name).replace("{0}", a === undefined ? "" : a).replace("{1}", b === undefined ? "" : b); }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) { e.className = cls; } if (text != null) { e.textContent = text; } return e; }
  function ago(iso) {
    var s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
    return s < 60 ? s + " s" : s < 3600 ? Math.floor(s / 60) + " min" : Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
  }
  function hubError(e) { var m = (e && e.message) || ""; var i = m.indexOf("HubException: "); return i >= 0 ? m.slice(i + 14) : m; }
  function alertError(e) { var box = $("chat-alert"); box.textContent = hubError(e); box.hidden = !box.textContent; }

  var connection = new signalR.HubConnectionBuilder().withUrl("/hubs/chat")
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: function (c) { return Math.min(10000, 500 * Math.pow(2, c.previousRetryCount)); } })
    .build();

  function refresh() {
    return connection.invoke("Console").then(function (s) {
      state.waiting = s.waiting; state.mine = s.mine; state.groups = s.groups; state.agents = s.agents; state.max = s.maxConcurrent; state.me = s.agentId;
      renderLists();
      if (state.current && !state.mine.some(function (c) { return c.id === state.current.id; })) {
        var still = state.waiting.concat(state.mine).filter(function (c) { return c.id === state.current.id; })[0];
        if (still) { state.current = still; renderHead(); }
      }
    }).catch(alertError);
  }

  function renderLists() {
    var w = $("chat-waiting"); w.textContent = "";
    $("chat-waiting-count").textContent = state.waiting.length;
    if (!state.waiting.length) { w.appendChild(el("li", "empty", t("none_waiting"))); }
    state.waiting.forEach(function (c) {
      var li = el("li", "chat-item chat-waiting-item");
      var main = el("div", "chat-item-main");
      main.appendChild(el("strong", null, c.visitorName));
      main.appendChild(el("span", "muted chat-subject", c.subject));
      var meta = el("span", "chat-meta");
      meta.appendChild(el("span", "chat-group", c.groupName || ""));
      var wait = el("span", "chat-wait", t("waited", ago(c.waitingSince))); wait.setAttribute("data-since", c.waitingSince);
      meta.appendChild(wait);
      if (c.offeredGroupId) { meta.appendChild(el("span", "badge chat-offered", t("offered"))); }
      main.appendChild(meta);
      li.appendChild(main);
      var accept = el("button", "btn btn-primary btn-small", t("accept"));
      accept.disabled = state.mine.length >= state.max;
      accept.onclick = function () {
        accept.disabled = true;
        connection.invoke("Accept", c.id).then(function (chat) { return refresh().then(function () { select(chat); }); })
          .catch(function (e) { accept.disabled = false; alertError(e); refresh(); });
      };
      li.appendChild(accept);
      w.appendChild(li);
    });
    var m = $("chat-mine"); m.textContent = "";
    $("chat-mine-count").textContent = t("count", state.mine.length, state.max);
    if (!state.mine.length) { m.appendChild(el("li", "empty", t("none_mine"))); }
    state.mine.forEach(function (c) {
      var li = el("li", "chat-item chat-mine-item" + (state.current && state.current.id === c.id ? " selected" : ""));
      li.tabIndex = 0;
      li.setAttribute("data-chat", c.id);
      var main = el("div", "chat-item-main");
      main.appendChild(el("strong", null, c.visitorName));
      main.appendChild(el("span", "muted chat-subject", c.subject));
      li.appendChild(main);
      li.appendChild(el("span", "chat-unread", ""));
      li.onclick = function () { select(c); };
      li.onkeydown = function (e) { if (e.key === "Enter") { select(c); } };
      m.appendChild(li);
    });
  }

  function renderHead() {
    var c = state.current;
    $("chat-empty").hidden = !!c;
    $("chat-pane").hidden = !c;
    if (!c) { return; }
    $("chat-title").textContent = c.visitorName + " · " + c.visitorEmail;
    var link = $("chat-ticket"); link.textContent = c.ticketNumber; link.href = "/desk/tickets/" + encodeURIComponent(c.ticketNumber);
    $("chat-status").textContent = c.groupName || "";
    var mine = c.status === "Active" && c.agentId === state.me;
    $("chat-actions").hidden = !mine;
    $("chat-compose").hidden = !mine;
    $("chat-ended").hidden = c.status !== "Ended";
  }

  function select(c) {
    state.current = c;
    renderLists(); renderHead();
    var list = $("chat-messages"); list.textContent = "";
    state.last[c.id] = 0;
    connection.invoke("Open", c.id, 0).then(function (ms) { ms.forEach(add); }).catch(alertError);
    fillTransfer();
    $("chat-input").focus();
  }

  function add(m) {
    if (!state.current || m.chatId !== state.current.id) {
      var item = document.querySelector("[data-chat='" + m.chatId + "'] .chat-unread");
      if (item) { item.textContent = "●"; }
      return;
    }
    if (m.id <= (state.last[m.chatId] || 0) || document.querySelector("[data-message='" + m.id + "']")) { return; }
    state.last[m.chatId] = m.id;
    var li = el("li", "chat-msg chat-" + m.author + (m.internal ? " chat-note" : ""));
    li.setAttribute("data-message", m.id);
    var head = el("span", "chat-who", (m.name || "") + (m.internal ? " · " + t("internal") : ""));
    li.appendChild(head);
    if (m.file) {
      var a = el("a", "chat-file", m.file.name); a.href = "/chat/files/" + m.file.id; a.target = "_blank"; a.rel = "noopener";
      li.appendChild(a);
    } else {
      li.appendChild(el("span", "chat-body", m.body));
    }
    li.appendChild(el("time", "chat-time", new Date(m.at).toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" })));
    var list = $("chat-messages"); list.appendChild(li); list.scrollTop = list.scrollHeight;
    $("chat-typing").textContent = "";
  }

  function fillTransfer() {
    var agents = $("transfer-agent"); agents.textContent = "";
    agents.appendChild(new Option(t("choose"), ""));
    state.agents.forEach(function (a) { agents.appendChild(new Option(a.name, a.id)); });
    var groups = $("transfer-group"); groups.textContent = "";
    groups.appendChild(new Option(t("choose"), ""));
    var level = (state.groups.filter(function (g) { return g.id === (state.current && state.current.groupId); })[0] || { level: 1 }).level;
    state.groups.filter(function (g) { return g.level > level; })
      .forEach(function (g) { groups.appendChild(new Option(g.name + " (" + t("level", g.level) + ")", g.id)); });
  }

  $("chat-compose").addEventListener("submit", function (e) {
    e.preventDefault();
    var input = $("chat-input"); var text = input.value.trim();
    if (!text || !state.current) { return; }
    input.value = "";
    connection.invoke("Reply", state.current.id, text, null).then(add).catch(function (err) { input.value = text; alertError(err); });
  });
  $("chat-input").addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("chat-compose").requestSubmit(); }
  });
  $("chat-input").addEventListener("input", function () {
    var now = Date.now();
    if (state.current && now - lastTyping > 2000) { lastTyping = now; connection.invoke("AgentTyping", state.current.id).catch(function () {}); }
  });
  $("chat-note-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var input = $("chat-note"); var text = input.value.trim();
    if (!text || !state.current) { return; }
    connection.invoke("Note", state.current.id, text).then(function (m) { input.value = ""; add(m); }).catch(alertError);
  });
  $("chat-canned").addEventListener("change", function (e) {
    if (!e.target.value) { return; }
    var input = $("chat-input"); input.value = (input.value ? input.value + "\n" : "") + e.target.value; e.target.value = ""; input.focus();
  });
  var kbTimer = null, kbSeq = 0;
  function searchArticles() {
    var q = $("chat-kb-q").value.trim(), list = $("chat-kb-results"), seq = ++kbSeq;
    if (q.length < 2) { list.textContent = ""; return; }
    connection.invoke("Articles", q).then(function (items) {
      if (seq !== kbSeq) { return; }
      list.textContent = "";
      if (!items.length) { list.appendChild(el("li", "empty", t("kb_none"))); return; }
      items.forEach(function (a) {
        var li = el("li"), b = el("button"); b.type = "button";
        b.appendChild(el("span", "chat-kb-title", a.title));
        var meta = [a.language.toUpperCase()];
        if (a.visibility === "Internal") { meta.push(t("kb_internal")); }
        if (a.hasSteps) { meta.push(t("kb_steps")); }
        b.appendChild(el("span", "chat-kb-meta muted", " · " + meta.join(" · ")));
        // The search's snippet is HTML-encoded text with the matched words in <mark> (TextAnalyzer.Snippet), as on the search page.
        var snippet = el("div", "chat-kb-snippet"); snippet.innerHTML = a.snippet; b.appendChild(snippet);
        b.onclick = function () {
          if (!state.current) { return; }
          connection.invoke("UseArticle", state.current.id, a.id).then(function (r) {
            var input = $("chat-input"); input.value = (input.value ? input.value + "\n" : "") + r.text; input.focus();
          }).catch(alertError);
        };
        li.appendChild(b); list.appendChild(li);
      });
    }).catch(alertError);
  }
  $("chat-kb-q").addEventListener("input", function () { clearTimeout(kbTimer); kbTimer = setTimeout(searchArticles, 250); });
  $("chat-kb-q").addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); clearTimeout(kbTimer); searchArticles(); } });
  $("chat-followup-form").addEventListener("submit", function (e) {
    e.preventDefault();
    if (!state.current) { return; }
    connection.invoke("FollowUp", state.current.id, $("followup-subject").value, $("followup-category").value,
      $("followup-impact").value, $("followup-urgency").value)
      .then(function (r) {
        $("chat-followup").open = false; $("followup-subject").value = "";
        var box = $("chat-notice"); box.textContent = t("followup_done", r.ticketNumber); box.hidden = false;
      }).catch(alertError);
  });
  $("chat-transfer-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var agent = $("transfer-agent").value, group = $("transfer-group").value, reason = $("transfer-reason").value;
    connection.invoke("Transfer", state.current.id, agent ? Number(agent) : null, group ? Number(group) : null, reason)
      .then(function () { $("transfer-reason").value = ""; $("chat-transfer").open = false; state.current = null; renderHead(); refresh(); })
      .catch(alertError);
  });
  $("chat-end").addEventListener("click", function () {
    connection.invoke("End", state.current.id).then(function () { state.current.status = "Ended"; renderHead(); refresh(); }).catch(alertError);
  });

  connection.on("message", add);
  connection.on("changed", function () { refresh(); });
  connection.on("transferred", function () { refresh(); });
  connection.on("status", function (s) {
    if (state.current && s.chatId === state.current.id && s.status === "Ended") { state.current.status = "Ended"; renderHead(); }
    refresh();
  });
  connection.on("typing", function (chatId, who) {
    if (who !== "visitor" || !state.current || state.current.id !== chatId) { return; }
    $("chat-typing").textContent = t("typing", state.current.visitorName);
    clearTimeout(typingTimer); typingTimer = setTimeout(function () { $("chat-typing").textContent = ""; }, 4000);
  });
  connection.onreconnecting(function () { $("chat-connection").hidden = false; });
  connection.onreconnected(function () {
    $("chat-connection").hidden = true;
    refresh();
    if (state.current) { connection.invoke("Open", state.current.id, state.last[state.current.id] || 0).then(function (ms) { ms.forEach(add); }); }
  });

  setInterval(function () {
    document.querySelectorAll(".chat-wait[data-since]").forEach(function (s) { s.textContent = t("waited", ago(s.getAttribute("data-since"))); });
  }, 5000);
  setInterval(function () { if (connection.state === "Connected") { connection.invoke("Heartbeat").catch(function () {}); } }, 30000);

  function start() { connection.start().then(refresh).catch(function () { setTimeout(start, 3000); }); }
  start();
})();
