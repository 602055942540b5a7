package tracking_test

import (
	"strings"
	"testing"

	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// An id the sender cannot use is refused without saying that another brand holds it or
// where its parcel goes (issue 13, defect 10): "registered by another account" told brand B
// that brand A had the parcel.
func TestRefusalsDoNotNameTheHolder(t *testing.T) {
	e := trackingtest.New(t)
	e.Upsert(e.ScopeA(), trackingtest.Parcel(idA))
	abroad := trackingtest.Parcel(tracking.MakeS10("RR", 8, "DE"))
	abroad.OriginCountry, abroad.DestinationCountry = "DE", "FR"
	abroad.Recipient.Phone, abroad.Recipient.Region = "+33 1 23 45 67 89", ""
	e.Upsert(e.ScopeA(), abroad)
	// An event brand A's key pushed before brand B's parcel existed stays A's claim.
	early := tracking.MakeS10("RR", 9, "GB")
	e.Events(e.ScopeA(), trackingtest.Event(early, "EMA", "2026-11-10T09:00:00Z"))

	refusals := map[string]tracking.Result{
		"B registers A's parcel":           e.Upsert(e.ScopeB(), trackingtest.Parcel(idA))[0],
		"B pushes an event for A's parcel": e.Events(e.ScopeB(), trackingtest.Event(idA, "EMB", "2026-11-11T09:00:00Z"))[0],
		"GB post pushes for DE->FR":        e.Events(e.PostGB, trackingtest.Event(abroad.ID, "EMA", "2026-11-10T09:00:00Z"))[0],
		"B repeats A's early event":        e.Events(e.ScopeB(), trackingtest.Event(early, "EMA", "2026-11-10T09:00:00Z"))[0],
	}
	for name, r := range refusals {
		if r.Status != tracking.StatusRejected || r.Error == nil {
			t.Errorf("%s: %+v, want rejected", name, r)
			continue
		}
		msg := r.Error.Message
		for _, id := range []string{idA, abroad.ID, early} { // the sender's own id says nothing new
			msg = strings.ReplaceAll(msg, id, "<id>")
		}
		for _, leak := range []string{"another", "other brand", "Brand A", "to or from", "DE", "FR", "GB"} {
			if strings.Contains(msg, leak) {
				t.Errorf("%s: %q says %q", name, r.Error.Message, leak)
			}
		}
		if !strings.Contains(msg, "check the id") {
			t.Errorf("%s: %q does not tell the sender what to do", name, r.Error.Message)
		}
	}
	if refusals["B pushes an event for A's parcel"].Error.Message != strings.Replace(refusals["GB post pushes for DE->FR"].Error.Message, abroad.ID, idA, 1) {
		t.Errorf("a brand and a post are refused in different words: %q / %q", refusals["B pushes an event for A's parcel"].Error.Message,
			refusals["GB post pushes for DE->FR"].Error.Message)
	}
}
