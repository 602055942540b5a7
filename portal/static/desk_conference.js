// wismo agent desktop, the three-way conference: during a call the agent adds another agent
// of the call's brand who is available (GET /api/v1/transfers/targets lists them) or a phone
// number; they join the call so that all three talk (POST /api/v1/calls/{id}/conference
// {"agent_id": N} or {"to": "+E.164"}, package callcenter/monitor; docs/monitoring.md). The
// call comes from desk.js's "wismo:call" and "wismo:ended" events on #desk; an agent who was
// added to a call ("wismo:participant") adds nobody (the API refuses them 403), so the form
// stays hidden for them. Texts: T('js.deskconf.…').
(function () {
  "use strict";
  var desk = document.getElementById("desk");
  var hangup = document.getElementById("btn-hangup");
  if (!desk || !hangup) return;
  var callID = null;
  var joinedID = null; // the call this agent was added to as a participant

  var form = document.createElement("form");
  form.id = "conference";
  form.className = "row gap wrap";
  form.autocomplete = "off";
  form.hidden = true;
  var whoLabel = document.createElement("label");
  whoLabel.className = "small";
  whoLabel.textContent = T("js.deskconf.who") + " ";
  var who = document.createElement("select");
  who.id = "conference-agent";
  whoLabel.appendChild(who);
  var label = document.createElement("label");
  label.className = "small";
  label.textContent = T("js.deskconf.number") + " ";
  var to = document.createElement("input");
  to.id = "conference-to";
  to.type = "tel";
  to.placeholder = "+79131234567";
  label.appendChild(to);
  var add = document.createElement("button");
  add.type = "submit";
  add.className = "btn";
  add.textContent = T("js.deskconf.add");
  var result = document.createElement("p");
  result.id = "conference-result";
  result.className = "small muted";
  result.setAttribute("role", "status");
  form.append(whoLabel, label, add, result);
  hangup.parentNode.insertBefore(form, hangup);

  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }
  function option(value, text) {
    var o = document.createElement("option");
    o.value = value; o.textContent = text;
    return o;
  }
  // A number is typed only when no agent is chosen.
  function choose() {
    label.hidden = who.value !== "";
    to.required = who.value === "";
  }
  who.addEventListener("change", choose);
  // agents lists the brand's available agents (the transfers' targets), keeping the choice.
  function agents() {
    fetch("/api/v1/transfers/targets", { credentials: "same-origin" }).then(function (r) {
      return r.ok ? r.json() : { agents: [] };
    }).then(function (j) {
      var keep = who.value;
      who.textContent = "";
      who.appendChild(option("", T("js.deskconf.by_number")));
      (j.agents || []).forEach(function (a) { who.appendChild(option(String(a.id), a.email)); });
      who.value = keep;
      if (who.value !== keep) who.value = "";
      choose();
    }).catch(function () {});
  }
  who.addEventListener("focus", agents);

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!callID) return;
    var agentID = Number(who.value) || 0;
    var name = agentID ? who.options[who.selectedIndex].textContent : to.value.trim();
    add.disabled = true;
    result.textContent = T("js.deskconf.calling", { to: name });
    fetch("/api/v1/calls/" + encodeURIComponent(callID) + "/conference", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify(agentID ? { agent_id: agentID } : { to: to.value.trim() })
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) throw new Error((j.error && j.error.message) || r.statusText);
        result.textContent = T("js.deskconf.joined", { to: name });
        to.value = "";
      });
    }).catch(function (err) {
      result.textContent = T("js.deskconf.failed", { reason: err.message });
    }).finally(function () { add.disabled = false; agents(); });
  });
  desk.addEventListener("wismo:call", function (e) {
    var c = e.detail || {};
    if (!c.id) return;
    if (c.id !== callID) result.textContent = "";
    callID = c.id;
    form.hidden = c.id === joinedID;
    if (!form.hidden) agents();
  });
  desk.addEventListener("wismo:participant", function (e) {
    joinedID = (e.detail || {}).id || null;
    form.hidden = true;
  });
  desk.addEventListener("wismo:ended", function () {
    callID = null;
    joinedID = null;
    form.hidden = true;
  });
})();
