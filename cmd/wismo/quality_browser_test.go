package main

import (
	"fmt"
	"math"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/portal/browsertest"
	"github.com/wismo/wismo/recordings/talk"
	"github.com/wismo/wismo/store/storetest"
)

// toneCall writes a 10 s stereo call: the agent talks 1-4 s, the customer 5-8 s.
func toneCall(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "call.wav")
	w, err := media.CreateWAV(path, 8000, 2)
	if err != nil {
		t.Fatal(err)
	}
	s := make([]int16, 2*8000*10)
	for i := range 8000 * 10 {
		v := int16(8000 * math.Sin(2*math.Pi*440*float64(i)/8000))
		switch sec := i / 8000; {
		case sec >= 1 && sec < 4:
			s[2*i+1] = v // agent: right
		case sec >= 5 && sec < 8:
			s[2*i] = v // customer: left
		}
	}
	if err := w.WriteSamples(s); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSupervisorReviewsACallTheAgentSeesIt is issue 20's acceptance, in headless Chromium
// against a node wired as `wismo serve` wires it: a supervisor plays a recorded call on the
// case page, sees the talk strip, clicks it to seek, follows "Review this call", scores the
// call on the brand's scorecard (70%: passed); the agent logs in and sees the score on their
// own reviews (and not another agent's); the brand manager's recordings audit page shows the
// supervisor's playback. Screenshots in both languages; no CSP violations.
func TestSupervisorReviewsACallTheAgentSeesIt(t *testing.T) {
	storetest.OnePass(t)
	ctx, a, n, base := serveInTest(t, map[string]string{"WISMO_JOBS": "none", "WISMO_SIP_ADDR": "127.0.0.1:0"})
	brand, key, err := a.access.CreateBrand(ctx, "Matryoshka")
	if err != nil {
		t.Fatal(err)
	}
	user := func(email string, role access.Role) access.User {
		u, err := a.access.CreateUser(ctx, email, flowPassword, role, []int64{brand.ID})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	ann, bob := user("ann@shop.test", access.RoleAgent), user("bob@shop.test", access.RoleAgent)
	user("sue@shop.test", access.RoleSupervisor)
	user("max@shop.test", access.RoleBrandManager)
	must := func(method, path, body string) string {
		t.Helper()
		code, got := apiCall(t, method, base+path, key, body)
		if code/100 != 2 {
			t.Fatalf("%s %s: %d %s", method, path, code, got)
		}
		return string(got)
	}
	must("POST", "/api/v1/parcels", `{"parcels": [{"id": "`+flowParcel+`", "service_level": "standard", "kind": "packet", "weight_kg": 1,
		"origin_country": "GB", "destination_country": "RU", "recipient": {"name": "Anna", "phone": "`+flowCustomer+`", "address": "x"}}]}`)
	opened := must("POST", "/api/v1/cases", `{"parcels": ["`+flowParcel+`"], "type": "non_receipt_or_delay", "source": "call"}`)
	number := between(opened, `"number":"`, `"`)
	card := must("POST", "/api/v1/scorecards", `{"name": "Hotline QA", "criteria": [{"name": "Greeting", "weight": 1}, {"name": "Solved the problem", "weight": 3}], "pass_mark": 70}`)
	cardID := between(card, `"id":`, `,`)
	// Ann's recorded hotline call about the parcel, analysed; Bob's call, reviewed over the API.
	wav := toneCall(t)
	calls := callcenter.NewCallLog(a.db)
	record := func(agent int64, at time.Time) int64 {
		c := &callcenter.Call{Direction: callcenter.Inbound, Mode: "hotline", BrandID: brand.ID, ParcelID: flowParcel, AgentID: agent,
			From: "sip:" + flowCustomer + "@127.0.0.1", To: flowHotline, StartedAt: at, AnsweredAt: &at, Outcome: callcenter.Answered}
		if err := calls.Create(ctx, c); err != nil {
			t.Fatal(err)
		}
		var rec int64
		if err := a.db.SQL.QueryRowContext(ctx, a.db.Rebind(`INSERT INTO recordings (call_id, brand_id, path, duration_ms, size_bytes, started_at, finished_at)
			VALUES (?, ?, ?, 10000, 320044, ?, ?) RETURNING id`), c.ID, brand.ID, wav, at, at).Scan(&rec); err != nil {
			t.Fatal(err)
		}
		if _, err := a.db.SQL.ExecContext(ctx, a.db.Rebind(`UPDATE calls SET recording_id = ? WHERE id = ?`), rec, c.ID); err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	annCall := record(ann.ID, time.Now().Add(-time.Hour).UTC())
	bobCall := record(bob.ID, time.Now().Add(-2*time.Hour).UTC())
	if cnt, err := n.tel.talk.AnalyzePending(ctx, talk.Batch); err != nil || cnt != 2 {
		t.Fatalf("talk analytics: %d, %v", cnt, err)
	}
	must("PUT", fmt.Sprintf("/api/v1/calls/%d/review", bobCall), `{"scorecard_id": `+cardID+`, "scores": [1, 1], "comment": "bob's own"}`)

	w := &flowWorld{t: t, a: a, n: n, base: base}
	shots := browsertest.ScreenshotsDir(t)
	bctx, _ := browsertest.New(t, browsertest.Options{Width: 1280, Height: 900, Timeout: 4 * time.Minute})
	csp := browsertest.CSPViolations(bctx)

	// The supervisor on the case page: the call's player and strip; play, then click the strip.
	w.login(bctx, "/cases/"+number, "sue@shop.test")
	w.until(bctx, "the call's strip loaded", `(() => { const i = document.querySelector('#timeline li.tl-call img.talk-strip'); return i && i.complete && i.naturalWidth > 0 })()`)
	eval[any](w, bctx, `document.querySelector('#timeline li.tl-call audio').play().then(() => true, () => false)`)
	w.until(bctx, "the recording played", `document.querySelector('#timeline li.tl-call audio').currentTime > 0.2`)
	eval[any](w, bctx, `document.querySelector('#timeline li.tl-call audio').pause()`)
	box := eval[[]float64](w, bctx, `(() => { const i = document.querySelector('#timeline li.tl-call img.talk-strip'); i.scrollIntoView({block: 'center'}); const r = i.getBoundingClientRect(); return [r.left, r.top, r.width, r.height] })()`)
	// 75% along the lanes: x = 90 + 0.75*910 = 772.5 of the strip's 1000.
	w.do(bctx, "click the strip", chromedp.MouseClickXY(box[0]+box[2]*0.7725, box[1]+box[3]/2))
	w.until(bctx, "the player seeked to 7.5 s", `Math.abs(document.querySelector('#timeline li.tl-call audio').currentTime - 7.5) < 0.6`)
	eval[any](w, bctx, `document.querySelector('#timeline li.tl-call audio').pause()`)
	browsertest.ViewportScreenshot(t, bctx, shots, "quality-case-strip.png")

	// Review: from the case page to the call's review page, scored 5 and 3 of 5: 70%, passed.
	if _, err := chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(`#timeline li.tl-call a[href="/quality/calls/`+strconv.FormatInt(annCall, 10)+`"]`))); err != nil {
		t.Fatalf("follow Review this call: %v", err)
	}
	w.until(bctx, "the review page", `document.getElementById('score-form') !== null && document.querySelector('img.talk-strip').naturalWidth > 0`)
	w.do(bctx, "score", chromedp.SetValue(chromedp.ID("score-1"), "5"), chromedp.SetValue(chromedp.ID("score-2"), "3"),
		chromedp.SendKeys(chromedp.ID("comment"), "Polite; the delivery day was not offered."))
	if _, err := chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(`#score-form button[type=submit]`))); err != nil {
		t.Fatalf("submit the review: %v", err)
	}
	w.until(bctx, "the saved review", `document.getElementById('flash') !== null && document.getElementById('current-review') !== null`)
	// The brand's thresholds decide the flags: 1 s of dead air flags the call's 2 s at its end.
	if facts := eval[string](w, bctx, `document.getElementById('talk-facts').innerText`); strings.Contains(facts, "long dead air") {
		t.Errorf("flagged under the default thresholds: %q", facts)
	}
	must("PUT", "/api/v1/talk/thresholds", `{"dead_air_seconds": 1, "agent_talk_share_percent": 80}`)
	w.do(bctx, "reload the review page", chromedp.Reload())
	w.until(bctx, "the dead-air flag", `(document.getElementById('talk-facts') || {innerText: ''}).innerText.includes('long dead air')`)
	if got := eval[string](w, bctx, `document.getElementById('current-review').innerText`); !strings.Contains(got, "70.0%") || !strings.Contains(got, "Passed") {
		t.Errorf("the review page shows %q, want 70.0%% Passed", got)
	}
	browsertest.Screenshot(t, bctx, shots, "quality-review.png")
	w.do(bctx, "the review page in Russian", chromedp.Navigate(fmt.Sprintf("%s/quality/calls/%d?lang=ru", base, annCall)))
	w.until(bctx, "the Russian review page", `document.documentElement.lang === 'ru' && document.getElementById('current-review') !== null`)
	if got := eval[string](w, bctx, `document.getElementById('current-review').innerText`); !strings.Contains(got, "Зачёт") {
		t.Errorf("the Russian review page shows %q, want Зачёт", got)
	}
	browsertest.Screenshot(t, bctx, shots, "quality-review-ru.png")
	w.do(bctx, "the quality overview", chromedp.Navigate(base+"/quality?by=agent&lang=en"))
	w.until(bctx, "the talk aggregates", `document.getElementById('talk-aggregates') !== null`)
	browsertest.Screenshot(t, bctx, shots, "quality-overview.png")

	// The agent sees the score of her call, and not Bob's review.
	logout := func() {
		if _, err := chromedp.Call(bctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
			t.Fatalf("log out: %v", err)
		}
	}
	logout()
	w.login(bctx, "/quality/mine", "ann@shop.test")
	w.until(bctx, "her review", fmt.Sprintf(`document.getElementById('review-%d') !== null || document.querySelector('.q-review') !== null`, annCall))
	mine := eval[string](w, bctx, `document.querySelector('main').innerText`)
	if !strings.Contains(mine, "70.0%") || !strings.Contains(mine, "Polite; the delivery day was not offered.") || !strings.Contains(mine, "#"+strconv.FormatInt(annCall, 10)) {
		t.Errorf("Ann's reviews page: %.1500s; want her call's 70.0%% and the comment", mine)
	}
	if strings.Contains(mine, "bob's own") || strings.Contains(mine, "#"+strconv.FormatInt(bobCall, 10)) {
		t.Errorf("Ann sees Bob's review: %.1500s", mine)
	}
	browsertest.Screenshot(t, bctx, shots, "quality-mine.png")
	noFollow := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if res, err := noFollow.Get(fmt.Sprintf("%s/quality/calls/%d", base, annCall)); err != nil || res.StatusCode != http.StatusSeeOther {
		t.Errorf("the review page without a session: %v %v, want a redirect to the login", res, err)
	} else {
		res.Body.Close()
	}

	// The brand manager's audit page shows the supervisor's playback of Ann's recording.
	logout()
	w.login(bctx, "/quality/audit", "max@shop.test")
	w.until(bctx, "the audit log", `document.getElementById('audit-log') !== null`)
	rows := eval[[]string](w, bctx, `[...document.querySelectorAll('#audit-log tr.audit-play')].map(r => r.innerText)`)
	found := false
	for _, r := range rows {
		if strings.Contains(r, "sue@shop.test") && strings.Contains(r, "#"+strconv.FormatInt(annCall, 10)) {
			found = true
		}
	}
	if !found {
		t.Errorf("the audit page's playbacks %q; want Sue's of call %d", rows, annCall)
	}
	browsertest.Screenshot(t, bctx, shots, "quality-audit.png")
	w.do(bctx, "the audit page in Russian", chromedp.Navigate(base+"/quality/audit?lang=ru"))
	w.until(bctx, "the Russian audit page", `document.documentElement.lang === 'ru' && document.getElementById('audit-log') !== null`)
	browsertest.Screenshot(t, bctx, shots, "quality-audit-ru.png")
	for _, page := range []string{"scorecards", "trends", "queue"} {
		for _, lang := range []string{"en", "ru"} {
			w.do(bctx, "the "+page+" page", chromedp.Navigate(base+"/quality/"+page+"?lang="+lang))
			w.until(bctx, "the "+page+" page in "+lang, `document.documentElement.lang === '`+lang+`' && document.querySelector('.q-tabs') !== null`)
			if o := browsertest.Overflowing(t, bctx); o != "" {
				t.Errorf("/quality/%s in %s sticks out on the right: %s", page, lang, o)
			}
			browsertest.Screenshot(t, bctx, shots, "quality-"+page+"-"+lang+".png")
		}
	}
	if v := csp(); len(v) > 0 {
		t.Errorf("CSP violations: %q", v)
	}
}

// between is the text of s after the first from, up to the next to.
func between(s, from, to string) string {
	_, after, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(after, to)
	return v
}
