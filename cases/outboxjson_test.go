package cases

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// Every ingested event's outbox message is written by EventChange.AppendJSON, not
// json.Marshal: consumers must read the same thing either way.
func TestEventChangeJSONMatchesMarshal(t *testing.T) {
	at := time.Date(2026, 11, 1, 10, 0, 0, 123456789, time.UTC)
	odd := "quo\"te \\ <b>&</b> \t\n \x01 \xff Ростов \u2028 📦"
	for i, c := range []EventChange{
		{Event: eventJSONOf(&Event{Code: "EMA", OccurredAt: at}, nil), Status: StatusAccepted, PhaseBefore: PhaseRegistered, PhaseAfter: "export"},
		{Event: eventJSONOf(&Event{Code: "EMH", OccurredAt: at.Add(time.Second), Office: "RUMOWA", Location: odd, Country: "RU",
			TimeZone: "Europe/Moscow", Reason: "10", Action: "A", Signature: odd}, time.UTC), Status: StatusUpdated, LateAttached: true},
		{Event: EventView{Code: "XXX", OccurredAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", 3600))}},
		{},
	} {
		want, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		got := c.AppendJSON(nil)
		var w, g any
		if err := json.Unmarshal(want, &w); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatalf("case %d: AppendJSON wrote invalid JSON %s: %v", i, got, err)
		}
		if !reflect.DeepEqual(w, g) {
			t.Errorf("case %d:\n AppendJSON %s\n Marshal    %s", i, got, want)
		}
	}
}
