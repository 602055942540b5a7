package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
)

// apiCall sends a JSON request with a brand key and returns the status and body.
func apiCall(t *testing.T, method, url, key, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// placedByDialer stands in for the call center behind the dialer (callcenter.Placer): it logs
// the attempt in the call log as a progressive call of the contact, as the center does, and
// remembers the request so the test can report the attempt's end.
type placedByDialer struct {
	calls *callcenter.CallLog
	at    time.Time
	reqs  []dialer.CallRequest
}

func (p *placedByDialer) PlaceCall(ctx context.Context, r dialer.CallRequest) error {
	p.reqs = append(p.reqs, r)
	c := callcenter.Call{Direction: callcenter.Outbound, Mode: callcenter.ModeProgressive, BrandID: r.BrandID, ParcelID: r.ParcelID,
		CampaignRef: fmt.Sprint(r.CampaignID), ContactRef: fmt.Sprint(r.ContactID), From: r.CallerID, To: r.To,
		StartedAt: p.at, AnsweredAt: &p.at, EndedAt: &p.at, SIPStatus: 200, Outcome: callcenter.Answered, Disposition: callcenter.DispReached}
	return p.calls.Create(ctx, &c)
}

// campaignCall runs one attempt of a progressive campaign's call about parcel through the
// dialer, answered and reached, at a fixed time inside the calling window.
func campaignCall(t *testing.T, db *store.DB, brand int64, parcel, phone string) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 11, 9, 5, 0, 0, 0, time.UTC) // noon in Novosibirsk
	placer := &placedByDialer{calls: callcenter.NewCallLog(db), at: at}
	d, err := dialer.New(db, storetest.Logger(t), dialer.Options{Calls: placer, Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	camp, err := d.SaveCampaign(ctx, brand, dialer.Campaign{Name: "COD calls", Mode: "progressive", CallerID: "+74950000000"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.SetCampaignStatus(ctx, brand, camp.ID, "running"); err != nil {
		t.Fatal(err)
	}
	if err := db.WriteTx(ctx, func(tx store.Tx) error {
		return d.Plan(ctx, tx, []dialer.Request{{BrandID: brand, ParcelID: parcel, Channel: dialer.Call, To: phone,
			TimeZone: "Asia/Novosibirsk", CampaignID: camp.ID, RuleID: 1, TriggerRef: "timeline-test"}})
	}); err != nil {
		t.Fatal(err)
	}
	if n, err := d.RunOnce(ctx); err != nil || n != 1 || len(placer.reqs) != 1 {
		t.Fatalf("the dialer placed %d calls (%v), want the campaign's one", n, err)
	}
	if err := d.RecordCallOutcome(ctx, placer.reqs[0].ContactID, "answered", "reached", "telephony", time.Time{}); err != nil {
		t.Fatal(err)
	}
}

// TestEveryCallOnTheCaseTimelineAndTrackingPage: every kind of call about a parcel, a hotline
// call, an agent's preview call from a SIP phone, one from the desk page, and a dialer
// campaign's call, shows once on the timeline of a case about the parcel and once on the
// parcel's public tracking page, as `wismo serve` wires them (issue 14, item 5: before, the
// case timeline had only the dialer's calls).
func TestEveryCallOnTheCaseTimelineAndTrackingPage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildWismo(t)
	url := storetest.URL(t)
	env := []string{"WISMO_DATA_DIR=" + t.TempDir(), "WISMO_DATABASE_URL=" + url, "WISMO_LOG_LEVEL=warn",
		"WISMO_JOBS=none"} // the test runs the dialer's one attempt itself
	brandID, key := cliBrand(t, bin, env, "Timeline Shop")
	srv := startServe(t, bin, env)
	defer srv.cmd.Process.Kill()
	base := "http://" + srv.addr
	const parcel, phone = "RB123456785GB", "+79131234567"
	if code, body := apiCall(t, "POST", base+"/api/v1/parcels", key, `{"parcels":[{"id":"`+parcel+`","service_level":"standard",
		"kind":"packet","weight_kg":0.4,"origin_country":"GB","destination_country":"RU",
		"recipient":{"name":"Иван Петров","phone":"`+phone+`","region":"RU-NVS"}}]}`); code != 200 {
		t.Fatalf("parcel: %d %s", code, body)
	}
	code, body := apiCall(t, "POST", base+"/api/v1/cases", key, `{"parcels":["`+parcel+`"],"type":"non_receipt_or_delay"}`)
	var opened struct{ Number string }
	if json.Unmarshal(body, &opened); code != 201 || opened.Number == "" {
		t.Fatalf("open case: %d %s", code, body)
	}

	db := commsDB(t, url)
	calls := callcenter.NewCallLog(db)
	at := time.Date(2026, 11, 9, 7, 0, 0, 0, time.UTC)
	for i, c := range []callcenter.Call{
		{Direction: callcenter.Inbound, Mode: callcenter.ModeHotline, From: phone, To: "+74951112233", // the customer called
			Outcome: callcenter.Answered, Disposition: callcenter.DispReached},
		{Direction: callcenter.Outbound, Mode: callcenter.ModePreview, From: "+74950000000", To: phone, // an agent's SIP phone
			Outcome: callcenter.Busy, SIPStatus: 486},
		{Direction: callcenter.Outbound, Mode: callcenter.ModePreview, From: "+74950000000", To: phone, // the desk page
			Outcome: callcenter.Answered, Disposition: callcenter.DispCallbackRequested},
	} {
		c.BrandID, c.ParcelID, c.StartedAt = brandID, parcel, at.Add(time.Duration(i)*time.Hour)
		if err := calls.Create(context.Background(), &c); err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			leg := callcenter.Leg{CallID: c.ID, Kind: callcenter.LegAgent, To: "webrtc:1", StartedAt: c.StartedAt}
			if err := calls.AddLeg(context.Background(), &leg); err != nil {
				t.Fatal(err)
			}
		}
	}
	campaignCall(t, db, brandID, parcel, phone)

	// The case timeline: each call once (the dialer's attempt from the dialer, not twice).
	code, body = apiCall(t, "GET", base+"/api/v1/cases/"+opened.Number, key, "")
	var detail struct {
		Timeline []struct{ Kind, Summary, Ref string }
	}
	if json.Unmarshal(body, &detail); code != 200 {
		t.Fatalf("case: %d %s", code, body)
	}
	var got []string
	for _, e := range detail.Timeline {
		if e.Kind == "call" {
			got = append(got, e.Summary)
		}
	}
	slices.Sort(got)
	want := []string{
		"call attempt 1: answered/reached",
		"hotline call from +79131234567: answered (reached)",
		"preview call to +79131234567: answered (callback_requested)",
		"preview call to +79131234567: busy",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("calls on the case timeline:\n%s\nwant:\n%s\n(whole timeline %s)", strings.Join(got, "\n"), strings.Join(want, "\n"), body)
	}

	// The tracking page: the same four calls, in the customer's words.
	res, err := http.Get(base + "/track/" + parcel)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	i := bytes.Index(page, []byte(`id="comms"`))
	if res.StatusCode != 200 || i < 0 {
		t.Fatalf("tracking page: %d %.500s", res.StatusCode, page)
	}
	section := string(page[i:])
	section = section[:strings.Index(section, "</section>")]
	line := regexp.MustCompile(`<strong>([^<]+)</strong> <span class="pill[^"]*">([^<]+)</span>`)
	got = nil
	for _, m := range line.FindAllStringSubmatch(section, -1) {
		got = append(got, html.UnescapeString(m[1]+" | "+m[2]))
	}
	slices.Sort(got)
	want = []string{
		"Call | We called, no answer",
		"Call | We spoke with you",
		"Call | We spoke with you",
		"Call | You called us, we spoke with you",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("calls on the tracking page:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The call log's timeline adapter gives each call one "call" entry pointing at it, with the
// call as its data, and asks the call log with the reader's scope.
func TestCallTimelineEntries(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	acc := access.NewService(db)
	a, _, err := acc.CreateBrand(ctx, "Brand A")
	if err != nil {
		t.Fatal(err)
	}
	calls := callcenter.NewCallLog(db)
	at := time.Date(2026, 11, 9, 10, 0, 0, 0, time.UTC)
	c := callcenter.Call{Direction: callcenter.Inbound, Mode: callcenter.ModeHotline, BrandID: a.ID, ParcelID: "RB123456785GB",
		From: "+79131234567", StartedAt: at, Outcome: callcenter.Abandoned}
	if err := calls.Create(ctx, &c); err != nil {
		t.Fatal(err)
	}
	src := callTimeline{calls: calls}
	got, err := src.TimelineFor(ctx, access.Brands(a.ID), []string{"RB123456785GB"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Kind != "call" || !got[0].At.Equal(at) || got[0].Ref != fmt.Sprintf("call:%d", c.ID) ||
		got[0].Summary != "hotline call from +79131234567: abandoned" || got[0].Actor != "callcenter" {
		t.Fatalf("entries %+v", got)
	}
	if d, ok := got[0].Data.(callcenter.Call); !ok || d.ID != c.ID || d.Outcome != callcenter.Abandoned {
		t.Fatalf("entry data %#v", got[0].Data)
	}
	if other, err := src.TimelineFor(ctx, access.Brands(a.ID+1), []string{"RB123456785GB"}); err != nil || len(other) != 0 {
		t.Fatalf("another brand: %+v %v", other, err)
	}
}
