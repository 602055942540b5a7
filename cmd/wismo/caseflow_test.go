package main

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"math"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/dialer/smpp/smpptest"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/portal/browsertest"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony/telephonytest"
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// The flow's fixed facts: the brand's hotline, the customer's phone and parcel.
const (
	flowHotline  = "+74951112233"
	flowCustomer = "+79131234567"
	flowParcel   = "RB123456785GB"
	flowPassword = "a login password 1"
)

// flowWorld is one node wired as `wismo serve` wires it (openApp, wire, the SIP and dialer
// jobs), serving HTTP on loopback, with SMS going to the Perl SMSC.
type flowWorld struct {
	t     *testing.T
	a     *app
	n     *node
	base  string
	peer  *smpptest.Peer
	brand access.Brand
	key   string
	cases *cases.CaseService
	en    i18n.Locale
}

func newFlowWorld(t *testing.T) *flowWorld {
	t.Helper()
	peer := smpptest.Start(t)
	rtp := telephonytest.FreePort(t, "udp") &^ 1
	ctx, a, n, base := serveInTest(t, map[string]string{
		"WISMO_SIP_ADDR": fmt.Sprintf("127.0.0.1:%d", telephonytest.FreeSIPPort(t)), "WISMO_RTP_PORTS": fmt.Sprintf("%d-%d", rtp, rtp+100),
		"WISMO_JOBS":      "sip,dialer",
		"WISMO_SMPP_ADDR": peer.Addr, "WISMO_SMPP_SYSTEM_ID": "wismo", "WISMO_SMPP_PASSWORD": "secret", "WISMO_SMPP_SOURCE_ADDR": "SHOP",
	})
	var err error
	w := &flowWorld{t: t, a: a, n: n, base: base, peer: peer, cases: a.caseService(), en: i18n.New("en", time.UTC)}
	if w.brand, w.key, err = a.access.CreateBrand(ctx, "Matryoshka"); err != nil {
		t.Fatal(err)
	}
	return w
}

// api sends a JSON request with the brand's key and decodes the answer into out.
func (w *flowWorld) api(method, path string, body, out any) {
	w.t.Helper()
	raw, _ := json.Marshal(body)
	if body == nil {
		raw = nil
	}
	code, got := apiCall(w.t, method, w.base+path, w.key, string(raw))
	if code/100 != 2 {
		w.t.Fatalf("%s %s: %d %s", method, path, code, got)
	}
	if out != nil {
		if err := json.Unmarshal(got, out); err != nil {
			w.t.Fatalf("%s %s: %v: %s", method, path, err, got)
		}
	}
}

// user creates a user of the brand.
func (w *flowWorld) user(email string, role access.Role) int64 {
	w.t.Helper()
	u, err := w.a.access.CreateUser(context.Background(), email, flowPassword, role, []int64{w.brand.ID})
	if err != nil {
		w.t.Fatal(err)
	}
	return u.ID
}

// caseNow is the case as stored.
func (w *flowWorld) caseNow(number string) *cases.Case {
	w.t.Helper()
	c, _, err := w.cases.Case(context.Background(), access.Brands(w.brand.ID), number, w.brand.ID)
	if err != nil {
		w.t.Fatalf("case %s: %v", number, err)
	}
	return c
}

// do runs browser steps or fails naming what it was doing.
func (w *flowWorld) do(ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	w.t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		w.t.Fatalf("browser: %s: %v", what, err)
	}
}

// until waits until the page's expression is true.
func (w *flowWorld) until(ctx context.Context, what, expr string) {
	w.t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
		w.t.Fatalf("browser: never %s (%s): %v\npage: %.3000s", what, expr, err, body)
	}
}

// eval evaluates an expression in the page (promises awaited).
func eval[T any](w *flowWorld, ctx context.Context, expr string) T {
	w.t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		w.t.Fatalf("browser: %s: %v", expr, err)
	}
	return v
}

// submit clicks the submit button of the case page's form posting to /cases/{n}/action and
// returns the HTTP status of the page the browser lands on (after a redirect, the final one).
func (w *flowWorld) submit(ctx context.Context, action string) int64 {
	w.t.Helper()
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action$="/`+action+`"] button[type=submit]`)))
	if err != nil {
		w.t.Fatalf("browser: submit %s: %v", action, err)
	}
	return res.Status
}

// done submits a case page form and checks the change was saved (the page says which).
func (w *flowWorld) done(ctx context.Context, action, done string) {
	w.t.Helper()
	if st := w.submit(ctx, action); st != 200 {
		body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		w.t.Fatalf("%s: the page answered %d: %.2000s", action, st, body)
	}
	w.until(ctx, "landed back on the case page with the "+done+" notice",
		fmt.Sprintf(`new URLSearchParams(location.search).get("done") === %q && document.getElementById("flash") !== null`, done))
}

// timeline is the case page's timeline, one text per item, newest first.
func (w *flowWorld) timeline(ctx context.Context, kind string) []string {
	w.t.Helper()
	return eval[[]string](w, ctx, `[...document.querySelectorAll("#timeline > li.tl-`+kind+`")].map(li => li.textContent.replace(/\s+/g, " ").trim())`)
}

// onTimeline fails unless an item of kind on the page's timeline contains text.
func (w *flowWorld) onTimeline(ctx context.Context, kind, what string, texts ...string) {
	w.t.Helper()
	items := w.timeline(ctx, kind)
	for _, it := range items {
		for _, s := range texts {
			if strings.Contains(it, s) {
				return
			}
		}
	}
	w.t.Fatalf("the timeline shows no %s (%q, kind %s); its %s items: %q", what, texts, kind, kind, items)
}

// login logs in through the login form the page at path sends the browser to, and waits
// for the page.
func (w *flowWorld) login(ctx context.Context, path, email string) {
	w.t.Helper()
	w.do(ctx, "log in as "+email,
		chromedp.Navigate(w.base+path),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), flowPassword),
	)
	if _, err := chromedp.RunResponse(ctx, chromedp.Submit(chromedp.ID("password"))); err != nil {
		w.t.Fatalf("browser: log in as %s: %v", email, err)
	}
	u, _ := url.Parse(path)
	w.until(ctx, "came back to "+path+" after the login", fmt.Sprintf(`location.pathname === %q`, u.Path))
}

// micWAV is the agent's voice: 48 kHz 16-bit mono, 30 s of a sine.
func micWAV(t *testing.T, freq float64) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mic.wav")
	wv, err := media.CreateWAV(path, 48000, 1)
	if err != nil {
		t.Fatal(err)
	}
	s := make([]int16, 48000*30)
	for i := range s {
		s[i] = int16(12000 * math.Sin(2*math.Pi*freq*float64(i)/48000))
	}
	if err := wv.WriteSamples(s); err != nil {
		t.Fatal(err)
	}
	if err := wv.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCaseFlowInBrowser is issue 15's acceptance flow, in headless Chromium against one node
// wired as `wismo serve` wires it (the SIP endpoint, the desk's softphone, the dialer on the
// Perl SMSC):
//
//  1. an agent logs in, goes available on /desk; the customer's baresip calls the brand's
//     hotline; the desk rings and the agent answers in the browser;
//  2. "Open a case from this call" opens a case linked to the call; the agent opens its page;
//  3. the agent replies by SMS from a brand template (the SMSC receives the text), adds an
//     internal note, assigns the case to themself and then to another agent, and closes it
//     with a resolution code; each shows on the case's timeline;
//  4. the case page's player gets the call's recording as a 206 audio/wav (Range);
//  5. a supervisor, in a second browser context, finds a breached case in the Breached view
//     and opens it with the keyboard (j/k, Enter);
//  6. two agents open that case; the first changes its status; the second's stale form is
//     refused with 409 and the "changed by someone else" notice, and the first's change stays.
//
// The Russian pages are checked over HTTP (the list's Breached view and the 409 notice).
func TestCaseFlowInBrowser(t *testing.T) {
	storetest.OnePass(t)
	if testing.Short() {
		t.Skip("runs Chromium, baresip and the Perl SMSC")
	}
	telephonytest.Require(t, "baresip", "baresip-core")
	browsertest.Binary(t)
	w := newFlowWorld(t)
	ctx := context.Background()
	shots := browsertest.ScreenshotsDir(t)

	// The brand: its recipient's parcel, SMS any time of day, the hotline, its people.
	p := trackingtest.Parcel(flowParcel)
	p.Recipient.Phone, p.Recipient.Language = flowCustomer, "en"
	w.api("POST", "/api/v1/parcels", map[string]any{"parcels": []tracking.ParcelInput{p}}, nil)
	w.api("POST", "/api/v1/events", map[string]any{"events": []tracking.EventInput{trackingtest.Event(flowParcel, "EMA", "2026-12-01T10:00:00Z")}}, nil)
	commsPut(t, strings.TrimPrefix(w.base, "http://"), w.key, "/api/v1/comms/windows", `{"windows": {"sms": {"all": ["00:00-24:00"]}}}`)
	if _, err := w.n.tel.center.AddQueue(ctx, callcenter.Queue{Name: "Matryoshka hotline", BrandID: w.brand.ID, Ring: 20 * time.Second,
		MaxWait: time.Minute}, flowHotline); err != nil {
		t.Fatal(err)
	}
	const agent1, agent2, supervisor = "anna@matryoshka.test", "boris@matryoshka.test", "vera@matryoshka.test"
	agent1ID := w.user(agent1, access.RoleAgent)
	agent2ID := w.user(agent2, access.RoleAgent)
	w.user(supervisor, access.RoleSupervisor)
	// The brand's own template for answering cases (the standard ones speak of a tracking event).
	var sms struct{ ID int64 }
	const smsText = "{{.brand.name}}: we are looking into parcel {{.parcel.id}} and will call you back. {{.tracking_link}}"
	w.api("POST", "/api/v1/templates", map[string]any{"name": "case_reply", "channel": "sms", "language": "en",
		"content": map[string]string{"sms_text": smsText}}, &sms)
	var preview struct{ Text string }
	w.api("POST", "/api/v1/templates/preview", map[string]any{"channel": "sms", "parcel_id": flowParcel,
		"content": map[string]string{"sms_text": smsText}}, &preview)
	if !strings.Contains(preview.Text, flowParcel) {
		t.Fatalf("the reply template renders %q for %s", preview.Text, flowParcel)
	}

	// 1. The agent's desk takes the hotline call.
	agentCtx, _ := browsertest.New(t, browsertest.Options{FakeAudio: micWAV(t, 600), Width: 1280, Height: 800, Timeout: 5 * time.Minute})
	csp := browsertest.CSPViolations(agentCtx)
	w.login(agentCtx, "/desk", agent1)
	w.do(agentCtx, "connect the desk", chromedp.WaitVisible(chromedp.CSS("#conn.up")))
	w.until(agentCtx, "showed the agent offline", `document.getElementById("desk").dataset.state === "offline"`)
	w.do(agentCtx, "go available", chromedp.Click(chromedp.ID("btn-available")))
	w.until(agentCtx, "showed the agent available", `document.getElementById("desk").dataset.state === "available"`)
	customer := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: flowCustomer, Tone: 1000})
	if out, err := customer.Command("dial", "sip:"+flowHotline+"@"+w.n.tel.eng.Addr()); err != nil {
		t.Fatalf("dial the hotline: %v %s", err, out)
	}
	w.do(agentCtx, "see the call ring", chromedp.WaitVisible(chromedp.ID("ring")))
	w.do(agentCtx, "answer", chromedp.Click(chromedp.ID("btn-answer")))
	w.until(agentCtx, "showed the agent on the call", `document.getElementById("desk").dataset.state === "on_call"`)

	// 2. A case from the call, linked to it.
	w.do(agentCtx, "open a case from the call",
		chromedp.WaitVisible(chromedp.ID("case-from-call")),
		chromedp.SetValue(chromedp.ID("case-type"), string(cases.TypeNonReceipt)),
		chromedp.Click(chromedp.ID("btn-case-from-call")),
	)
	w.until(agentCtx, "linked the new case", `document.querySelector("#case-from-call-result a") !== null`)
	number := eval[string](w, agentCtx, `document.querySelector("#case-from-call-result a").textContent`)
	time.Sleep(2 * time.Second) // both sides talk: the recording has the call in it
	browsertest.Screenshot(t, agentCtx, shots, "flow-desk-call.png")
	if _, err := customer.Command("hangup", ""); err != nil {
		t.Fatal(err)
	}
	call := w.finishedCall()
	if call.Outcome != callcenter.Answered || call.AgentID != agent1ID || call.ParcelID != flowParcel || call.RecordingID == 0 {
		t.Fatalf("the hotline call: %+v", call)
	}
	var linked int
	if err := w.a.db.SQL.QueryRow(w.a.db.Rebind(`SELECT COUNT(*) FROM call_cases k JOIN cases c ON c.id = k.case_id
		WHERE k.call_id = ? AND c.number = ?`), call.ID, number).Scan(&linked); err != nil || linked != 1 {
		t.Fatalf("call %d linked to case %s: %d rows (%v)", call.ID, number, linked, err)
	}
	if c := w.caseNow(number); c.Source != cases.SourceCall || !slices.Equal(c.ParcelIDs, []string{flowParcel}) || c.Type != cases.TypeNonReceipt {
		t.Fatalf("the case opened from the call: %+v", c)
	}
	w.until(agentCtx, "went to wrap-up", `document.getElementById("desk").dataset.state === "wrap_up"`)
	w.do(agentCtx, "wrap up",
		chromedp.WaitVisible(chromedp.ID("wrapup")),
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById("disposition");
			s.value = [...s.options].map(o => o.value).find(v => v === "reached") || [...s.options].map(o => o.value).find(v => v); })()`),
		chromedp.Click(chromedp.ID("btn-wrapup")),
	)
	w.until(agentCtx, "made the agent available after the wrap-up", `document.getElementById("desk").dataset.state === "available"`)
	if res, err := chromedp.RunResponse(agentCtx, chromedp.Click(chromedp.CSS("#case-from-call-result a"))); err != nil || res.Status != 200 {
		t.Fatalf("the case link on the desk: %v %v", res, err)
	}
	w.until(agentCtx, "showed the case page", fmt.Sprintf(`document.getElementById("case-number")?.textContent === %q`, number))

	// 3. Reply by SMS, a note, assignments, closing: each on the timeline.
	w.do(agentCtx, "pick the SMS template", chromedp.SetValue(chromedp.ID("reply-template"), strconv.FormatInt(sms.ID, 10)))
	w.done(agentCtx, "reply", "replied")
	w.peer.WaitFor(t, 30*time.Second, "the reply at the SMSC", func(evs []smpptest.Event) bool {
		for _, e := range evs {
			if e.Ev == "submit" && strings.TrimPrefix(e.Dst, "+") == strings.TrimPrefix(flowCustomer, "+") && e.Text == preview.Text {
				return true
			}
		}
		return false
	})
	w.onTimeline(agentCtx, "case", "the reply", w.en.T("cases.log.reply", "channel", w.en.T("cases.channel.sms"), "to", flowCustomer))
	w.reloadUntil(agentCtx, "the SMS with its text and a sent status", fmt.Sprintf(`[...document.querySelectorAll("#timeline > li.tl-contact")].some(li =>
		li.querySelector("blockquote")?.textContent === %q && (li.textContent.includes(%q) || li.textContent.includes(%q)))`,
		preview.Text, w.en.T("cases.contact.sent"), w.en.T("cases.contact.delivered")))

	const note = "Customer says the parcel never came; asked the delivery office."
	w.do(agentCtx, "write a note", chromedp.SendKeys(chromedp.ID("note-text"), note))
	w.done(agentCtx, "note", "noted")
	w.onTimeline(agentCtx, "note", "the note", note)

	w.do(agentCtx, "assign to me", chromedp.SetValue(chromedp.ID("assignee"), "me"))
	w.done(agentCtx, "assign", "assigned")
	w.until(agentCtx, "named the agent as assignee", fmt.Sprintf(`document.getElementById("case-assignee").textContent.trim() === %q`, agent1))
	w.onTimeline(agentCtx, "case", "the assignment to me", w.en.T("cases.log.assigned", "who", agent1))
	w.do(agentCtx, "assign to Boris", chromedp.SetValue(chromedp.ID("assignee"), strconv.FormatInt(agent2ID, 10)))
	w.done(agentCtx, "assign", "assigned")
	w.until(agentCtx, "named Boris as assignee", fmt.Sprintf(`document.getElementById("case-assignee").textContent.trim() === %q`, agent2))
	w.onTimeline(agentCtx, "case", "the assignment to Boris", w.en.T("cases.log.assigned", "who", agent2))
	if lines := w.timeline(agentCtx, "case"); slices.ContainsFunc(lines, func(l string) bool {
		return strings.Contains(l, w.en.T("cases.log.updated", "fields", w.en.T("cases.field.assignment")))
	}) {
		t.Errorf("an assignment shows twice on the timeline (also as a changed field): %q", lines)
	}
	if c := w.caseNow(number); c.AssigneeID == nil || *c.AssigneeID != agent2ID {
		t.Fatalf("the case's assignee: %v, want Boris (%d)", c.AssigneeID, agent2ID)
	}

	code := eval[string](w, agentCtx, `[...document.getElementById("resolution_code").options].map(o => o.value).find(v => v) || ""`)
	if code == "" {
		t.Fatal("the case page offers no resolution code")
	}
	w.do(agentCtx, "close with a resolution code",
		chromedp.SetValue(chromedp.ID("status"), string(cases.StatusClosed)),
		chromedp.SetValue(chromedp.ID("resolution_code"), code),
	)
	w.done(agentCtx, "update", "updated")
	if c := w.caseNow(number); c.Status != cases.StatusClosed || c.ResolutionCode != code {
		t.Fatalf("closed with %q: status %s, resolution %q", code, c.Status, c.ResolutionCode)
	}
	w.until(agentCtx, "showed the case closed", fmt.Sprintf(`document.getElementById("case-status").textContent.trim() === %q`, w.en.T("cases.status.closed")))
	var closedLines []string
	for _, s := range cases.CaseStatuses {
		closedLines = append(closedLines, w.en.T("cases.log.status", "from", w.en.T("cases.status."+string(s)), "to", w.en.T("cases.status.closed")))
	}
	w.onTimeline(agentCtx, "case", "the closing", closedLines...)
	w.onTimeline(agentCtx, "call", "the hotline call with its agent", w.en.T("cases.agent")+" "+agent1)
	browsertest.Screenshot(t, agentCtx, shots, "flow-case.png")
	if bad := eval[[]string](w, agentCtx, `[...document.querySelectorAll(".case-facts dt")].filter(dt => {
			const dd = dt.nextElementSibling, a = dt.getBoundingClientRect(), b = dd.getBoundingClientRect();
			return Math.abs(a.top - b.top) > 4 || a.right > b.left + 1 || dd.scrollWidth > dd.clientWidth + 1;
		}).map(dt => dt.textContent)`); len(bad) > 0 {
		t.Errorf("the case header's facts %q do not sit beside their values, or their values overflow", bad)
	}
	if wide := browsertest.Overflowing(t, agentCtx); wide != "" {
		t.Errorf("the case page scrolls sideways at 1280 px: %s", wide)
	}
	browsertest.AssertAccessible(t, agentCtx, "the case page")

	// 4. The call's recording in the case page's player: Range answered with 206.
	src := eval[string](w, agentCtx, `document.querySelector("#timeline > li.tl-call audio")?.src || ""`)
	if want := fmt.Sprintf("%s/api/v1/recordings/%d/audio", w.base, call.RecordingID); src != want {
		t.Fatalf("the call's player plays %q, want %q", src, want)
	}
	got, err := chromedp.Run(agentCtx, chromedp.WaitEvent(network.ResponseReceived, func(e network.EventResponseReceived) bool {
		return e.Response.URL == src
	}, chromedp.Evaluate[chromedp.Void](`document.querySelector("#timeline > li.tl-call audio").play().catch(() => {})`)))
	if err != nil {
		t.Fatalf("the player never fetched the recording: %v", err)
	}
	if got.Response.Status != http.StatusPartialContent || got.Response.MimeType != "audio/wav" {
		t.Errorf("the player's request for the recording: %d %s %v, want 206 audio/wav", got.Response.Status, got.Response.MimeType, got.Response.Headers)
	}
	w.until(agentCtx, "loaded the recording into the player", `(a => a.readyState >= 1 && a.duration > 1)(document.querySelector("#timeline > li.tl-call audio"))`)
	type rangeAnswer struct {
		Status            int
		Type, Range, Head string
	}
	ranged := eval[rangeAnswer](w, agentCtx, `fetch(document.querySelector("#timeline > li.tl-call audio").src, {headers: {Range: "bytes=0-43"}})
		.then(async r => ({Status: r.status, Type: r.headers.get("Content-Type"), Range: r.headers.get("Content-Range") || "",
			Head: String.fromCharCode(...new Uint8Array(await r.arrayBuffer()).slice(0, 4))}))`)
	if ranged.Status != 206 || ranged.Type != "audio/wav" || !strings.HasPrefix(ranged.Range, "bytes 0-43/") || ranged.Head != "RIFF" {
		t.Errorf("the recording's first 44 bytes by Range: %+v", ranged)
	}
	if v := csp(); len(v) > 0 {
		t.Errorf("the Content-Security-Policy blocked part of the desk or the case page: %q", v)
	}

	// 5. A supervisor finds a breached case and opens it with the keyboard.
	var breached []string
	for i := range 3 {
		var opened struct{ Number string }
		w.api("POST", "/api/v1/cases", map[string]any{"parcels": []string{flowParcel}, "type": "damage", "source": "email",
			"note": fmt.Sprintf("breached %d", i+1)}, &opened)
		due := time.Now().UTC().Add(-time.Duration(3-i) * time.Hour) // the oldest first, as the view sorts by due time
		if _, err := w.a.db.SQL.Exec(w.a.db.Rebind(`UPDATE cases SET resolution_due = ? WHERE brand_id = ? AND number = ?`), due, w.brand.ID, opened.Number); err != nil {
			t.Fatal(err)
		}
		breached = append(breached, opened.Number)
	}
	target := breached[1]
	supCtx, _ := chromedp.NewContext(agentCtx, chromedp.WithNewBrowserContext())
	supCSP := browsertest.CSPViolations(supCtx)
	w.login(supCtx, "/cases?view=breached", supervisor)
	w.until(supCtx, "showed the Breached view", `document.getElementById("view-breached")?.getAttribute("aria-current") === "page"`)
	rows := eval[[]string](w, supCtx, `[...document.querySelectorAll("#case-list tr.case-row a")].map(a => a.textContent)`)
	if !slices.Equal(rows, breached) {
		t.Fatalf("the Breached view lists %q, want the breached cases %q by due time", rows, breached)
	}
	browsertest.Screenshot(t, supCtx, shots, "flow-cases-breached.png")
	browsertest.AssertAccessible(t, supCtx, "/cases?view=breached")
	w.do(supCtx, "move down, down, up, down", chromedp.KeyEvent("j"), chromedp.KeyEvent("j"), chromedp.KeyEvent("k"), chromedp.KeyEvent("j"))
	w.until(supCtx, "selected the second row", fmt.Sprintf(`document.querySelector("#case-list tr.selected a")?.textContent === %q`, target))
	if res, err := chromedp.RunResponse(supCtx, chromedp.KeyEvent(kb.Enter)); err != nil || res.Status != 200 {
		t.Fatalf("Enter on the selected case: %v %v", res, err)
	}
	w.until(supCtx, "opened the selected case", fmt.Sprintf(`document.getElementById("case-number")?.textContent === %q`, target))
	if v := supCSP(); len(v) > 0 {
		t.Errorf("the Content-Security-Policy blocked part of the case views: %q", v)
	}

	// 6. Two agents on one case: the second's stale form is refused, the first's change stays.
	bCtx, _ := chromedp.NewContext(agentCtx, chromedp.WithNewBrowserContext())
	w.login(bCtx, "/cases/"+target, agent2)
	w.do(agentCtx, "open the breached case", chromedp.Navigate(w.base+"/cases/"+target), chromedp.WaitVisible(chromedp.ID("case-number")))
	before := w.caseNow(target)
	next := eval[string](w, agentCtx, `(o => o.includes("waiting_customer") ? "waiting_customer" : o.find(v => v && v !== "closed"))(
		[...document.getElementById("status").options].map(o => o.value))`)
	if next == "" || next == string(before.Status) {
		t.Fatalf("no status to change %s (%s) to", target, before.Status)
	}
	w.do(agentCtx, "change the status", chromedp.SetValue(chromedp.ID("status"), next))
	w.done(agentCtx, "update", "updated")
	w.do(bCtx, "raise the priority on the page loaded before", chromedp.SetValue(chromedp.ID("priority"), string(cases.PriorityHigh)))
	if st := w.submit(bCtx, "update"); st != http.StatusConflict {
		t.Fatalf("the second agent's stale form answered %d, want 409", st)
	}
	w.until(bCtx, "told the second agent the case changed", fmt.Sprintf(`document.getElementById("error")?.textContent === %q`, w.en.T("cases.flash.stale")))
	w.until(bCtx, "showed the case as it is now", fmt.Sprintf(`document.getElementById("case-status").textContent.trim() === %q`, w.en.T("cases.status."+next)))
	browsertest.Screenshot(t, bCtx, shots, "flow-case-conflict.png")
	if c := w.caseNow(target); string(c.Status) != next || c.Priority != before.Priority || c.Version != before.Version+1 {
		t.Fatalf("after the refused form: status %s (want %s), priority %s (want %s), version %d (want %d)",
			c.Status, next, c.Priority, before.Priority, c.Version, before.Version+1)
	}

	// The other language over HTTP: the Breached view and the conflict notice in Russian.
	w.russian(target, before.Version)
}

// finishedCall waits for the hotline call to end and returns it with its legs.
func (w *flowWorld) finishedCall() callcenter.Call {
	w.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		calls, err := w.n.tel.center.Calls.List(context.Background(), access.Operator(), callcenter.CallFilter{Direction: callcenter.Inbound, Limit: 1})
		if err != nil {
			w.t.Fatal(err)
		}
		if len(calls) == 1 && calls[0].EndedAt != nil && calls[0].RecordingID != 0 {
			return calls[0]
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("no finished hotline call with a recording after 20 s: %+v", calls)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// reloadUntil reloads the page until the expression holds (the dialer's progress shows on
// the next load of the page).
func (w *flowWorld) reloadUntil(ctx context.Context, what, expr string) {
	w.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr)); err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("the case page never showed %s: %q", what, w.timeline(ctx, "contact"))
		}
		time.Sleep(500 * time.Millisecond)
		w.do(ctx, "reload", chromedp.Reload())
	}
}

// russian checks the Russian pages over HTTP as the second agent: the Breached view's name,
// and a form posted on an old version of the case answered 409 with the notice in Russian.
func (w *flowWorld) russian(number string, oldVersion int64) {
	t := w.t
	t.Helper()
	ru := i18n.New("ru", time.UTC)
	jar := map[string]string{"lang": "ru"}
	if st, body, _ := browsertest.Login(t, w.n.web, jar, "boris@matryoshka.test", flowPassword, "/cases"); st != http.StatusSeeOther {
		t.Fatalf("log in over HTTP: %d %s", st, body)
	}
	st, page, _ := browsertest.Request(t, w.n.web, jar, "GET", "/cases?view=breached", nil)
	if st != 200 || !strings.Contains(page, `<html lang="ru"`) || !strings.Contains(html.UnescapeString(page), ru.T("cases.view.breached")) {
		t.Fatalf("the Breached view in Russian: %d %.2000s", st, page)
	}
	st, page, _ = browsertest.Request(t, w.n.web, jar, "GET", "/cases/"+number, nil)
	token := browsertest.FormToken(page)
	if st != 200 || token == "" {
		t.Fatalf("the case page in Russian: %d %.2000s", st, page)
	}
	form := url.Values{"_csrf": {token}, "version": {strconv.FormatInt(oldVersion, 10)}, "brand": {strconv.FormatInt(w.brand.ID, 10)},
		"priority": {string(cases.PriorityHigh)}}
	st, page, _ = browsertest.Request(t, w.n.web, jar, "POST", "/cases/"+number+"/update", form)
	notice := regexp.MustCompile(`(?s)id="error">(.*?)</p>`).FindStringSubmatch(page)
	if st != http.StatusConflict || notice == nil || html.UnescapeString(notice[1]) != ru.T("cases.flash.stale") {
		t.Fatalf("a stale form in Russian: %d, notice %q, want %q", st, notice, ru.T("cases.flash.stale"))
	}
}
