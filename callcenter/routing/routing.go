// Package routing offers calls to agents by language and skill (issue 19 item 2,
// docs/routing.md). Each brand says which languages its agents speak (ISO 639-1) and which of
// its skill tags they have; each hotline queue may name a skill, a wait and how often callers
// hear their place. A call is offered first to the agents of its brand who speak the
// customer's language (the recipient's, as the tracking page speaks it) and have the queue's
// skill; after the queue's wait, to anyone of the brand. Longest idle orders within a tier.
//
// Call control asks through callcenter.Router: the router only filters and orders the idle
// agents callcenter found for the brand, so it can never offer a call across brands.
package routing

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/wismo/wismo/input"
)

// Limits and defaults.
const (
	MaxLanguages    = 10               // languages one agent may list
	MaxSkills       = 20               // skill tags one agent may have in one brand
	DefaultFallback = 30 * time.Second // a queue's wait for a matching agent
	DefaultAnnounce = 40 * time.Second // how often a queued caller hears position and wait
	MaxFallback     = 10 * time.Minute
	MaxAnnounceGap  = 5 * time.Minute
	minAnnounceGap  = 15 * time.Second
)

// ErrNotFound is an agent who is not the brand's, or a queue the caller may not see.
var ErrNotFound = errors.New("routing: not found")

// AgentRouting is what an agent offers one brand.
type AgentRouting struct {
	UserID    int64
	BrandID   int64
	Languages []string // ISO 639-1, lower case, in the agent's order
	Skills    []string // the brand's tags, lower case
}

// QueueRouting is a hotline queue's routing settings.
type QueueRouting struct {
	QueueID  int64
	BrandID  int64         // the queue's brand (0: every brand)
	Skill    string        // "" : none
	Fallback time.Duration // wait for an agent who speaks the caller's language; 0: none
	Announce time.Duration // between position announcements; 0: never
}

// DefaultQueue is a queue's routing when nobody set it.
func DefaultQueue(id, brand int64) QueueRouting {
	return QueueRouting{QueueID: id, BrandID: brand, Fallback: DefaultFallback, Announce: DefaultAnnounce}
}

var skillRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// CheckLanguages normalises and validates an agent's languages; the error names the field.
func CheckLanguages(in []string) ([]string, *input.FieldError) {
	if len(in) > MaxLanguages {
		return nil, input.Errorf("languages", "at most %d languages, got %d", MaxLanguages, len(in))
	}
	out := make([]string, 0, len(in))
	for _, l := range in {
		l = strings.ToLower(strings.TrimSpace(l))
		if !Known(l) {
			return nil, input.Errorf("languages", "%q is not an ISO 639-1 language code such as en or ru", l)
		}
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out, nil
}

// CheckSkills normalises and validates skill tags; field names the field in errors.
func CheckSkills(field string, in []string) ([]string, *input.FieldError) {
	if len(in) > MaxSkills {
		return nil, input.Errorf(field, "at most %d skills, got %d", MaxSkills, len(in))
	}
	out := make([]string, 0, len(in))
	for _, s := range in {
		s = strings.ToLower(strings.TrimSpace(s))
		if !skillRE.MatchString(s) {
			return nil, input.Errorf(field, "%q must be a tag of 1 to 32 letters a-z, digits, - or _, such as returns", s)
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

// CheckQueue validates a queue's settings.
func CheckQueue(q QueueRouting) (QueueRouting, *input.FieldError) {
	if q.Skill != "" {
		s, fe := CheckSkills("skill", []string{q.Skill})
		if fe != nil {
			return q, fe
		}
		q.Skill = s[0]
	}
	if q.Fallback < 0 || q.Fallback > MaxFallback {
		return q, input.Errorf("fallback_seconds", "must be 0 to %d seconds", int(MaxFallback/time.Second))
	}
	if q.Announce != 0 && (q.Announce < minAnnounceGap || q.Announce > MaxAnnounceGap) {
		return q, input.Errorf("announce_seconds", "must be 0 (never) or %d to %d seconds", int(minAnnounceGap/time.Second), int(MaxAnnounceGap/time.Second))
	}
	return q, nil
}

// Lang is the primary subtag of a language tag ("en-GB" -> "en"), lower case.
func Lang(tag string) string {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
	base, _, _ = strings.Cut(base, "_")
	return base
}

// Known reports whether code is an ISO 639-1 code.
func Known(code string) bool {
	if len(code) != 2 {
		return false
	}
	i := strings.Index(iso6391, code)
	return i >= 0 && i%3 == 0
}

func joinList(l []string) string { return strings.Join(l, ",") }

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func errorf(format string, args ...any) error { return fmt.Errorf("routing: "+format, args...) }

// iso6391 is every ISO 639-1 code, each followed by a space.
const iso6391 = "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy " +
	"da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz " +
	"ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo " +
	"lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps " +
	"pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn " +
	"to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu "
