package jsonw

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

// EachField walks plain objects and refuses anything it cannot read for sure.
func TestEachField(t *testing.T) {
	var keys []string
	ok := EachField([]byte(` {"a":"x","b" : {"c":[1,"]}"]}, "d":true ,"e":null}`), func(k, v []byte) bool {
		keys = append(keys, string(k)+"="+string(v))
		return true
	})
	want := []string{`a="x"`, `b={"c":[1,"]}"]}`, `d=true `, `e=null`}
	if !ok || len(keys) != len(want) {
		t.Fatalf("EachField = %v %q", ok, keys)
	}
	for i := range want {
		if keys[i] != want[i] {
			t.Errorf("field %d = %s, want %s", i, keys[i], want[i])
		}
	}
	for _, bad := range []string{``, `[]`, `{"a":1`, `{"a\"b":1}`, `{"a":1,}`, `{"a":1} x`, `{a:1}`} {
		if EachField([]byte(bad), func(k, v []byte) bool { return true }) {
			t.Errorf("EachField(%s) accepted it", bad)
		}
	}
	if s, ok := PlainString([]byte(`"Ростов"`)); !ok || s != "Ростов" {
		t.Errorf("PlainString = %q %v", s, ok)
	}
	for _, bad := range []string{`"a\"b"`, `"a\nb"`, "\"\xff\"", `x`, `"`} {
		if _, ok := PlainString([]byte(bad)); ok {
			t.Errorf("PlainString(%s) accepted it", bad)
		}
	}
}
