package portal

import (
	"errors"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/search"
)

// searchPage is the data of templates/search.html: the hits of the header's search box,
// written for the viewer (phase, status, type and the reason a hit matched in words).
type searchPage struct {
	Query   string
	Hits    []searchHit
	Error   string
	Limited bool // the answer stopped at its limit: there may be more
}

type searchHit struct {
	Kind, ID, Href string
	KindLabel      string
	Phase, Match   string
	Status, Type   string
	Name           string
	Phone, Email   string
	ParcelID       string
	OpenCases      string // "2 open cases", parcels only
	Updated        string
}

// searchPageLimit bounds the hits one page shows.
const searchPageLimit = 30

// searchRoutes serve the one search box's page (agents, supervisors, brand managers):
//
//	GET /search?q=       the hits, rendered on the server, each a link into its parcel or case
//	GET /desk/search?q=  the old address: redirects here with q kept
func searchRoutes(app *fiber.App, d Deps) {
	app.Get("/desk/search", func(c *fiber.Ctx) error {
		to := "/search"
		if q := c.Query("q"); q != "" {
			to += "?q=" + url.QueryEscape(q)
		}
		return c.Redirect(to, fiber.StatusMovedPermanently)
	})
	app.Get("/search", requirePage(d, searchRoles...), func(c *fiber.Ctx) error {
		loc := viewerLocale(c, d, pageSession(c).User)
		p := searchPage{Query: strings.TrimSpace(c.Query("q"))}
		switch {
		case p.Query == "":
		case utf8.RuneCountInString(p.Query) > search.MaxQueryChars:
			p.Error = loc.T("search.too_long", "max", search.MaxQueryChars)
			c.Status(fiber.StatusUnprocessableEntity)
		case d.Search == nil:
			p.Error = loc.T("search.unavailable")
			c.Status(fiber.StatusServiceUnavailable)
		default:
			hits, err := d.Search.Find(c.UserContext(), access.PrincipalOf(c).Scope, p.Query, searchPageLimit)
			if errors.Is(err, search.ErrUnavailable) {
				p.Error = loc.T("search.unavailable")
				c.Status(fiber.StatusServiceUnavailable)
				break
			}
			if err != nil {
				return err
			}
			p.Limited = len(hits) == searchPageLimit
			for _, h := range hits {
				p.Hits = append(p.Hits, searchHitFor(loc, h))
			}
		}
		return render(c, d, "search.html", "search.title", p)
	})
}

// searchHitFor writes a hit for the viewer: words for the phase, status, type and the reason
// it matched; a parcel links to its tracking page, a case to its case page.
func searchHitFor(loc i18n.Locale, h search.Hit) searchHit {
	out := searchHit{Kind: h.Kind, ID: h.ID, Name: h.Name, Phone: h.Phone, Email: h.Email, ParcelID: h.ParcelID,
		Match: loc.T("search.match." + h.Match), Updated: loc.DateTime(h.UpdatedAt)}
	if h.Phase != "" {
		out.Phase = loc.T("track." + string(h.Phase))
	}
	switch h.Kind {
	case "case":
		out.KindLabel = loc.T("search.kind.case")
		out.Href = "/cases/" + url.PathEscape(h.ID)
		out.Status = loc.T("search.status." + string(h.Status))
		out.Type = loc.T("search.type." + string(h.CaseType))
	case "call": // found by its transcript alone (docs/transcripts.md)
		out.KindLabel = loc.T("search.kind.call")
		out.Href = h.URL
	default:
		out.KindLabel = loc.T("search.kind.parcel")
		out.Href = "/track/" + url.PathEscape(h.ID)
		out.OpenCases = loc.N("search.open_cases", h.OpenCases)
	}
	return out
}
