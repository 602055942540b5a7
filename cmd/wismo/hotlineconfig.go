package main

import (
	"strconv"

	"github.com/wismo/wismo/ivr"
)

// The hotline's self-service settings (docs/ivr.md "Self-service on the hotline"): how many
// keyed tracking-number lookups a caller's number, and all callers together, may make.

func (c *Config) hotlineSettings() []setting {
	return []setting{
		{"hotline-lookups-per-number", "WISMO_HOTLINE_LOOKUPS_PER_NUMBER", strconv.Itoa(ivr.MaxLookups),
			"tracking numbers one calling number may key in an hour on the hotline's self-service (1-1000)", &c.HotlineLookupsPerNumber},
		{"hotline-lookups", "WISMO_HOTLINE_LOOKUPS", strconv.Itoa(ivr.GlobalLookups),
			"tracking numbers all callers together may key in a minute (1-1000000; a load test wants it high)", &c.HotlineLookups},
	}
}

// validateHotline checks the hotline's settings, naming the field of each problem.
func (c *Config) validateHotline(bad func(field, format string, args ...any)) {
	for _, n := range []struct {
		name, v string
		max     int
	}{{"WISMO_HOTLINE_LOOKUPS_PER_NUMBER", c.HotlineLookupsPerNumber, 1000}, {"WISMO_HOTLINE_LOOKUPS", c.HotlineLookups, 1_000_000}} {
		if v, err := strconv.Atoi(n.v); err != nil || v < 1 || v > n.max {
			bad(n.name, "%q must be a number from 1 to %d", n.v, n.max)
		}
	}
}

// hotlineLookups are the validated limits: per number an hour, all callers a minute.
func (c *Config) hotlineLookups() (perNumber, all int) {
	perNumber, _ = strconv.Atoi(c.HotlineLookupsPerNumber)
	all, _ = strconv.Atoi(c.HotlineLookups)
	return perNumber, all
}
