package gsm

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestAlphabetHas128Septets(t *testing.T) {
	if n := utf8.RuneCountInString(basic); n != 128 {
		t.Fatalf("the basic table has %d characters, want 128", n)
	}
	for i, r := range runeOf() {
		if i == esc {
			continue
		}
		if septetOf()[r] != byte(i) {
			t.Errorf("%q maps to %#x, want %#x", r, septetOf()[r], i)
		}
	}
}

func TestDetectAndRoundTrip(t *testing.T) {
	tests := []struct {
		text string
		want Encoding
	}{
		{"Your parcel RB123456785GB is at the sorting centre.", GSM7},
		{"Prices in € and {braces} [brackets] ~ ^ | \\", GSM7},
		{"Ärger über Öl: año, ¿qué? £5 ¥3 @home", GSM7},
		{"Посылка RB123456785GB в сортировочном центре", UCS2},
		{"Hello ✓", UCS2},
		{"emoji 📦 parcel", UCS2},
		{"café à la carte", GSM7}, // é and à are in the basic table
		{"naïve", UCS2},           // ï is not
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := Detect(tt.text); got != tt.want {
				t.Fatalf("Detect = %s, want %s", got, tt.want)
			}
			var back string
			if tt.want == GSM7 {
				b, err := EncodeGSM7(tt.text)
				if err != nil {
					t.Fatal(err)
				}
				back = DecodeGSM7(b)
			} else {
				if _, err := EncodeGSM7(tt.text); err == nil {
					t.Fatal("EncodeGSM7 accepted text outside the alphabet")
				}
				back = DecodeUCS2(EncodeUCS2(tt.text))
			}
			if back != tt.text {
				t.Fatalf("round trip gave %q", back)
			}
		})
	}
}

func TestSegments(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		enc      Encoding
		segments int
		units    int
	}{
		{"empty", "", GSM7, 0, 0},
		{"160 GSM-7 in one", strings.Repeat("a", 160), GSM7, 1, 160},
		{"161 GSM-7 in two", strings.Repeat("a", 161), GSM7, 2, 161},
		{"306 GSM-7 in two", strings.Repeat("a", 306), GSM7, 2, 306},
		{"307 GSM-7 in three", strings.Repeat("a", 307), GSM7, 3, 307},
		{"80 euro signs are 160 septets", strings.Repeat("€", 80), GSM7, 1, 160},
		{"81 euro signs", strings.Repeat("€", 81), GSM7, 2, 162},
		{"70 Cyrillic in one", strings.Repeat("ж", 70), UCS2, 1, 70},
		{"71 Cyrillic in two", strings.Repeat("ж", 71), UCS2, 2, 71},
		{"134 Cyrillic in two", strings.Repeat("ж", 134), UCS2, 2, 134},
		{"135 Cyrillic in three", strings.Repeat("ж", 135), UCS2, 3, 135},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info := Analyze(tt.text)
			if info.Encoding != tt.enc || info.Segments != tt.segments || info.Units != tt.units {
				t.Fatalf("Analyze = %+v, want %s in %d segments of %d units", info, tt.enc, tt.segments, tt.units)
			}
		})
	}
}

func TestSplitNeverBreaksPairs(t *testing.T) {
	// 152 'a' then '€': the escape would straddle the 153-septet boundary.
	_, parts := Split(strings.Repeat("a", 152) + "€" + strings.Repeat("b", 20))
	if len(parts[0]) != 152 || parts[1][0] != esc {
		t.Fatalf("the escape sequence was split: first part %d septets", len(parts[0]))
	}
	// 66 Cyrillic then an emoji (a surrogate pair) across the 67-unit boundary.
	_, parts = Split(strings.Repeat("ж", 66) + "📦" + strings.Repeat("ж", 10))
	if len(parts[0]) != 66*2 {
		t.Fatalf("the surrogate pair was split: first part %d octets", len(parts[0]))
	}
	var joined []byte
	for _, p := range parts {
		joined = append(joined, p...)
	}
	if got := DecodeUCS2(joined); got != strings.Repeat("ж", 66)+"📦"+strings.Repeat("ж", 10) {
		t.Fatalf("parts do not join back: %q", got)
	}
}
