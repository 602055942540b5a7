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
}

// Wait implements callcenter.Config.QueueWait.
func (q *QueueOffer) Wait(ctx context.Context, leg *telephony.Leg, call callcenter.Call, music []int16, callback func()) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if call.ParcelID == "" || call.BrandID == 0 {
			q.Eng.Play(ctx, leg, music, true)
			return
		}
		lg := callerLang(call.From)
		loc := i18n.New(i18n.Lang(lg), time.UTC)
		offer, _ := q.Prompts.Audio(ctx, call.BrandID, "queue.press1", lg, loc.T("ivr.queue.press1"))
		cycle := append(append([]int16(nil), offer...), make([]int16, 4000)...)
		for range 3 {
			cycle = append(cycle, music...)
		}
		for ctx.Err() == nil && leg.EndedBy() == "" {
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

// callerLang guesses a hotline caller's language from the number: Russian for +7, else
// English (the queue knows no recipient yet).
func callerLang(from string) string {
	if strings.HasPrefix(from, "+7") {
		return "ru"
	}
	return "en"
}
