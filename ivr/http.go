package ivr

import (
	"context"
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/apierr"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/input"
)

// Editors are the roles that change a brand's prompts.
var Editors = []access.Role{access.RoleBrandManager, access.RoleAdmin}

// sampleParcel is what a preview fills the placeholders with.
const sampleParcel = "RA123456789RU"

// Routes mounts the prompt API (authenticated under /api/; the brand named with ?brand=ID):
//
//	GET  /api/v1/ivr/prompts/robocall            {"prompts": [en, ru], "placeholders": [...]}
//	PUT  /api/v1/ivr/prompts/robocall            {"lang", "text", "keys": {"confirm", "other_days", "agent"}}
//	                                             200 the saved prompt; 422 naming the field
//	GET  /api/v1/ivr/prompts/robocall/preview    ?lang=ru: the saved prompt as audio/wav; with
//	                                             &text=&confirm=&other_days=&agent=: as typed
//	POST /api/v1/ivr/prompts/robocall/preview    an unsaved prompt (the PUT body) as audio/wav
//
// Previews fill the placeholders with a sample parcel due tomorrow. The hotline's menu has
// its own routes beside these (hotlineRoutes).
func Routes(r fiber.Router, s *Settings, p *Prompts) {
	r.Get("/api/v1/ivr/prompts/robocall", answer(func(c *fiber.Ctx) error {
		brand, err := access.QueryBrand(c, Editors...)
		if err != nil {
			return err
		}
		out, err := bothLangs(func(lang string) (PromptText, error) { return s.Prompt(c.UserContext(), brand, PromptRobocall, lang) })
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"prompts": out, "placeholders": Placeholders, "max_text": MaxTextRunes})
	}))
	r.Put("/api/v1/ivr/prompts/robocall", answer(func(c *fiber.Ctx) error {
		brand, err := access.QueryBrand(c, Editors...)
		if err != nil {
			return err
		}
		in, err := decodePrompt(c)
		if err != nil {
			return err
		}
		actor := "key"
		if u := access.PrincipalOf(c).User; u != nil {
			actor = "user:" + u.Email
		}
		if err := s.Save(c.UserContext(), brand, PromptRobocall, in, actor); err != nil {
			return err
		}
		saved, err := s.Prompt(c.UserContext(), brand, PromptRobocall, in.Lang)
		if err != nil {
			return err
		}
		return c.JSON(saved)
	}))
	preview := func(c *fiber.Ctx, brand int64, pt PromptText) error {
		name, err := s.BrandName(c.UserContext(), brand)
		if err != nil {
			return err
		}
		text := pt.Render(i18n.Default(), Fields{Brand: name, Parcel: sampleParcel, Date: s.now().AddDate(0, 0, 1)})
		ctx, cancel := context.WithTimeout(c.UserContext(), 2*synthTimeout)
		defer cancel()
		audio, src := p.Audio(ctx, brand, PromptRobocall, pt.Lang, text)
		c.Set("X-Prompt-Source", string(src))
		c.Set(fiber.HeaderCacheControl, "no-store")
		c.Set(fiber.HeaderContentType, "audio/wav")
		return c.Send(WAV(audio))
	}
	r.Get("/api/v1/ivr/prompts/robocall/preview", answer(func(c *fiber.Ctx) error {
		brand, lang, err := previewOf(c)
		if err != nil {
			return err
		}
		pt, err := s.Prompt(c.UserContext(), brand, PromptRobocall, lang)
		if err != nil {
			return err
		}
		if c.Query("text") != "" || c.Query("confirm") != "" { // as typed in the editor, unsaved
			pt = PromptText{Lang: lang, Text: c.Query("text"), Keys: KeyMap{Confirm: c.Query("confirm", DefaultKeys.Confirm),
				OtherDays: c.Query("other_days", DefaultKeys.OtherDays), Agent: c.Query("agent", DefaultKeys.Agent)}}
			if fe := pt.Validate(locale(c)); fe != nil {
				return input.Invalid(fe)
			}
		}
		return preview(c, brand, pt)
	}))
	r.Post("/api/v1/ivr/prompts/robocall/preview", answer(func(c *fiber.Ctx) error {
		brand, err := access.QueryBrand(c, Editors...)
		if err != nil {
			return err
		}
		in, err := decodePrompt(c)
		if err != nil {
			return err
		}
		return preview(c, brand, in)
	}))
	hotlineRoutes(r, s, p)
}

// previewOf reads a preview's brand (?brand=, an editor's) and language (?lang=, default en).
func previewOf(c *fiber.Ctx) (int64, string, error) {
	brand, err := access.QueryBrand(c, Editors...)
	if err != nil {
		return 0, "", err
	}
	lang := c.Query("lang", "en")
	if _, ok := voices[lang]; !ok {
		return 0, "", input.Invalid(&input.FieldError{Field: "lang", Message: locale(c).T("ivr.err.lang")})
	}
	return brand, lang, nil
}

// bothLangs is what get gives for English and Russian, in this order.
func bothLangs[T any](get func(lang string) (T, error)) ([]T, error) {
	var out []T
	for _, lang := range []string{"en", "ru"} {
		v, err := get(lang)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// answer answers a handler's error through apierr: a wrong field is a 422 naming it.
func answer(h fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error { return apierr.Mapper{}.Answer(c, h(c)) }
}

// decodePrompt reads and validates a prompt body; missing keys are the defaults.
func decodePrompt(c *fiber.Ctx) (PromptText, error) {
	in := PromptText{Keys: DefaultKeys}
	if err := json.Unmarshal(c.Body(), &in); err != nil {
		return in, input.Invalid(&input.FieldError{Field: "body", Message: `{"lang": "ru", "text": "...", "keys": {"confirm": "1", "other_days": "2", "agent": "0"}}`})
	}
	if fe := in.Validate(locale(c)); fe != nil {
		return in, input.Invalid(fe)
	}
	in.Custom, in.UpdatedAt, in.UpdatedBy = false, time.Time{}, ""
	return in, nil
}

// locale is the reader's language for error messages: ?lang=, the lang cookie,
// Accept-Language, the user's own.
func locale(c *fiber.Ctx) i18n.Locale {
	var pref string
	if u := access.PrincipalOf(c).User; u != nil {
		pref = u.Lang
	}
	return i18n.New(i18n.Negotiate(c.Get(fiber.HeaderAcceptLanguage), c.Cookies("lang"), pref), time.UTC)
}
