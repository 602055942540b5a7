package editor

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/wismo/wismo/ivr"
)

var audioSrc = regexp.MustCompile(`<audio [^>]*src="([^"]+)"`)

// TestRobocallEditor (issue 16 item 5): a brand manager edits the automated call's text and
// keys per language; a wrong key or placeholder is refused beside its field with the input
// kept; "Listen" plays the text as typed (a WAV from the preview API), saving keeps it, and the
// other brand's manager cannot open the page.
func TestRobocallEditor(t *testing.T) {
	e := newEditorEnv(t)
	base := fmt.Sprintf("/editor/%d/robocall", e.brandA)
	mgr := e.manager("mgr@a.example")
	r, token := e.page(mgr, base)
	if !strings.Contains(r.body, `id="robocall-ru"`) || !strings.Contains(r.body, `id="robocall-en"`) ||
		!strings.Contains(r.body, html.EscapeString("{parcel}")) {
		t.Fatalf("the page: %.500s", r.body)
	}
	text := "Это {brand}. Посылка {parcel} приедет {date}. Нажмите {confirm}."
	form := url.Values{"_csrf": {token}, "lang": {"ru"}, "text": {text}, "confirm": {"5"}, "other_days": {"5"}, "agent": {"0"}, "op": {"save"}}
	r = mgr.do("POST", base, form)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="other-ru" name="other_days" value="5" maxlength="1" inputmode="numeric" class="mono" aria-invalid="true"`) ||
		!strings.Contains(r.body, html.EscapeString(text)) {
		t.Fatalf("a key used twice: %d %.3000s", r.status, r.body)
	}
	form.Set("text", "Hi {name}")
	form.Set("other_days", "6")
	if r = mgr.do("POST", base, form); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "{name}") ||
		!strings.Contains(r.body, `aria-invalid="true">Hi {name}</textarea>`) {
		t.Fatalf("an unknown placeholder: %d %.3000s", r.status, r.body)
	}
	form.Set("text", text)
	form.Set("op", "listen")
	r = mgr.do("POST", base, form)
	src := playerOf(r.body, "ru")
	if r.status != http.StatusOK || !strings.Contains(src, "text=") {
		t.Fatalf("listen: %d, audio %q", r.status, src)
	}
	wav := mgr.do("GET", src, nil)
	if wav.status != http.StatusOK || ivr.CheckWAV([]byte(wav.body)) != nil {
		t.Fatalf("the preview of the typed text: %d %v", wav.status, ivr.CheckWAV([]byte(wav.body)))
	}
	form.Set("op", "save")
	if r = mgr.do("POST", base, form); r.status != http.StatusSeeOther {
		t.Fatalf("save: %d %.500s", r.status, r.body)
	}
	r, _ = e.page(mgr, base)
	if !strings.Contains(r.body, html.EscapeString(text)+"</textarea>") || !strings.Contains(r.body, `name="confirm" value="5"`) {
		t.Fatalf("the saved prompt is not shown: %.3000s", r.body)
	}
	other := e.manager("mgr@b.example")
	if r := other.do("GET", base, nil); r.status != http.StatusNotFound {
		t.Fatalf("brand B's manager opened brand A's robocall page: %d", r.status)
	}
}
