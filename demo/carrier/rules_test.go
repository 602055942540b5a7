package carrier

import "testing"

// TestRule: the README's rule, by the last digit of the E.164 number; numbers written as
// people write them are read as wismo stores them.
func TestRule(t *testing.T) {
	for _, tc := range []struct {
		number, e164 string
		want         Answer
		lang         string
	}{
		{"+79131234560", "+79131234560", Busy, "ru"},
		{"+79131234561", "+79131234561", NoAnswer, "ru"},
		{"+79131234562", "+79131234562", Voicemail, "ru"},
		{"+79131234563", "+79131234563", Person, "ru"},
		{"+79131234569", "+79131234569", Person, "ru"},
		{"8 913 123-45-67", "+79131234567", Person, "ru"}, // a national Russian number, as typed
		{"+4915112345670", "+4915112345670", Busy, "en"},
		{"+447911123452", "+447911123452", Voicemail, "en"},
		{"+77012345671", "+77012345671", NoAnswer, "ru"}, // Kazakhstan shares +7
	} {
		e164, got, ok := Rule(tc.number)
		if !ok || e164 != tc.e164 || got != tc.want || Language(e164) != tc.lang {
			t.Errorf("Rule(%q) = %q %v %v, language %s; want %q %v, %s", tc.number, e164, got, ok, Language(e164), tc.e164, tc.want, tc.lang)
		}
	}
	for _, bad := range []string{"agent7", "", "+7", "hotline"} {
		if _, _, ok := Rule(bad); ok {
			t.Errorf("Rule(%q) took it for a phone number", bad)
		}
	}
	if got := dialled("8%20913%20123-45-67"); got != "8 913 123-45-67" {
		t.Errorf("dialled unescaped %q", got)
	}
}
