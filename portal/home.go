package portal

import (
	"github.com/gofiber/fiber/v2"
)

// home is the front page (templates/home.html): what wismo is and what to try, in the
// visitor's language.
func home(d Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		lang := language(c)
		return executePage(c, lang, "home.html", map[string]any{"Lang": lang, "Demo": d.DemoHints, "PublicURL": d.PublicURL})
	}
}
