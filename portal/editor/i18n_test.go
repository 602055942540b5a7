package editor

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/wismo/wismo/i18n"
)

// Every editor page, in Russian (the lang cookie a ?lang= link sets), shows no text of the
// English catalog: the editors' words went through the catalog (issue 15 item 5).
func TestEditorPagesInRussian(t *testing.T) {
	e := newEditorEnv(t)
	ctx := context.Background()
	ru, en := i18n.New(i18n.RU, nil), i18n.New(i18n.EN, nil)
	var english []string
	for k, v := range i18n.Default().Texts(i18n.EN, "") {
		if len([]rune(v)) >= 12 && !strings.ContainsAny(v, "{%") && ru.T(k) != en.T(k) {
			english = append(english, v)
		}
	}
	tpls, err := e.scripts.Templates(ctx, e.brandA)
	if err != nil || len(tpls) == 0 {
		t.Fatalf("templates: %v %d", err, len(tpls))
	}
	rules, err := e.scripts.Rules(ctx, e.brandA)
	if err != nil || len(rules) == 0 {
		t.Fatalf("rules: %v %d", err, len(rules))
	}
	// The brand's own words (rule names such as "Cash on delivery: call before it goes out")
	// are its data, not the page's.
	var data []string
	for _, r := range rules {
		data = append(data, r.Name)
	}
	isData := func(s string) bool {
		for _, d := range data {
			if strings.Contains(d, s) {
				return true
			}
		}
		return false
	}
	base := fmt.Sprintf("/editor/%d", e.brandA)
	mgr := e.manager("mgr@a.example")
	mgr.cookies["lang"] = "ru"
	two := e.manager("mgr@ab.example")
	two.cookies["lang"] = "ru"
	if r := two.do("GET", "/editor", nil); r.status != http.StatusOK || !strings.Contains(r.body, "Выберите бренд") {
		t.Errorf("the brand list in Russian: %d %s", r.status, r.body)
	}
	for _, p := range []string{base, base + "/templates/new?channel=sms", base + "/templates/new?channel=email",
		fmt.Sprintf("%s/templates/%d", base, tpls[0].ID), base + "/scripts/new", base + "/rules/new",
		fmt.Sprintf("%s/rules/%d", base, rules[0].ID), base + "/calling", base + "/robocall", base + "?saved=2"} {
		r := mgr.do("GET", p, nil)
		if r.status != http.StatusOK || !strings.Contains(r.body, `<html lang="ru">`) {
			t.Errorf("GET %s: %d %.300s", p, r.status, r.body)
			continue
		}
		for _, s := range english {
			if (strings.Contains(r.body, s) || strings.Contains(r.body, html.EscapeString(s))) && !isData(s) {
				t.Errorf("%s: English text %q on the Russian page", p, s)
			}
		}
	}
	if r := mgr.do("GET", base+"?saved=2", nil); !strings.Contains(r.body, "Опубликована версия 2.") {
		t.Errorf("the notice after publishing, in Russian: %s", r.body)
	}
}
