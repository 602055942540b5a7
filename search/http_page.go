package search

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// searchPage is the agent desktop's search box until the desktop itself lands: one page that
// logs in (POST /api/v1/session sets the session cookie) and asks GET /api/v1/search as the
// agent types. Results are written with textContent, never as HTML.
const searchPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>wismo — search</title>
<style>
body{font:15px/1.4 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1c2430}
header{background:#1c2430;color:#fff;padding:.7rem 1.2rem;font-weight:600}
main{max-width:56rem;margin:1.5rem auto;padding:0 1rem}
input{font:inherit;padding:.55rem .7rem;border:1px solid #c5ccd6;border-radius:6px}
#q{width:100%;box-sizing:border-box;font-size:1.15rem}
#login{display:none;gap:.5rem;margin-bottom:1rem}
button{font:inherit;padding:.5rem .9rem;border:0;border-radius:6px;background:#2456d6;color:#fff}
ol{list-style:none;padding:0}
li{background:#fff;border:1px solid #e1e5eb;border-radius:8px;margin:.5rem 0;padding:.6rem .8rem}
.id{font-weight:600;font-family:ui-monospace,monospace}.meta{color:#5b6675;font-size:.9rem}
.tag{display:inline-block;background:#eef2fb;border-radius:4px;padding:0 .4rem;margin-right:.4rem;font-size:.85rem}
</style></head>
<body><header>wismo · search parcels and cases</header><main>
<form id="login"><input id="email" type="email" placeholder="email" autocomplete="username">
<input id="password" type="password" placeholder="password" autocomplete="current-password"><button>Log in</button></form>
<input id="q" placeholder="Tracking number, phone, name, email or case number" autofocus autocomplete="off">
<p class="meta" id="status"></p><ol id="hits"></ol></main>
<script>
const q = document.getElementById('q'), hits = document.getElementById('hits'), status = document.getElementById('status');
const login = document.getElementById('login');
let timer, seq = 0;
function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text) e.textContent = text; return e; }
async function search() {
  const my = ++seq, text = q.value.trim();
  if (!text) { hits.replaceChildren(); status.textContent = ''; return; }
  const r = await fetch('/api/v1/search?q=' + encodeURIComponent(text), {credentials: 'same-origin'});
  if (my !== seq) return;
  if (r.status === 401) { login.style.display = 'flex'; status.textContent = 'Log in to search.'; return; }
  const body = await r.json();
  if (!r.ok) { status.textContent = body.error ? body.error.message : r.statusText; return; }
  status.textContent = body.hits.length + ' found (' + body.backend + ')';
  hits.replaceChildren(...body.hits.map(h => {
    const li = el('li');
    let id = el('span', 'id', h.id);
    if (h.kind === 'case') { id = el('a', 'id', h.id); id.href = '/cases/' + encodeURIComponent(h.id); } // every case number links to its page
    li.append(el('span', 'tag', h.kind), id, el('span', null, '  ' + (h.name || '')));
    const meta = [h.match, 'phase ' + (h.phase || '–')];
    if (h.kind === 'case') meta.push(h.status, h.case_type, 'parcel ' + h.parcel_id);
    else meta.push((h.open_cases || 0) + ' open case(s)');
    if (h.phone) meta.push(h.phone);
    if (h.email) meta.push(h.email);
    li.append(el('div', 'meta', meta.join(' · ')));
    return li;
  }));
}
q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(search, 150); });
login.addEventListener('submit', async e => {
  e.preventDefault();
  const r = await fetch('/api/v1/session', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({email: document.getElementById('email').value, password: document.getElementById('password').value})});
  if (r.ok) { login.style.display = 'none'; search(); } else { status.textContent = 'Wrong email or password.'; }
});
</script></body></html>`

// SearchPage mounts GET /desk/search, the search box page (public: the API it calls is not).
func Page(r fiber.Router) {
	r.Get("/desk/search", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		c.Set("Content-Security-Policy", searchPageCSP)
		return c.SendString(searchPage)
	})
}

// searchPageCSP lets the page's one inline script and one inline style run by their hashes
// (CSP Level 2 §4.2.3), and nothing else inline: an injected script would not run.
var searchPageCSP = "default-src 'self'; script-src " + inlineHash("<script>", "</script>") +
	"; style-src " + inlineHash("<style>", "</style>") + "; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func inlineHash(open, close string) string {
	_, body, _ := strings.Cut(searchPage, open)
	body, _, _ = strings.Cut(body, close)
	sum := sha256.Sum256([]byte(body))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}
