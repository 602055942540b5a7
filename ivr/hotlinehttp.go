package ivr

import (
	"context"
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/tracking"
)

// hotlineRoutes mounts the hotline menu's API (brand managers and admins; ?brand=ID):
//
//	GET  /api/v1/ivr/prompts/hotline          {"menus": [en, ru], "greeting_placeholders", "menu_placeholders", "max_text"}
//	PUT  /api/v1/ivr/prompts/hotline          {"lang", "greeting", "menu", "keys": {"again", "other_days", "sms", "agent"}}
//	                                          200 the saved menu; 422 naming the field
//	GET  /api/v1/ivr/prompts/hotline/preview  ?lang=ru: the saved greeting, a sample status and
//	                                          the menu as audio/wav; with &greeting=&menu=&again=
//	                                          &other_days=&sms=&agent=: as typed (validated)
func hotlineRoutes(r fiber.Router, s *Settings, p *Prompts) {
	r.Get("/api/v1/ivr/prompts/hotline", answer(func(c *fiber.Ctx) error {
		brand, err := access.QueryBrand(c, Editors...)
		if err != nil {
			return err
		}
		out, err := bothLangs(func(lang string) (HotlineMenu, error) { return s.HotlineMenu(c.UserContext(), brand, lang) })
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"menus": out, "greeting_placeholders": GreetingPlaceholders, "menu_placeholders": MenuPlaceholders,
			"max_text": MaxTextRunes})
	}))
	r.Put("/api/v1/ivr/prompts/hotline", answer(func(c *fiber.Ctx) error {
		brand, err := access.QueryBrand(c, Editors...)
		if err != nil {
			return err
		}
		in := HotlineMenu{Keys: DefaultHotlineKeys}
		if err := json.Unmarshal(c.Body(), &in); err != nil {
			return input.Invalid(&input.FieldError{Field: "body", Message: `{"lang": "ru", "greeting": "...", "menu": "...", "keys": {"again": "1", "other_days": "2", "sms": "3", "agent": "0"}}`})
		}
		if fe := in.Validate(locale(c)); fe != nil {
			return input.Invalid(fe)
		}
		actor := "key"
		if u := access.PrincipalOf(c).User; u != nil {
			actor = "user:" + u.Email
		}
		if err := s.SaveHotlineMenu(c.UserContext(), brand, in, actor); err != nil {
			return err
		}
		saved, err := s.HotlineMenu(c.UserContext(), brand, in.Lang)
		if err != nil {
			return err
		}
		return c.JSON(saved)
	}))
	r.Get("/api/v1/ivr/prompts/hotline/preview", answer(func(c *fiber.Ctx) error {
		brand, lang, err := previewOf(c)
		if err != nil {
			return err
		}
		m, err := s.HotlineMenu(c.UserContext(), brand, lang)
		if err != nil {
			return err
		}
		if typed := c.Query("greeting") != "" || c.Query("menu") != "" || c.Query("again") != ""; typed { // as typed, unsaved
			m = HotlineMenu{Lang: lang, Greeting: c.Query("greeting"), Menu: c.Query("menu"), Keys: HotlineKeys{
				Again: c.Query("again", DefaultHotlineKeys.Again), OtherDays: c.Query("other_days", DefaultHotlineKeys.OtherDays),
				SMS: c.Query("sms", DefaultHotlineKeys.SMS), Agent: c.Query("agent", DefaultHotlineKeys.Agent)}}
			if fe := m.Validate(locale(c)); fe != nil {
				return input.Invalid(fe)
			}
		}
		ctx, cancel := context.WithTimeout(c.UserContext(), 2*synthTimeout)
		defer cancel()
		audio, src, err := HotlinePreview(ctx, s, p, brand, m)
		if err != nil {
			return err
		}
		c.Set("X-Prompt-Source", string(src))
		c.Set(fiber.HeaderCacheControl, "no-store")
		c.Set(fiber.HeaderContentType, "audio/wav")
		return c.Send(WAV(audio))
	}))
}

// HotlinePreview is what a caller of brand would hear with menu m: the greeting, the status of
// a sample parcel at a delivery office in Rostov-on-Don due tomorrow, and the menu with every
// option; the source is the greeting's.
func HotlinePreview(ctx context.Context, s *Settings, p *Prompts, brand int64, m HotlineMenu) ([]int16, Source, error) {
	name, err := s.BrandName(ctx, brand)
	if err != nil {
		return nil, "", err
	}
	now := s.now()
	self := &SelfService{Settings: s, Prompts: p, Now: func() time.Time { return now }}
	loc := i18n.New(i18n.Lang(m.Lang), time.UTC)
	place := map[string]string{"en": "Rostov-on-Don", "ru": "Ростов-на-Дону"}[m.Lang]
	sample := tracking.ParcelView{ID: sampleParcel, ExpectedDate: now.UTC().AddDate(0, 0, 1).Format("2006-01-02"),
		Events: []tracking.EventView{{Code: "EDF", Location: place, Country: "RU"}}}
	greeting, src := p.Audio(ctx, brand, PromptHotlineGreeting, m.Lang, m.GreetingText(name))
	menu, _ := p.Audio(ctx, brand, PromptHotlineMenu, m.Lang, m.MenuText(name, menuOffer{days: true, sms: true}))
	var out []int16
	for _, a := range [][]int16{greeting, self.status(ctx, brand, m.Lang, loc, sample), menu} {
		out = append(append(out, a...), make([]int16, 2400)...)
	}
	return out, src, nil
}
