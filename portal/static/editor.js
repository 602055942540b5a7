// wismo editors: small progressive enhancements over forms that work without JavaScript.
// - the brand picker opens the chosen brand;
// - the template editor re-renders the preview and the SMS segment count as you type
//   (POST .../templates/preview, debounced), showing template errors beside the fields;
// - the rule editor checks the condition as you type (POST .../rules/check);
// - forms show only the fields of the chosen step kind or rule action.
"use strict";
(function () {
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  for (const sel of document.querySelectorAll("select[data-autosubmit]")) {
    sel.addEventListener("change", () => sel.form.submit());
  }

  function debounce(fn, ms) {
    let t;
    return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
  }

  // postJSON sends body and returns the decoded answer, or null when the request failed.
  async function postJSON(url, body) {
    try {
      const r = await fetch(url, { method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(body) });
      return await r.json();
    } catch (e) {
      return null;
    }
  }

  // showErrors writes errors (by field) into the [data-errors-for] boxes of form, clearing
  // the boxes of fields now fine; only the names in fields are touched.
  function showErrors(form, errors, fields) {
    for (const name of fields) {
      const box = form.querySelector('[data-errors-for="' + name + '"]');
      const input = form.elements[name];
      const list = (errors && errors[name]) || [];
      if (box) {
        box.replaceChildren(...list.map((m) => {
          const p = document.createElement("p");
          p.className = "field-error";
          p.textContent = m;
          return p;
        }));
      }
      if (input && input.setAttribute) {
        if (list.length) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
      }
    }
  }

  // Template editor: live preview and segment count.
  const tform = document.querySelector("form[data-preview]");
  if (tform) {
    const channel = tform.dataset.channel;
    const fields = ["sms_text", "subject", "text_body", "html_body", "parcel"];
    const value = (n) => (tform.elements[n] ? tform.elements[n].value : "");
    const set = (id, v) => { const el = document.getElementById(id); if (el) el.textContent = v; };
    let seq = 0;
    const refresh = debounce(async () => {
      const mine = ++seq;
      const parcel = value("parcel").trim();
      const out = await postJSON(tform.dataset.preview, { channel: channel, parcel_id: parcel,
        content: { sms_text: value("sms_text"), subject: value("subject"), text_body: value("text_body"), html_body: value("html_body") } });
      if (mine !== seq || !out) return; // a newer request is on its way, or the network failed
      const err = document.getElementById("preview-error");
      showErrors(tform, out.errors, fields);
      set("preview-on", parcel ? T("js.ed.on_parcel", { parcel: parcel }) : T("js.ed.on_sample"));
      if (out.errors && Object.keys(out.errors).length) {
        err.textContent = out.errors.parcel ? T("js.ed.choose_parcel") : T("js.ed.template_errors");
        err.hidden = false;
        return;
      }
      err.hidden = true;
      set("preview-text", out.text || "");
      set("preview-subject", out.subject || "");
      const frame = document.getElementById("preview-html");
      if (frame) frame.srcdoc = out.html || "";
      const info = out.sms_info;
      if (info) {
        set("sms-encoding", info.encoding);
        set("sms-segments", String(info.segments));
        set("sms-characters", String(info.characters));
        set("sms-per-segment", String(info.per_segment));
        set("sms-remaining", String(info.remaining));
      }
    }, 250);
    tform.addEventListener("input", refresh);
    tform.addEventListener("change", refresh);
  }

  // Rule editor: check the condition (and the other fields) as the manager types.
  const rform = document.querySelector("form[data-check]");
  if (rform) {
    const names = ["name", "trigger", "codes", "condition", "action", "template", "campaign_id", "case_type", "delay"];
    const v = (n) => (rform.elements[n] ? rform.elements[n].value : "");
    let seq = 0;
    const check = debounce(async () => {
      const mine = ++seq;
      const codes = v("codes").split(/[\s,]+/).filter(Boolean);
      const out = await postJSON(rform.dataset.check, { name: v("name") || "draft", trigger: v("trigger"), codes: codes,
        condition: v("condition"), action: v("action"), template: v("template"), campaign_id: Number(v("campaign_id")) || 0,
        case_type: v("case_type"), delay: v("delay") });
      if (mine !== seq || !out) return;
      // Only the fields the user has typed in are judged: a fresh form shows no errors.
      showErrors(rform, out.errors, names.filter((n) => touched.has(n)));
      const ok = document.getElementById("condition-ok");
      if (ok) ok.hidden = !(touched.has("condition") && !(out.errors && out.errors.condition));
    }, 300);
    const touched = new Set();
    rform.addEventListener("input", (e) => { if (e.target.name) touched.add(e.target.name); check(); });
    rform.addEventListener("change", (e) => { if (e.target.name) touched.add(e.target.name); check(); });
    // Show only the fields of the chosen action.
    const action = rform.elements.action;
    const sync = () => {
      for (const box of rform.querySelectorAll(".ed-when[data-action]")) {
        box.hidden = !box.dataset.action.split(" ").includes(action.value);
      }
    };
    action.addEventListener("change", sync);
    sync();
  }

  // Call script editor: show only the fields of each step's kind.
  for (const step of document.querySelectorAll(".ed-step")) {
    const sync = () => {
      const checked = step.querySelector('input[type="radio"]:checked');
      const kind = checked ? checked.value : "";
      for (const box of step.querySelectorAll(".ed-when[data-kind]")) box.hidden = box.dataset.kind !== kind;
    };
    step.addEventListener("change", sync);
    sync();
  }
})();
