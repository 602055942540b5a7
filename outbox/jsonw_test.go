package outbox

import (
	"encoding/json"
	"testing"
)

// AppendString must write what decodes to the same string as json.Marshal's output.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `quo"te`, `back\slash`, "tab\tnew\nline\r", "\x00\x1f\x7f", "<html>&",
		"Ростов-на-Дону", "line\u2028sep", "bad \xff utf8 \xc3", "emoji 📦"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := AppendString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("AppendString(%q) = %s: not JSON: %v", s, got, err)
		}
		want, _ := json.Marshal(s)
		var wantBack string
		json.Unmarshal(want, &wantBack)
		if back != wantBack {
			t.Fatalf("AppendString(%q) decodes to %q, json.Marshal's to %q", s, back, wantBack)
		}
	})
}

func TestAppendFieldOmitsEmpty(t *testing.T) {
	b := []byte{'{'}
	b = AppendField(b, "a", "", true)
	b = AppendField(b, "b", "x", false)
	b = AppendField(b, "c", "", false)
	b = append(b, '}')
	if string(b) != `{"b":"x","c":""}` {
		t.Errorf("got %s", b)
	}
}
