package demo

import (
	"fmt"
	"time"

	"github.com/wismo/wismo/tracking"
)

type zoneMode int

const (
	zoneAuto  zoneMode = iota // region where the country has regions, else phone or country
	zoneGiven                 // an explicit IANA zone instead of the region
	zoneNone                  // neither: wismo falls back to the phone or the country
)

type outcome int

const (
	clean           outcome = iota // delivered at the first attempt
	failedThenOK                   // one or two failed attempts, then delivered
	returnToSender                 // failed, sent back, delivered to the sender
	exportCancelled                // held by export customs and cancelled (EXX)
)

// spec is what a parcel's story is; forced specs make the first parcels of every run cover
// each notable story and each time-zone rule.
type spec struct {
	story      string // sample name, forced stories only
	brand      int
	dest       string
	level      tracking.ServiceLevel
	cod        int // -1 never, 0 by chance, 1 always (COD countries only)
	zone       zoneMode
	noPhone    bool
	outcome    outcome
	hold       string // customs-hold reason, "" for none
	courier    bool   // delivered to the door (EDG) rather than collected (EDH)
	reason     string // forced reason of the decisive EMH
	cut        string // forced: the history ends with the last event of this code
	quietEcon  bool   // economy item without any scan
	secondMiss bool   // a second failed attempt
}

var forced = []spec{
	{story: "delivered", brand: 0, dest: "RU", level: tracking.Premium, cod: -1, courier: true, cut: "EMI"},
	{story: "cod_out_for_delivery", brand: 0, dest: "RU", level: tracking.Standard, cod: 1, zone: zoneGiven, courier: true, cut: "EDG"},
	{story: "customs_hold", brand: 2, dest: "RU", level: tracking.Standard, cod: -1, zone: zoneNone, hold: "CUSTOMS_DUTIES", cut: "EME"},
	{story: "failed_attempt", brand: 1, dest: "GB", level: tracking.Premium, outcome: failedThenOK, courier: true, reason: "ABSENT", cut: "EMH"},
	{story: "returned", brand: 0, dest: "KZ", level: tracking.Standard, cod: 1, outcome: returnToSender, courier: true, reason: "REFUSED", cut: "EMI"},
	{story: "economy", brand: 2, dest: "US", level: tracking.Economy, cut: "EMI"},
	{story: "returning", brand: 2, dest: "RU", level: tracking.Standard, cod: -1, outcome: returnToSender, reason: "MOVED", courier: true, cut: "EMH"},
	{story: "ready_for_pickup", brand: 0, dest: "BY", level: tracking.Standard, cod: 1, cut: "EDH"},
	{story: "cancelled", brand: 2, dest: "MX", level: tracking.Standard, outcome: exportCancelled, cut: "EXX"},
	{story: "no_phone", brand: 1, dest: "DE", level: tracking.Standard, noPhone: true, cut: "EMI", courier: true},
	{story: "posted", brand: 0, dest: "RU", level: tracking.Standard, cod: -1, cut: "EMA"},
	{story: "in_transit", brand: 1, dest: "RU", level: tracking.Standard, cod: -1, cut: "EMC"},
}

// sampleStories are the stories whose parcels Summary.Sample lists.
var sampleStories = map[string]bool{"delivered": true, "cod_out_for_delivery": true, "customs_hold": true,
	"failed_attempt": true, "returned": true, "economy": true}

var (
	levels      = newWeighted(string(tracking.Premium), 20, string(tracking.Standard), 55, string(tracking.Economy), 25)
	holdReasons = newWeighted("CUSTOMS_DUTIES", 45, "CUSTOMS_DOCS", 30, "CUSTOMS_CONTACT", 17, "CUSTOMS_PROHIBITED", 8)
	missReasons = newWeighted("ABSENT", 35, "RESCHEDULED", 20, "UNREACHABLE", 15, "BAD_ADDRESS", 10,
		"INACCESSIBLE", 8, "MOVED", 4, "UNPAID", 3)
	missReasonsCOD = newWeighted("UNPAID", 25, "ABSENT", 25, "UNREACHABLE", 15, "RESCHEDULED", 15,
		"REFUSED", 10, "BAD_ADDRESS", 5, "INACCESSIBLE", 5)
	returnReasons    = newWeighted("UNCLAIMED", 40, "MOVED", 20, "REFUSED", 20, "BAD_ADDRESS", 14, "DECEASED", 3, "INACCESSIBLE", 3)
	returnReasonsCOD = newWeighted("REFUSED", 55, "UNCLAIMED", 25, "UNPAID", 15, "MOVED", 5)
	// actionsFor: what the courier did after a failed attempt that does not send the item back.
	actionsFor = map[string]weighted{
		"ABSENT":       newWeighted("NOTICE_LEFT", 60, "REDELIVERY", 40),
		"RESCHEDULED":  newWeighted("REDELIVERY", 1),
		"UNREACHABLE":  newWeighted("CONTACT_ADDRESSEE", 1),
		"BAD_ADDRESS":  newWeighted("CONTACT_ADDRESSEE", 70, "HOLD_AT_OFFICE", 30),
		"INACCESSIBLE": newWeighted("HOLD_AT_OFFICE", 50, "CONTACT_ADDRESSEE", 50),
		"MOVED":        newWeighted("FORWARDED", 1),
		"UNPAID":       newWeighted("HOLD_AT_OFFICE", 50, "CONTACT_ADDRESSEE", 50),
		"REFUSED":      newWeighted("CONTACT_ADDRESSEE", 1),
	}
)

func (g *gen) randomSpec() spec {
	r := g.r
	s := spec{brand: brandWeights.pickIndex(r)}
	s.dest = brands[s.brand].dests.pick(r)
	s.level = tracking.ServiceLevel(levels.pick(r))
	switch n := r.IntN(100); {
	case n < 10:
		s.zone = zoneGiven
	case n < 17:
		s.zone = zoneNone
	}
	s.noPhone = r.IntN(100) < 3
	return s
}

// drawOutcome decides a random parcel's fate once its COD is known: COD parcels are refused
// and left unpaid more often.
func (g *gen) drawOutcome(s *spec, cod bool) {
	r := g.r
	if s.level == tracking.Economy {
		s.quietEcon = r.IntN(100) < 30
		return
	}
	ret, fail := 45, 130
	if cod {
		ret, fail = 100, 180
	}
	switch n := r.IntN(1000); {
	case n < ret:
		s.outcome = returnToSender
	case n < ret+fail:
		s.outcome, s.secondMiss = failedThenOK, r.IntN(100) < 20
	case n < ret+fail+5:
		s.outcome = exportCancelled
	}
	if r.IntN(100) < 11 {
		s.hold = holdReasons.pick(r)
	}
	s.courier = s.level == tracking.Premium || s.outcome == failedThenOK || r.IntN(100) < 55
}

// scan is one planned event.
type scan struct {
	code                    string
	at                      time.Time
	o                       *office
	reason, action, signing string
}

const (
	hour = time.Hour
	day  = 24 * time.Hour
)

// scanX appends a scan lo..hi after the previous one (scaled by the service's speed); at
// counter offices it moves to opening hours (08:00-20:00 local).
func (g *gen) scanX(code string, o *office, lo, hi time.Duration, reason, action, signing string) {
	t := g.t
	if len(g.scans) > 0 {
		lo, hi = time.Duration(float64(lo)*g.speed), time.Duration(float64(hi)*g.speed)
		t = t.Add(max(lo, 10*time.Minute) + time.Duration(g.r.Int64N(int64(hi-lo)+1)))
	}
	if o.counter {
		local := t.In(o.loc)
		if h := local.Hour(); h < 8 || h >= 20 {
			d := local
			if h >= 20 {
				d = local.AddDate(0, 0, 1)
			}
			t = time.Date(d.Year(), d.Month(), d.Day(), 8, 0, 0, 0, o.loc).Add(time.Duration(g.r.IntN(150)) * time.Minute)
		}
	}
	t = t.Add(time.Duration(g.r.IntN(60)) * time.Second).Truncate(time.Second)
	g.t = t
	g.scans = append(g.scans, scan{code: code, at: t, o: o, reason: reason, action: action, signing: signing})
}

func (g *gen) scan(code string, o *office, lo, hi time.Duration) {
	g.scanX(code, o, lo, hi, "", "", "")
}

// history plans a parcel's events and returns those that happened before now.
func (g *gen) history(s *spec, id string, oc *originCity, pl *place, cod bool, per person) []tracking.EventInput {
	r := g.r
	g.scans, g.events = g.scans[:0], g.events[:0]
	g.t = g.now.Add(-time.Duration(r.Int64N(int64(45 * day))))
	if s.cut != "" {
		g.t = g.now.Add(-44 * day)
	}
	g.speed = 1
	switch s.level {
	case tracking.Premium:
		g.speed = 0.5
	case tracking.Economy:
		if s.quietEcon {
			return nil
		}
		g.economy(oc, pl)
	}
	if s.level != tracking.Economy {
		g.tracked(s, oc, pl, cod, per)
	}
	scans := g.scans
	if s.cut != "" {
		k := len(scans) - 1
		for k > 0 && scans[k].code != s.cut {
			k--
		}
		scans = scans[:k+1]
		shift := g.now.Sub(scans[k].at) / day * day
		if scans[k].at.Add(shift).After(g.now) {
			shift -= day
		}
		for i := range scans {
			scans[i].at = scans[i].at.Add(shift)
		}
	}
	for _, sc := range scans {
		if sc.at.After(g.now) {
			break
		}
		g.events = append(g.events, tracking.EventInput{ItemID: id, Code: sc.code, OccurredAt: sc.at.In(sc.o.loc).Format(time.RFC3339),
			Office: sc.o.code, Location: sc.o.city, Country: sc.o.country, TimeZone: sc.o.zone,
			Reason: sc.reason, Action: sc.action, Signature: sc.signing, Pickup: pickupPoint(sc)})
	}
	return g.events
}

// economy: untracked end to end; posts send posting and delivery, now and then an arrival.
func (g *gen) economy(oc *originCity, pl *place) {
	g.scan("EMA", oc.post, 0, 0)
	if g.r.IntN(100) < 15 {
		g.scan("EMD", g.world.inward(pl, oc.post.country), 3*day, 9*day)
		g.scan("EMI", pl.deliv[g.r.IntN(len(pl.deliv))], 4*day, 12*day)
		return
	}
	g.scan("EMI", pl.deliv[g.r.IntN(len(pl.deliv))], 9*day, 22*day)
}

func (g *gen) tracked(s *spec, oc *originCity, pl *place, cod bool, per person) {
	r, w := g.r, g.world
	origin := oc.post.country
	out, in := w.exch[oc.exch], w.inward(pl, origin)
	g.scan("EMA", oc.post, 0, 0)
	g.scan("EMB", out, 4*hour, 30*hour)
	if s.outcome == exportCancelled || r.IntN(100) < 12 {
		g.scan("EXA", out, 1*hour, 10*hour)
		if s.outcome == exportCancelled || r.IntN(100) < 10 {
			g.scan("EXB", out, 2*hour, 20*hour)
			if s.outcome == exportCancelled {
				g.scan("EXX", out, day, 4*day)
				return
			}
			g.scan("EXC", out, 20*hour, 3*day)
		}
	}
	g.scan("EMC", out, 3*hour, 30*hour)
	if r.IntN(100) < 15 {
		hubs := otherHubs
		if origin == "CN" || origin == "KR" {
			hubs = asiaHubs
		}
		hub := w.exch[hubs[r.IntN(len(hubs))]]
		for hub.country == origin || hub.country == pl.country {
			hub = w.exch[hubs[r.IntN(len(hubs))]]
		}
		g.scan("EMJ", hub, 6*hour, 20*hour)
		g.scan("EMK", hub, 4*hour, 36*hour)
	}
	g.scan("EMD", in, 8*hour, 40*hour)
	eaeu := pl.country == "RU" || pl.country == "KZ" || pl.country == "BY"
	if s.hold != "" || eaeu && r.IntN(100) < 50 || r.IntN(100) < 30 {
		g.scan("EDB", in, 1*hour, 18*hour)
		switch {
		case s.hold == "":
			g.scan("EDC", in, 2*hour, 20*hour)
		case s.hold == "CUSTOMS_PROHIBITED" && r.IntN(100) < 60:
			g.scanX("EME", in, 2*hour, 20*hour, s.hold, "", "")
			g.scan("EDX", in, 2*day, 6*day)
			return
		default:
			g.scanX("EME", in, 2*hour, 20*hour, s.hold, "", "")
			g.scan("EDC", in, day, 6*day)
		}
	}
	if r.IntN(100) < 30 {
		g.scan("EMF", in, 2*hour, 16*hour)
	}
	h := haul(in, pl) + g.remoteDelay(pl)
	if r.IntN(100) < 75 {
		g.scan("EDD", pl.sort, h*7/10, h*13/10)
		if r.IntN(100) < 25 {
			g.scan("EDE", pl.sort, 2*hour, 14*hour)
		}
		h = 0
	}
	deliv := pl.deliv[r.IntN(len(pl.deliv))]
	g.scan("EMG", deliv, 6*hour+h, 40*hour+h)
	g.deliver(s, oc, pl, in, out, deliv, cod, per)
}

// deliver plays the last mile: attempts, pick-up, or the way back to the sender.
func (g *gen) deliver(s *spec, oc *originCity, pl *place, in, out, deliv *office, cod bool, per person) {
	r := g.r
	sig := ""
	if s.level == tracking.Premium {
		sig = per.signature
	}
	switch s.outcome {
	case clean:
		if s.courier {
			g.scan("EDG", deliv, 2*hour, 20*hour)
			g.scanX("EMI", deliv, 1*hour, 8*hour, "", "", sig)
		} else {
			g.scan("EDH", deliv, 1*hour, 8*hour)
			g.scanX("EMI", deliv, 6*hour, 4*day, "", "", sig)
		}
	case failedThenOK:
		lo, hi := 2*hour, 20*hour
		for a := 0; a < 1 || a < 2 && s.secondMiss; a++ {
			reason := s.reason
			if reason == "" || a > 0 {
				reason = missReasons.pick(r)
				if cod {
					reason = missReasonsCOD.pick(r)
				}
			}
			action := actionsFor[reason].pick(r)
			g.scan("EDG", deliv, lo, hi)
			g.scanX("EMH", deliv, 1*hour, 8*hour, reason, action, "")
			switch action {
			case "NOTICE_LEFT", "HOLD_AT_OFFICE":
				g.scan("EDH", deliv, 1*hour, 20*hour)
				g.scanX("EMI", deliv, 4*hour, 4*day, "", "", sig)
				return
			case "FORWARDED":
				g.scan("EDD", pl.sort, 8*hour, 2*day)
				next := pl.deliv[(r.IntN(len(pl.deliv)-1)+1+indexOf(pl.deliv[:], deliv))%len(pl.deliv)]
				g.scan("EMG", next, 6*hour, day)
				deliv = next
			}
			lo, hi = 14*hour, 2*day
		}
		g.scan("EDG", deliv, lo, hi)
		g.scanX("EMI", deliv, 1*hour, 8*hour, "", "", sig)
	case returnToSender:
		reason := s.reason
		if reason == "" {
			reason = returnReasons.pick(r)
			if cod {
				reason = returnReasonsCOD.pick(r)
			}
		}
		switch {
		case reason == "UNCLAIMED" && s.courier:
			g.scan("EDG", deliv, 2*hour, 20*hour)
			g.scanX("EMH", deliv, 1*hour, 8*hour, "ABSENT", "NOTICE_LEFT", "")
			g.scan("EDH", deliv, 1*hour, 20*hour)
			g.scanX("EMH", deliv, 7*day, 14*day, reason, tracking.ActionReturnToSender, "")
		case reason == "UNCLAIMED":
			g.scan("EDH", deliv, 1*hour, 8*hour)
			g.scanX("EMH", deliv, 7*day, 14*day, reason, tracking.ActionReturnToSender, "")
		case s.courier:
			g.scan("EDG", deliv, 2*hour, 20*hour)
			g.scanX("EMH", deliv, 1*hour, 8*hour, reason, tracking.ActionReturnToSender, "")
		default:
			g.scan("EDH", deliv, 1*hour, 8*hour)
			g.scanX("EMH", deliv, 4*hour, 5*day, reason, tracking.ActionReturnToSender, "")
		}
		g.speed = 1
		g.scan("EDD", pl.sort, 10*hour, 2*day)
		g.scan("EMB", in, haul(in, pl)*7/10, haul(in, pl)*13/10)
		g.scan("EMC", in, 12*hour, 3*day)
		g.scan("EMD", out, 10*hour, 2*day)
		if r.IntN(100) < 60 {
			g.scan("EMF", out, 4*hour, day)
		}
		g.scan("EMG", oc.post, 10*hour, 2*day)
		g.scan("EMI", oc.post, 4*hour, 2*day)
	}
}

// remoteDelays are the extra days (lo, hi) the trunk haul takes to remote regions, where
// flights wait for weather and the winter roads open and close: their own reality, which a
// country-wide transit standard does not know (docs/expected-dates.md).
var remoteDelays = map[string][2]int{"RU-CHU": {4, 12}, "RU-KAM": {3, 9}, "RU-SA": {2, 8}, "RU-MAG": {3, 9}}

// remoteDelay draws the extra haul of a remote place (nothing elsewhere: other parcels'
// histories do not change).
func (g *gen) remoteDelay(pl *place) time.Duration {
	if !pl.remote {
		return 0
	}
	d, ok := remoteDelays[pl.region]
	if !ok {
		d = [2]int{1, 4}
	}
	return time.Duration(d[0]+g.r.IntN(d[1]-d[0]+1)) * day
}

func indexOf(list []*office, o *office) int {
	for i, x := range list {
		if x == o {
			return i
		}
	}
	return 0
}

// pickupStreets are the demo's pick-up points' streets (picked by the office code, so the
// random stream that shapes the demo stays as it was).
var pickupStreets = []string{"Lenina St 12", "Sovetskaya St 45", "Mira Ave 8", "Gagarina St 21", "Pushkina St 3", "Pobedy Ave 17"}

// pickupPoint is the point an EDH (arrived at the collection point) scan names: the office's
// address and hours, and a storage deadline 30 days after arrival, as posts send them
// (docs/ingest.md, "Pick-up points").
func pickupPoint(sc scan) *tracking.PickupInput {
	if sc.code != tracking.PickupCode {
		return nil
	}
	n := 0
	for _, c := range sc.o.code {
		n += int(c)
	}
	local := sc.at.In(sc.o.loc)
	return &tracking.PickupInput{Name: "Post office " + sc.o.code,
		Address:  fmt.Sprintf("%s, %s", pickupStreets[n%len(pickupStreets)], sc.o.city),
		Hours:    "Mon-Fri 08:00-20:00, Sat 09:00-18:00",
		Deadline: local.AddDate(0, 0, 30).Format(time.DateOnly)}
}
