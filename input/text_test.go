package input

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestBadTextNamesTheField(t *testing.T) {
	for _, tc := range []struct{ raw, field string }{
		{`{"a":"ok","b":"x` + "\xff" + `"}`, "b"},
		{`{"a":{"b":[1,"x",{"c":"\udfff"}]}}`, "a.b[2].c"},
		{`{"a":[[],["ok","\ud800x"]]}`, "a[1][1]"},
		{`{"k` + "\xff" + `":1}`, ""},
		{`{"a":{"k` + "\xff" + `":1}}`, "a"},
	} {
		fe := badText([]byte(tc.raw))
		if fe == nil || fe.Field != tc.field {
			t.Errorf("%q: %+v, want field %q", tc.raw, fe, tc.field)
		}
	}
	for _, ok := range []string{`{"a":"\ud83d\ude00","b":"\\ud800","c":"\u00e9"}`, `{"a":"x"}`, `{"a":"\ud800`} {
		if fe := badText([]byte(ok)); fe != nil {
			t.Errorf("%q: %+v, want no error (valid text, or malformed JSON left to the decoder)", ok, fe)
		}
	}
}

// FuzzBadText holds badText to encoding/json: whatever badText lets through, encoding/json
// decodes without putting a U+FFFD that was not in the input.
func FuzzBadText(f *testing.F) {
	f.Add(`{"a":"\ud83d\ude00"}`)
	f.Add(`{"a":["\udc00"]}`)
	f.Add("{\"a\":\"\xff\"}")
	f.Fuzz(func(t *testing.T, raw string) {
		if !json.Valid([]byte(raw)) || badText([]byte(raw)) != nil {
			return
		}
		var v any
		if err := json.Unmarshal([]byte(raw), &v); err != nil {
			return
		}
		out, _ := json.Marshal(v)
		if strings.Count(string(out), `\ufffd`)+strings.Count(string(out), "\uFFFD") >
			strings.Count(raw, "\uFFFD")+strings.Count(strings.ToLower(raw), `\ufffd`) {
			t.Fatalf("%q passed badText but decodes to %s", raw, out)
		}
	})
}
