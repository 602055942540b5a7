package callsections_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/portal/browsertest"
	"github.com/wismo/wismo/store/storetest"
)

// TestCallPageInBrowser: an admin (who sees every section) opens the call page in headless
// Chromium in English and Russian: every section is there, nothing is blocked by the
// Content-Security-Policy and nothing sticks out sideways. The screenshots go to
// $WISMO_SCREENSHOTS_DIR (call-page-en.png, call-page-ru.png).
func TestCallPageInBrowser(t *testing.T) {
	storetest.OnePass(t)
	e := newEnv(t)
	if _, err := e.Access.CreateUser(context.Background(), "admin@example.com", password, access.RoleAdmin, nil); err != nil {
		t.Fatal(err)
	}
	base := browsertest.Serve(t, e.app)
	ctx, _ := browsertest.New(t, browsertest.Options{})
	violations := browsertest.CSPViolations(ctx)
	path := "/calls/" + strconv.FormatInt(e.call, 10)
	if err := browsertest.LogIn(ctx, base, "admin@example.com", password, path, "#call-audit"); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "ru"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+path+"?lang="+lang), chromedp.WaitVisible(chromedp.CSS("#call-audit"))); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"call-review", "call-transcript", "call-monitor", "call-audit"} {
			n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#`+id+`").length`))
			if err != nil || n != 1 {
				t.Errorf("%s: #%s shown %d times (%v)", lang, id, n, err)
			}
		}
		if wide := browsertest.Overflowing(t, ctx); wide != "" {
			t.Errorf("%s: the call page is wider than the window: %s", lang, wide)
		}
		browsertest.Screenshot(t, ctx, browsertest.ScreenshotsDir(t), "call-page-"+lang+".png")
	}
	if v := violations(); len(v) > 0 {
		t.Errorf("the Content-Security-Policy blocked part of the call page: %q", v)
	}
}
