// wismo agent desktop, the three-way conference: during a call the agent adds a phone
// number, which joins the call so that all three talk (POST /api/v1/calls/{id}/conference,
// package callcenter/monitor; docs/monitoring.md). The call comes from desk.js's "wismo:call"
// and "wismo:ended" events on #desk. Texts: T('js.deskconf.…').
(function () {
  "use strict";
  var desk = document.getElementById("desk");
  var hangup = document.getElementById("btn-hangup");
  if (!desk || !hangup) return;
  var callID = null;

  var form = document.createElement("form");
  form.id = "conference";
  form.className = "row gap wrap";
  form.autocomplete = "off";
  form.hidden = true;
  var label = document.createElement("label");
  label.className = "small";
  label.textContent = T("js.deskconf.number") + " ";
  var to = document.createElement("input");
  to.id = "conference-to";
  to.type = "tel";
  to.placeholder = "+79131234567";
  to.required = true;
  label.appendChild(to);
  var add = document.createElement("button");
  add.type = "submit";
  add.className = "btn";
  add.textContent = T("js.deskconf.add");
  var result = document.createElement("p");
  result.id = "conference-result";
  result.className = "small muted";
  result.setAttribute("role", "status");
  form.append(label, add, result);
  hangup.parentNode.insertBefore(form, hangup);

  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!callID) return;
    add.disabled = true;
    result.textContent = T("js.deskconf.calling", { to: to.value });
    fetch("/api/v1/calls/" + encodeURIComponent(callID) + "/conference", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify({ to: to.value.trim() })
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) throw new Error((j.error && j.error.message) || r.statusText);
        result.textContent = T("js.deskconf.joined", { to: j.conference.to });
        to.value = "";
      });
    }).catch(function (err) {
      result.textContent = T("js.deskconf.failed", { reason: err.message });
    }).finally(function () { add.disabled = false; });
  });
  desk.addEventListener("wismo:call", function (e) {
    var c = e.detail || {};
    if (!c.id) return;
    if (c.id !== callID) result.textContent = "";
    callID = c.id;
    form.hidden = false;
  });
  desk.addEventListener("wismo:ended", function () {
    callID = null;
    form.hidden = true;
  });
})();
