package routing

import (
	"context"
	"strconv"
	"time"

	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/ivr"
)

// Announcement limits: numbers beyond these are said as the cap (docs/routing.md).
const (
	maxSaidPosition = 20 // "you are number 20 in the queue" for 20 and more
	maxSaidMinutes  = 30
	recentCalls     = 20 // answered calls the expected wait is computed from
	recentWindow    = 7 * 24 * time.Hour
	fragmentGap     = 800 // samples of silence between fragments (100 ms)
)

// Fragments are the prompt names and catalog keys a position announcement is built of; each
// is spoken once per language (ivr.Prompts caches it) or recorded by the brand as
// <prompts dir>/<brand>/<name>.<lang>.wav.
const (
	FragYouAre    = "routing.you_are"    // "You are number"
	FragInQueue   = "routing.in_queue"   // "in the queue."
	FragWaitAbout = "routing.wait_about" // "The expected wait is about"
)

// FragNumber and FragMinutes name the fragments of a number and of a count of minutes.
func FragNumber(n int) string  { return "routing.number." + strconv.Itoa(n) }
func FragMinutes(n int) string { return "routing.minutes." + strconv.Itoa(n) }

// Announcer speaks a queued caller's position and expected wait from cached fragments
// (ivr.QueueOffer.Announce).
type Announcer struct {
	Router  *Router
	Prompts *ivr.Prompts
}

// Announce implements ivr.QueueOffer.Announce: the audio to play now (nil: nothing) and how
// long until the next announcement (the queue's announce_seconds).
func (a *Announcer) Announce(ctx context.Context, call callcenter.Call) ([]int16, time.Duration) {
	names, lang, every := a.Router.Fragments(ctx, call)
	if len(names) == 0 {
		return nil, every
	}
	loc := i18n.New(i18n.Lang(lang), time.UTC)
	var out []int16
	for _, f := range names {
		s, src := a.Prompts.Audio(ctx, call.BrandID, f.name, lang, f.text(loc))
		if src == ivr.SourceFallback {
			return nil, every // no synthesiser and no recording: chimes would say nothing
		}
		out = append(append(out, s...), make([]int16, fragmentGap)...)
	}
	return out, every
}

// fragment is one piece of an announcement: a prompt name and its words.
type fragment struct {
	name string
	key  string // catalog key
	n    int    // the number, for numbers and minutes
}

func (f fragment) text(loc i18n.Locale) string {
	switch {
	case f.key == "":
		return strconv.Itoa(f.n) // espeak-ng says digits as words in each language
	case f.n > 0:
		return loc.N(f.key, f.n)
	}
	return loc.T(f.key)
}

// Fragments are the pieces of call's announcement now, in order, its language ("en" or "ru":
// the recipient's when wismo speaks it) and the queue's announcement interval. None when the
// call does not wait on this node or the queue announces nothing.
func (r *Router) Fragments(ctx context.Context, call callcenter.Call) ([]fragment, string, time.Duration) {
	q := DefaultQueue(call.QueueID, call.BrandID)
	if call.QueueID != 0 {
		if got, err := r.svc.Queue(ctx, call.QueueID); err == nil {
			q = got
		}
	}
	pos := r.Position(call.ID)
	if pos == 0 || q.Announce == 0 {
		return nil, "", q.Announce
	}
	lang := string(i18n.EN)
	if l, ok := i18n.Parse(r.language(ctx, callcenter.Offer{Call: call})); ok {
		lang = string(l)
	}
	said := min(pos, maxSaidPosition)
	out := []fragment{{name: FragYouAre, key: FragYouAre}, {name: FragNumber(said), n: said}, {name: FragInQueue, key: FragInQueue}}
	if m := r.svc.expectedWait(ctx, call.QueueID, call.BrandID, pos, r.now()); m > 0 {
		m = min(m, maxSaidMinutes)
		out = append(out, fragment{name: FragWaitAbout, key: FragWaitAbout}, fragment{name: FragMinutes(m), key: "routing.minutes", n: m})
	}
	return out, lang, q.Announce
}
