package portal

import (
	"fmt"
	"time"

	"github.com/wismo/wismo/tracking"
)

// The promise of each phase (templates/track_promise.html; docs/expected-dates.md): on its way
// the promised date (the transit standard) with its weekday, "late" only while the parcel is
// still on its way, and beside it the expected date predicted from recent deliveries on the
// same lane (package eta); delivered: the delivery day and who signed; returning, returned
// and cancelled: that, and no promise; at customs: what the customer must do.

// trackCustoms is what the page tells a customer whose parcel is at import customs.
type trackCustoms struct {
	Reason string // the retention reason (CUSTOMS_DUTIES, ...), "" while customs only checks
	Todo   string // what the customer must do, in the page's language
	// Duties is the amount due ("Duties to pay: 1 250,00 ₽"), PayURL where to pay it (https),
	// when the customs event carries them (tracking/duties.go).
	Duties, PayURL string
}

// dayText writes a calendar day with its weekday: "Thu 10 December 2026" / "чт, 10 декабря 2026".
func dayText(d time.Time, lang string) string {
	if lang == "ru" {
		return fmt.Sprintf("%s, %d %s %d", ruWeekdays[d.Weekday()], d.Day(), ruMonths[d.Month()-1], d.Year())
	}
	return d.Format("Mon 2 January 2006")
}

// ymdText writes a YYYY-MM-DD day with its weekday ("" for none or a malformed one).
func ymdText(ymd, lang string) string {
	d, err := time.Parse("2006-01-02", ymd)
	if err != nil {
		return ""
	}
	return dayText(d, lang)
}

// stillOnItsWay reports whether the parcel is moving towards the recipient: a promise (and
// "late") holds only then.
func stillOnItsWay(v tracking.ParcelView) bool {
	switch v.Phase {
	case tracking.PhaseDelivered, tracking.PhaseReturning, tracking.PhaseReturned, "cancelled":
		return false
	}
	return !v.Returning
}

// addPromise fills the promise facts of the page's parcel view.
func addPromise(p *trackParcel, v tracking.ParcelView, lang string, loc *time.Location) {
	t := translator(lang)
	p.Promised, p.Late = "", false
	if stillOnItsWay(v) && p.Outcome == "" {
		p.Promised, p.Late = ymdText(v.PromisedDate, lang), v.Late
		if v.ExpectedDate != "" && v.ExpectedDate != v.PromisedDate {
			p.Expected = ymdText(v.ExpectedDate, lang)
		}
	}
	if v.DeliveredAt != nil && v.Phase == tracking.PhaseDelivered {
		at := v.DeliveredAt.In(loc)
		p.DeliveredOn = dayText(at, lang) + ", " + at.Format("15:04")
	} else {
		p.DeliveredOn, p.Signature = "", ""
	}
	if v.Phase != "customs" {
		return
	}
	c := &trackCustoms{}
	for i := len(v.Events) - 1; i >= 0; i-- {
		if e := v.Events[i]; e.Phase == "customs" {
			c.Reason = e.Reason
			break
		}
	}
	addDuties(c, v.Events, lang)
	key := "customs_todo." + c.Reason
	if c.Reason == "" || !hasTrackKey(key) {
		key = "customs_todo.none"
	}
	c.Todo = t(key)
	p.Customs = c
}

func hasTrackKey(key string) bool {
	return customerWords(func(string) string { return "x" }, key, "") != ""
}
