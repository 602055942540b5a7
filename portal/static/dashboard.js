// The dashboard's live part: one EventSource on /dashboard/live, which pushes a snapshot of
// agents, queues and active calls; the tables are redrawn from it. No polling: the server
// pushes, and EventSource reconnects by itself when the stream ends or breaks.
import { addListen } from "./monitor.js";

const live = document.getElementById("live");
const status = document.getElementById("live-status");

function duration(sec) {
  sec = Math.max(0, Math.floor(sec || 0));
  if (sec >= 3600) {
    return `${Math.floor(sec / 3600)}h ${String(Math.floor((sec % 3600) / 60)).padStart(2, "0")}m`;
  }
  return `${Math.floor(sec / 60)}:${String(sec % 60).padStart(2, "0")}`;
}

// fill replaces a table's body with rows of cells (text only: no HTML from the stream).
function fill(id, rows) {
  const table = document.getElementById(id);
  if (!table) return;
  const nums = [...table.tHead.rows[0].cells].map((th) => th.classList.contains("num"));
  const body = document.createElement("tbody");
  if (rows.length === 0) {
    const tr = body.insertRow();
    tr.className = "empty";
    const td = tr.insertCell();
    td.colSpan = nums.length;
    td.className = "muted";
    td.textContent = table.dataset.empty || "";
  }
  for (const row of rows) {
    const tr = body.insertRow();
    row.forEach((cell, i) => {
      const td = tr.insertCell();
      td.textContent = cell;
      if (nums[i]) td.className = "num";
    });
  }
  table.replaceChild(body, table.tBodies[0]);
}

// word is the catalog's word for a value (js.dash.<kind>.<value>), or the value as written.
function word(kind, value) {
  const key = `js.dash.${kind}.${value}`, w = T(key);
  return w === key ? String(value || "").replaceAll("_", " ") : w;
}

// liveTime is the snapshot's time of day in the viewer's zone (the page names it), 24-hour.
function liveTime(at) {
  const opts = { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" };
  try {
    return at.toLocaleTimeString(document.documentElement.lang || undefined, { ...opts, timeZone: live.dataset.zone || undefined });
  } catch (e) {
    return at.toLocaleTimeString(undefined, opts); // a zone this browser does not know
  }
}

// linkCalls makes each live call's number a link to its call page (/calls/{id}).
function linkCalls(calls) {
  const rows = document.getElementById("live-calls")?.tBodies[0].rows || [];
  calls.forEach((c, i) => {
    const cell = rows[i]?.cells[0];
    if (!cell) return;
    const a = document.createElement("a");
    a.href = `/calls/${encodeURIComponent(c.id)}`;
    a.textContent = String(c.id);
    a.setAttribute("aria-label", T("js.dash.call_page", { id: c.id }));
    cell.replaceChildren(a);
  });
}

function show(snap) {
  fill("live-agents", snap.agents.map((a) => [a.email, word("state", a.state), duration(a.for_s)]));
  fill("live-queues", snap.queues.map((q) => [q.name, String(q.waiting), duration(q.longest_wait_s)]));
  fill("live-calls", snap.calls.map((c) => [String(c.id), word("direction", c.direction), word("call", c.state), c.parcel, c.agent, duration(c.for_s)]));
  linkCalls(snap.calls);
  addListen(snap.calls); // supervisors on live calls (monitor.js)
  const at = new Date(snap.at);
  status.textContent = T("js.dash.live_at", { at: liveTime(at) });
  status.className = "pill ok";
  live.dataset.liveAt = snap.at;
}

if (live && window.EventSource) {
  const source = new EventSource(live.dataset.src);
  source.addEventListener("snapshot", (e) => show(JSON.parse(e.data)));
  source.addEventListener("trouble", () => {
    status.textContent = T("js.dash.delayed");
    status.className = "pill warn";
  });
  source.onerror = () => {
    status.textContent = T("js.dash.reconnecting");
    status.className = "pill warn";
  };
  window.addEventListener("pagehide", () => source.close());
}
