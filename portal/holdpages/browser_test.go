package holdpages_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wismo/wismo/portal/browsertest"
	"github.com/wismo/wismo/store/storetest"
)

// TestHoldCardInBrowser: a supervisor in headless Chromium submits the hold form empty (the
// browser sends it: the field is not marked required, so the server's 422 is what they see,
// beside the field), then with a reason, and sees the active hold; in Russian too. Nothing is
// blocked by the Content-Security-Policy. Screenshots: case-hold-en.png, case-hold-ru.png.
func TestHoldCardInBrowser(t *testing.T) {
	storetest.OnePass(t)
	e := newEnv(t)
	c := e.openCase(e.ScopeA(), "RB123456785GB")
	if _, err := e.holds.PlaceHold(context.Background(), e.BrandA, c.ID, "Customer's claim 4471", "user:sup@a.example"); err != nil {
		t.Fatal(err)
	}
	base := browsertest.Serve(t, e.app)
	ctx, _ := browsertest.New(t, browsertest.Options{})
	violations := browsertest.CSPViolations(ctx)
	path := "/cases/" + c.Number
	if err := browsertest.LogIn(ctx, base, "sup@a.example", password, path, "#holds"); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#hold-place button")),
		chromedp.WaitVisible(chromedp.CSS("#hold-reason-error")),
	); err != nil {
		t.Fatal(err)
	}
	dir := browsertest.ScreenshotsDir(t)
	top(t, ctx)
	browsertest.ViewportScreenshot(t, ctx, dir, "case-hold-error-en.png")
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#hold-reason"), "Court order 12/2026"),
		chromedp.Click(chromedp.CSS("#hold-place button")),
		chromedp.WaitVisible(chromedp.CSS("#holds-done")),
	); err != nil {
		t.Fatal(err)
	}
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#holds-active > li").length`))
	if err != nil || n != 2 {
		t.Errorf("active holds shown: %d (%v), want 2", n, err)
	}
	for _, lang := range []string{"en", "ru"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+path+"?lang="+lang), chromedp.WaitVisible(chromedp.CSS("#holds"))); err != nil {
			t.Fatal(err)
		}
		top(t, ctx)
		if wide := browsertest.Overflowing(t, ctx); wide != "" {
			t.Errorf("%s: the case page is wider than the window: %s", lang, wide)
		}
		browsertest.ViewportScreenshot(t, ctx, dir, "case-hold-"+lang+".png")
	}
	if v := violations(); len(v) > 0 {
		t.Errorf("the Content-Security-Policy blocked part of the case page: %q", v)
	}
}

// top scrolls the hold card to the top of the window.
func top(t *testing.T, ctx context.Context) {
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.getElementById("holds").scrollIntoView({block: "start"}), true)`)); err != nil {
		t.Fatal(err)
	}
}
