// wismo.js: what every staff page's scripts share. T(key, vars) is the catalog's text for the
// page's language (keys under "js.", given by the page in #wismo-texts), with {name}
// placeholders filled from vars: T('js.desk.calling', {to: '+7…'}). A missing key shows as itself.
(function () {
  let texts = {};
  try { texts = JSON.parse(document.getElementById('wismo-texts')?.textContent || '{}'); } catch (e) { texts = {}; }
  window.T = function (key, vars) {
    const text = Object.prototype.hasOwnProperty.call(texts, key) ? texts[key] : key;
    return vars ? text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m)) : text;
  };
})();
