// wismo agent desktop, the cases half: from the call on screen the agent opens a case (type
// chosen in a small select, the call linked to it), and the wrap-up can open a case or add
// its note to one of the call's cases. The call comes from desk.js's "wismo:call" and
// "wismo:ended" events on #desk; cases go through POST /api/v1/calls/{id}/cases (package
// deskcase). Texts: T('js.deskcase.…').
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var desk = $("desk");
  if (!desk) return;
  var TYPES = ["non_receipt_or_delay", "delivered_not_received", "customs_and_duties", "delivery_change", "damage",
    "missing_contents", "return_request", "complaint", "feedback"];
  var callID = null, parcelID = "", known = []; // the call on screen, its parcel, its cases

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) e.textContent = text;
    return e;
  }
  function typeOptions(sel) {
    TYPES.forEach(function (t) { sel.appendChild(el("option", { value: t }, T("js.deskcase.type." + t))); });
  }
  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }
  function post(body) {
    return fetch("/api/v1/calls/" + encodeURIComponent(callID) + "/cases", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) throw new Error((j.error && j.error.message) || r.statusText);
        return j;
      });
    });
  }
  function caseLink(number) {
    var a = el("a", { href: "/cases/" + encodeURIComponent(number) }, number);
    return a;
  }

  // ---- "Open a case from this call", in the screen pop ----
  var form = el("form", { id: "case-from-call", "class": "row gap wrap", hidden: "" });
  var label = el("label", { "for": "case-type", "class": "small" }, T("js.deskcase.type_label"));
  var typeSel = el("select", { id: "case-type" });
  typeOptions(typeSel);
  var btn = el("button", { id: "btn-case-from-call", type: "submit", "class": "btn subtle small" }, T("js.deskcase.open_from_call"));
  var result = el("span", { id: "case-from-call-result", "class": "small", role: "status" });
  form.appendChild(label); form.appendChild(typeSel); form.appendChild(btn); form.appendChild(result);
  var cases = $("pop-cases");
  if (cases) cases.parentNode.insertBefore(form, cases.nextSibling);
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!callID) return;
    btn.disabled = true;
    result.textContent = "";
    post({ type: typeSel.value }).then(function (j) {
      known.push(j.number);
      result.textContent = T("js.deskcase.opened") + " ";
      result.appendChild(caseLink(j.number));
      refreshWrapTargets();
    }).catch(function (err) {
      result.textContent = T("js.deskcase.failed", { reason: err.message });
    }).then(function () { btn.disabled = false; });
  });

  // ---- the wrap-up: open or update a case with the note ----
  var wrap = $("wrapup");
  var box = el("div", { "class": "wrap-case" });
  var check = el("input", { id: "wrap-case", type: "checkbox" });
  var checkLabel = el("label", { "for": "wrap-case", "class": "small" });
  checkLabel.appendChild(check);
  checkLabel.appendChild(document.createTextNode(" " + T("js.deskcase.wrap_case")));
  var targetLabel = el("label", { "for": "wrap-case-target", "class": "small" }, T("js.deskcase.wrap_target"));
  var target = el("select", { id: "wrap-case-target" });
  var wrapResult = el("p", { id: "wrap-case-result", "class": "small", role: "status" });
  box.appendChild(checkLabel); box.appendChild(targetLabel); box.appendChild(target);
  if (wrap) {
    var buttons = $("btn-wrapup") && $("btn-wrapup").parentNode;
    wrap.insertBefore(box, buttons || null);
    wrap.parentNode.insertBefore(wrapResult, wrap.nextSibling);
  }
  function refreshWrapTargets() {
    target.textContent = "";
    known.forEach(function (n) { target.appendChild(el("option", { value: "case:" + n }, T("js.deskcase.add_to", { number: n }))); });
    TYPES.forEach(function (t) {
      target.appendChild(el("option", { value: "new:" + t }, T("js.deskcase.new_of_type", { type: T("js.deskcase.type." + t) })));
    });
  }
  refreshWrapTargets();
  function onWrap() {
    if (!check.checked || !callID || !$("disposition").value) return;
    var note = $("note").value, v = target.value, body = { note: note };
    if (v.indexOf("case:") === 0) body.number = v.slice(5); else body.type = v.slice(4);
    wrapResult.textContent = "";
    post(body).then(function (j) {
      wrapResult.textContent = (j.created ? T("js.deskcase.opened") : T("js.deskcase.updated")) + " ";
      wrapResult.appendChild(caseLink(j.number));
    }).catch(function (err) {
      wrapResult.textContent = T("js.deskcase.failed", { reason: err.message });
    });
    check.checked = false;
  }
  if (wrap) {
    // Capture: before desk.js sends the wrap-up and clears the note.
    wrap.addEventListener("submit", onWrap, true);
    if ($("btn-wrapup-pause")) $("btn-wrapup-pause").addEventListener("click", onWrap, true);
  }

  // ---- the call on screen ----
  function loadCases() {
    var id = callID;
    fetch("/api/v1/calls/" + encodeURIComponent(id) + "/cases", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) {
        if (id !== callID || !j) return;
        showCallCases(j.cases || []);
        (j.cases || []).forEach(function (n) { if (known.indexOf(n) < 0) known.push(n); });
        refreshWrapTargets();
      }).catch(function () {});
    if (!parcelID) return;
    fetch("/api/v1/cases?parcel=" + encodeURIComponent(parcelID), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) {
        if (id !== callID || !j) return;
        (j.cases || []).filter(function (k) { return k.status !== "closed" && k.status !== "resolved"; })
          .forEach(function (k) { if (known.indexOf(k.number) < 0) known.push(k.number); });
        refreshWrapTargets();
      }).catch(function () {});
  }
  // ---- the case the desk was opened for (/desk?...&case=NUMBER, the case page's "Call
  // the recipient"): the call placed to that number is linked to it, once ----
  var forCase = desk.dataset.callCase || "", pendingCase = "";
  var dialForm = $("dial");
  if (forCase && dialForm) {
    var hint = el("p", { id: "dial-for-case", "class": "small" }, T("js.deskcase.for_case") + " ");
    hint.appendChild(caseLink(forCase));
    dialForm.insertBefore(hint, dialForm.querySelector("h2") ? dialForm.querySelector("h2").nextSibling : null);
  }
  function digits(s) { return String(s || "").replace(/[^0-9]/g, ""); }
  desk.addEventListener("wismo:dial", function (e) {
    var d = e.detail || {};
    pendingCase = forCase && digits(d.to) === digits(desk.dataset.callTo) ? forCase : "";
  });
  // The call card names the cases its call is linked to.
  var callCases = el("p", { id: "call-cases", "class": "small", hidden: "" });
  if ($("call-with")) $("call-with").parentNode.insertBefore(callCases, $("call-with").nextSibling);
  function showCallCases(list) {
    callCases.textContent = "";
    callCases.hidden = !list.length;
    if (!list.length) return;
    callCases.appendChild(document.createTextNode(T("js.deskcase.call_cases") + " "));
    list.forEach(function (n, i) {
      if (i) callCases.appendChild(document.createTextNode(", "));
      callCases.appendChild(caseLink(n));
    });
  }

  desk.addEventListener("wismo:call", function (e) {
    var c = e.detail || {};
    if (!c.id) return;
    if (c.id !== callID) { known = []; result.textContent = ""; showCallCases([]); }
    callID = c.id;
    parcelID = c.parcel_id || ((c.parcels || [])[0] || {}).id || "";
    form.hidden = !parcelID;
    if (pendingCase && c.direction !== "inbound") {
      var number = pendingCase;
      pendingCase = ""; forCase = "";
      post({ number: number }).then(loadCases).catch(function (err) {
        result.textContent = T("js.deskcase.failed", { reason: err.message });
      });
      return;
    }
    loadCases();
  });
  desk.addEventListener("wismo:ended", function (e) {
    if (e.detail && e.detail.call_id) callID = e.detail.call_id; // the form stays for the call just ended
  });
})();
