// Package attempts is the call-attempt algorithm of the dialer: how many attempts, how far
// apart, how many calls a recipient may get in one of their days, and which results end a
// call sequence (docs/outbound.md). It decides; package dialer stores and schedules.
package attempts

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// ErrInvalid is an algorithm that breaks a rule (dialer.ErrInvalid is the same error).
var ErrInvalid = errors.New("invalid")

// The end states of a call sequence that Decide returns (the dialer's statuses of the same
// names).
const (
	Done      = "done"
	Exhausted = "exhausted"
)

// KnownOutcome reports whether s is a call outcome as the telephony engine sets it: one
// vocabulary everywhere (docs/architecture.md, "Calls, outcomes and dispositions").
func KnownOutcome(s string) bool {
	switch s {
	case "answered", "no_answer", "busy", "rejected", "unreachable", "failed", "cancelled", "abandoned":
		return true
	}
	return false
}

// ValidDisposition accepts the shared dispositions (reached, wrong_number,
// callback_requested, refused, voicemail) and a brand's own: a short lower-case word.
func ValidDisposition(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '_' && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// Algorithm is the call-attempt algorithm of a brand or a campaign: how many attempts, how
// far apart, how many calls a recipient may get in one of their days, and which results
// end the sequence. Everything else is retried after its own spacing, within the caps.
type Algorithm struct {
	MaxAttempts int                 `json:"max_attempts"`
	Spacing     Duration            `json:"spacing"`   // between attempts when Retry names no other
	DailyCap    int                 `json:"daily_cap"` // placed calls per recipient per local day
	Retry       map[string]Duration `json:"retry"`     // spacing after an outcome or disposition
	Stop        []string            `json:"stop"`      // outcomes/dispositions that end the sequence
}

// Default is what a brand starts with: three attempts, two hours apart (sooner after busy or
// an abandoned call), at most two calls a day, stop on reached, wrong_number and refused.
func Default() Algorithm {
	return Algorithm{MaxAttempts: 3, Spacing: Duration(2 * time.Hour), DailyCap: 2,
		Retry: map[string]Duration{
			"busy": Duration(15 * time.Minute), "abandoned": Duration(10 * time.Minute),
			"unreachable": Duration(time.Hour), "failed": Duration(30 * time.Minute),
			"callback_requested": Duration(time.Hour), "voicemail": Duration(3 * time.Hour),
		},
		Stop: []string{"reached", "wrong_number", "refused"},
	}
}

// Validate checks the caps and that every named result is in the vocabulary or, for
// dispositions, a brand's own word.
func (a Algorithm) Validate() error {
	if a.MaxAttempts < 1 || a.MaxAttempts > 20 {
		return fmt.Errorf("%w: max_attempts must be 1 to 20", ErrInvalid)
	}
	if a.DailyCap < 1 || a.DailyCap > 20 {
		return fmt.Errorf("%w: daily_cap must be 1 to 20", ErrInvalid)
	}
	if time.Duration(a.Spacing) < time.Minute || time.Duration(a.Spacing) > 7*24*time.Hour {
		return fmt.Errorf("%w: spacing must be between 1m and 168h", ErrInvalid)
	}
	for k, d := range a.Retry {
		if k == "" || time.Duration(d) < time.Minute || time.Duration(d) > 7*24*time.Hour {
			return fmt.Errorf("%w: retry %q: spacing must be between 1m and 168h", ErrInvalid, k)
		}
	}
	for _, k := range a.Stop {
		if k == "answered" {
			return fmt.Errorf("%w: stop on a disposition (reached...), not on answered", ErrInvalid)
		}
	}
	return nil
}

// Decision is what happens after an attempt.
type Decision struct {
	Retry  bool
	After  time.Duration // when Retry: the spacing before the next attempt
	Status string        // when not Retry: Done or Exhausted
	Reason string
}

// Decide applies the algorithm to the result of attempt number attempts (1-based): an
// answered call is judged by its disposition (none recorded counts as reached: the dialer
// asks only once the agent's wrap-up gave one, or its wait ran out), any other call by its
// outcome.
func (a Algorithm) Decide(attempts int, outcome, disposition string) Decision {
	key := outcome
	if outcome == "answered" {
		key = disposition
		if key == "" {
			key = "reached"
		}
	}
	if slices.Contains(a.Stop, key) {
		return Decision{Status: Done, Reason: key}
	}
	if attempts >= a.MaxAttempts {
		return Decision{Status: Exhausted, Reason: fmt.Sprintf("%s after %d of %d attempts", key, attempts, a.MaxAttempts)}
	}
	after := time.Duration(a.Spacing)
	if d, ok := a.Retry[key]; ok {
		after = time.Duration(d)
	}
	return Decision{Retry: true, After: after, Reason: key}
}

// Duration is a time.Duration written as "2h30m" in JSON.
type Duration time.Duration

// MarshalJSON writes the duration as Go's duration text.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads "15m", "2h" or "1h30m".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf(`a duration is text like "2h" or "15m": %w`, err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: %w", s, err)
	}
	*d = Duration(v)
	return nil
}

// Parse reads stored JSON over the defaults ("" or "{}" is the default).
func Parse(raw string) (Algorithm, error) {
	a := Default()
	if raw == "" || raw == "{}" {
		return a, nil
	}
	if err := json.Unmarshal([]byte(raw), &a); err != nil {
		return a, fmt.Errorf("%w: algorithm: %v", ErrInvalid, err)
	}
	return a, nil
}
