package compact_test

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/portal/browsertest"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/recordings/compact"
	"github.com/wismo/wismo/recordings/rectest"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// Headless Chromium plays a compacted recording from the playback route: an <audio> element
// loads its metadata (Chrome reads the duration from the last Ogg page with a Range request),
// reports the recording's length and plays past its first second.
func TestBrowserPlaysCompactedRecording(t *testing.T) {
	storetest.OnePass(t)
	telephonytest.Require(t, "opusenc", "opus-tools")
	env := rectest.New(t)
	ctx := context.Background()
	rec := rectest.Record(t, env.Recs, rectest.Call(t, env.DB, env.Brand.ID, rectest.Now), env.Brand.ID, rectest.Now, 4000)
	svc := compact.New(env.DB, env.Recs, storetest.Logger(t), compact.Options{})
	svc.SetClock(func() time.Time { return time.Now().Add(48 * time.Hour) })
	if n, err := svc.Pass(ctx, 10); err != nil || n != 1 {
		t.Fatalf("compacted %d, %v", n, err)
	}
	if got, _ := env.Recs.Get(ctx, access.Operator(), rec.ID); got.Format != recordings.FormatOpus {
		t.Fatalf("not compacted: %+v", got)
	}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'self'")
		c.Type("html")
		return c.SendString(fmt.Sprintf(`<!doctype html><title>player</title><audio id="a" preload="auto" src="/api/v1/recordings/%d/audio"></audio>`, rec.ID))
	})
	// The portal signs staff in with a session cookie; here every request is the brand's key.
	signIn := func(c *fiber.Ctx) error {
		c.Request().Header.Set(fiber.HeaderAuthorization, "Bearer "+env.Key)
		return c.Next()
	}
	app.Use("/api", signIn, access.Authenticate(access.NewService(env.DB)))
	recordings.Routes(app, env.Recs)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { app.Shutdown() })

	bctx, _ := browsertest.New(t, browsertest.Options{})
	if err := chromedp.Do(bctx, chromedp.Navigate("http://"+ln.Addr().String()+"/")); err != nil {
		t.Fatal(err)
	}
	duration, err := chromedp.Run(bctx, chromedp.Evaluate[float64](`new Promise(r => { const a = document.getElementById('a');
		if (a.error) return r(-a.error.code);
		if (a.readyState >= 1 && isFinite(a.duration)) return r(a.duration);
		a.addEventListener('durationchange', () => isFinite(a.duration) && r(a.duration));
		a.addEventListener('loadedmetadata', () => isFinite(a.duration) && r(a.duration));
		a.addEventListener('error', () => r(-1)); })`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	played, err := chromedp.Run(bctx, chromedp.Evaluate[float64](`new Promise(r => { const a = document.getElementById('a'); a.muted = true;
		a.addEventListener('timeupdate', () => a.currentTime > 1 && r(a.currentTime));
		a.addEventListener('ended', () => r(a.currentTime));
		a.play().catch(() => r(-1)); })`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if duration < 3.9 || duration > 4.1 {
		t.Fatalf("the browser says the recording lasts %.3f s, want 4", duration)
	}
	if played <= 1 {
		t.Fatalf("the browser played to %.3f s", played)
	}
}
