package suggest

import "testing"

// TestNearest: a typo finds its name; a word far from every name finds none.
func TestNearest(t *testing.T) {
	names := []string{"has_phone", "has_email", "language", "time_zone"}
	for in, want := range map[string]string{"has_phne": "has_phone", "has_emial": "has_email", "langauge": "language", "colour": "", "Language": "language"} {
		if got := Nearest(in, names); got != want {
			t.Errorf("Nearest(%q) = %q, want %q", in, got, want)
		}
	}
}
