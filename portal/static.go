package portal

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"github.com/wismo/wismo/i18n"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages holds every page template once per language: {{t "key"}} is bound to the language.
var pages = parsePages()

func parsePages() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, l := range i18n.Langs {
		lang := string(l)
		out[lang] = template.Must(template.New("").Funcs(template.FuncMap{"t": translator(lang), "caseurl": CaseURL, "dict2": pair}).ParseFS(templateFS, "templates/*.html"))
	}
	return out
}

// mountStatic serves the embedded assets under /static, cached for a day.
func mountStatic(app *fiber.App) {
	sub, _ := fs.Sub(staticFS, "static")
	app.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(sub), MaxAge: 86400}))
}

// pair hands a sub-template two values ({{template "x" (dict2 $ .Item)}}: .A and .B).
func pair(a, b any) struct{ A, B any } { return struct{ A, B any }{a, b} }
