// desk_transfer.js: the desk's Transfer panel on a call (docs/transfers.md). The agent picks
// an available agent of the call's brand, a hotline queue, or a number (when the brand allows
// numbers), and blind or consult first; a consult ends with Complete (the customer goes to
// the target, the agent to wrap-up) or Cancel (the customer comes back). A blind transfer to a
// queue with nobody free puts the customer in the queue ("queued"): the agent is free at once.
// The API acts on the signed-in agent's own call: GET /api/v1/transfers/targets,
// POST /api/v1/transfers, GET /api/v1/transfers/current,
// POST /api/v1/transfers/current/{complete,cancel}.
(function () {
  const callCard = document.getElementById('call');
  const hangup = document.getElementById('btn-hangup');
  if (!callCard || !hangup) return;
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text) e.textContent = text; return e; };

  const details = el('details', 'transfer');
  details.id = 'transfer';
  const summary = el('summary', '', T('js.transfer.open'));
  summary.id = 'btn-transfer';
  const form = el('form', 'form');
  form.id = 'transfer-form';
  form.autocomplete = 'off';
  const field = (id, label, input) => { const l = el('label', '', label); l.htmlFor = id; input.id = id; form.append(l, input); return input; };
  const to = field('transfer-to', T('js.transfer.to'), el('select'));
  const agent = field('transfer-agent', T('js.transfer.agent'), el('select'));
  const queue = field('transfer-queue', T('js.transfer.queue'), el('select'));
  const number = field('transfer-number', T('js.transfer.number'), el('input'));
  number.inputMode = 'tel';
  number.placeholder = '+7 913 123-45-67';
  const kind = field('transfer-kind', T('js.transfer.kind'), el('select'));
  for (const [v, k] of [['attended', 'js.transfer.attended'], ['blind', 'js.transfer.blind']]) {
    const o = el('option', '', T(k)); o.value = v; kind.append(o);
  }
  const start = el('button', 'btn', T('js.transfer.start'));
  start.type = 'submit';
  start.id = 'btn-transfer-start';
  const complete = el('button', 'btn ok', T('js.transfer.complete'));
  complete.type = 'button';
  complete.id = 'btn-transfer-complete';
  complete.hidden = true;
  const cancel = el('button', 'btn bad', T('js.transfer.cancel'));
  cancel.type = 'button';
  cancel.id = 'btn-transfer-cancel';
  cancel.hidden = true;
  const status = el('p', 'small muted');
  status.id = 'transfer-status';
  status.setAttribute('role', 'status');
  form.append(start, complete, cancel, status);
  details.append(summary, form);
  hangup.insertAdjacentElement('beforebegin', details);

  const show = (which) => {
    for (const [w, input] of [['agent', agent], ['queue', queue], ['number', number]]) {
      input.hidden = which !== w;
      input.previousSibling.hidden = which !== w; // its label
    }
  };
  to.addEventListener('change', () => show(to.value));
  const api = (method, path, body) => fetch(path, { method: method, credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: body ? JSON.stringify(body) : undefined })
    .then((r) => (r.status === 204 ? { ok: true, j: {} } : r.json().then((j) => ({ ok: r.ok, j: j }))));
  const failed = (j) => T('js.transfer.failed', { message: (j.error && j.error.message) || j.message || '' });

  function load() {
    api('GET', '/api/v1/transfers/targets').then(({ ok, j }) => {
      if (!ok) { status.textContent = failed(j); return; }
      to.replaceChildren();
      for (const [v, k, on] of [['agent', 'js.transfer.to_agent', true], ['queue', 'js.transfer.to_queue', true], ['number', 'js.transfer.to_number', j.external]]) {
        if (!on) continue;
        const o = el('option', '', T(k)); o.value = v; to.append(o);
      }
      agent.replaceChildren();
      if (!j.agents.length) agent.append(el('option', '', T('js.transfer.no_agents')));
      for (const a of j.agents) { const o = el('option', '', a.email); o.value = a.id; agent.append(o); }
      queue.replaceChildren();
      for (const q of j.queues) { const o = el('option', '', q.name); o.value = q.id; queue.append(o); }
      show(to.value);
    }).catch(() => { status.textContent = T('js.error.network'); });
  }
  details.addEventListener('toggle', () => { if (details.open) { status.textContent = ''; load(); } });

  let poll = null;
  function watch() {
    clearInterval(poll);
    poll = setInterval(() => {
      api('GET', '/api/v1/transfers/current').then(({ ok, j }) => {
        if (!ok) { // ended: completed (the call ends here), cancelled or failed (the customer is back)
          clearInterval(poll); start.hidden = false; complete.hidden = true; cancel.hidden = true;
          status.textContent = T('js.transfer.ended');
          return;
        }
        complete.hidden = j.state !== 'consulting';
        status.textContent = T('js.transfer.state.' + j.state);
      }).catch(() => {});
    }, 1000);
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const target = {};
    if (to.value === 'agent') target.agent_id = Number(agent.value) || 0;
    if (to.value === 'queue') target.queue_id = Number(queue.value) || 0;
    if (to.value === 'number') target.number = number.value.trim();
    api('POST', '/api/v1/transfers', { kind: kind.value, target: target }).then(({ ok, j }) => {
      if (!ok) { status.textContent = failed(j); return; }
      status.textContent = T('js.transfer.state.' + j.state);
      if (j.state === 'queued') return; // nobody was free: the customer waits in the queue, the agent is free
      start.hidden = true; cancel.hidden = false;
      watch();
    }).catch(() => { status.textContent = T('js.error.network'); });
  });
  complete.addEventListener('click', () => api('POST', '/api/v1/transfers/current/complete').then(({ ok, j }) => { if (!ok) status.textContent = failed(j); }));
  cancel.addEventListener('click', () => api('POST', '/api/v1/transfers/current/cancel').then(({ ok, j }) => { if (!ok) status.textContent = failed(j); }));
})();
