package portal

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/demo"
	"github.com/wismo/wismo/portal/browsertest"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
)

// A customer in a real browser: looks a demo parcel up from the search box, sees its phases
// and what we sent and called, writes to us and gets a case number. Screenshots at desktop and
// phone width go to docs/screenshots.
func TestTrackingPageInBrowser(t *testing.T) {
	storetest.OnePass(t)
	db := storetest.Open(t)
	log := storetest.Logger(t)
	acc := access.NewService(db)
	reg := prometheus.NewRegistry()
	parcels := tracking.NewService(db, log, reg)
	desk := cases.NewCaseService(db, log, "http://127.0.0.1")
	ctx := context.Background()
	now := time.Now().UTC()
	sum, err := demo.Run(ctx, demo.Options{Parcels: 40, Seed: 7, Now: now}, acc, parcels, log)
	if err != nil {
		t.Fatal(err)
	}
	// A parcel on its way (one the customer may still redirect).
	var parcel tracking.ParcelView
	for _, id := range sum.Sample {
		v, err := parcels.Parcel(ctx, access.Operator(), id)
		if err == nil && len(v.Events) > 2 && v.Phase != tracking.PhaseDelivered && v.Phase != tracking.PhaseReturned && v.Phase != tracking.PhaseReturning {
			parcel = v
			break
		}
	}
	if parcel.ID == "" {
		t.Fatalf("no demo parcel on its way among %v", sum.Sample)
	}
	phone := parcel.Recipient.Phone
	comms := &fakeComms{list: map[string][]Comm{parcel.ID: {
		{At: now.Add(-50 * time.Hour), Channel: "sms", Status: "delivered", To: phone},
		{At: now.Add(-49 * time.Hour), Channel: "email", Status: "sent", To: "customer@example.com"},
		{At: now.Add(-26 * time.Hour), Channel: "call", Direction: "outbound", Outcome: "no_answer", To: phone},
		{At: now.Add(-25 * time.Hour), Channel: "call", Direction: "outbound", Outcome: "answered", Disposition: "reached", To: phone},
	}}}
	app := New(Deps{Log: log, DB: db, Access: acc, Cases: parcels, Registry: reg, Comms: comms, CaseDesk: desk, Requests: desk})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln) //nolint:errcheck
	t.Cleanup(func() { app.Shutdown() })
	base := "http://" + ln.Addr().String()
	shots := browsertest.ScreenshotsDir(t)

	t.Run("desktop", func(t *testing.T) {
		bctx, _ := browsertest.New(t, browsertest.Options{Width: 1280, Height: 800})
		if err := chromedp.Do(bctx, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(base+"/track?lang=en"),
			chromedp.SendKeys(chromedp.CSS("#q"), strings.ToLower(parcel.ID)),
			chromedp.Submit(chromedp.CSS("#q")),
			chromedp.WaitVisible(chromedp.CSS("#pid"))); err != nil {
			t.Fatal(err)
		}
		id, _ := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("#pid")))
		steps, _ := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll(".steps li.done").length`))
		history, _ := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("#comms")))
		if id != parcel.ID || steps == 0 {
			t.Errorf("parcel %q with %d phases done, want %s on its way", id, steps, parcel.ID)
		}
		for _, want := range []string{"We called, no answer", "We spoke with you", "Delivered", "SMS", "Email", maskPhone(phone), "c***@e***.com"} {
			if !strings.Contains(history, want) {
				t.Errorf("communication history lacks %q:\n%s", want, history)
			}
		}
		if strings.Contains(history, phone) {
			t.Error("the phone number is shown unmasked")
		}
		viewportShot(t, bctx, shots, "track-desktop.png")

		if err := chromedp.Do(bctx,
			chromedp.SetValue(chromedp.CSS("#fb-category"), "non_receipt_or_delay"),
			chromedp.SendKeys(chromedp.CSS("#fb-message"), "The parcel is late, when will it arrive?"),
			chromedp.SendKeys(chromedp.CSS("#fb-name"), "Anna"),
			chromedp.SendKeys(chromedp.CSS("#fb-contact"), "anna@example.com"),
			chromedp.Click(chromedp.CSS("#fb-send")),
			chromedp.WaitVisible(chromedp.CSS("#sent-number"))); err != nil {
			t.Fatal(err)
		}
		number, _ := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("#sent-number")))
		requests, _ := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("#requests")))
		list, _, err := desk.List(ctx, access.Brands(parcel.BrandID), cases.CaseFilter{ParcelID: parcel.ID, Type: cases.TypeNonReceipt})
		if err != nil || len(list) != 1 || list[0].Number != number || list[0].Source != cases.SourceFeedbackForm {
			t.Fatalf("confirmed %q; cases %+v %v", number, list, err)
		}
		if !strings.Contains(requests, number) || !strings.Contains(requests, "The parcel is late or has not arrived") {
			t.Errorf("requests history lacks %s:\n%s", number, requests)
		}
		viewportShot(t, bctx, shots, "track-feedback.png", "#sent")
	})

	t.Run("phone", func(t *testing.T) {
		bctx, _ := browsertest.New(t, browsertest.Options{Width: 390, Height: 844})
		if err := chromedp.Do(bctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
			chromedp.Navigate(base+"/track/"+parcel.ID+"?lang=ru"), chromedp.WaitVisible(chromedp.CSS("#comms"))); err != nil {
			t.Fatal(err)
		}
		// Readable on a phone: nothing wider than the screen, Russian texts.
		width, _ := chromedp.Run(bctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if width > 390 {
			t.Errorf("the page is %dpx wide on a 390px phone", width)
		}
		history, _ := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("#comms")))
		if !strings.Contains(history, "Мы звонили, ответа не было") {
			t.Errorf("Russian history: %s", history)
		}
		viewportShot(t, bctx, shots, "track-phone.png")
	})
}

// viewportShot saves what the window shows (1280x800, 390x844) as a PNG, the size a person
// sees, scrolled to the top of sel.
func viewportShot(t *testing.T, ctx context.Context, dir, name string, sel ...string) {
	t.Helper()
	if len(sel) > 0 {
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector(`+strconv.Quote(sel[0])+`).scrollIntoView()`)); err != nil {
			t.Fatal(err)
		}
	}
	browsertest.ViewportScreenshot(t, ctx, dir, name)
}
