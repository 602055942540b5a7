package editor

import (
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/branding"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/portal"
)

// The look page (/editor/{brand}/look) sets the shop's brand on the public tracking page:
// logo, colours, the link back to the shop, the hotline and its hours, a footer, and the
// brand's own customer words (package branding checks them all). Preview shows the header,
// a link and a button in the colours as typed, without saving; the preview's colours come
// as a stylesheet (look/preview.css), as the tracking page's do.

type lookPage struct {
	editorFrame
	Form       lookForm
	Errors     fieldErrors
	Error      string
	Preview    string // the preview stylesheet's URL
	Previewing bool
	Logo       string // the saved logo's URL
	LogoW      int
	LogoH      int
	Tel        bool
	Keys       []wordKey
	MaxLogoKB  int
}

type lookForm struct {
	ShopURL, Hotline, Bar, Accent string
	HoursEN, HoursRU              string
	FooterEN, FooterRU            string
	WordsEN, WordsRU              string
	HasLogo                       bool
}

// wordKey is a customer sentence a brand may reword, with the catalog's words.
type wordKey struct{ Key, EN, RU string }

func formOf(l branding.Look) lookForm {
	words := func(lang string) string {
		if len(l.Words[lang]) == 0 {
			return ""
		}
		b, _ := json.MarshalIndent(l.Words[lang], "", "  ")
		return string(b)
	}
	return lookForm{ShopURL: l.ShopURL, Hotline: l.Hotline, Bar: l.Bar, Accent: l.Accent, HoursEN: l.Hours["en"], HoursRU: l.Hours["ru"],
		FooterEN: l.Footer["en"], FooterRU: l.Footer["ru"], WordsEN: words("en"), WordsRU: words("ru"), HasLogo: l.HasLogo()}
}

func (e *editor) showLook(c *fiber.Ctx, p lookPage, saved branding.Look, status int) error {
	if saved.HasLogo() && saved.LogoH > 0 {
		p.Logo = "/track/brand/" + itoa(saved.BrandID) + "/logo?v=" + itoa(int64(saved.Version))
		p.LogoH = min(40, saved.LogoH)
		p.LogoW = max(1, saved.LogoW*p.LogoH/saved.LogoH)
	}
	_, p.Tel = branding.TelURI(p.Form.Hotline)
	p.Preview = p.Base + "/look/preview.css?bar=" + urlQuery(p.Form.Bar) + "&accent=" + urlQuery(p.Form.Accent)
	en, ru := i18n.New(i18n.EN, nil), i18n.New(i18n.Lang("ru"), nil)
	for _, k := range branding.OverridableKeys() {
		p.Keys = append(p.Keys, wordKey{Key: k, EN: en.T("track." + k), RU: ru.T("track." + k)})
	}
	p.MaxLogoKB = branding.MaxLogoBytes >> 10
	c.Status(status)
	return portal.RenderPage(c, e.page, "editor_look.html", e.loc(c).T("br.title")+" · "+p.Brand.Name, p)
}

func (e *editor) look(c *fiber.Ctx) error {
	if e.looks == nil {
		return fiber.NewError(fiber.StatusServiceUnavailable, "brand looks are not available on this server")
	}
	f, err := e.frame(c, "look")
	if err != nil {
		return err
	}
	l, err := e.looks.Get(c.UserContext(), f.Brand.ID)
	if err != nil {
		return err
	}
	return e.showLook(c, lookPage{editorFrame: f, Form: formOf(l)}, l, fiber.StatusOK)
}

// saveLook saves the look (op=save) or shows it as typed (op=preview); problems come back
// beside their fields, with what was typed kept.
func (e *editor) saveLook(c *fiber.Ctx) error {
	if e.looks == nil {
		return fiber.NewError(fiber.StatusServiceUnavailable, "brand looks are not available on this server")
	}
	f, err := e.frame(c, "look")
	if err != nil {
		return err
	}
	ctx, loc := c.UserContext(), e.loc(c)
	saved, err := e.looks.Get(ctx, f.Brand.ID)
	if err != nil {
		return err
	}
	form := lookForm{ShopURL: c.FormValue("shop_url"), Hotline: c.FormValue("hotline"), Bar: c.FormValue("bar"), Accent: c.FormValue("accent"),
		HoursEN: c.FormValue("hours_en"), HoursRU: c.FormValue("hours_ru"), FooterEN: c.FormValue("footer_en"), FooterRU: c.FormValue("footer_ru"),
		WordsEN: c.FormValue("words_en"), WordsRU: c.FormValue("words_ru"), HasLogo: saved.HasLogo()}
	p := lookPage{editorFrame: f, Form: form, Errors: fieldErrors{}}
	ch := branding.Change{Look: branding.Look{BrandID: f.Brand.ID, ShopURL: form.ShopURL, Hotline: form.Hotline, Bar: form.Bar, Accent: form.Accent,
		Hours: map[string]string{"en": form.HoursEN, "ru": form.HoursRU}, Footer: map[string]string{"en": form.FooterEN, "ru": form.FooterRU},
		Words: branding.Words{}}, RemoveLogo: c.FormValue("remove_logo") == "1"}
	for lang, raw := range map[string]string{"en": form.WordsEN, "ru": form.WordsRU} {
		if strings.TrimSpace(raw) == "" {
			continue
		}
		var m map[string]string
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			p.Errors["words_"+lang] = append(p.Errors["words_"+lang], loc.T("br.err_words_json"))
			continue
		}
		ch.Words[lang] = m
	}
	if fh, err := c.FormFile("logo"); err == nil && fh.Size > 0 {
		if fh.Size > branding.MaxLogoBytes {
			p.Errors["logo"] = append(p.Errors["logo"], loc.T("br.err_logo_size", "max", branding.MaxLogoBytes>>10))
		} else {
			file, err := fh.Open()
			if err != nil {
				return err
			}
			ch.NewLogo, err = io.ReadAll(io.LimitReader(file, branding.MaxLogoBytes+1))
			file.Close()
			if err != nil {
				return err
			}
		}
	}
	preview := c.FormValue("op") == "preview"
	if preview || len(p.Errors) > 0 {
		// Check without saving: the preview shows what is fine and says what is not.
		_, probs := branding.Check(ch.Look)
		if ch.NewLogo != nil {
			if _, pr := branding.CheckLogo(ch.NewLogo); pr != nil {
				probs = append(probs, *pr)
			}
		}
		addProblems(p.Errors, probs, loc)
		p.Previewing = preview
		status := fiber.StatusOK
		if len(p.Errors) > 0 {
			status = fiber.StatusUnprocessableEntity
		}
		return e.showLook(c, p, saved, status)
	}
	_, err = e.looks.Save(ctx, f.Brand.ID, ch, author(c))
	var probs branding.Problems
	if errors.As(err, &probs) {
		addProblems(p.Errors, probs, loc)
		return e.showLook(c, p, saved, fiber.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	return c.Redirect(f.Base+"/look?updated=1", fiber.StatusSeeOther)
}

func addProblems(fe fieldErrors, probs branding.Problems, loc i18n.Locale) {
	for _, pr := range probs {
		fe[pr.Field] = append(fe[pr.Field], loc.T(pr.Key, pr.Args...))
	}
}

// previewCSS is the look page's preview in the colours as typed (invalid ones are left out:
// the form says why).
func (e *editor) previewCSS(c *fiber.Ctx) error {
	l := branding.Look{BrandID: brandOfPage(c)}
	if bar, probs := branding.Check(branding.Look{Bar: c.Query("bar")}); len(probs) == 0 {
		l.Bar = bar.Bar
	}
	if acc, probs := branding.Check(branding.Look{Accent: c.Query("accent")}); len(probs) == 0 {
		l.Accent = acc.Accent
	}
	c.Set(fiber.HeaderContentType, "text/css; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "private, max-age=60")
	return c.SendString(branding.Stylesheet(".brand-preview", l))
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func urlQuery(s string) string { return url.QueryEscape(s) }
