package portal

import (
	"bytes"
	"html/template"

	"github.com/gofiber/fiber/v2"
)

var homeTmpl = template.Must(template.New("home").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>wismo</title>
<link rel="stylesheet" href="/static/home.css"></head><body>
<h1>wismo</h1><p class="sub">Where is my order: tracking, customer contact and cases for cross-border parcels.</p>
<h2>Try it</h2><ul>
<li><a href="/track">Track a parcel</a>: the public tracking page customers see</li>
<li><a href="/login">Log in</a> as staff: agents land on the <a href="/desk">agent desktop</a> (softphone), supervisors on the
<a href="/dashboard">dashboard</a>, brand managers in the <a href="/editor">editors</a></li>
<li>Health: <a href="/healthz">/healthz</a>, readiness: <a href="/readyz">/readyz</a>, metrics: <a href="/metrics">/metrics</a></li>
{{with .Demo}}{{range .Parcels}}<li>Demo parcel <a href="/track/{{.ID}}"><code>{{.ID}}</code></a>, by API:
<code>curl -H "Authorization: Bearer {{.APIKey}}" {{$.PublicURL}}/api/v1/parcels/{{.ID}}</code></li>{{end}}
{{range .Logins}}<li>Demo login: <code>{{.}}</code></li>{{end}}{{end}}
</ul>
<h2>API</h2><ul>
<li><code>POST /api/v1/parcels</code> and <code>POST /api/v1/events</code> with <code>Authorization: Bearer &lt;key&gt;</code></li>
<li><code>GET /api/v1/parcels/{id}</code>: a parcel with its phase and events</li>
</ul></body></html>`))

func home(d Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var buf bytes.Buffer
		if err := homeTmpl.Execute(&buf, map[string]any{"Demo": d.DemoHints, "PublicURL": d.PublicURL}); err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		return c.Send(buf.Bytes())
	}
}
