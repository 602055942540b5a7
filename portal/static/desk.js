// wismo agent desktop: the browser softphone and the screen pop. Plain JavaScript, no build
// step. The server pushes everything over one WebSocket (/api/v1/agent/softphone): the
// agent's state, the queue, ringing calls, SDP answers and ICE candidates. The page offers
// (RTCPeerConnection.createOffer) when the agent answers, and again after a reload while a
// call is in progress. docs/softphone.md describes the messages.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var desk = $("desk");
  var brands = JSON.parse(desk.dataset.brands || "[]");

  var ws = null, wsRetry = 500, replaced = false;
  var iceServers = [], dispositions = [];
  var state = "offline", stateSince = Date.now(), wrapUntil = null;
  var pc = null, localStream = null, ringing = null, call = null, lastCallID = null, lastCall = null;
  // line is the shift's line of a predictive campaign (one WebRTC leg kept between customers).
  var line = null;
  var muted = false, held = false, callStart = null;
  var audioCtx = null, ringTimer = null;

  // ---- messages and errors shown to the agent ----
  function show(el, text) { el.textContent = text; el.hidden = !text; }
  function message(text) { show($("message"), text); }
  function deviceError(err) {
    var name = err && err.name, text;
    if (!window.isSecureContext || !navigator.mediaDevices) {
      text = T("js.desk.mic_insecure");
    } else if (name === "NotAllowedError" || name === "SecurityError") {
      text = T("js.desk.mic_denied");
    } else if (name === "NotFoundError" || name === "OverconstrainedError") {
      text = T("js.desk.mic_none");
    } else if (name === "NotReadableError" || name === "AbortError") {
      text = T("js.desk.mic_busy");
    } else {
      text = err && err.message ? T("js.desk.mic_failed_why", { why: err.message }) : T("js.desk.mic_failed");
    }
    show($("device-error"), text);
  }

  // ---- the socket ----
  function connect() {
    var proto = location.protocol === "https:" ? "wss:" : "ws:";
    ws = new WebSocket(proto + "//" + location.host + "/api/v1/agent/softphone");
    ws.onopen = function () { wsRetry = 500; setConn("up"); };
    ws.onmessage = function (e) { handle(JSON.parse(e.data)); };
    ws.onclose = function () {
      setConn("down");
      if (replaced) return;
      // Reconnect after a growing pause (the server keeps a call up for a grace period).
      setTimeout(connect, wsRetry);
      wsRetry = Math.min(wsRetry * 2, 8000);
    };
  }
  function send(m) { if (ws && ws.readyState === 1) ws.send(JSON.stringify(m)); }
  function setConn(s) {
    var c = $("conn");
    c.className = "dot " + s;
    c.setAttribute("aria-label", s === "up" ? T("js.desk.conn_up") : T("js.desk.conn_down"));
    if (s !== "up") setStateText(T("js.desk.reconnecting"));
  }

  function handle(m) {
    switch (m.type) {
      case "hello":
        iceServers = m.ice_servers || [];
        dispositions = m.dispositions || [];
        setQueue(m.queue);
        setState(m);
        if (m.last_call_id) lastCallID = m.last_call_id;
        if (m.ringing) showRing(m.ringing);
        if (m.call) resume(m.call);
        break;
      case "state": setState(m); break;
      case "queue": setQueue(m.waiting); break;
      case "ring": showRing(m.call); break;
      case "ring_cancel":
        if (ringing && ringing.id === m.call_id) { hideRing(); message(m.reason === "no_answer" ? T("js.desk.missed") : T("js.desk.caller_hung_up")); }
        break;
      case "answer":
        if (pc) pc.setRemoteDescription({ type: "answer", sdp: m.sdp }).catch(function (e) { message(T("js.desk.audio_failed", { why: e.message })); });
        break;
      case "ice":
        if (pc && m.candidate) pc.addIceCandidate(m.candidate).catch(function () {});
        break;
      case "talking":
        callStart = Date.now();
        if (m.call) { call = m.call; showCall(m.call, T("js.desk.talking")); screenPop(m.call); } // a customer on the shift's line
        show($("call-status"), T("js.desk.talking"));
        if (m.participant) desk.dispatchEvent(new CustomEvent("wismo:participant", { detail: { id: m.call_id } })); // desk_conference.js
        break;
      case "held":
        held = m.on;
        $("btn-hold").setAttribute("aria-pressed", String(held));
        $("btn-hold").textContent = held ? T("js.desk.resume") : T("js.desk.hold");
        show($("call-status"), held ? T("js.desk.on_hold") : T("js.desk.talking"));
        break;
      case "ended": ended(m); break;
      case "replaced": replaced = true; message(m.message); break;
      case "notice": message(m.message); break;
      case "error": message(m.message); break;
    }
  }

  // ---- state, queue, timers ----
  // deskWord is the catalog's word for a value (js.desk.<kind>.<value>), or the value with
  // its underscores as spaces when the catalog has none (a brand's own disposition).
  function deskWord(kind, v) { var k = "js.desk." + kind + "." + v, w = T(k); return w === k ? String(v).replace(/_/g, " ") : w; }
  // pauseWord is a pause reason in the page's language (a reason the catalog lacks as itself).
  function pauseWord(r) { var k = "js.desk.pause." + r, w = T(k); return w === k ? r : w; }
  var stateNames = { available: T("js.desk.state.available"), paused: T("js.desk.state.paused"), ringing: T("js.desk.state.ringing"), on_call: T("js.desk.state.on_call"), wrap_up: T("js.desk.state.wrap_up"), offline: T("js.desk.state.offline") };
  function setStateText(t) { $("state").textContent = t; }
  function setState(m) {
    state = m.state;
    stateSince = m.since ? Date.parse(m.since) : Date.now();
    wrapUntil = m.wrap_up_until ? Date.parse(m.wrap_up_until) : null;
    setStateText(stateNames[state] || state);
    $("state").className = "pill " + (state === "available" ? "ok" : state === "paused" || state === "offline" ? "warn" : "");
    desk.dataset.state = state;
    show($("pause-why"), state === "paused" && m.reason ? T("js.desk.reason", { reason: pauseWord(m.reason) }) : "");
    $("btn-dial").disabled = state !== "available";
    var busy = state === "ringing" || state === "on_call";
    $("btn-available").disabled = busy || state === "available" || state === "wrap_up";
    $("btn-pause").disabled = busy;
    $("btn-offline").disabled = busy;
    if (state === "wrap_up") showWrapUp(); else $("wrapup").hidden = true;
    tick();
  }
  function setQueue(n) { $("queue-count").textContent = String(n || 0); }
  function clock(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }
  function tick() {
    $("state-timer").textContent = clock(Date.now() - stateSince);
    if (callStart) $("call-timer").textContent = clock(Date.now() - callStart);
    if (wrapUntil) $("wrap-left").textContent = clock(wrapUntil - Date.now());
  }
  setInterval(tick, 1000); // a display clock; nothing is fetched

  // ---- microphone, meters ----
  function voiceProcessing() { return $("voice-processing").checked; }
  function startMic() {
    if (!window.isSecureContext || !navigator.mediaDevices) return Promise.reject(new Error("insecure"));
    if (localStream && localStream.getAudioTracks().some(function (t) { return t.readyState === "live"; })) return Promise.resolve(localStream);
    var vp = voiceProcessing();
    return navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: vp, noiseSuppression: vp, autoGainControl: vp } }).then(function (s) {
      localStream = s;
      show($("device-error"), "");
      meter(s, $("mic-meter"));
      s.getAudioTracks().forEach(function (t) {
        t.onended = function () { deviceError({ name: "NotReadableError" }); };
        t.enabled = !muted;
      });
      return s;
    });
  }
  function audio() {
    if (!audioCtx) audioCtx = new (window.AudioContext || window.webkitAudioContext)();
    if (audioCtx.state === "suspended") audioCtx.resume();
    return audioCtx;
  }
  function meter(stream, el) {
    var ctx = audio(), an = ctx.createAnalyser();
    an.fftSize = 512;
    ctx.createMediaStreamSource(stream).connect(an);
    var buf = new Float32Array(an.fftSize);
    (function draw() {
      an.getFloatTimeDomainData(buf);
      var sum = 0;
      for (var i = 0; i < buf.length; i++) sum += buf[i] * buf[i];
      el.value = Math.min(1, Math.sqrt(sum / buf.length) * 2);
      requestAnimationFrame(draw);
    })();
  }
  navigator.mediaDevices && navigator.mediaDevices.addEventListener && navigator.mediaDevices.addEventListener("devicechange", function () {
    navigator.mediaDevices.enumerateDevices().then(function (ds) {
      if (!ds.some(function (d) { return d.kind === "audioinput"; })) deviceError({ name: "NotFoundError" });
    });
  });
  if (!window.isSecureContext) deviceError(null);

  // ---- ringing ----
  function ringTone(on) {
    clearInterval(ringTimer);
    ringTimer = null;
    if (!on) return;
    var beep = function () {
      try {
        var ctx = audio(), o = ctx.createOscillator(), g = ctx.createGain();
        o.frequency.value = 440; g.gain.value = 0.08;
        o.connect(g).connect(ctx.destination);
        o.start(); o.stop(ctx.currentTime + 0.8);
      } catch (e) { /* no audio output: the page still shows the call */ }
    };
    beep();
    ringTimer = setInterval(beep, 3000); // ring cadence
  }
  function who(c) { return c.phone || T("js.desk.unknown_number"); }
  function showRing(c) {
    if (c.session) { openLine(c); return; }
    ringing = c;
    $("ring-from").textContent = who(c);
    $("ring-about").textContent = (c.direction === "inbound" ? T("js.desk.hotline_call") : T("js.desk.your_call")) + (c.parcel_id ? T("js.desk.about_parcel", { id: c.parcel_id }) : "");
    $("ring").hidden = false;
    screenPop(c);
    if (c.auto_answer) { answer(); return; }
    ringTone(true);
    $("btn-answer").focus();
  }
  function hideRing() { ringing = null; $("ring").hidden = true; ringTone(false); }

  function answer() {
    var c = ringing;
    if (!c) return;
    hideRing();
    startMic().then(function () {
      call = c;
      showCall(c, c.direction === "inbound" ? T("js.desk.connecting") : T("js.desk.calling_customer"));
      return offer();
    }).then(function (desc) {
      send({ type: "accept", call_id: c.id, sdp: desc.sdp });
      pc.flush();
    }).catch(function (e) {
      deviceError(e);
      send({ type: "decline", call_id: c.id });
    });
  }
  // openLine answers the shift's line on its own: one offer/answer, kept while customers come
  // and go (docs/softphone.md, "The shift's line").
  function openLine(c) {
    line = c;
    show($("line"), T("js.desk.line.opening"));
    startMic().then(offer).then(function (desc) {
      send({ type: "accept", call_id: 0, sdp: desc.sdp });
      pc.flush();
    }).catch(function (e) {
      deviceError(e);
      line = null; show($("line"), "");
      send({ type: "decline", call_id: 0 });
    });
  }
  function decline() { if (ringing) { send({ type: "decline", call_id: ringing.id }); hideRing(); } }

  // ---- the call's media ----
  function offer() {
    if (pc) pc.close();
    pc = new RTCPeerConnection({ iceServers: iceServers });
    var mine = pc;
    // Candidates wait until the server has our offer (sent by the caller of offer()).
    mine.held = [];
    mine.flush = function () { var q = mine.held; mine.held = null; q.forEach(function (c) { send({ type: "ice", candidate: c }); }); };
    localStream.getAudioTracks().forEach(function (t) { pc.addTrack(t, localStream); });
    pc.onicecandidate = function (e) {
      if (!e.candidate || pc !== mine) return;
      if (mine.held) mine.held.push(e.candidate.toJSON()); else send({ type: "ice", candidate: e.candidate.toJSON() });
    };
    pc.ontrack = function (e) {
      var s = e.streams[0] || new MediaStream([e.track]);
      $("remote").srcObject = s;
      $("remote").play().catch(function () {});
      meter(s, $("spk-meter"));
    };
    pc.onconnectionstatechange = function () {
      if (pc !== mine || (!call && !line)) return;
      if (mine.connectionState === "connected" && line) show($("line"), T("js.desk.line.open"));
      if (mine.connectionState === "failed") { show($("call-status"), T("js.desk.audio_lost")); reoffer(); }
    };
    return pc.createOffer().then(function (o) { return pc.setLocalDescription(o); }).then(function () { return pc.localDescription; });
  }
  function reoffer() { startMic().then(offer).then(function (d) { send({ type: "offer", sdp: d.sdp }); pc.flush(); }).catch(deviceError); }
  function resume(c) { // after a reload: the call is still up on the server
    if (c.session) { line = c; show($("line"), T("js.desk.line.opening")); reoffer(); return; }
    call = c;
    callStart = c.answered_at ? Date.parse(c.answered_at) : Date.now();
    showCall(c, c.talking ? T("js.desk.talking_again") : T("js.desk.reconnecting_call"));
    screenPop(c);
    reoffer();
  }
  function showCall(c, status) {
    $("call").hidden = false;
    $("call-title").textContent = c.direction === "inbound" ? T("js.desk.hotline_call") : T("js.desk.outbound_call");
    $("call-with").textContent = who(c);
    show($("call-status"), status);
    $("dial").hidden = true;
    muted = false; held = false;
    $("btn-mute").setAttribute("aria-pressed", "false"); $("btn-mute").textContent = T("js.desk.mute");
    $("btn-hold").setAttribute("aria-pressed", "false"); $("btn-hold").textContent = T("js.desk.hold");
    $("btn-hangup").focus();
  }
  function ended(m) {
    if (m.call_id === 0) { // the shift's line closed (paused, offline, no predictive work left)
      line = null; show($("line"), "");
      if (pc && !call) { pc.close(); pc = null; }
      message(T("js.desk.line.closed"));
      return;
    }
    lastCallID = m.call_id;
    desk.dispatchEvent(new CustomEvent("wismo:ended", { detail: m })); // desk_cases.js
    if (call) lastCall = call;
    if (pc && !m.line_open) { pc.close(); pc = null; }
    if (m.line_open) show($("line"), T("js.desk.line.open"));
    call = null; callStart = null;
    $("call").hidden = true;
    $("dial").hidden = false;
    var by = { agent: T("js.desk.you_hung_up"), customer: T("js.desk.customer_hung_up"), system: T("js.desk.call_ended") }[m.by] || T("js.desk.call_ended");
    message(by);
  }

  // ---- wrap-up ----
  // The brand's list comes with each call (standard words, then the brand's own).
  function showWrapUp() {
    var sel = $("disposition");
    // The state may turn wrap_up before the call's "ended" message arrives: the call is then
    // still the current one.
    var c = call || lastCall;
    var list = (c && c.dispositions && c.dispositions.length) ? c.dispositions : dispositions;
    sel.textContent = "";
    var blank = document.createElement("option");
    blank.value = ""; blank.textContent = T("js.desk.choose");
    sel.appendChild(blank);
    list.forEach(function (d) {
      var o = document.createElement("option");
      o.value = d; o.textContent = d.replace(/_/g, " ");
      sel.appendChild(o);
    });
    if (scriptDisposition && list.indexOf(scriptDisposition) >= 0) sel.value = scriptDisposition;
    $("wrapup").hidden = false;
  }
  function wrapUp(then) {
    var d = $("disposition").value;
    if (!d) { message(T("js.desk.choose_disposition")); $("disposition").focus(); return; }
    send({ type: "wrap_up", call_id: lastCallID, disposition: d, note: $("note").value, then: then, reason: then === "pause" ? $("pause-reason").value : "", callback_at: window.wismoCallbackAt ? window.wismoCallbackAt() : undefined });
    $("note").value = ""; $("disposition").value = "";
  }

  // ---- the screen pop ----
  function esc(s) { var d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }
  // money writes an amount as the staff pages do: 25 290,00 ₽ in Russian, RUB 25,290.00 in English.
  function money(amount, currency) {
    try {
      return new Intl.NumberFormat(document.documentElement.lang === "ru" ? "ru-RU" : "en-GB", { style: "currency", currency: currency }).format(Number(amount));
    } catch (e) {
      return amount + " " + currency;
    }
  }
  // when writes a time as every staff page does: "06.12.2026 14:05 MSK" in Russian, "6 Dec 2026
  // 14:05 MSK" in English, in the viewer's zone (the page gives it, with its name).
  function when(t) {
    if (!t) return "";
    var d = new Date(t), p = {};
    try {
      new Intl.DateTimeFormat("en-GB", { timeZone: desk.dataset.zone || undefined, year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(d).forEach(function (x) { p[x.type] = x.value; });
    } catch (e) {
      return d.toLocaleString();
    }
    var months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    var day = document.documentElement.lang === "ru" ? p.day + "." + p.month + "." + p.year
      : Number(p.day) + " " + months[Number(p.month) - 1] + " " + p.year;
    return day + " " + p.hour + ":" + p.minute + (desk.dataset.zoneName ? " " + desk.dataset.zoneName : "");
  }
  // ---- the call script: the call's own (a planned call's version) or the brand's first,
  // filled in with the parcel's data by the server; the agent walks it by the answers.
  var script = null, scriptDisposition = "";
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; });
  }
  function loadScript(c) {
    script = null; scriptDisposition = "";
    $("script").hidden = true;
    var parcel = c.parcel_id || ((c.parcels || [])[0] || {}).id;
    var brand = c.brand_id || ((c.parcels || [])[0] || {}).brand_id;
    if (!brand) return;
    var pick = c.script_id ? Promise.resolve({ id: c.script_id, version: c.script_version || 0 }) :
      getJSON("/api/v1/scripts?brand=" + brand).then(function (j) { var l = (j && j.scripts) || []; return l.length ? { id: l[0].id, version: 0 } : null; });
    pick.then(function (s) {
      if (!s) return null;
      scriptURL = "/api/v1/scripts/" + s.id + "/run?brand=" + brand + (parcel ? "&parcel=" + encodeURIComponent(parcel) : "") + (s.version ? "&version=" + s.version : "");
      return getJSON(scriptURL);
    }).then(showScript).catch(function () {});
  }
  // A script has a variant per language; the server picks the recipient's (else the brand's
  // default, else the first). A small label names the variant shown, and a select lets the
  // agent switch (the same run, with &lang=).
  var scriptURL = "";
  function langName(code) {
    var k = "js.scriptvariants.lang." + code, n = window.T ? T(k) : k;
    return n === k ? code.toUpperCase() : n;
  }
  function showScript(sc) {
    if (!sc || !sc.body || !sc.body.steps) return;
    script = sc;
    $("script-name").textContent = sc.name + " · v" + sc.version;
    var row = $("script-name").parentNode, tag = $("script-lang"), sel = $("script-variant");
    if (!tag) {
      tag = document.createElement("span"); tag.id = "script-lang"; tag.className = "pill small";
      var lab = document.createElement("label"); lab.htmlFor = "script-variant"; lab.className = "sr-only";
      lab.textContent = window.T ? T("js.scriptvariants.switch") : "Script language";
      sel = document.createElement("select"); sel.id = "script-variant"; sel.className = "small";
      sel.addEventListener("change", function () {
        if (scriptURL) getJSON(scriptURL + "&lang=" + encodeURIComponent(sel.value)).then(showScript).catch(function () {});
      });
      row.appendChild(tag); row.appendChild(lab); row.appendChild(sel);
    }
    tag.hidden = !sc.language;
    tag.textContent = (sc.language || "").toUpperCase();
    tag.title = sc.language ? langName(sc.language) : "";
    var offered = (sc.offered || []).filter(function (l) { return l; });
    sel.textContent = "";
    offered.forEach(function (l) {
      var o = document.createElement("option"); o.value = l; o.textContent = langName(l); sel.appendChild(o);
    });
    sel.value = sc.language || "";
    sel.hidden = offered.length < 2;
    $("script").hidden = false;
    scriptStep(sc.body.start);
  }
  function scriptStep(id) {
    var st = (script.body.steps || []).filter(function (x) { return x.id === id; })[0];
    if (!st) return;
    $("script-say").textContent = st.say || "";
    $("script-question").textContent = (st.question && st.question.text) || "";
    var box = $("script-answers");
    box.textContent = "";
    $("script-end").hidden = true;
    var choices = (st.question && st.question.options) || [];
    if (!choices.length && st.next) choices = [{ label: T("js.desk.next"), next: st.next }];
    choices.forEach(function (o) {
      var b = document.createElement("button");
      b.type = "button"; b.className = "btn subtle"; b.textContent = o.label || o.answer;
      b.addEventListener("click", function () { o.end ? scriptEnd(o.end) : scriptStep(o.next); });
      box.appendChild(b);
    });
    if (st.end) scriptEnd(st.end);
  }
  function scriptEnd(e) {
    scriptDisposition = e.disposition;
    $("script-answers").textContent = "";
    show($("script-end"), T("js.desk.script_end", { disposition: e.disposition.replace(/_/g, " ") }) + (e.note ? " — " + e.note : ""));
  }

  function screenPop(c) {
    desk.dispatchEvent(new CustomEvent("wismo:call", { detail: c })); // desk_cases.js
    loadScript(c);
    $("pop-empty").hidden = true;
    $("pop-body").hidden = false;
    $("pop-phone").textContent = who(c);
    var parcels = c.parcels || [];
    var html = parcels.map(function (p) {
      var events = (p.events || []).slice(-5).reverse().map(function (e) {
        return "<li><time>" + esc(when(e.occurred_at) || e.local_time) + "</time> " + esc(e.meaning || e.code) + (e.location ? " · " + esc(e.location) : "") + "</li>";
      }).join("");
      return '<article class="parcel"><h3>' + esc(p.id) + ' <span class="pill">' + esc(T("js.phase." + p.phase)) + "</span>" + (p.late ? ' <span class="pill bad">' + esc(T("js.desk.late")) + "</span>" : "") + "</h3>" +
        '<p class="small muted">' + esc(p.recipient && p.recipient.name) + " · " + esc(p.origin_country) + " → " + esc(p.destination_country) +
        (p.cod ? " · " + esc(T("js.desk.cod", { amount: money(p.cod.amount, p.cod.currency) })) : "") + "</p>" +
        '<ul class="plain events-mini">' + events + "</ul>" +
        (p.recipient && p.recipient.phone ? '<button type="button" class="btn subtle small click-to-call" data-to="' + esc(p.recipient.phone) + '" data-parcel="' + esc(p.id) + '" data-brand="' + esc(p.brand_id) + '">' + esc(T("js.desk.call_recipient")) + "</button>" : "") +
        "</article>";
    }).join("");
    $("pop-parcels").innerHTML = html || '<p class="muted">' + esc(T("js.desk.no_parcel")) + "</p>";
    var hist = (c.past_calls || []).map(function (pc) {
      return "<li>" + esc(T("js.desk.call_line", { when: when(pc.started_at), direction: T("js.dash.direction." + pc.direction), outcome: pc.outcome ? deskWord("outcome", pc.outcome) : T("js.desk.in_progress") })) + (pc.disposition ? " · " + esc(deskWord("disposition", pc.disposition)) : "") + "</li>";
    });
    $("pop-history").innerHTML = hist.join("") || '<li class="muted">' + esc(T("js.desk.no_calls")) + "</li>";
    $("pop-cases").innerHTML = '<li class="muted">' + esc(T("js.desk.no_cases")) + "</li>";
    var ids = parcels.map(function (p) { return p.id; });
    if (c.parcel_id && ids.indexOf(c.parcel_id) < 0) ids.unshift(c.parcel_id);
    ids.slice(0, 3).forEach(function (id) {
      fetch("/api/v1/cases?parcel=" + encodeURIComponent(id), { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; }).then(function (j) {
        var open = ((j && j.cases) || []).filter(function (k) { return k.status !== "closed" && k.status !== "resolved"; });
        if (!open.length) return;
        var ul = $("pop-cases");
        if (ul.firstChild && ul.firstChild.className === "muted") ul.innerHTML = "";
        open.forEach(function (k) { ul.insertAdjacentHTML("beforeend", "<li><a href=\"/cases/" + encodeURIComponent(k.number) + "\">" + esc(k.number) + "</a> · " + esc(deskWord("case_type", k.type)) + " · " + esc(deskWord("case_status", k.status)) + " · " + esc(T("js.desk.parcel", { id: id })) + "</li>"); });
      }).catch(function () {});
      fetch("/api/v1/parcels/" + encodeURIComponent(id) + "/timeline", { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; }).then(function (j) {
        var entries = ((j && (j.timeline || j.entries)) || []).filter(function (e) { return e.kind !== "event"; }).slice(-5);
        if (!entries.length) return;
        var ul = $("pop-history");
        if (ul.firstChild && ul.firstChild.className === "muted") ul.innerHTML = "";
        entries.forEach(function (e) { ul.insertAdjacentHTML("beforeend", "<li>" + esc(when(e.at)) + " · " + esc(e.kind) + " · " + esc(e.summary) + "</li>"); });
      }).catch(function () {});
    });
  }

  // ---- controls ----
  $("btn-available").onclick = function () {
    startMic().catch(deviceError); // ask for the microphone now, not when a call rings
    send({ type: "state", state: "available" });
  };
  $("btn-pause").onclick = function () { send({ type: "state", state: "paused", reason: $("pause-reason").value }); };
  $("btn-offline").onclick = function () { send({ type: "state", state: "offline" }); };
  $("btn-answer").onclick = answer;
  $("btn-decline").onclick = decline;
  $("btn-hangup").onclick = function () { send({ type: "hangup" }); };
  $("btn-mute").onclick = function () {
    muted = !muted;
    if (localStream) localStream.getAudioTracks().forEach(function (t) { t.enabled = !muted; });
    this.setAttribute("aria-pressed", String(muted));
    this.textContent = muted ? T("js.desk.unmute") : T("js.desk.mute");
  };
  $("btn-hold").onclick = function () { send({ type: "hold", on: !held, music: $("hold-music").checked }); };
  Array.prototype.forEach.call(document.querySelectorAll(".key"), function (b) {
    b.onclick = function () {
      var s = pc && pc.getSenders().filter(function (x) { return x.dtmf; })[0];
      if (s && s.dtmf.canInsertDTMF) s.dtmf.insertDTMF(b.dataset.digit, 120, 70); // RFC 4733 events
    };
  });
  $("voice-processing").onchange = function () {
    if (localStream) { localStream.getTracks().forEach(function (t) { t.stop(); }); localStream = null; }
  };
  var sel = $("dial-brand");
  brands.forEach(function (b) {
    var o = document.createElement("option");
    o.value = b.id; o.textContent = b.name;
    sel.appendChild(o);
  });
  function dial(to, parcel, brand) {
    if (state !== "available") { message(T("js.desk.be_available")); return; }
    startMic().then(function () {
      desk.dispatchEvent(new CustomEvent("wismo:dial", { detail: { to: to, parcel_id: parcel || "" } })); // desk_cases.js
      send({ type: "dial", to: to, parcel_id: parcel || "", brand_id: Number(brand || sel.value || 0) });
      message(T("js.desk.dialling", { to: to }));
    }).catch(deviceError);
  }
  $("dial").onsubmit = function (e) { e.preventDefault(); dial($("dial-to").value.trim(), $("dial-parcel").value, sel.value); };
  $("pop-parcels").addEventListener("click", function (e) {
    var b = e.target.closest(".click-to-call");
    if (b) dial(b.dataset.to, b.dataset.parcel, b.dataset.brand);
  });
  if (desk.dataset.callTo) {
    $("dial-to").value = desk.dataset.callTo;
    $("dial-parcel").value = desk.dataset.callParcel || "";
    if (desk.dataset.callBrand) sel.value = desk.dataset.callBrand;
  }
  $("wrapup").onsubmit = function (e) { e.preventDefault(); wrapUp("available"); };
  $("btn-wrapup-pause").onclick = function () { wrapUp("pause"); };

  // Keyboard: Alt+A answer, Alt+D decline, Alt+H hang up, Alt+M mute.
  document.addEventListener("keydown", function (e) {
    if (!e.altKey || e.ctrlKey || e.metaKey) return;
    var k = e.key.toLowerCase();
    if (k === "a" && ringing) { e.preventDefault(); answer(); }
    else if (k === "d" && ringing) { e.preventDefault(); decline(); }
    else if (k === "h" && call) { e.preventDefault(); send({ type: "hangup" }); }
    else if (k === "m" && call) { e.preventDefault(); $("btn-mute").click(); }
  });

  connect();
})();
