package portal

import (
	"time"

	"github.com/wismo/wismo/throttle"
)

// Limit is how many requests a key may make in a window.
type Limit struct {
	Requests int
	Window   time.Duration
}

// FeedbackLimits bound the tracking page's forms (feedback, delivery options, return).
// They are counted in memory, per node: with N web nodes behind a balancer a client may get
// up to N times the limit. That is enough to stop a script filling the case queue from one
// address; a shared limit would need the database or a cache.
type FeedbackLimits struct {
	PerIP     Limit // form posts from one client address that carry the page's CSRF token
	PerParcel Limit // requests opened about one parcel, from anywhere
	// MaxKeys bounds each table (0: throttle.DefaultMaxKeys); a full table forgets its least
	// recently used address or parcel.
	MaxKeys int
}

// DefaultFeedbackLimits are generous for a person and tight for a script.
var DefaultFeedbackLimits = FeedbackLimits{
	PerIP:     Limit{Requests: 10, Window: 10 * time.Minute},
	PerParcel: Limit{Requests: 20, Window: time.Hour},
}

// feedbackLimiter counts form posts so that nobody but the poster pays for a bad one (issue
// 13, defect 8). A post is checked against both limits before it is read; then
//
//   - the address is charged once the post carries the page's CSRF token: a post without
//     one may be another site's page posting through the visitor's browser, and must not
//     use up the visitor's allowance (reading the page costs the same and is not limited);
//   - the parcel is charged only when a request (a case) is opened. A CSRF token is no proof
//     of a person (a script gets one by reading the page), so counting garbage per parcel
//     would let anyone lock the parcel's recipient out; what is bounded per parcel is the
//     cases opened about it.
//
// Both tables forget their least recently used key when full (throttle.Rate): a flood of
// new addresses can make them forget, never refuse everyone.
type feedbackLimiter struct {
	perAddr, perParcel *throttle.Rate
}

func newFeedbackLimiter(l FeedbackLimits, now throttle.Clock) *feedbackLimiter {
	return &feedbackLimiter{
		perAddr:   throttle.NewRate(throttle.Limit{Events: l.PerIP.Requests, Window: l.PerIP.Window}, l.MaxKeys, now),
		perParcel: throttle.NewRate(throttle.Limit{Events: l.PerParcel.Requests, Window: l.PerParcel.Window}, l.MaxKeys, now),
	}
}

// check reports whether a post from addr about parcel may go on; when it may not, how long
// until it may and whether the address (rather than the parcel) is over its limit.
func (f *feedbackLimiter) check(addr, parcel string) (ok bool, wait time.Duration, byAddr bool) {
	okAddr, waitAddr := f.perAddr.Check(addr)
	okParcel, waitParcel := f.perParcel.Check(parcel)
	return okAddr && okParcel, max(waitAddr, waitParcel), !okAddr
}

// tokenPassed charges addr for a post with a valid CSRF token.
func (f *feedbackLimiter) tokenPassed(addr string) { f.perAddr.Count(addr) }

// opened charges parcel for a request opened about it.
func (f *feedbackLimiter) opened(parcel string) { f.perParcel.Count(parcel) }
