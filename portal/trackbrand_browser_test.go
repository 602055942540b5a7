package portal

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wismo/wismo/portal/browsertest"
	"github.com/wismo/wismo/store/storetest"
)

// The tracking page in a real browser, over demo data with the first brand in its look: for a
// parcel in every phase, on a 360 px phone in Russian and on a desktop in English, axe-core
// finds no serious or critical violation, nothing scrolls sideways on the phone, the logo
// loads, the header's colours are the brand's and the Content-Security-Policy blocks nothing
// (the colours come as a stylesheet). Screenshots of the branded page go to docs/screenshots
// under `make screenshots-tests`.
func TestBrandedTrackingPageInBrowser(t *testing.T) {
	storetest.OnePass(t)
	w := newDemoTrackWorld(t, 300)
	app := New(w.deps)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)                                            //nolint:errcheck
	t.Cleanup(func() { app.ShutdownWithTimeout(5 * time.Second) }) //nolint:errcheck
	base := "http://" + ln.Addr().String()
	shots := browsertest.ScreenshotsDir(t)

	for _, v := range []struct {
		name, lang    string
		width, height int
	}{{"phone", "ru", 360, 780}, {"desktop", "en", 1280, 900}} {
		t.Run(v.name, func(t *testing.T) {
			bctx, _ := browsertest.New(t, browsertest.Options{Width: v.width, Height: v.height, Timeout: 4 * time.Minute})
			csp := browsertest.CSPViolations(bctx)
			opts := []chromedp.EmulateViewportOption{}
			if v.name == "phone" {
				opts = append(opts, chromedp.EmulateMobile)
			}
			if err := chromedp.Do(bctx, chromedp.EmulateViewport(int64(v.width), int64(v.height), opts...)); err != nil {
				t.Fatal(err)
			}
			for _, key := range w.keys() {
				if v.name == "desktop" && !strings.HasSuffix(key, "/branded") {
					continue // the neutral look on the desktop is TestTrackingPageInBrowser's
				}
				if err := chromedp.Do(bctx, chromedp.Navigate(base+"/track/"+w.byPhase[key]+"?lang="+v.lang), chromedp.WaitVisible(chromedp.CSS("#pid"))); err != nil {
					t.Fatalf("%s: %v", key, err)
				}
				browsertest.AssertAccessible(t, bctx, key+" "+v.name)
				if wide := browsertest.Overflowing(t, bctx); wide != "" {
					t.Errorf("%s on a %d px %s scrolls sideways: %s", key, v.width, v.name, wide)
				}
				fits, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
				if err != nil || !fits {
					t.Errorf("%s: scrollWidth > innerWidth at %d px (%v)", key, v.width, err)
				}
				if !strings.HasSuffix(key, "/branded") {
					continue
				}
				look, err := chromedp.Run(bctx, chromedp.Evaluate[string](`(() => { const img = document.querySelector(".brandbar img.logo"),
					bar = getComputedStyle(document.querySelector(".brandbar"));
					return (img && img.complete && img.naturalWidth > 0 ? "logo " : "no logo ") + bar.backgroundColor + " " + bar.color +
						" " + (document.querySelector("#hotline") || {}).href })()`))
				if err != nil || look != "logo rgb(92, 26, 40) rgb(255, 255, 255) tel:+74957771234" {
					t.Errorf("%s: the brand's header is %q (%v)", key, look, err)
				}
			}
			if got := csp(); len(got) > 0 {
				t.Errorf("the Content-Security-Policy blocked: %q", got)
			}
			id := w.byPhase["delivery_attempted/branded"]
			if id == "" {
				id = w.byPhase["in_transit/branded"]
			}
			if err := chromedp.Do(bctx, chromedp.Navigate(base+"/track/"+id+"?lang="+v.lang), chromedp.WaitVisible(chromedp.CSS("#pid"))); err != nil {
				t.Fatal(err)
			}
			browsertest.ViewportScreenshot(t, bctx, shots, "track-branded-"+v.name+".png")
		})
	}
}
