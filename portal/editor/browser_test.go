package editor

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wismo/wismo/portal/browsertest"
	"github.com/wismo/wismo/store/storetest"
)

// A brand manager logs in, edits an SMS template and sees the preview and the segment count
// follow the text: Cyrillic switches the message to UCS-2 (70 units, then 67 per part).
func TestEditorBrowserLivePreview(t *testing.T) {
	storetest.OnePass(t)
	e := newEditorEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go e.app.Listener(ln)                                            //nolint:errcheck
	t.Cleanup(func() { e.app.ShutdownWithTimeout(5 * time.Second) }) //nolint:errcheck
	base := "http://" + ln.Addr().String()
	tpl := e.template(e.brandA, "sorting_center", "sms", "en")
	edit := fmt.Sprintf("%s/editor/%d/templates/%d", base, e.brandA, tpl.ID)
	login := func(ctx context.Context, next string) {
		t.Helper()
		if err := chromedp.Do(ctx,
			chromedp.Navigate(next), // redirected to the login form
			chromedp.WaitVisible(chromedp.CSS("#email")),
			chromedp.SendKeys(chromedp.CSS("#email"), "mgr@a.example"),
			chromedp.SendKeys(chromedp.CSS("#password"), editorPassword),
			chromedp.Submit(chromedp.CSS("#password")),
			chromedp.WaitVisible(chromedp.CSS("#ed-brand")),
		); err != nil {
			t.Fatal(err)
		}
	}
	text := func(ctx context.Context, sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return v
	}
	poll := func(ctx context.Context, what, js string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Fatalf("%s: %v (encoding %q, segments %q, preview %q)", what, err, text(ctx, "#sms-encoding"), text(ctx, "#sms-segments"), text(ctx, "#preview-text"))
		}
	}

	ctx, _ := browsertest.New(t, browsertest.Options{Width: 1280, Height: 800})
	login(ctx, edit+"?parcel=RB123456785GB")
	if enc, per := text(ctx, "#sms-encoding"), text(ctx, "#sms-per-segment"); enc != "GSM-7" || per != "160" {
		t.Fatalf("the English template: want GSM-7 with 160 per segment, got %q %q", enc, per)
	}
	// Type a short Russian text: one UCS-2 message of 70 units, with the parcel's id in it.
	if err := chromedp.Do(ctx,
		chromedp.Clear(chromedp.CSS("#sms_text")),
		chromedp.SendKeys(chromedp.CSS("#sms_text"), "Посылка {{.parcel.id}} ждёт вас."),
	); err != nil {
		t.Fatal(err)
	}
	poll(ctx, "the preview should show the Russian text on the parcel in UCS-2",
		`document.getElementById("preview-text").textContent === "Посылка RB123456785GB ждёт вас." &&
		 document.getElementById("sms-encoding").textContent === "UCS-2" &&
		 document.getElementById("sms-per-segment").textContent === "70" &&
		 document.getElementById("sms-segments").textContent === "1"`)
	// Longer than 70 units: two parts of 67.
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#sms_text"), " Выберите удобный день доставки или пункт выдачи по ссылке.")); err != nil {
		t.Fatal(err)
	}
	poll(ctx, "a longer Russian text should take two 67-unit segments",
		`document.getElementById("sms-segments").textContent === "2" && document.getElementById("sms-per-segment").textContent === "67"`)
	// A template error appears beside the field as it is typed.
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#sms_text"), " {{.parcel")); err != nil {
		t.Fatal(err)
	}
	poll(ctx, "a broken template should show its error beside the field",
		`document.querySelector('[data-errors-for="sms_text"]').textContent.includes("line 1") && !document.getElementById("preview-error").hidden`)
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#sms_text"), ".id}}")); err != nil {
		t.Fatal(err)
	}
	poll(ctx, "a fixed template should clear the error",
		`document.querySelector('[data-errors-for="sms_text"]').textContent === "" && document.getElementById("preview-text").textContent.endsWith("RB123456785GB")`)
	dir := browsertest.ScreenshotsDir(t)
	browsertest.Screenshot(t, ctx, dir, "editor-template.png")

	// Publish through the form: the page comes back with the new version.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#publish")), chromedp.WaitVisible(chromedp.CSS("#flash"))); err != nil {
		t.Fatal(err)
	}
	if got := text(ctx, "#flash"); got != "Published version 2." {
		t.Fatalf("after publishing: %q", got)
	}

	// The rule editor checks a condition as it is typed.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/editor/%d/rules/new", base, e.brandA)),
		chromedp.WaitVisible(chromedp.CSS("#condition")),
		chromedp.SendKeys(chromedp.CSS("#name"), "Customs reminder by email"),
		chromedp.SendKeys(chromedp.CSS("#condition"), `event.code == "EME" && parcel.weight > 2`),
	); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("err-condition").textContent.includes("weight")`,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("the condition's error should name the unknown field: %v", err)
	}
	browsertest.Screenshot(t, ctx, dir, "editor-rule.png")

	// Phone width: the editor in one column, no sideways scrolling.
	pctx, _ := browsertest.New(t, browsertest.Options{Width: 390, Height: 844})
	login(pctx, edit)
	if err := chromedp.Do(pctx, chromedp.WaitVisible(chromedp.CSS("#preview-text"))); err != nil {
		t.Fatal(err)
	}
	overflow, err := chromedp.Run(pctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	if err != nil || overflow {
		t.Errorf("the editor is wider than a phone (%v)", err)
	}
	browsertest.Screenshot(t, pctx, dir, "editor-phone.png")
}
