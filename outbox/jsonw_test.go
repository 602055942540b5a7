package outbox

import (
	"encoding/json"
	"testing"
)

// The fast reader of packed rows must agree with encoding/json on what pack wrote, and give
// up (for the decoder to handle) on anything else.
func TestSplitPartsReadsWhatPackWrites(t *testing.T) {
	payloads := []any{
		map[string]any{"a": "x}y]z,\"", "n": []any{1.5, true, nil, map[string]any{}}},
		"a string, with \"quotes\" and ] } brackets",
		42, nil, []any{}, map[string]any{"nested": map[string]any{"deep": []any{[]any{"\\"}}}},
	}
	var es []Entry
	for i, p := range payloads {
		es = append(es, Entry{Topic: "t", BrandID: 1, ItemID: "RR" + string(rune('A'+i)), Payload: p})
	}
	rows, err := pack(es)
	if err != nil || len(rows) != 1 {
		t.Fatalf("pack: %v, %d rows", err, len(rows))
	}
	items, got, ok := splitParts([]byte(rows[0].payload), rows[0].parts)
	if !ok || len(items) != len(payloads) {
		t.Fatalf("splitParts(%s) = %v %d", rows[0].payload, ok, len(items))
	}
	var want []part
	if err := json.Unmarshal([]byte(rows[0].payload), &want); err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if items[i] != want[i].ItemID || string(got[i]) != string(want[i].Payload) {
			t.Errorf("part %d: %s %s, want %s %s", i, items[i], got[i], want[i].ItemID, want[i].Payload)
		}
	}
	for _, bad := range []string{``, `[]`, `{}`, `[{"item_id":"a\"b","payload":1}]`, `[{"payload":1,"item_id":"a"}]`,
		`[{"item_id":"a","payload":{"x":1}`, `[{"item_id":"a","payload":1},]`, `[{"item_id":"a","payload":"open}]`} {
		if _, _, ok := splitParts([]byte(bad), 1); ok {
			t.Errorf("splitParts(%s) accepted it", bad)
		}
	}
	// A row splitParts refuses is still read, by the decoder.
	msgs, err := appendMessages(nil, Message{ID: 7}, 1, `[{"payload":{"v":1},"item_id":"RRZ"}]`)
	if err != nil || len(msgs) != 1 || msgs[0].ItemID != "RRZ" || string(msgs[0].Payload) != `{"v":1}` {
		t.Errorf("decoder fallback: %v %+v", err, msgs)
	}
}

func FuzzSplitParts(f *testing.F) {
	f.Add("plain", "RR1")
	f.Add(`}]"\`, "x")
	f.Fuzz(func(t *testing.T, s, item string) {
		es := []Entry{{Topic: "t", ItemID: item, Payload: s}, {Topic: "t", ItemID: item, Payload: map[string]any{"k": []any{s, s}}}}
		rows, err := pack(es)
		if err != nil {
			t.Fatal(err)
		}
		msgs, err := appendMessages(nil, Message{}, rows[0].parts, rows[0].payload)
		if err != nil {
			t.Fatal(err)
		}
		var want []part
		json.Unmarshal([]byte(rows[0].payload), &want)
		for i := range want {
			if msgs[i].ItemID != want[i].ItemID || string(msgs[i].Payload) != string(want[i].Payload) {
				t.Fatalf("part %d: %q %s, want %q %s", i, msgs[i].ItemID, msgs[i].Payload, want[i].ItemID, want[i].Payload)
			}
		}
	})
}
