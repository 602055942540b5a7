// cases.js: keyboard navigation of the case list: j and k move the selection down and up,
// Enter opens the selected case. Keys typed into a form field are left alone.
(function () {
  const rows = Array.from(document.querySelectorAll('#case-list tr.case-row'));
  if (!rows.length) return;
  let at = -1;
  function select(i) {
    if (at >= 0) rows[at].classList.remove('selected');
    at = Math.max(0, Math.min(rows.length - 1, i));
    rows[at].classList.add('selected');
    const link = rows[at].querySelector('a');
    if (link) link.focus();
  }
  document.addEventListener('keydown', function (ev) {
    const t = ev.target;
    if (ev.ctrlKey || ev.metaKey || ev.altKey || (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA'))) return;
    if (ev.key === 'j') { select(at + 1); ev.preventDefault(); }
    else if (ev.key === 'k') { select(at - 1); ev.preventDefault(); }
    else if (ev.key === 'Enter' && at >= 0 && t === document.body) { window.location.href = rows[at].dataset.href; ev.preventDefault(); }
  });
})();

// The talk strip under a call's player (recordings/talk, talk.svg): a click seeks the player to
// that moment. The strip's viewBox is 1000 wide, its lanes start after a 90-wide label.
(function () {
  document.querySelectorAll('img.talk-strip').forEach(function (img) {
    const li = img.closest('li');
    const audio = li && li.querySelector('audio');
    if (!audio) return;
    img.addEventListener('click', function (ev) {
      const r = img.getBoundingClientRect();
      const x = (ev.clientX - r.left) / r.width * 1000;
      const frac = Math.max(0, Math.min(1, (x - 90) / 910));
      function seek() { audio.currentTime = frac * audio.duration; audio.play().catch(function () {}); }
      if (isFinite(audio.duration)) { seek(); return; }
      audio.addEventListener('loadedmetadata', seek, { once: true });
      audio.preload = 'metadata';
      audio.load();
    });
  });
})();
