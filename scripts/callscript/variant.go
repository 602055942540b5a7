package callscript

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// A script version holds one variant per language; the first is the default. The stored
// document keeps the default variant's start and steps at its top level (what readers of
// a one-language script always read) and the others under "variants", so versions stored
// before variants existed read as one variant with no language.
//
// Which variant a call shows: the one the agent asked for, else the recipient's language,
// else the brand's default language, else the default (first) variant (PickLanguage).
// Later prompts and phone menus pick their language the same way.

// Variant is a script's text in one language.
type Variant struct {
	Language string `json:"language"`
	Body     Body   `json:"body"`
}

// stored is a version's document.
type stored struct {
	Body
	Language string    `json:"language,omitempty"`
	Variants []Variant `json:"variants,omitempty"` // the others, after the default
}

// Encode is the stored document of a version's variants, the default first.
func Encode(vs []Variant) string {
	st := stored{}
	if len(vs) > 0 {
		st = stored{Body: vs[0].Body, Language: vs[0].Language, Variants: vs[1:]}
	}
	b, _ := json.Marshal(st)
	return string(b)
}

// Decode reads a stored document into its variants, the default first.
func Decode(doc string) ([]Variant, error) {
	var st stored
	if err := json.Unmarshal([]byte(doc), &st); err != nil {
		return nil, err
	}
	return append([]Variant{{Language: st.Language, Body: st.Body}}, st.Variants...), nil
}

// ValidLanguage is an ISO 639-1 code, with an optional region (pt-br).
func ValidLanguage(s string) bool {
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

// Input is a script as a client saves it. Clients that know variants send them all (the
// first, or the one Language names, is the default); Body is then ignored, so a script
// read back and saved again round-trips. Clients of the one-language API send Body alone:
// it replaces the default variant (or, with Language, the variant in that language, added
// when new) and the other variants stay.
type Input struct {
	Body     Body
	Language string
	Variants []Variant
}

// Merge is the variants a save publishes, the default first, given the current version's
// (cur, nil for a new script). A script's only variant with no language takes the language
// it is saved in. Problems name the variant's field (variants[i].language).
func Merge(in Input, cur []Variant) ([]Variant, []Problem) {
	in.Language = strings.ToLower(strings.TrimSpace(in.Language))
	var vs []Variant
	if len(in.Variants) == 0 {
		target := Variant{Language: in.Language, Body: in.Body}
		vs = append(vs, cur...)
		if target.Language == "" && len(cur) > 0 {
			target.Language = cur[0].Language
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
		if i := slices.IndexFunc(vs, func(v Variant) bool { return v.Language == in.Language }); in.Language != "" && i > 0 {
			vs[0], vs[i] = vs[i], vs[0] // the default named: it goes first
		}
	}
	if len(vs) > 20 {
		return nil, []Problem{{Field: "variants", Message: "a script has at most 20 language variants"}}
	}
	var p []Problem
	seen := map[string]bool{}
	for i, v := range vs {
		f := fmt.Sprintf("variants[%d].language", i)
		switch {
		case v.Language == "" && len(vs) > 1:
			p = append(p, Problem{Field: f, Message: "each variant of a script in several languages names its language (en, ru)"})
		case v.Language != "" && !ValidLanguage(v.Language):
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
// by its primary subtag (ru-RU finds ru, pt finds pt-br), else the default. Empty wanted
// entries are skipped.
func PickLanguage(offered []string, wanted ...string) string {
	if len(offered) == 0 {
		return ""
	}
	for _, w := range wanted {
		w = strings.ToLower(strings.TrimSpace(w))
		if w == "" {
			continue
		}
		if slices.Contains(offered, w) {
			return w
		}
		prim, _, _ := strings.Cut(w, "-")
		for _, o := range offered {
			if op, _, _ := strings.Cut(o, "-"); op == prim {
				return o
			}
		}
	}
	return offered[0]
}
