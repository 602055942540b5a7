// Package browsertest drives a real headless Chromium (Debian package `chromium`) with
// chromedp for wismo's end-to-end page tests: the agent's desktop, the customer's tracking
// page, the editors and dashboards. A missing browser fails the test and names the package.
package browsertest

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Options tune the browser.
type Options struct {
	// FakeAudio is a 48 kHz 16-bit WAV the fake microphone plays (the agent's voice).
	FakeAudio string
	// Width and Height of the window; default 1280x800.
	Width, Height int
	// Timeout bounds the whole browser session; default 2 minutes.
	Timeout time.Duration
}

// Binary finds Chromium or fails the test saying what to install.
func Binary(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("headless Chromium is needed for this browser test: install the Debian package `chromium` (make test-deps does it)")
	return ""
}

// New starts a fresh headless Chromium (own profile in a temp dir) and returns a chromedp
// context for it; the browser is closed when the test ends. Close the returned cancel
// function earlier to simulate the user closing the browser.
func New(t testing.TB, o Options) (context.Context, context.CancelFunc) {
	t.Helper()
	if o.Width == 0 {
		o.Width, o.Height = 1280, 800
	}
	if o.Timeout == 0 {
		o.Timeout = 2 * time.Minute
	}
	flags := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Binary(t)),
		chromedp.Flag("headless", "new"),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("allow-loopback-in-peer-connection", true),
		chromedp.Flag("disable-features", "WebRtcHideLocalIpsWithMdns"),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(o.Width, o.Height),
	}
	if o.FakeAudio != "" {
		flags = append(flags, chromedp.Flag("use-file-for-fake-audio-capture", o.FakeAudio))
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), flags...)
	tctx, cancelTime := context.WithTimeout(actx, o.Timeout)
	ctx, cancelTab := chromedp.NewContext(tctx, chromedp.WithErrorf(t.Logf))
	if err := chromedp.Do(ctx); err != nil {
		cancelTab()
		cancelTime()
		cancelAlloc()
		t.Fatalf("start headless Chromium: %v", err)
	}
	stop := func() { cancelTab(); cancelTime(); cancelAlloc() }
	t.Cleanup(stop)
	return ctx, stop
}

// Screenshot saves the whole page as a PNG into dir (created when missing), for people to
// look at: docs/screenshots in the repository.
func Screenshot(t testing.TB, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // below 100 Chromium answers JPEG
	save(t, png, err, dir, name)
}

// ViewportScreenshot saves what the window shows, the size a person sees, as a PNG.
func ViewportScreenshot(t testing.TB, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	save(t, png, err, dir, name)
}

func save(t testing.TB, png []byte, err error, dir, name string) {
	t.Helper()
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Overflowing names the elements that stick out of the window on the right ("" when none):
// a page must not scroll sideways (wide tables scroll inside a box of class "scroll").
func Overflowing(t testing.TB, ctx context.Context) string {
	t.Helper()
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.scrollWidth <= window.innerWidth + 1 ? "" :
		[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest(".scroll"))
			.slice(0, 8).map(e => e.tagName + (e.id ? "#" + e.id : "") + " " + Math.round(e.getBoundingClientRect().right)).join(", ") || "scrollWidth " + document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatal(err)
	}
	return wide
}

// EnvScreenshots names the folder browser tests save their screenshots in; `make screenshots`
// sets it to the repository's docs/screenshots. Unset, they go to the test's temp dir: the
// test still takes them (a page that cannot be captured fails), and a test run leaves the
// checkout as it found it.
const EnvScreenshots = "WISMO_SCREENSHOTS_DIR"

// ScreenshotsDir is where a browser test saves its screenshots (EnvScreenshots).
func ScreenshotsDir(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv(EnvScreenshots); dir != "" {
		return dir
	}
	return t.TempDir()
}

// CSPViolations starts collecting what the page's console says about the
// Content-Security-Policy blocking something (a script, a style, a connection), from now on
// in the browser of ctx; the returned func lists the messages so far.
func CSPViolations(ctx context.Context) func() []string {
	var mu sync.Mutex
	var got []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if strings.Contains(m.Text, "Content Security Policy") {
				mu.Lock()
				got = append(got, m.Text)
				mu.Unlock()
			}
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(got)
	}
}

// LogIn signs email in through wismo's login form in the browser of ctx, asking for next
// (a path), and waits until the element wait (a CSS selector) of that page shows.
func LogIn(ctx context.Context, base, email, password, next, wait string) error {
	return chromedp.Do(ctx, chromedp.Navigate(base+"/login?next="+url.QueryEscape(next)),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS(wait)))
}
