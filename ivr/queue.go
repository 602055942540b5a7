package ivr

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/telephony"
)

// QueueOffer is "press 1 to keep your place and be called back" for hotline callers waiting in
// a queue (Amazon Connect's queued callback): callcenter.Config.QueueWait. The caller hears
// the offer, then the queue music three times, over and over; 1 plays a confirmation and
// hands back to the call center, which plans the callback (source "queue": inside the caller's
// window, with the queue's brand and script) and hangs up. Other keys are ignored. Callers the
// center could not match to a parcel are not offered it: a callback needs a parcel.
type QueueOffer struct {
	Eng     *telephony.Endpoint
	Prompts *Prompts
	// Announce, when set, gives the caller's place and expected wait to say before each round
	// of music, and how long a round lasts (callcenter/routing.Announcer, docs/routing.md).
	Announce func(ctx context.Context, call callcenter.Call) ([]int16, time.Duration)
}

// Wait implements callcenter.Config.QueueWait.
func (q *QueueOffer) Wait(ctx context.Context, leg *telephony.Leg, call callcenter.Call, music []int16, callback func()) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		offers := call.ParcelID != "" && call.BrandID != 0
		if !offers && q.Announce == nil {
			q.Eng.Play(ctx, leg, music, true)
			return
		}
		lg := callerLang(call.From)
		loc := i18n.New(i18n.Lang(lg), time.UTC)
		var offer []int16
		if offers {
			offer, _ = q.Prompts.Audio(ctx, call.BrandID, "queue.press1", lg, loc.T("ivr.queue.press1"))
			offer = append(append([]int16(nil), offer...), make([]int16, 4000)...)
		}
		for ctx.Err() == nil && leg.EndedBy() == "" {
			cycle := q.round(ctx, call, offer, music)
			if !offers {
				q.Eng.Play(ctx, leg, cycle, false)
				continue
			}
			res, err := PlayCollect(ctx, q.Eng, leg, cycle, Collect{MaxDigits: 1, FirstDigit: 10 * time.Millisecond, NoTerminator: true})
			if err != nil || res.Stop == StopHangup {
				return
			}
			if res.Digits == "1" {
				thanks, _ := q.Prompts.Audio(ctx, call.BrandID, "queue.called_back", lg, loc.T("ivr.queue.called_back"))
				q.Eng.Play(ctx, leg, thanks, false)
				callback()
				return
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { cancel(); <-done }) }
}

// round is one round of the wait: the announcement (if any), the offer (if any), then the
// music three times, or as often as fills the announcement interval.
func (q *QueueOffer) round(ctx context.Context, call callcenter.Call, offer, music []int16) []int16 {
	var out []int16
	var every time.Duration
	if q.Announce != nil {
		var said []int16
		said, every = q.Announce(ctx, call)
		out = append(out, said...)
	}
	out = append(out, offer...)
	if len(music) == 0 {
		music = make([]int16, 8000)
	}
	want := len(out) + 3*len(music)
	if every > 0 {
		want = int(every.Seconds() * 8000)
	}
	for first := true; first || len(out) < want; first = false {
		out = append(out, music...)
	}
	return out
}

// callerLang guesses a hotline caller's language from the number: Russian for +7, else
// English (the queue knows no recipient yet).
func callerLang(from string) string {
	if strings.HasPrefix(from, "+7") {
		return "ru"
	}
	return "en"
}
