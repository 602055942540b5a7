package editor

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wismo/wismo/ivr"
)

// TestHotlineMenuEditor (issue 19 item 1): a brand manager edits the hotline's greeting, menu
// and keys per language; a key used twice, an unknown placeholder or a text over the budget is
// refused beside its field with the input kept (in both languages of the page); "Listen" plays
// greeting, sample status and menu as typed (a WAV from the preview API); saving keeps them;
// the other brand's manager cannot open the page.
func TestHotlineMenuEditor(t *testing.T) {
	e := newEditorEnv(t)
	base := fmt.Sprintf("/editor/%d/hotline-menu", e.brandA)
	mgr := e.manager("mgr@a.example")
	r, token := e.page(mgr, base)
	if r.status != http.StatusOK || !strings.Contains(r.body, `id="hotline-ru"`) || !strings.Contains(r.body, `id="hotline-en"`) ||
		!strings.Contains(r.body, html.EscapeString("{sms}")) || !strings.Contains(r.body, "Hotline self-service menu") {
		t.Fatalf("the page: %d %.500s", r.status, r.body)
	}
	greeting := "Здравствуйте, это {brand}."
	form := url.Values{"_csrf": {token}, "lang": {"ru"}, "greeting": {greeting}, "menu": {""},
		"again": {"1"}, "other_days": {"2"}, "sms": {"2"}, "agent": {"0"}, "op": {"save"}}
	r = mgr.do("POST", base, form)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="sms-ru" name="sms" value="2" maxlength="1" inputmode="numeric" class="mono" aria-invalid="true"`) ||
		!strings.Contains(r.body, html.EscapeString(greeting)) {
		t.Fatalf("a key used twice: %d %.3000s", r.status, r.body)
	}
	form.Set("sms", "3")
	form.Set("menu", "Press {again} or {parcel}")
	if r = mgr.do("POST", base, form); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "{parcel}") ||
		!strings.Contains(r.body, `aria-invalid="true">Press {again} or {parcel}</textarea>`) {
		t.Fatalf("an unknown placeholder: %d %.3000s", r.status, r.body)
	}
	form.Set("menu", strings.Repeat("a", ivr.MaxTextRunes+1))
	form.Set("lang", "en")
	if r = mgr.do("POST", base+"?lang=en", form); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, fmt.Sprint(ivr.MaxTextRunes)) ||
		!strings.Contains(r.body, `id="menu-en" name="menu"`) {
		t.Fatalf("a text over the budget: %d %.3000s", r.status, r.body)
	}
	form.Set("lang", "ru")
	form.Set("menu", "Нажмите {again}, чтобы повторить, {sms} для СМС, {agent} для оператора.")
	form.Set("op", "listen")
	r = mgr.do("POST", base, form)
	src := playerOf(r.body, "ru")
	if r.status != http.StatusOK || !strings.Contains(src, "greeting=") || !strings.Contains(src, "/api/v1/ivr/prompts/hotline/preview") {
		t.Fatalf("listen: %d, audio %q", r.status, src)
	}
	wav := mgr.do("GET", src, nil)
	if wav.status != http.StatusOK || ivr.CheckWAV([]byte(wav.body)) != nil {
		t.Fatalf("the preview of the typed menu: %d %v", wav.status, ivr.CheckWAV([]byte(wav.body)))
	}
	form.Set("op", "save")
	if r = mgr.do("POST", base, form); r.status != http.StatusSeeOther {
		t.Fatalf("save: %d %.500s", r.status, r.body)
	}
	r, _ = e.page(mgr, base)
	if !strings.Contains(r.body, html.EscapeString(greeting)+"</textarea>") || !strings.Contains(r.body, `name="sms" value="3"`) {
		t.Fatalf("the saved menu is not shown: %.3000s", r.body)
	}
	r, _ = e.page(mgr, base+"?lang=ru")
	if !strings.Contains(r.body, "Меню самообслуживания горячей линии") {
		t.Fatalf("the Russian page: %.500s", r.body)
	}
	other := e.manager("mgr@b.example")
	if r := other.do("GET", base, nil); r.status != http.StatusNotFound {
		t.Fatalf("brand B's manager opened brand A's hotline menu: %d", r.status)
	}
}

// playerOf is the address of the page's audio player of lang.
func playerOf(body, lang string) string {
	var src string
	for _, m := range audioSrc.FindAllStringSubmatch(body, -1) {
		if strings.Contains(m[1], "lang="+lang) {
			src = html.UnescapeString(m[1])
		}
	}
	return src
}
