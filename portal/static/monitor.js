// monitor.js: supervisors on live calls, from the dashboard's live call table
// (docs/monitoring.md). A talking call gets a Listen button; it opens this browser's WebRTC
// leg to the call (one HTTP exchange: the offer with its candidates, the answer back) and a
// panel whose buttons switch Listen / Whisper / Barge without a break, and Leave.

const panel = document.createElement("div");
panel.className = "card monitor-panel";
panel.id = "monitor-panel";
panel.hidden = true;
const title = document.createElement("p");
title.id = "monitor-title";
const status = document.createElement("p");
status.className = "muted small";
status.id = "monitor-status";
status.setAttribute("role", "status");
const buttons = document.createElement("div");
buttons.className = "actions";
const audio = document.createElement("audio");
audio.autoplay = true;
panel.append(title, status, buttons, audio);

let cur = null; // {id, pc, mic, mode}

function csrf() {
  const m = document.querySelector('meta[name="csrf-token"]');
  return m ? m.getAttribute("content") : "";
}

async function api(method, path, body) {
  const res = await fetch(path, {
    method, credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
    body: body ? JSON.stringify(body) : undefined,
  });
  let data = {};
  try { data = await res.json(); } catch (e) { data = {}; }
  if (!res.ok) throw new Error((data.error && data.error.message) || String(res.status));
  return data;
}

// gathered waits for ICE gathering to finish (at most 3 s: host candidates come at once).
function gathered(pc) {
  return new Promise((resolve) => {
    if (pc.iceGatheringState === "complete") return resolve();
    const t = setTimeout(resolve, 3000);
    pc.addEventListener("icegatheringstatechange", () => {
      if (pc.iceGatheringState === "complete") { clearTimeout(t); resolve(); }
    });
  });
}

function draw() {
  buttons.replaceChildren();
  if (!cur) { panel.hidden = true; return; }
  panel.hidden = false;
  title.textContent = T("js.monitor.on_call", { id: cur.id });
  for (const mode of ["listen", "whisper", "barge"]) {
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.mode = mode;
    b.textContent = T("js.monitor.mode." + mode);
    b.className = cur.mode === mode ? "primary" : "";
    b.setAttribute("aria-pressed", String(cur.mode === mode));
    b.addEventListener("click", () => setMode(mode));
    buttons.append(b);
  }
  const leaveBtn = document.createElement("button");
  leaveBtn.type = "button";
  leaveBtn.dataset.mode = "leave";
  leaveBtn.textContent = T("js.monitor.leave");
  leaveBtn.addEventListener("click", () => leave());
  buttons.append(leaveBtn);
}

function say(key, vars) { status.textContent = T(key, vars); }

async function join(id) {
  if (cur) await leave();
  let ice = [];
  try { ice = (await api("GET", `/api/v1/calls/${id}/monitor`)).ice_servers || []; } catch (e) { ice = []; }
  const pc = new RTCPeerConnection({ iceServers: ice });
  let mic = null;
  try {
    // Echo cancellation stays on (a barging supervisor on speakers); noise suppression is
    // off: it takes a steady sound for noise and removes it.
    mic = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: false, autoGainControl: false } });
    mic.getTracks().forEach((t) => pc.addTrack(t, mic));
  } catch (e) {
    pc.addTransceiver("audio", { direction: "recvonly" }); // no microphone: listen only
  }
  pc.addEventListener("track", (e) => { audio.srcObject = e.streams[0] || new MediaStream([e.track]); });
  pc.addEventListener("connectionstatechange", () => {
    if (!cur || cur.pc !== pc) return;
    if (pc.connectionState === "connected") say("js.monitor.connected", { mode: T("js.monitor.mode." + cur.mode) });
    if (pc.connectionState === "failed" || pc.connectionState === "closed") { say("js.monitor.ended"); stop(); }
  });
  cur = { id, pc, mic, mode: "listen" };
  draw();
  say("js.monitor.connecting");
  try {
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const data = await api("POST", `/api/v1/calls/${id}/monitor`, { mode: "listen", sdp: pc.localDescription.sdp });
    await pc.setRemoteDescription({ type: "answer", sdp: data.sdp });
  } catch (e) {
    say("js.monitor.failed", { reason: e.message });
    stop();
  }
}

async function setMode(mode) {
  if (!cur) return;
  try {
    await api("PUT", `/api/v1/calls/${cur.id}/monitor`, { mode });
    cur.mode = mode;
    draw();
    say("js.monitor.connected", { mode: T("js.monitor.mode." + mode) });
  } catch (e) {
    say("js.monitor.failed", { reason: e.message });
  }
}

function stop() {
  if (!cur) return;
  cur.pc.close();
  if (cur.mic) cur.mic.getTracks().forEach((t) => t.stop());
  cur = null;
  draw();
  panel.hidden = false; // the last status stays readable
}

async function leave() {
  if (!cur) return;
  const id = cur.id;
  stop();
  try { await api("DELETE", `/api/v1/calls/${id}/monitor`); } catch (e) { /* the call may have ended */ }
  say("js.monitor.left");
}

// addListen puts a Listen button in the first cell of each talking call's row of the
// live calls table (redrawn with every snapshot); calls are the snapshot's, in row order.
export function addListen(calls) {
  const table = document.getElementById("live-calls");
  if (!table) return;
  if (!panel.isConnected) table.closest("section")?.append(panel);
  const rows = table.tBodies[0].rows;
  calls.forEach((c, i) => {
    if (c.state !== "talking" || !rows[i]) return;
    const b = document.createElement("button");
    b.type = "button";
    b.className = "small monitor-listen";
    b.dataset.call = String(c.id);
    b.textContent = T("js.monitor.listen");
    b.setAttribute("aria-label", T("js.monitor.listen_to", { id: c.id }));
    b.addEventListener("click", () => join(c.id));
    rows[i].cells[0].append(" ", b);
  });
  if (cur && !calls.some((c) => c.id === cur.id)) { stop(); say("js.monitor.ended"); }
}

// Leaving the page leaves the call (keepalive: the request outlives the page).
window.addEventListener("pagehide", () => {
  if (!cur) return;
  fetch(`/api/v1/calls/${cur.id}/monitor`, { method: "DELETE", keepalive: true, credentials: "same-origin", headers: { "X-CSRF-Token": csrf() } });
  stop();
});
