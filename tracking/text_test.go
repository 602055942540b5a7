package tracking_test

import (
	"context"
	"strings"
	"testing"

	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// rawParcel is parcel(id) as JSON with the recipient's name written as is (any bytes).
func rawParcel(t *testing.T, id, rawName string) string {
	t.Helper()
	const marker = "NAME-MARKER"
	p := trackingtest.Parcel(id)
	p.Recipient.Name = marker
	return strings.Replace(trackingtest.JSON(p), marker, rawName, 1)
}

// Text that is not valid UTF-8 (bytes, or a lone surrogate escape) is rejected with the
// field named; the other items of the batch are stored unchanged (issue 13, defect 10).
// encoding/json would have stored U+FFFD in its place without a word.
func TestIngestRejectsInvalidUTF8ByField(t *testing.T) {
	e := trackingtest.New(t)
	app := e.API()
	ids := []string{tracking.MakeS10("RR", 700001, "GB"), tracking.MakeS10("RR", 700002, "GB"), tracking.MakeS10("RR", 700003, "GB"), tracking.MakeS10("RR", 700004, "GB")}
	contents := strings.Replace(trackingtest.JSON(trackingtest.Parcel(ids[3])), `"recipient"`, `"contents":[{"description":"Tea","quantity":1},{"description":"Sil`+"\xff"+`k","quantity":1}],"recipient"`, 1)
	body := `{"parcels":[` + rawParcel(t, ids[0], "Иван") + "," + rawParcel(t, ids[1], "Iv\xc3\x28an") + "," +
		rawParcel(t, ids[2], `Iv\ud800an`) + "," + contents + "]}"
	var res struct{ Results []tracking.Result }
	if st := trackingtest.Call(t, app, "POST", "/api/v1/parcels", e.KeyA, "", []byte(body), &res); st != 200 || len(res.Results) != 4 {
		t.Fatalf("POST parcels: %d %+v", st, res)
	}
	want := []struct {
		status tracking.Status
		field  string
	}{{tracking.StatusAccepted, ""}, {tracking.StatusRejected, "recipient.name"}, {tracking.StatusRejected, "recipient.name"}, {tracking.StatusRejected, "contents[1].description"}}
	for i, w := range want {
		r := res.Results[i]
		if r.Status != w.status || (w.field != "" && (r.Error == nil || r.Error.Field != w.field || r.Error.Message != "is not valid UTF-8")) {
			t.Errorf("parcel %d: %+v %+v, want %s %s", i, r, r.Error, w.status, w.field)
		}
	}
	if n := e.Count(`SELECT COUNT(*) FROM parcels`); n != 1 {
		t.Errorf("%d parcels stored, want only the valid one", n)
	}

	// Events: the fast decoder gives up on the batch, the strict one keeps the good items.
	ev := func(code, loc string) string {
		return `{"item_id":"` + ids[0] + `","code":"` + code + `","occurred_at":"2026-11-10T09:00:00Z","office":"GBLONA","location":"` + loc + `"}`
	}
	body = `{"events":[` + ev("EMA", "London") + "," + ev("EMB", "Lon\xe2\x82don") + "," + ev("EMC", `Lon\udc00don`) + "," +
		ev("EMD", `Lon\ud83d\ude9adon`) + "]}"
	res.Results = nil
	if st := trackingtest.Call(t, app, "POST", "/api/v1/events", e.KeyA, "", []byte(body), &res); st != 200 || len(res.Results) != 4 {
		t.Fatalf("POST events: %d %+v", st, res)
	}
	got := trackingtest.Statuses(res.Results)
	if got[0] != tracking.StatusAccepted || got[1] != tracking.StatusRejected || got[2] != tracking.StatusRejected || got[3] != tracking.StatusAccepted {
		t.Errorf("event statuses %v, want accepted, rejected, rejected, accepted (a valid surrogate pair is text)", got)
	}
	if n := e.Count(`SELECT COUNT(*) FROM events WHERE location = ?`, "Lon\U0001F69Adon"); n != 1 {
		t.Errorf("the event with an escaped surrogate pair was not stored as written")
	}
	for _, r := range res.Results[1:3] {
		if r.Error == nil || r.Error.Field != "location" || r.Error.Message != "is not valid UTF-8" {
			t.Errorf("event %d: %+v, want location is not valid UTF-8", r.Index, r.Error)
		}
	}
	if n := e.Count(`SELECT COUNT(*) FROM events WHERE location LIKE ?`, "%\uFFFD%"); n != 0 {
		t.Errorf("%d events stored with U+FFFD in place of the sender's bytes", n)
	}
}

// The same holds for import files: NDJSON names the field, CSV its column.
func TestImportRejectsInvalidUTF8ByField(t *testing.T) {
	e := trackingtest.New(t)
	ids := []string{tracking.MakeS10("RR", 710001, "GB"), tracking.MakeS10("RR", 710002, "GB"), tracking.MakeS10("RR", 710003, "GB")}
	nd := rawParcel(t, ids[0], "Ivan") + "\n" + rawParcel(t, ids[1], "Iv\xffan") + "\n" + rawParcel(t, ids[2], "Ivan") + "\n"
	rep := importFile(t, e, nd, "ndjson")
	if rep.Parcels[tracking.StatusAccepted] != 2 || len(rep.Rejected) != 1 || rep.Rejected[0].Line != 2 ||
		rep.Rejected[0].Field != "recipient.name" || rep.Rejected[0].Message != "is not valid UTF-8" {
		t.Errorf("ndjson: %+v", rep)
	}
	csvBody := csvEventHeader + csvEventLine(ids[0], "EMA", 10, "London") + csvEventLine(ids[0], "EMB", 11, "Lon\xffdon") +
		csvEventLine(ids[0], "EMC", 12, "Moscow")
	rep = importFile(t, e, csvBody, "csv")
	if rep.Events[tracking.StatusAccepted] != 2 || len(rep.Rejected) != 1 || rep.Rejected[0].Line != 3 ||
		rep.Rejected[0].Field != "location" || rep.Rejected[0].Message != "is not valid UTF-8" || rep.Rejected[0].ID != ids[0] {
		t.Errorf("csv: %+v", rep)
	}
	v, err := e.Tracking.Parcel(context.Background(), e.ScopeA(), ids[2])
	if err != nil || v.Recipient.Name != "Ivan" {
		t.Errorf("the line after the bad one: %+v %v", v.Recipient, err)
	}
}
