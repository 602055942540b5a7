package portal

import (
	"net/http"
	"strings"
	"testing"

	"github.com/wismo/wismo/access"
)

// The case page's "Call the recipient" opens the desk with case=: the desk carries the
// case to its script (which links the call placed to that number, and names the case in
// the call card); anything but a case number is dropped.
func TestDeskOpenedForACase(t *testing.T) {
	f := newFixture(t)
	newStaff(t, f, "agent@a.example", access.RoleAgent)
	b := &browser{t: t, app: f.app, cookies: map[string]string{}}
	if r := b.login("agent@a.example", staffPass, "/desk"); r.status != http.StatusSeeOther {
		t.Fatalf("login: %d", r.status)
	}
	r := b.do("GET", "/desk?brand=1&call=%2B79131234567&parcel=RB123456785GB&case=A-261206-0007", nil)
	if r.status != 200 || !strings.Contains(r.body, `data-call-case="A-261206-0007"`) || !strings.Contains(r.body, `data-call-to="&#43;79131234567"`) {
		t.Fatalf("the desk for a case: %d %s", r.status, r.body)
	}
	for _, bad := range []string{"%22%3E%3Cscript%3E", "A%20B"} {
		if r := b.do("GET", "/desk?call=%2B79131234567&case="+bad, nil); r.status != 200 || !strings.Contains(r.body, `data-call-case=""`) {
			t.Fatalf("case=%s: %d", bad, r.status)
		}
	}
	if r := b.do("GET", "/static/desk_cases.js", nil); !strings.Contains(r.body, "wismo:dial") || !strings.Contains(r.body, "callCase") {
		t.Fatalf("desk_cases.js links the dialled call to the case")
	}
}
