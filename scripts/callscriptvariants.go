package scripts

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Call scripts in more than one language. A script version holds one variant per language;
// the first is the default. The stored document keeps the default variant's start and steps
// at its top level (what readers of a one-language script always read) and the others under
// "variants", so versions published before variants existed read as one variant with no
// language.
//
// Which variant a call shows: the one the agent asked for, else the recipient's language,
// else the brand's default language, else the default (first) variant. Later prompts and
// phone menus pick their language the same way (PickLanguage).

// Variant is a script's text in one language.
type Variant struct {
	Language string     `json:"language"`
	Body     ScriptBody `json:"body"`
}

// storedScript is a version's body column.
type storedScript struct {
	ScriptBody
	Language string    `json:"language,omitempty"`
	Variants []Variant `json:"variants,omitempty"` // the others, after the default
}

func encodeScript(def Variant, others []Variant) string {
	b, _ := json.Marshal(storedScript{ScriptBody: def.Body, Language: def.Language, Variants: others})
	return string(b)
}

// decodeScript fills c's Body, Language and Variants (every variant, default first).
func decodeScript(body string, c *CallScript) error {
	var st storedScript
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		return err
	}
	c.Body, c.Language = st.ScriptBody, st.Language
	c.Variants = append([]Variant{{Language: st.Language, Body: st.ScriptBody}}, st.Variants...)
	return nil
}

// validLanguage is an ISO 639-1 code (with an optional region: pt-br).
func validLanguage(s string) bool {
	if len(s) < 2 || len(s) > 8 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '-' {
			return false
		}
	}
	return true
}

// variantsOf turns a saved script into its variants, default first. A client that sends
// only body (the one-language API) changes one variant and keeps the others of the current
// version (cur, nil for a new script): the one Language names (added when new), else the
// default. A script's only variant with no language takes the language it is saved in.
func variantsOf(in ScriptInput, cur *CallScript) ([]Variant, Problems) {
	var p Problems
	in.Language = strings.ToLower(strings.TrimSpace(in.Language))
	var vs []Variant
	if len(in.Variants) == 0 {
		target := Variant{Language: in.Language, Body: in.Body}
		if cur != nil {
			vs = append(vs, cur.Variants...)
			if target.Language == "" {
				target.Language = cur.Language
			}
		}
		switch i := slices.IndexFunc(vs, func(v Variant) bool { return v.Language == target.Language }); {
		case i >= 0:
			vs[i] = target
		case len(vs) == 1 && vs[0].Language == "":
			vs[0] = target
		default:
			vs = append(vs, target)
		}
	} else {
		for _, v := range in.Variants {
			v.Language = strings.ToLower(strings.TrimSpace(v.Language))
			vs = append(vs, v)
		}
		if in.Language != "" { // the default named: it goes first
			for i, v := range vs {
				if v.Language == in.Language {
					vs[0], vs[i] = vs[i], vs[0]
					break
				}
			}
		}
	}
	if len(vs) > 20 {
		return nil, Problems{{Field: "variants", Message: "a script has at most 20 language variants"}}
	}
	seen := map[string]bool{}
	for i, v := range vs {
		f := fmt.Sprintf("variants[%d].language", i)
		switch {
		case v.Language == "" && len(vs) > 1:
			p = append(p, Problem{Field: f, Message: "each variant of a script in several languages names its language (en, ru)"})
		case v.Language != "" && !validLanguage(v.Language):
			p = append(p, Problem{Field: f, Message: "an ISO 639-1 code such as en or ru"})
		case seen[v.Language]:
			p = append(p, Problem{Field: f, Message: fmt.Sprintf("language %q appears twice", v.Language)})
		}
		seen[v.Language] = true
	}
	return vs, p
}

// PickLanguage is the language a recipient is spoken to in, among the ones offered (the
// first offered is the default): the first of wanted that is offered, matched exactly or
// by its primary subtag (ru-RU finds ru), else the default. Empty wanted entries are skipped.
func PickLanguage(offered []string, wanted ...string) string {
	if len(offered) == 0 {
		return ""
	}
	for _, w := range wanted {
		w = strings.ToLower(strings.TrimSpace(w))
		if w == "" {
			continue
		}
		prim, _, _ := strings.Cut(w, "-")
		for _, o := range offered {
			if o == w {
				return o
			}
		}
		for _, o := range offered {
			if op, _, _ := strings.Cut(o, "-"); op == prim {
				return o
			}
		}
	}
	return offered[0]
}

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
	pick := PickLanguage(c.Languages(), lang, recipientLanguage(d), set.DefaultLanguage)
	v := c.Variant(pick)
	run, cancel := context.WithTimeout(ctx, budgetRequest) // all the steps' runs together
	defer cancel()
	var err error
	c.Offered = c.Languages()
	c.Language, c.Variants = v.Language, nil
	c.Body, err = v.Body.fill(run, d, SampleData(s.opts.PublicURL))
	return c, err
}
