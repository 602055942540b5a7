package scripts

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/tracking"
)

// The standard script ships in English and Russian; the recipient's language picks the
// variant, then the brand's default, then the first; the API round-trips variants and old
// clients that send one body keep working.
func TestScriptVariants(t *testing.T) {
	e := newEnv(t)
	a := newAPI(e)
	key := e.key
	ru := tracking.MakeS10("RB", 730101, "GB")
	e.parcel(ru, "")
	de := tracking.MakeS10("RB", 730102, "GB")
	e.parcel(de, "", func(in *tracking.ParcelInput) { in.Recipient.Language = "de" })

	var list struct{ Scripts []CallScript }
	if code := a.do("GET", "/api/v1/scripts", key, nil, &list); code != 200 || len(list.Scripts) != 1 {
		t.Fatalf("scripts: %d %+v", code, list.Scripts)
	}
	std := list.Scripts[0]
	if strings.Join(std.Languages(), ",") != "en,ru" || std.Language != "en" || !strings.HasPrefix(std.Body.Steps[0].Say, "Hello") {
		t.Fatalf("the standard script's variants: %q %q %q", std.Languages(), std.Language, std.Body.Steps[0].Say)
	}
	run := func(parcel, lang string) CallScript {
		t.Helper()
		var out CallScript
		q := fmt.Sprintf("/api/v1/scripts/%d/run?parcel=%s", std.ID, parcel)
		if lang != "" {
			q += "&lang=" + lang
		}
		if code := a.do("GET", q, key, nil, &out); code != 200 {
			t.Fatalf("run %s: %d", q, code)
		}
		return out
	}
	r := run(ru, "")
	if r.Language != "ru" || !strings.HasPrefix(r.Body.Steps[0].Say, "Здравствуйте") || !strings.Contains(r.Body.Steps[0].Say, ru) ||
		strings.Join(r.Offered, ",") != "en,ru" {
		t.Fatalf("a Russian recipient's call: %q %q %v", r.Language, r.Body.Steps[0].Say, r.Offered)
	}
	if r := run(ru, "en"); r.Language != "en" || !strings.HasPrefix(r.Body.Steps[0].Say, "Hello") {
		t.Fatalf("the agent switches to English: %q %q", r.Language, r.Body.Steps[0].Say)
	}
	if r := run(de, ""); r.Language != "en" {
		t.Fatalf("no German variant, brand default en: %q", r.Language)
	}
	if _, err := e.svc.SetSettings(context.Background(), e.brand, Settings{FreshLimit: dialer.Duration(24 * time.Hour), DefaultLanguage: "ru"}); err != nil {
		t.Fatal(err)
	}
	if r := run(de, ""); r.Language != "ru" {
		t.Fatalf("no German variant, brand default ru: %q", r.Language)
	}

	// An old client changes the body only: the default variant changes, Russian stays.
	var saved CallScript
	body := standardScriptEN()
	body.Steps[0].Say = "Good day from {{.brand.name}}. Is that {{.recipient.name}}?"
	if code := a.do("PUT", fmt.Sprintf("/api/v1/scripts/%d", std.ID), key, map[string]any{"body": body}, &saved); code != 200 ||
		saved.Version != 2 || saved.Body.Steps[0].Say != body.Steps[0].Say || strings.Join(saved.Languages(), ",") != "en,ru" {
		t.Fatalf("one-body save: %d v%d %v", code, saved.Version, saved.Languages())
	}
	if r := run(ru, ""); r.Language != "ru" || !strings.HasPrefix(r.Body.Steps[0].Say, "Здравствуйте") {
		t.Fatalf("Russian after an old client's save: %q", r.Body.Steps[0].Say)
	}
	if r := run(ru, "en"); !strings.HasPrefix(r.Body.Steps[0].Say, "Good day") {
		t.Fatalf("English after an old client's save: %q", r.Body.Steps[0].Say)
	}

	// Round trip: what GET returns, changed and sent back, is saved.
	var got CallScript
	if code := a.do("GET", fmt.Sprintf("/api/v1/scripts/%d", std.ID), key, nil, &got); code != 200 || len(got.Variants) != 2 {
		t.Fatalf("get: %d %+v", code, got.Variants)
	}
	got.Variants[1].Body.Steps[0].Say = "Добрый день! Это {{.recipient.name}}?"
	if code := a.do("PUT", fmt.Sprintf("/api/v1/scripts/%d", std.ID), key, got, &saved); code != 200 || saved.Version != 3 ||
		saved.Variant("ru").Body.Steps[0].Say != got.Variants[1].Body.Steps[0].Say || saved.Body.Steps[0].Say != body.Steps[0].Say {
		t.Fatalf("round trip: %d v%d %+v", code, saved.Version, saved.Variants)
	}

	// A new one-language script from an old client: no language, one variant, always shown.
	var one CallScript
	if code := a.do("POST", "/api/v1/scripts", key, map[string]any{"name": "plain", "body": ScriptBody{Start: "a",
		Steps: []Step{{ID: "a", Say: "Hi {{.recipient.name}}", End: &Ending{Disposition: "reached"}}}}}, &one); code != 201 || one.Language != "" || len(one.Variants) != 1 {
		t.Fatalf("one-language script: %d %+v", code, one)
	}
	var r1 CallScript
	if code := a.do("GET", fmt.Sprintf("/api/v1/scripts/%d/run?parcel=%s", one.ID, ru), key, nil, &r1); code != 200 || r1.Body.Steps[0].Say != "Hi Петров Иван" {
		t.Fatalf("one-language run: %d %+v", code, r1.Body)
	}

	// Two variants of one language are refused, naming the field.
	var bad struct{ Problems []Problem }
	if code := a.do("PUT", fmt.Sprintf("/api/v1/scripts/%d", std.ID), key, ScriptInput{Variants: []Variant{
		{Language: "ru", Body: standardScriptRU()}, {Language: "RU", Body: standardScriptRU()}}}, &bad); code != 422 ||
		len(bad.Problems) != 1 || bad.Problems[0].Field != "variants[1].language" {
		t.Fatalf("duplicate language: %d %+v", code, bad.Problems)
	}
}
