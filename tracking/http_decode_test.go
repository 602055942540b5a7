package tracking

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/wismo/wismo/input"
)

// The batch API's fast event decoder must read exactly what the strict decoder reads, or
// give up: fuzzed bodies either fail the fast path or decode the same both ways.
func FuzzDecodeEventsFast(f *testing.F) {
	f.Add(`{"events":[{"item_id":"RB123456785GB","code":"EMA","occurred_at":"2026-11-01T10:00:00Z","office":"GBLONA"}]}`)
	f.Add(`{"events":[]}`)
	f.Add(` { "events" : [ {"item_id":"a"} , {"code":"b","location":"Ростов"} ] } `)
	f.Add(`{"events":[{"item_id":"a","colour":"red"}]}`)
	f.Add(`{"events":[{"item_id":"a\"b"}]}`)
	f.Add(`{"events":[{"Item_ID":"a"}]}`)
	f.Add(`{"events":[{"item_id":null}]}`)
	f.Add(`{"events":[{"item_id":"a"}],"extra":1}`)
	f.Fuzz(func(t *testing.T, body string) {
		fast, ok := decodeEventsFast([]byte(body))
		if !ok {
			return
		}
		strict, sok := decodeWhole[EventInput]([]byte(body), "events")
		if !sok {
			t.Fatalf("fast decoder accepted %q, the strict one refuses it", body)
		}
		if !reflect.DeepEqual(fast, strict) {
			t.Fatalf("%q:\n fast   %+v\n strict %+v", body, fast, strict)
		}
	})
}

func TestDecodeEventsFastGivesUp(t *testing.T) {
	for _, body := range []string{`{"events":[{"item_id":"a","colour":"red"}]}`, `{"events":[{"item_id":"a\"b"}]}`,
		`{"events":[{"Item_ID":"a"}]}`, `{"events":[{"item_id":null}]}`, `{"events":[{"item_id":"a"}],"extra":1}`,
		`{"events":[{"item_id":1}]}`, `{"events":{}}`, `[]`, `{"events":[` + strings.Repeat(`{},`, MaxBatch) + `{}]}`} {
		if _, ok := decodeEventsFast([]byte(body)); ok {
			t.Errorf("fast decoder accepted %.80s", body)
		}
	}
	got, ok := decodeEventsFast([]byte(`{"events":[{"item_id":"RB1","code":"EMA","occurred_at":"t","signature":"Ольга"}]}`))
	if !ok || len(got) != 1 || got[0].Signature != "Ольга" || got[0].Code != "EMA" {
		t.Errorf("plain batch: %v %+v", ok, got)
	}
}

func TestAppendResultsMatchesMarshal(t *testing.T) {
	results := []Result{{Index: 0, ID: "RB123456785GB", Status: StatusAccepted},
		{Index: 1, Status: StatusRejected, Error: &input.FieldError{Field: "occurred_at", Message: `"x" is not <RFC 3339> & "quoted"` + "\n"}},
		{Index: 2, ID: "Ростов", Status: StatusDuplicate}}
	want, _ := json.Marshal(map[string]any{"results": results})
	var w, g any
	json.Unmarshal(want, &w)
	got := appendResults(nil, results)
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("invalid JSON %s: %v", got, err)
	}
	if !reflect.DeepEqual(w, g) {
		t.Errorf("appendResults %s\n json.Marshal %s", got, want)
	}
	if string(appendResults(nil, nil)) != `{"results":[]}` {
		t.Errorf("empty: %s", appendResults(nil, nil))
	}
}
