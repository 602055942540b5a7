package tracking

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
		// And back: the fast reader, and the decoder it falls back to, give what was written.
		var viaJSON EventChange
		if err := json.Unmarshal(want, &viaJSON); err != nil {
			t.Fatal(err)
		}
		for _, b := range [][]byte{got, want} {
			back, err := DecodeEventChange(b)
			if err != nil || !reflect.DeepEqual(back, viaJSON) {
				t.Errorf("case %d: DecodeEventChange(%s) = %+v, %v; want %+v", i, b, back, err, viaJSON)
			}
		}
	}
}

// The fast reader gives up on what it does not know instead of guessing; the decoder then
// reads it or reports the error.
func TestDecodeEventChangeFallsBack(t *testing.T) {
	for _, tc := range []struct {
		in   string
		fast bool
		code string
	}{
		{`{"event":{"code":"EMA","occurred_at":"2026-11-01T10:00:00Z"},"status":"accepted","phase_before":"registered","phase_after":"export"}`, true, "EMA"},
		{` { "event" : { "code" : "EMB" , "occurred_at" : "2026-11-01T10:00:00Z" } , "late_attached" : true } `, true, "EMB"},
		{`{"event":{"code":"E\u004dC","occurred_at":"2026-11-01T10:00:00Z"}}`, false, "EMC"},
		{`{"event":{"code":"EMD","occurred_at":"2026-11-01T10:00:00Z"},"extra":1}`, false, "EMD"},
		{`{"event":{"code":"EME","occurred_at":"not a time"}}`, false, ""},
	} {
		var c EventChange
		if got := decodeEventChangeFast([]byte(tc.in), &c); got != tc.fast {
			t.Errorf("%s: fast path %v, want %v", tc.in, got, tc.fast)
		}
		back, err := DecodeEventChange([]byte(tc.in))
		if tc.code == "" {
			if err == nil {
				t.Errorf("%s: no error", tc.in)
			}
			continue
		}
		if err != nil || back.Event.Code != tc.code {
			t.Errorf("%s: %+v %v", tc.in, back, err)
		}
	}
}

func FuzzEventChangeRoundTrip(f *testing.F) {
	f.Add("EMA", "London", "Ростов \"x\" \\ \x01", int64(1_700_000_000_123), true)
	f.Fuzz(func(t *testing.T, code, location, signature string, nanos int64, late bool) {
		c := EventChange{Event: EventView{Code: code, Location: location, Signature: signature,
			OccurredAt: time.Unix(0, nanos).UTC()}, Status: StatusAccepted, LateAttached: late}
		want, err := json.Marshal(c)
		if err != nil {
			return // a time json.Marshal refuses (a year past 9999)
		}
		var viaJSON EventChange
		if err := json.Unmarshal(want, &viaJSON); err != nil {
			t.Fatal(err)
		}
		back, err := DecodeEventChange(c.AppendJSON(nil))
		if err != nil || !reflect.DeepEqual(back, viaJSON) {
			t.Fatalf("DecodeEventChange(AppendJSON) = %+v, %v; json.Unmarshal(json.Marshal) = %+v", back, err, viaJSON)
		}
	})
}
