package callscript

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestPickLanguage(t *testing.T) {
	for _, c := range []struct {
		offered []string
		wanted  []string
		want    string
	}{
		{[]string{"en", "ru"}, []string{"", "ru", "en"}, "ru"},   // the recipient's
		{[]string{"en", "ru"}, []string{"", "de", "ru"}, "ru"},   // the brand's default
		{[]string{"en", "ru"}, []string{"", "de", "fr"}, "en"},   // the first variant
		{[]string{"en", "ru"}, []string{"en", "ru", "ru"}, "en"}, // the agent's choice first
		{[]string{"en", "ru"}, []string{"RU-ru"}, "ru"},          // by primary subtag
		{[]string{""}, []string{"ru"}, ""},                       // a one-language script
		{[]string{"pt-br", "en"}, []string{"pt"}, "pt-br"},       // pt finds pt-br
	} {
		if got := PickLanguage(c.offered, c.wanted...); got != c.want {
			t.Errorf("PickLanguage(%v, %v) = %q, want %q", c.offered, c.wanted, got, c.want)
		}
	}
}

// Merge: the one-language API changes one variant and keeps the others; variants sent
// whole replace them; a language named twice is refused at its field.
func TestMerge(t *testing.T) {
	body := func(say string) Body {
		return Body{Start: "a", Steps: []Step{{ID: "a", Say: say, End: &Ending{Disposition: "reached"}}}}
	}
	cur := []Variant{{"en", body("hello")}, {"ru", body("привет")}}
	langsSays := func(vs []Variant) string {
		var out []string
		for _, v := range vs {
			out = append(out, v.Language+"="+v.Body.Steps[0].Say)
		}
		return strings.Join(out, ",")
	}
	for _, c := range []struct {
		name string
		in   Input
		cur  []Variant
		want string
	}{
		{"body alone: the default", Input{Body: body("hi")}, cur, "en=hi,ru=привет"},
		{"body in a language: that one", Input{Body: body("здравствуйте"), Language: "ru"}, cur, "en=hello,ru=здравствуйте"},
		{"body in a new language: added", Input{Body: body("hallo"), Language: "de"}, cur, "en=hello,ru=привет,de=hallo"},
		{"an unlabelled script takes the language", Input{Body: body("hi"), Language: "EN"}, []Variant{{"", body("x")}}, "en=hi"},
		{"a new script", Input{Body: body("hi")}, nil, "=hi"},
		{"variants whole, default named", Input{Language: "ru", Variants: []Variant{{"en", body("a")}, {"ru", body("b")}}}, cur, "ru=b,en=a"},
	} {
		got, p := Merge(c.in, c.cur)
		if len(p) > 0 || langsSays(got) != c.want {
			t.Errorf("%s: %s %v, want %s", c.name, langsSays(got), p, c.want)
		}
	}
	if _, p := Merge(Input{Variants: []Variant{{"ru", body("a")}, {"RU", body("b")}}}, nil); len(p) != 1 || p[0].Field != "variants[1].language" {
		t.Errorf("a language twice: %v", p)
	}
	if _, p := Merge(Input{Variants: []Variant{{"en", body("a")}, {"", body("b")}}}, nil); len(p) != 1 || p[0].Field != "variants[1].language" {
		t.Errorf("a variant with no language beside others: %v", p)
	}
}

// A document stored before variants existed reads as one variant with no language, and
// what Encode writes is what the old readers read: the default variant at the top level.
func TestStoredDocuments(t *testing.T) {
	old := `{"start":"a","steps":[{"id":"a","say":"hi","end":{"disposition":"reached"}}]}`
	vs, err := Decode(old)
	if err != nil || len(vs) != 1 || vs[0].Language != "" || vs[0].Body.Steps[0].Say != "hi" {
		t.Fatalf("an old document: %+v %v", vs, err)
	}
	doc := Encode([]Variant{{"en", vs[0].Body}, {"ru", Body{Start: "a", Steps: []Step{{ID: "a", Say: "привет", End: &Ending{Disposition: "reached"}}}}}})
	var asOld Body
	back, err := Decode(doc)
	if err != nil || len(back) != 2 || back[1].Body.Steps[0].Say != "привет" || json.Unmarshal([]byte(doc), &asOld) != nil || asOld.Steps[0].Say != "hi" {
		t.Fatalf("a document with variants: %s %+v %v", doc, back, err)
	}
}
