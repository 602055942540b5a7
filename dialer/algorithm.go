package dialer

import "github.com/wismo/wismo/dialer/attempts"

// The call-attempt algorithm lives in package attempts; these names keep the dialer's API.
type (
	// Algorithm is a brand's or a campaign's call-attempt algorithm (attempts.Algorithm).
	Algorithm = attempts.Algorithm
	// Decision is what happens after an attempt (attempts.Decision).
	Decision = attempts.Decision
	// Duration is a time.Duration written as "2h30m" in JSON (attempts.Duration).
	Duration = attempts.Duration
)

// DefaultAlgorithm is what a brand starts with (attempts.Default).
func DefaultAlgorithm() Algorithm { return attempts.Default() }

// KnownOutcome reports whether s is a call outcome as the telephony engine sets it.
func KnownOutcome(s string) bool { return attempts.KnownOutcome(s) }

func validDisposition(s string) bool { return attempts.ValidDisposition(s) }

func parseAlgorithm(raw string) (Algorithm, error) { return attempts.Parse(raw) }
