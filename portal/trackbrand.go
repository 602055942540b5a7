package portal

import (
	"context"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/branding"
)

// The shop's brand on the tracking page (issue 18; package branding): the header shows the
// brand's name and logo in its colours, with its hotline (click to call) and a link back to
// the shop; the footer its hotline hours and its own text. The colours come as a stylesheet
// per brand (/track/brand/{id}/style.css), so the page's Content-Security-Policy needs no
// inline style; the stylesheet's and the logo's URLs carry the look's version, so a browser
// keeps them until the brand changes its look. A brand's words override the track catalog's
// customer words on its pages.

// Looks reads brands' looks (branding.Service); nil: every page has the neutral look.
type Looks interface {
	Get(ctx context.Context, brand int64) (branding.Look, error)
	LogoImage(ctx context.Context, brand int64) ([]byte, string, int, bool, error)
}

// pageLook is what the tracking page's header and footer show of the brand.
type pageLook struct {
	Style         string // the brand's stylesheet ("" when it set no colour)
	Logo          string // the logo's URL ("" when none)
	LogoW, LogoH  int    // the logo's size as shown (at most 40 px high)
	ShopURL       string
	Hotline       string
	Tel           template.URL // tel:+…, built from digits only (branding.TelURI)
	Hours, Footer string
	Words         map[string]string // the brand's words in the page's language
}

// logoHeight is how high the header shows a logo, in CSS pixels.
const logoHeight = 40

func lookOf(l branding.Look, lang string) *pageLook {
	p := &pageLook{ShopURL: l.ShopURL, Hotline: l.Hotline, Hours: l.Hours[lang], Footer: l.Footer[lang], Words: l.Words[lang]}
	base := "/track/brand/" + strconv.FormatInt(l.BrandID, 10)
	if l.Bar != "" || l.Accent != "" {
		p.Style = fmt.Sprintf("%s/style.css?v=%d", base, l.Version)
	}
	if l.HasLogo() && l.LogoH > 0 {
		p.Logo = fmt.Sprintf("%s/logo?v=%d", base, l.Version)
		p.LogoH = min(logoHeight, l.LogoH)
		p.LogoW = max(1, l.LogoW*p.LogoH/l.LogoH)
	}
	if tel, ok := branding.TelURI(l.Hotline); ok {
		p.Tel = template.URL(tel) //nolint:gosec // digits and a + only
	}
	return p
}

// withWords is t with a brand's words in front (keys as the track catalog's, without "track.").
func withWords(t func(string) string, words map[string]string) func(string) string {
	if len(words) == 0 {
		return t
	}
	return func(key string) string {
		if w, ok := words[strings.TrimPrefix(key, "track.")]; ok {
			return w
		}
		return t(key)
	}
}

// lookCacheControl: a versioned URL changes with the look, so a browser may keep what it got.
const lookCacheControl = "public, max-age=86400"

func brandAssetRoutes(app *fiber.App, d Deps) {
	looks := d.Looks
	brandOf := func(c *fiber.Ctx) (int64, error) {
		id, err := strconv.ParseInt(c.Params("brand"), 10, 64)
		if err != nil || looks == nil {
			return 0, fiber.NewError(fiber.StatusNotFound, "no such brand look")
		}
		return id, nil
	}
	app.Get("/track/brand/:brand<int>/style.css", func(c *fiber.Ctx) error {
		id, err := brandOf(c)
		if err != nil {
			return err
		}
		l, err := looks.Get(c.UserContext(), id)
		if err != nil {
			return err
		}
		tag := branding.ETag("style", id, l.Version)
		c.Set(fiber.HeaderCacheControl, lookCacheControl)
		c.Set(fiber.HeaderETag, tag)
		if c.Get(fiber.HeaderIfNoneMatch) == tag {
			return c.SendStatus(fiber.StatusNotModified)
		}
		c.Set(fiber.HeaderContentType, "text/css; charset=utf-8")
		return c.SendString(branding.Stylesheet(".track", l))
	})
	app.Get("/track/brand/:brand<int>/logo", func(c *fiber.Ctx) error {
		id, err := brandOf(c)
		if err != nil {
			return err
		}
		data, typ, version, ok, err := looks.LogoImage(c.UserContext(), id)
		if err != nil {
			return err
		}
		if !ok {
			return fiber.NewError(fiber.StatusNotFound, "this brand has no logo")
		}
		tag := branding.ETag("logo", id, version)
		c.Set(fiber.HeaderCacheControl, lookCacheControl)
		c.Set(fiber.HeaderETag, tag)
		c.Set(fiber.HeaderContentSecurityPolicy, branding.LogoCSP)
		c.Set("Cross-Origin-Resource-Policy", "same-origin")
		if c.Get(fiber.HeaderIfNoneMatch) == tag {
			return c.SendStatus(fiber.StatusNotModified)
		}
		c.Set(fiber.HeaderContentType, typ)
		return c.Send(data)
	})
}

type cachedLook struct {
	look    branding.Look
	expires time.Time
}

// brandLook reads a brand's look through the node's page cache: a rendered page costs no read
// of the look while the brand's pages are kept (DropBrand forgets it with them).
func (h *trackHandler) brandLook(ctx context.Context, brand int64) (branding.Look, error) {
	pc := h.cache
	if pc != nil {
		pc.mu.Lock()
		l, ok := pc.looks[brand]
		pc.mu.Unlock()
		if ok && pc.now().Before(l.expires) {
			return l.look, nil
		}
	}
	l, err := h.d.Looks.Get(ctx, brand)
	if err != nil || pc == nil {
		return l, err
	}
	pc.mu.Lock()
	if len(pc.looks) >= maxTrackPages {
		clear(pc.looks)
	}
	pc.looks[brand] = cachedLook{look: l, expires: pc.now().Add(pc.ttl)}
	pc.mu.Unlock()
	return l, nil
}
