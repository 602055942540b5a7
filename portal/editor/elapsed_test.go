package editor

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A rule on elapsed time is edited like the others: the trigger list offers the elapsed
// kinds, N is a field of the form, and a wrong N is shown beside it.
func TestEditorElapsedRule(t *testing.T) {
	e := newEditorEnv(t)
	mgr := e.manager("mgr@a.example")
	base := fmt.Sprintf("/editor/%d", e.brandA)
	page, token := e.page(mgr, base+"/rules/new")
	if !strings.Contains(page.body, "<option>customs_held</option>") || !strings.Contains(page.body, `id="n" name="n"`) {
		t.Fatalf("the new rule form lacks the elapsed triggers or N: %s", page.body)
	}
	form := url.Values{"_csrf": {token}, "name": {"Stuck at customs"}, "enabled": {"1"}, "trigger": {"customs_held"}, "n": {"many"},
		"action": {"open_case"}, "case_type": {"customs_and_duties"}}
	if r := mgr.do("POST", base+"/rules", form); r.status != http.StatusUnprocessableEntity || !strings.Contains(errorsFor(r.body, "n"), "whole number") {
		t.Fatalf("N not a number: %d %q", r.status, errorsFor(r.body, "n"))
	}
	form.Set("n", "0")
	if r := mgr.do("POST", base+"/rules", form); r.status != http.StatusUnprocessableEntity || !strings.Contains(errorsFor(r.body, "n"), "between 1 and 60") {
		t.Fatalf("N out of range: %d %q", r.status, errorsFor(r.body, "n"))
	}
	form.Set("n", "5")
	r := mgr.do("POST", base+"/rules", form)
	if r.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	if r := mgr.do("GET", strings.TrimSuffix(location(r), "?saved=1"), nil); !strings.Contains(r.body, `id="n" name="n" value="5"`) {
		t.Fatalf("saved rule's N not shown: %s", r.body)
	}
}
