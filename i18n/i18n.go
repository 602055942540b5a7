// Package i18n is wismo's one translation catalog and the one way dates, times, numbers, money
// and durations are written for a reader. Every page and message ships in Russian and
// English: the texts live in files (catalog/<lang>/<area>.json, embedded), one file per area so
// that work on one page does not touch another's, and a test holds every key to both
// languages, every plural to the forms its language needs (Russian: one, few, many, other) and
// every placeholder to the same names in both.
//
// A text is a string with named placeholders, "Case {number} assigned to {agent}", or a plural,
// {"one": "{n} case", "few": "{n} cases", ...}, chosen by a count. Templates call a Locale's
// methods on the page data: {{.L.T "cases.title"}}, {{.L.N "cases.count" .Count}},
// {{.L.DateTime .At}}.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Lang is a language wismo speaks: its ISO 639-1 code.
type Lang string

// The languages, English first: it is the fallback for a key a language lacks (which the
// catalog test forbids) and for readers whose language wismo does not speak.
const (
	EN Lang = "en"
	RU Lang = "ru"
)

// Langs are the languages of the catalog, in the order pages offer them.
var Langs = []Lang{EN, RU}

// Parse reads a language code ("ru", "RU", "ru-RU"); ok is false for a language wismo does not speak.
func Parse(s string) (Lang, bool) {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(s)), "-")
	base, _, _ = strings.Cut(base, "_")
	if l := Lang(base); slices.Contains(Langs, l) {
		return l, true
	}
	return "", false
}

// Negotiate picks the reader's language: the first of prefs that wismo speaks (a user's own
// setting, a cookie, ...), then the best of an Accept-Language header, then English.
func Negotiate(acceptLanguage string, prefs ...string) Lang {
	for _, p := range prefs {
		if l, ok := Parse(p); ok {
			return l
		}
	}
	type choice struct {
		lang Lang
		q    float64
		at   int
	}
	var best []choice
	for i, part := range strings.Split(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(part, ";")
		l, ok := Parse(tag)
		if !ok {
			continue
		}
		q := 1.0
		if v, found := strings.CutPrefix(strings.TrimSpace(params), "q="); found {
			if _, err := fmt.Sscanf(v, "%g", &q); err != nil {
				q = 0
			}
		}
		if q > 0 {
			best = append(best, choice{l, q, i})
		}
	}
	sort.SliceStable(best, func(i, j int) bool { return best[i].q > best[j].q })
	if len(best) > 0 {
		return best[0].lang
	}
	return EN
}

// message is one text: plain (Text) or plural (Forms by plural category).
type message struct {
	Text  string
	Forms map[string]string
}

func (m *message) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &m.Text)
	}
	return json.Unmarshal(b, &m.Forms)
}

// Catalog holds every text in every language.
type Catalog struct {
	msgs map[Lang]map[string]message
	// where records the file each key came from (for the catalog's own checks).
	where map[Lang]map[string]string
}

//go:embed catalog
var files embed.FS

// Load reads a catalog laid out as <lang>/<area>.json from fsys. A key defined twice, a file
// that is not JSON or a language wismo does not speak is an error naming the file.
func Load(fsys fs.FS) (*Catalog, error) {
	c := &Catalog{msgs: map[Lang]map[string]message{}, where: map[Lang]map[string]string{}}
	for _, l := range Langs {
		c.msgs[l], c.where[l] = map[string]message{}, map[string]string{}
	}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".json" {
			return err
		}
		l, ok := Parse(path.Base(path.Dir(p)))
		if !ok {
			return fmt.Errorf("i18n: %s: folder %q is not a language wismo speaks", p, path.Dir(p))
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		var m map[string]message
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("i18n: %s: %w", p, err)
		}
		for k, v := range m {
			if prev, dup := c.where[l][k]; dup {
				return fmt.Errorf("i18n: %s: key %q is also in %s", p, k, prev)
			}
			c.msgs[l][k], c.where[l][k] = v, p
		}
		return nil
	})
	return c, err
}

var loadDefault = sync.OnceValues(func() (*Catalog, error) {
	sub, err := fs.Sub(files, "catalog")
	if err != nil {
		return nil, err
	}
	return Load(sub)
})

// Default is the catalog wismo ships (embedded). Its files are checked by this package's
// tests, so an error here means a build of broken files: texts then show as their keys.
func Default() *Catalog {
	c, err := loadDefault()
	if err != nil {
		return &Catalog{msgs: map[Lang]map[string]message{}}
	}
	return c
}

// DefaultErr is the error loading the embedded catalog gave, if any (checked at start).
func DefaultErr() error {
	_, err := loadDefault()
	return err
}

// Has reports whether key is in the catalog (in English, which every key must be).
func (c *Catalog) Has(key string) bool {
	_, ok := c.msgs[EN][key]
	return ok
}

// lookup finds key in l, then in English.
func (c *Catalog) lookup(l Lang, key string) (message, bool) {
	if m, ok := c.msgs[l][key]; ok {
		return m, true
	}
	m, ok := c.msgs[EN][key]
	return m, ok
}

// Texts are the plain texts of l whose keys start with prefix (English where l lacks one), for
// a page's scripts; plurals are left out (a script asks the page for counted words).
func (c *Catalog) Texts(l Lang, prefix string) map[string]string {
	out := map[string]string{}
	for _, lang := range []Lang{EN, l} {
		for k, m := range c.msgs[lang] {
			if strings.HasPrefix(k, prefix) && m.Forms == nil {
				out[k] = m.Text
			}
		}
	}
	return out
}
