package main

import (
	"strings"
	"testing"
)

// TestHotlineSettingsAreValidated: the self-service throttle's settings are numbers in range;
// a wrong one is refused naming its variable; the defaults pass.
func TestHotlineSettingsAreValidated(t *testing.T) {
	for _, c := range []struct {
		perNumber, all, want string
	}{{"6", "6000", ""}, {"0", "6000", "WISMO_HOTLINE_LOOKUPS_PER_NUMBER"}, {"6", "lots", "WISMO_HOTLINE_LOOKUPS"}, {"6", "2000000", "WISMO_HOTLINE_LOOKUPS"}} {
		cfg := Config{HotlineLookupsPerNumber: c.perNumber, HotlineLookups: c.all}
		var got []string
		cfg.validateHotline(func(field, format string, args ...any) { got = append(got, field) })
		if strings.Join(got, ",") != c.want {
			t.Errorf("%s/%s: refused %v, want %q", c.perNumber, c.all, got, c.want)
		}
	}
	if n, all := (&Config{HotlineLookupsPerNumber: "6", HotlineLookups: "6000"}).hotlineLookups(); n != 6 || all != 6000 {
		t.Errorf("limits %d %d", n, all)
	}
}
