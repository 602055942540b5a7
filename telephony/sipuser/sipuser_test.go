package sipuser

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckCallerID(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want error // nil, ErrControl or ErrInvalid
	}{
		{"+74951112233", nil},
		{"+1", nil},
		{"shop", nil},
		{"matryoshka-shop_1.ru", nil},
		{"a&b=c+d$e,f/g!h~i*j'k(l)", nil},
		{"+7999\r\nP-Asserted-Identity: <sip:evil@x>", ErrControl},
		{"shop\n", ErrControl},
		{"shop\x00", ErrControl},
		{"shop\x7f", ErrControl},
		{"", ErrInvalid},
		{"+", ErrInvalid},
		{"+7 495 111 22 33", ErrInvalid},
		{"+1234567890123456", ErrInvalid}, // 16 digits
		{"+7999a", ErrInvalid},
		{"shop name", ErrInvalid},
		{"shop%0D%0A", ErrInvalid},
		{"shop;user=phone", ErrInvalid},
		{"shop?x=y", ErrInvalid},
		{"evil@host", ErrInvalid},
		{"<sip:x>", ErrInvalid},
		{`"quoted"`, ErrInvalid},
		{"магазин", ErrInvalid},
		{strings.Repeat("a", MaxCallerID+1), ErrInvalid},
	} {
		err := CheckCallerID(tc.in)
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("CheckCallerID(%q) = %v, want %v", tc.in, err, tc.want)
		}
	}
}

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"+74951112233": "+74951112233",
		"shop;x?y/z":   "shop;x?y/z",
		"+7999\r\nP-Asserted-Identity: <sip:evil@x>": "+7999%0D%0AP-Asserted-Identity%3A%20%3Csip%3Aevil%40x%3E",
		"100%":    "100%25",
		"a b@c":   "a%20b%40c",
		"магазин": "%D0%BC%D0%B0%D0%B3%D0%B0%D0%B7%D0%B8%D0%BD",
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
		if HasControl(Escape(in)) {
			t.Errorf("Escape(%q) still holds a control character", in)
		}
	}
}
