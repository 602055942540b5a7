package wallboard_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wismo/wismo/portal/browsertest"
	"github.com/wismo/wismo/reports/ccmetrics/ccday"
	"github.com/wismo/wismo/reports/reportstest"
	"github.com/wismo/wismo/store/storetest"
)

// TestWallboardInBrowser: a supervisor opens the wallboard on a 1920×1080 screen in Russian:
// today's figures of the scripted day, a caller waiting, and an agent's state change arriving
// over the stream without a reload, all under the Content-Security-Policy. (English is checked
// over HTTP by TestWallboardInBothLanguages.) The screenshot goes to docs/screenshots under
// `make screenshots`.
func TestWallboardInBrowser(t *testing.T) {
	storetest.OnePass(t)
	now := ccday.From.Add(20 * time.Hour) // 23:00 in Moscow
	e := newEnvAt(t, now, 0)
	db, day := e.day.DB, e.day
	ctx := context.Background()
	(&reportstest.Seed{T: t, DB: db}).Exec(`INSERT INTO calls (direction, mode, brand_id, queue_id, started_at, answered_at, queued_at) VALUES ('inbound', 'hotline', ?, ?, ?, ?, ?)`,
		day.BrandA, day.QueueA, now.Add(-95*time.Second), now.Add(-95*time.Second), now.Add(-95*time.Second))
	base := browsertest.Serve(t, e.app)

	bctx, _ := browsertest.New(t, browsertest.Options{Width: 1920, Height: 1080})
	violations := browsertest.CSPViolations(bctx)
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(1920, 1080),
		chromedp.Navigate(base+"/login?next=/wallboard"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "sup@a.example"),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS("#wallboard")),
		chromedp.Navigate(base+"/wallboard?lang=ru"),
		chromedp.WaitVisible(chromedp.CSS("#wallboard")),
	); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`window.__sameDocument = true`)); err != nil {
		t.Fatal(err)
	}
	// The stream's first board (shown counts the drawings: the page's own, then the stream's).
	if _, err := chromedp.Run(bctx, chromedp.Poll[bool](`Number(document.getElementById("wallboard").dataset.shown) >= 2 &&
		document.getElementById("wb-status").textContent.startsWith("онлайн")`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("the stream drew no board: %v", err)
	}
	for id, want := range map[string]string{"wb-sl": "80,0%", "wb-abandon": "10,0%", "wb-asa": "0:16", "wb-waiting": "1", "wb-sl-target": "цель 80,0% за 20 с",
		"wb-state-offline": "3", "wb-sl-label": "Уровень сервиса сегодня"} {
		got, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("#"+id)))
		if err != nil || got != want {
			t.Errorf("#%s: %q (%v), want %q", id, got, err, want)
		}
	}
	// An agent logs in: the open wallboard follows without a reload.
	if _, err := db.SQL.ExecContext(ctx, db.Rebind(`UPDATE agent_states SET state = 'available', since = ? WHERE user_id = ?`), now, day.Anna); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(bctx, chromedp.Poll[bool](`window.__sameDocument === true && document.getElementById("wb-state-available").textContent === "1"`,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("the agent's new state did not arrive over the stream: %v", err)
	}
	if wide := browsertest.Overflowing(t, bctx); wide != "" {
		t.Errorf("the wallboard is wider than the screen: %s", wide)
	}
	spill, err := chromedp.Run(bctx, chromedp.Evaluate[string](`[...document.querySelectorAll(".wb-value")].filter(v => v.scrollWidth > v.parentElement.clientWidth).map(v => v.id).join(" ")`))
	if err != nil || spill != "" {
		t.Errorf("figures wider than their tiles: %q (%v)", spill, err)
	}
	dir := browsertest.ScreenshotsDir(t)
	browsertest.ViewportScreenshot(t, bctx, dir, "wallboard-ru.png")
	if keep := os.Getenv("WISMO_WALLBOARD_SHOT"); keep != "" { // to look at it by hand
		b, _ := os.ReadFile(filepath.Join(dir, "wallboard-ru.png"))
		_ = os.WriteFile(keep, b, 0o644)
	}

	// The report of the day per agent, in Russian: the total's service level, and a click on
	// the total of calls answered within the target lists exactly those 8 calls.
	if err := chromedp.Do(bctx, chromedp.Navigate(base+"/reports/contact-center?from=2026-12-01&to=2026-12-01&group=agent&lang=ru"),
		chromedp.WaitVisible(chromedp.CSS("#cc-table"))); err != nil {
		t.Fatal(err)
	}
	foot, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("#cc-table tfoot")))
	if err != nil || !strings.Contains(foot, "80,0%") || !strings.Contains(strings.ToLower(foot), "итого") {
		t.Errorf("the report's total: %q (%v), want Итого and 80,0%%", foot, err)
	}
	browsertest.Screenshot(t, bctx, dir, "ccreport-ru.png")
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`#cc-table tfoot a[href*="figure=answered_in_sl"]`)),
		chromedp.WaitVisible(chromedp.CSS("#cc-calls"))); err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("#cc-calls tbody tr[data-call] a[href^='/calls/']").length`))
	if err != nil || rows != ccday.InSL20 {
		t.Errorf("the drill-down lists %d calls (%v), want %d", rows, err, ccday.InSL20)
	}
	if v := violations(); len(v) > 0 {
		t.Errorf("the Content-Security-Policy blocked part of the wallboard or the report: %q", v)
	}
}
