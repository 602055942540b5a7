package scripts

import (
	"context"

	"github.com/wismo/wismo/scripts/callscript"
)

// The variants of a call script at work: which one a call shows (callscript.PickLanguage:
// the agent's choice, the recipient's language, the brand's default, the default variant).

// Languages lists a script's variant languages, the default first.
func (c CallScript) Languages() []string {
	out := make([]string, len(c.Variants))
	for i, v := range c.Variants {
		out[i] = v.Language
	}
	return out
}

// Variant returns the variant in lang, or the default.
func (c CallScript) Variant(lang string) Variant {
	for _, v := range c.Variants {
		if v.Language == lang {
			return v
		}
	}
	if len(c.Variants) > 0 {
		return c.Variants[0]
	}
	return Variant{Language: c.Language, Body: c.Body}
}

// recipientLanguage is the language in a parcel's template data.
func recipientLanguage(d Data) string {
	if r, ok := d["recipient"].(map[string]any); ok {
		s, _ := r["language"].(string)
		return s
	}
	return ""
}

// runVariant picks the variant for a call and fills it in with the parcel's data: Body and
// Language are the chosen variant's, Variants is emptied and Offered names them all.
func (s *Service) runVariant(ctx context.Context, c CallScript, d Data, lang string) (CallScript, error) {
	set, _ := s.Settings(ctx, c.BrandID)
	pick := callscript.PickLanguage(c.Languages(), lang, recipientLanguage(d), set.DefaultLanguage)
	v := c.Variant(pick)
	run, cancel := context.WithTimeout(ctx, budgetRequest) // all the steps' runs together
	defer cancel()
	var err error
	c.Offered = c.Languages()
	c.Language, c.Variants = v.Language, nil
	c.Body, err = fillScript(run, v.Body, d, SampleData(s.opts.PublicURL))
	return c, err
}
