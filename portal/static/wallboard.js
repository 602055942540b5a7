// The wallboard (/wallboard): one EventSource on /wallboard/live pushes the floor's picture
// (callers waiting, the longest wait, agents by state, queues) and today's figures; the
// tiles are redrawn from it as text (no HTML from the stream). The longest wait ticks up
// every second between pushes.

const board = document.getElementById("wallboard");
const status = document.getElementById("wb-status");

function duration(sec) {
  sec = Math.max(0, Math.floor(sec || 0));
  if (sec >= 3600) return `${Math.floor(sec / 3600)}:${String(Math.floor((sec % 3600) / 60)).padStart(2, "0")}:${String(sec % 60).padStart(2, "0")}`;
  return `${Math.floor(sec / 60)}:${String(sec % 60).padStart(2, "0")}`;
}

// pct is a share as the page's language writes it ("80.0%", "80,0%").
function pct(r) {
  if (r === null || r === undefined) return "—";
  return `${(100 * r).toLocaleString(document.documentElement.lang || undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`;
}

function text(id, value) {
  const el = document.getElementById(id);
  if (el) el.textContent = value;
  return el;
}

let longest = 0, longestAt = Date.now();

function show(b) {
  const t = b.today || {};
  text("wb-waiting", String(b.waiting)).classList.toggle("bad", b.waiting > 0 && b.longest_wait_s > (t.sl_seconds || 20));
  longest = b.longest_wait_s || 0;
  longestAt = Date.now();
  text("wb-longest", duration(longest));
  const sl = text("wb-sl", pct(t.service_level));
  sl.classList.toggle("bad", t.service_level !== null && t.sl_target > 0 && t.service_level < t.sl_target);
  sl.classList.toggle("good", t.service_level !== null && t.sl_target > 0 && t.service_level >= t.sl_target);
  text("wb-sl-target", t.sl_seconds ? T("js.wb.sl_target", { target: pct(t.sl_target), seconds: t.sl_seconds }) : T("js.wb.sl_mixed"));
  text("wb-abandon", pct(t.abandon_rate));
  text("wb-abandon-n", T("js.wb.abandoned_of", { n: t.abandoned || 0, of: t.offered || 0 }));
  text("wb-asa", t.asa_s === null || t.asa_s === undefined ? "—" : duration(t.asa_s));
  text("wb-answered", T("js.wb.answered", { n: t.answered || 0 }));
  for (const li of document.querySelectorAll(".wb-count")) {
    li.textContent = String((b.states || {})[li.id.replace("wb-state-", "")] || 0);
  }
  const table = document.getElementById("wb-queue-table");
  const body = document.createElement("tbody");
  for (const q of b.queues || []) {
    const tr = body.insertRow();
    tr.insertCell().textContent = q.name;
    const w = tr.insertCell(); w.textContent = String(q.waiting); w.className = "num";
    const l = tr.insertCell(); l.textContent = duration(q.longest_wait_s); l.className = "num";
  }
  if (!body.rows.length) {
    const td = body.insertRow().insertCell();
    td.colSpan = 3;
    td.textContent = table.dataset.empty || "";
  }
  table.replaceChild(body, table.tBodies[0]);
  status.textContent = T("js.wb.live", { at: new Date().toLocaleTimeString(document.documentElement.lang || undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }) });
  status.className = "wb-status";
  board.dataset.shown = String(Number(board.dataset.shown || 0) + 1);
}

if (board) {
  try { show(JSON.parse(document.getElementById("wb-first").textContent)); } catch (e) { /* the stream will draw it */ }
  setInterval(() => {
    if (longest > 0) text("wb-longest", duration(longest + (Date.now() - longestAt) / 1000));
  }, 1000);
  if (window.EventSource) {
    const source = new EventSource(board.dataset.src);
    source.addEventListener("board", (e) => show(JSON.parse(e.data)));
    source.addEventListener("trouble", () => { status.textContent = T("js.wb.delayed"); status.className = "wb-status warn"; });
    source.onerror = () => { status.textContent = T("js.wb.reconnecting"); status.className = "wb-status warn"; };
    window.addEventListener("pagehide", () => source.close());
  }
}
