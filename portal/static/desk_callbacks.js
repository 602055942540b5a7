// desk_callbacks.js: the desk's list of callbacks to make (the agent's own and the queue's,
// GET /api/v1/callbacks, refreshed every 30 s) and a small form to schedule one ("call me at
// 18:00", POST /api/v1/callbacks). Texts come from the catalog through T('js.callbacks.…').
(function () {
  const side = document.querySelector('.desk-side');
  if (!side) return;
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text) e.textContent = text; return e; };

  const card = el('section', 'card callbacks');
  card.id = 'callbacks';
  card.setAttribute('aria-labelledby', 'callbacks-title');
  const title = el('h2', '', T('js.callbacks.title'));
  title.id = 'callbacks-title';
  const list = el('ul', 'plain');
  list.id = 'callbacks-list';
  list.setAttribute('aria-live', 'polite');
  card.append(title, list);

  const form = el('form', 'form');
  form.id = 'callback-form';
  form.autocomplete = 'off';
  const field = (id, label, input) => { const l = el('label', '', label); l.htmlFor = id; input.id = id; form.append(l, input); return input; };
  const parcel = field('callback-parcel', T('js.callbacks.parcel'), el('input'));
  parcel.required = true;
  const at = field('callback-at', T('js.callbacks.at'), el('input'));
  at.required = true;
  at.placeholder = '18:00';
  const who = field('callback-for', '', el('select'));
  for (const [v, k] of [['me', 'js.callbacks.for_me'], ['queue', 'js.callbacks.for_queue']]) {
    const o = el('option', '', T(k)); o.value = v; who.append(o);
  }
  const save = el('button', 'btn', T('js.callbacks.save'));
  save.type = 'submit';
  const status = el('p', 'small muted');
  status.setAttribute('role', 'status');
  const summary = el('summary', '', T('js.callbacks.schedule'));
  const details = el('details');
  form.append(save, status);
  details.append(summary, form);
  card.append(details);
  side.append(card);

  function render(items) {
    list.replaceChildren();
    if (!items.length) { list.append(el('li', 'muted', T('js.callbacks.empty'))); return; }
    for (const it of items) {
      const li = el('li');
      const when = it.status === 'calling' ? T('js.callbacks.calling') : T('js.callbacks.due', { time: new Date(it.due_at).toLocaleString() });
      li.append(el('strong', '', it.phone), document.createTextNode(' · ' + it.parcel_id + ' · ' + when + ' · '),
        el('span', 'pill', it.mine ? T('js.callbacks.mine') : T('js.callbacks.queue')),
        el('span', 'small muted', ' ' + T('js.callbacks.source.' + it.source) + (it.note ? ' — ' + it.note : '')));
      list.append(li);
    }
  }

  function load() {
    fetch('/api/v1/callbacks', { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.json() : null))
      .then((j) => { if (j) render(j.callbacks || []); })
      .catch(() => {});
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    fetch('/api/v1/callbacks', { method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ parcel_id: parcel.value.trim(), at: at.value.trim(), for: who.value }) })
      .then((r) => r.json().then((j) => ({ ok: r.ok, j: j })))
      .then(({ ok, j }) => {
        status.textContent = ok ? T('js.callbacks.saved') : T('js.callbacks.failed', { message: (j.error && j.error.message) || j.message || '' });
        if (ok) { form.reset(); load(); }
      })
      .catch(() => { status.textContent = T('js.error.network'); });
  });

  // The wrap-up form asks when to call back for callback_requested; desk.js sends it as
  // callback_at with the disposition (window.wismoCallbackAt), and the dialer plans the call.
  const wrap = document.getElementById('wrapup');
  const disp = document.getElementById('disposition');
  if (wrap && disp) {
    const label = el('label', '', T('js.callbacks.wrapup_at'));
    const input = el('input');
    input.type = 'datetime-local';
    input.id = 'callback-at-wrapup';
    label.htmlFor = input.id;
    const box = el('div');
    box.hidden = true;
    box.append(label, input);
    disp.insertAdjacentElement('afterend', box);
    disp.addEventListener('change', () => { box.hidden = disp.value !== 'callback_requested'; });
    window.wismoCallbackAt = function () {
      const v = disp.value === 'callback_requested' && input.value ? new Date(input.value) : null;
      input.value = '';
      box.hidden = true;
      return v && !isNaN(v) ? v.toISOString() : undefined;
    };
  }

  load();
  setInterval(load, 30000);
})();
