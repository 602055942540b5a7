package ivr

import (
	"context"
	"time"

	"github.com/wismo/wismo/geo"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/trackwords"
)

// FragmentWait bounds how long one call waits for a fragment the synthesiser has not made
// yet (the pool of Config.Workers runs may be busy with other texts): past it the fragment is
// left out (a place, a date) or the whole status is the generic fragment, made at start.
const FragmentWait = 3 * time.Second

// fragment is one piece of the status sentence, synthesised and cached on its own.
type fragment struct {
	kind     string // intro, status, place, expected, day
	text     string
	required bool // the status words: without them the status is the generic fragment
}

// statusFragments are the pieces of the spoken status, in order: "Your parcel from <brand>."
// "<the latest event's customer words>." "<its place>." "It should arrive" "tomorrow." —
// the brand, the tracking page's customer words of the latest event (trackwords, with the
// brand's overrides), the event's place (a name alone, so every status at that place shares
// it), and the expected day (package eta's expected date, filled into the view by the
// tracking service; else the promised date; none once delivered) as today, tomorrow or a
// date. It says what the public tracking page says: no name, no address, not the number.
func (s *SelfService) statusFragments(ctx context.Context, brand int64, lg string, loc i18n.Locale, p tracking.ParcelView) []fragment {
	name, _ := s.Settings.BrandName(ctx, brand)
	words := trackwords.For(lg, s.Words.Brand(ctx, brand, lg))
	out := []fragment{{kind: "intro", text: loc.T("ivr.self.intro", "brand", name)},
		{kind: "status", text: loc.T("ivr.self.status", "status", words.Latest(p).Label), required: true}}
	if n := len(p.Events); n > 0 && p.Events[n-1].Location != "" {
		out = append(out, fragment{kind: "place", text: loc.T("ivr.self.place", "place", p.Events[n-1].Location)})
	}
	if p.DeliveredAt == nil {
		if d := firstOf(p.ExpectedDate, p.PromisedDate); d != "" && s.when(loc, p, day(d)) != "" {
			out = append(out, fragment{kind: "expected", text: loc.T("ivr.self.expected")}, fragment{kind: "day", text: s.when(loc, p, day(d))})
		}
	}
	return out
}

// when says a day relative to today in the recipient's zone: "today.", "tomorrow.", "on
// Monday 23 November."; "" for a day gone by (a late parcel: no date is promised again).
func (s *SelfService) when(loc i18n.Locale, p tracking.ParcelView, d time.Time) string {
	zone, err := geo.LoadZone(p.Recipient.TimeZone)
	if err != nil {
		zone = time.UTC
	}
	now := s.now().In(zone)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	switch d.Sub(today) {
	case 0:
		return loc.T("ivr.self.when_today")
	case 24 * time.Hour:
		return loc.T("ivr.self.when_tomorrow")
	}
	if d.Before(today) {
		return ""
	}
	return loc.T("ivr.self.when_date", "date", SpokenDate(loc, d))
}

func (s *SelfService) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// status is the spoken status: its fragments, each from the cache or the bounded pool, with
// a short pause between them. A fragment not made within FragmentWait is left out; without the
// status words the caller hears the generic fragment ("We could not read your parcel's status
// just now") instead.
func (s *SelfService) status(ctx context.Context, brand int64, lg string, loc i18n.Locale, p tracking.ParcelView) []int16 {
	wait := s.FragmentWait
	if wait <= 0 {
		wait = FragmentWait
	}
	var out []int16
	for _, f := range s.statusFragments(ctx, brand, lg, loc, p) {
		fctx, cancel := context.WithTimeout(ctx, wait)
		a, err := s.Prompts.Synthesize(fctx, lg, f.text)
		cancel()
		if err != nil && f.required { // the generic fragment (made at start), within the same wait, else the chime
			fctx, cancel := context.WithTimeout(ctx, wait)
			a, _ = s.Prompts.Audio(fctx, brand, "selfservice.status", lg, loc.T("ivr.self.status_generic"))
			cancel()
			return a
		}
		if err == nil {
			out = append(append(out, a...), make([]int16, 1600)...)
		}
	}
	return out
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// warmKeys are the fixed texts of the self-service, made at start so that the first callers
// (and a caller whose status words wait for a busy pool) find them in the cache.
var warmKeys = []string{"ivr.self.status_generic", "ivr.self.expected", "ivr.self.when_today", "ivr.self.when_tomorrow",
	"ivr.self.key_in", "ivr.self.not_found", "ivr.self.throttled", "ivr.self.sms_sent", "ivr.self.sms_limit", "ivr.self.sms_failed"}

// Warm synthesises the fixed texts in both languages (through the bounded pool; a missing
// synthesiser makes it return at once).
func (s *SelfService) Warm(ctx context.Context) {
	if !s.Prompts.CanSynthesize() {
		return
	}
	for _, lg := range []string{"en", "ru"} {
		loc := i18n.New(i18n.Lang(lg), time.UTC)
		for _, k := range warmKeys {
			if _, err := s.Prompts.Synthesize(ctx, lg, loc.T(k)); err != nil && ctx.Err() == nil {
				s.Log.Warn("self-service: fixed text not synthesised", "key", k, "lang", lg, "err", err)
			}
		}
	}
}
