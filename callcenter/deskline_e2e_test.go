package callcenter

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wismo/wismo/callcenter/predictive"
	"github.com/wismo/wismo/portal/browsertest"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// countOffers makes the page count the SDP offers it creates (window.wismoOffers).
const countOffers = `(() => { window.wismoOffers = 0; const o = RTCPeerConnection.prototype.createOffer;
	RTCPeerConnection.prototype.createOffer = function () { window.wismoOffers++; return o.apply(this, arguments); }; return true; })()`

// TestDeskPredictiveLine: a browser agent of a brand with a running predictive campaign gets
// the shift's line: the desk answers it on its own with one offer and shows "On shift: line
// open"; two customers (baresip) in a row are bridged into that one WebRTC leg (the same leg
// on both calls' agent legs, one offer in the page), each with its screen pop; the agent
// heard each customer and each customer heard the agent (the recordings' two channels, the
// customer's phone); the line stays up between them and closes when the agent pauses.
func TestDeskPredictiveLine(t *testing.T) {
	storetest.OnePass(t)
	customer := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: customerE164, Tone: customerTone})
	w := newDeskWorldTrunk(t, 2*time.Second, telephony.Trunk{URI: "sip:127.0.0.1:" + itoa(customer.SIPPort)})
	w.parcelFor("RB123456785GB", customerE164)
	pc := predictive.New(w.db, storetest.Logger(t))
	w.center.cfg.Pacer = pc
	pc.AttachBrowsers(w.phones)
	now := time.Now().UTC()
	var campaign int64
	if err := w.db.SQL.QueryRow(w.db.Rebind(`INSERT INTO campaigns (brand_id, name, mode, status, created_at, updated_at)
		VALUES (?, 'COD predictive', 'predictive', 'running', ?, ?) RETURNING id`), w.brand, now, now).Scan(&campaign); err != nil {
		t.Fatal(err)
	}
	agentID, email := w.deskAgent("line1")
	ctx, _ := w.openDesk(email)
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](countOffers)); err != nil || !ok {
		t.Fatalf("count offers: %v", err)
	}
	bg := context.Background()
	if _, err := pc.Allow(bg, []int64{w.brand}, map[int64]int{}); err != nil { // the pacer's decision opens the line
		t.Fatal(err)
	}
	w.waitText(ctx, "line", "On shift: line open")
	for deadline := time.Now().Add(10 * time.Second); pc.Sessions() != 1; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no media session to the agent's browser in 10 s")
		}
	}
	browsertest.Screenshot(t, ctx, browsertest.ScreenshotsDir(t), "desk-line-open.png")
	var line string
	for i := range 2 {
		hangupAfter(t, customer, 3*time.Second)
		c := w.predictiveCall(t, campaign, "contact-"+strconv.Itoa(i))
		if c.Outcome != Answered || c.AgentID != agentID {
			t.Fatalf("call %d: outcome %s agent %d, want answered by agent %d", i, c.Outcome, c.AgentID, agentID)
		}
		checkBrowserLeg(t, c, agentID)
		var agentLeg string
		var answered, bridged time.Time
		for _, l := range c.Legs {
			if l.Kind == LegAgent && l.AnsweredAt != nil {
				agentLeg, bridged = l.SIPCallID, *l.AnsweredAt
			}
			if l.Kind == LegCustomer && l.AnsweredAt != nil {
				answered = *l.AnsweredAt
			}
		}
		t.Logf("call %d: customer answered to agent connected on the line: %v", i, bridged.Sub(answered).Round(time.Millisecond))
		if line == "" {
			line = agentLeg
		}
		if agentLeg != line {
			t.Errorf("call %d: agent leg %q, want the line's %q (one WebRTC leg, no new offer/answer)", i, agentLeg, line)
		}
		w.checkRecording(c, browserTone)                        // the agent heard the customer, and was recorded
		heard(t, customer, browserTone, "the customer's phone") // the customer heard the agent
		w.waitText(ctx, "pop-parcels", "RB123456785GB")         // the screen pop of this customer
		w.waitText(ctx, "message", "The customer hung up")
		w.waitText(ctx, "line", "On shift: line open")
		w.wrapUp(ctx, c.ID, agentID)
	}
	offers, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.wismoOffers`))
	if err != nil || offers != 1 {
		t.Errorf("the page made %d SDP offers for the shift's line and two customers, want 1 (%v)", offers, err)
	}
	if pc.Sessions() != 1 {
		t.Errorf("sessions after two customers: %d, want the agent's line still up", pc.Sessions())
	}
	// The agent pauses: the line closes.
	w.do(ctx, "pause", chromedp.Click(chromedp.ID("btn-pause")))
	w.waitState(ctx, "paused")
	pc.Sweep(bg)
	w.waitText(ctx, "message", "line is closed")
	for deadline := time.Now().Add(10 * time.Second); pc.Sessions() != 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the agent's line is still up 10 s after the agent paused")
		}
	}
}
