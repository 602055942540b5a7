package editor

import (
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/branding"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/conversation"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/macros"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/portal/browsertest"
	"github.com/wismo/wismo/portal/casepages"
	"github.com/wismo/wismo/reports"
	"github.com/wismo/wismo/scripts"
	"github.com/wismo/wismo/search"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
)

// Every staff page passes axe-core with no serious or critical violation, and every one can
// be used from the keyboard: the header's links, the search box and the page's first form
// are reached with Tab, and the focused element is visibly outlined (issue 15 item 8). It
// runs here, where the editors are mounted beside the portal's own pages, in English; the
// Russian pages are checked over HTTP (TestStaffPagesInRussian, TestEditorPagesInRussian).
func TestStaffPagesAccessible(t *testing.T) {
	storetest.OnePass(t)
	db := storetest.Open(t)
	log := storetest.Logger(t)
	ctx := context.Background()
	acc := access.NewService(db)
	cs := tracking.NewService(db, log, nil)
	dl, err := dialer.New(db, log, dialer.Options{PublicURL: "http://127.0.0.1:8080"})
	if err != nil {
		t.Fatal(err)
	}
	sc := scripts.New(db, log, scripts.Options{PublicURL: "http://127.0.0.1:8080", Planner: dl, Parcels: cs, Brands: acc})
	caseSvc := cases.NewCaseService(db, log, "http://127.0.0.1:8080")
	app := portal.New(portal.Deps{Log: log, DB: db, Access: acc, Cases: cs, PublicURL: "http://127.0.0.1:8080",
		Dashboard: reports.NewDashboard(db, caseSvc), DeadLetters: outbox.NewDeadLetters(db), Search: search.New(db, search.NewEmbeddedBackend(db)),
		Routes: []func(fiber.Router){func(r fiber.Router) {
			Routes(r, Options{Access: acc, Scripts: sc, Dialer: dl, Looks: branding.New(db)})
			replies := conversation.New(db, log, dl, sc, caseSvc, cs)
			casepages.Routes(r, casepages.Options{Access: acc, Cases: caseSvc, Tracking: cs, Replier: replies,
				Macros: macros.New(db, caseSvc, replies)})
		}}})
	a, keyA, err := acc.CreateBrand(ctx, "Brand A")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acc.CreateUser(ctx, "admin@example", editorPassword, access.RoleAdmin, nil); err != nil {
		t.Fatal(err)
	}
	if err := sc.EnsureStandardFlow(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	ingest(t, app, keyA)
	kase, err := caseSvc.Open(ctx, access.Brands(a.ID), cases.Actor{Label: "system", System: true},
		cases.CaseInput{Parcels: []string{"RB123456785GB"}, Type: string(cases.TypeDamage)})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)                                            //nolint:errcheck
	t.Cleanup(func() { app.ShutdownWithTimeout(5 * time.Second) }) //nolint:errcheck
	base := "http://" + ln.Addr().String()

	bctx, _ := browsertest.New(t, browsertest.Options{Width: 1280, Height: 900, Timeout: 3 * time.Minute})
	if err := chromedp.Do(bctx, chromedp.Navigate(base+"/login?next=/settings"), chromedp.WaitVisible(chromedp.CSS("#email"))); err != nil {
		t.Fatal(err)
	}
	browsertest.AssertAccessible(t, bctx, "/login")
	if err := chromedp.Do(bctx,
		chromedp.SendKeys(chromedp.CSS("#email"), "admin@example"),
		chromedp.SendKeys(chromedp.CSS("#password"), editorPassword+"\r"), // Enter submits: no mouse
		chromedp.WaitVisible(chromedp.CSS("#set-lang")),
	); err != nil {
		t.Fatal(err)
	}
	eb := fmt.Sprintf("/editor/%d", a.ID)
	for _, p := range []string{"/settings", "/desk", "/search?q=RB123456785GB", "/dashboard", "/dead-letters", eb,
		eb + "/templates/new?channel=sms", eb + "/templates/new?channel=email", eb + "/scripts/new", eb + "/rules/new", eb + "/calling", eb + "/look",
		"/cases", "/cases?view=open", "/cases/" + kase.Number, "/cases/macros", "/no-such-page"} {
		if err := chromedp.Do(bctx, chromedp.Navigate(base+p), chromedp.WaitReady(chromedp.CSS("#main"))); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		browsertest.AssertAccessible(t, bctx, p)
		if p == "/no-such-page" {
			continue
		}
		// Keyboard: Tab from the top of the page reaches the skip link, the header's links and
		// the search box, each visibly outlined when it has focus.
		if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`(() => { const h = document.documentElement;
			h.setAttribute("tabindex", "-1"); h.focus(); h.removeAttribute("tabindex"); return true; })()`)); err != nil {
			t.Fatal(err)
		}
		var reached []string
		for range 14 {
			if err := chromedp.Do(bctx, chromedp.KeyEvent(kb.Tab)); err != nil {
				t.Fatal(err)
			}
			el, err := chromedp.Run(bctx, chromedp.Evaluate[string](`(() => {
				const el = document.activeElement, s = getComputedStyle(el);
				const shown = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== "none";
				return (el.id || el.getAttribute("href") || el.tagName) + (shown ? "" : " (focus not visible)");
			})()`))
			if err != nil {
				t.Fatal(err)
			}
			reached = append(reached, el)
		}
		box := "bar-q" // the header's search box; the search page has its own instead
		if strings.HasPrefix(p, "/search") {
			box = "search-q"
		}
		for _, want := range []string{"#main", "/desk", "/search", "/settings", box} {
			if !slices.Contains(reached, want) {
				t.Errorf("%s: Tab does not reach %s (reached %q)", p, want, reached)
			}
		}
		for _, r := range reached {
			if strings.HasSuffix(r, "(focus not visible)") && !strings.HasPrefix(r, "BODY") { // BODY: Tab went past the page's last control
				t.Errorf("%s: %s", p, r)
			}
		}
	}
}

// ingest posts the test parcel (RB123456785GB) through the API.
func ingest(t *testing.T, app *fiber.App, key string) {
	t.Helper()
	req := httptest.NewRequest("POST", "/api/v1/parcels", strings.NewReader(parcelJSON))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	if resp, err := app.Test(req, -1); err != nil || resp.StatusCode != 200 {
		t.Fatalf("ingest the parcel: %v %v", err, resp)
	}
}
