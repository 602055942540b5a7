package cases

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wismo/wismo/geo"
	"github.com/wismo/wismo/input"
)

// Calendar is a brand's business hours: opening spans per weekday in its time zone, and
// holidays (whole local days closed). SLA timers count only open time. A 7-day, 24-hour
// hotline is a calendar too (every day 00:00-24:00).
type Calendar struct {
	Zone     string
	loc      *time.Location
	week     [7][]span // by time.Weekday
	holidays map[string]bool
}

// span is an opening span in minutes after local midnight, From < To <= 1440.
type span struct{ From, To int }

// maxCalendarDays bounds the day walk, so a calendar with no open time cannot loop forever.
const maxCalendarDays = 3 * 366

var weekdayNames = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// NewCalendar builds a calendar. hours maps "mon".."sun" to spans like ["09:00","18:00"]
// ("24:00" ends a span at midnight); holidays are YYYY-MM-DD local dates. Errors name the field.
func NewCalendar(zone string, hours map[string][][2]string, holidays []string) (Calendar, *input.FieldError) {
	loc, err := geo.LoadZone(zone)
	if err != nil || zone == "" {
		return Calendar{}, input.Errorf("time_zone", "%q is not an IANA time zone", zone)
	}
	c := Calendar{Zone: zone, loc: loc, holidays: map[string]bool{}}
	open := false
	for day, spans := range hours {
		wd := slices.Index(weekdayNames[:], strings.ToLower(day))
		if wd < 0 {
			return Calendar{}, input.Errorf("hours."+day, "is not a weekday (mon, tue, wed, thu, fri, sat, sun)")
		}
		for i, sp := range spans {
			from, ok1 := parseClock(sp[0])
			to, ok2 := parseClock(sp[1])
			if !ok1 || !ok2 || from >= to {
				return Calendar{}, input.Errorf(fmt.Sprintf("hours.%s[%d]", day, i), "must be [\"HH:MM\", \"HH:MM\"] with the start before the end, got %q", sp)
			}
			c.week[wd] = append(c.week[wd], span{from, to})
		}
		slices.SortFunc(c.week[wd], func(a, b span) int { return a.From - b.From })
		for i := 1; i < len(c.week[wd]); i++ {
			if c.week[wd][i].From < c.week[wd][i-1].To {
				return Calendar{}, input.Errorf("hours."+day, "spans overlap")
			}
		}
		open = open || len(c.week[wd]) > 0
	}
	if !open {
		return Calendar{}, input.Errorf("hours", "must open on at least one day")
	}
	for i, h := range holidays {
		if _, err := time.Parse(time.DateOnly, h); err != nil {
			return Calendar{}, input.Errorf(fmt.Sprintf("holidays[%d]", i), "%q is not a date YYYY-MM-DD", h)
		}
		c.holidays[h] = true
	}
	return c, nil
}

// parseClock reads "HH:MM" (00:00 to 24:00) as minutes after midnight.
func parseClock(s string) (int, bool) {
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || len(h) != 2 || len(m) != 2 || err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh*60+mm > 1440 {
		return 0, false
	}
	return hh*60 + mm, true
}

// Hours returns the calendar's spans as the API shows them.
func (c Calendar) Hours() map[string][][2]string {
	out := map[string][][2]string{}
	for wd, spans := range c.week {
		list := [][2]string{}
		for _, s := range spans {
			list = append(list, [2]string{fmt.Sprintf("%02d:%02d", s.From/60, s.From%60), fmt.Sprintf("%02d:%02d", s.To/60, s.To%60)})
		}
		out[weekdayNames[wd]] = list
	}
	return out
}

// Holidays returns the holidays, sorted.
func (c Calendar) Holidays() []string {
	out := make([]string, 0, len(c.holidays))
	for h := range c.holidays {
		out = append(out, h)
	}
	slices.Sort(out)
	return out
}

// openSpans returns the real-time opening intervals of the local day that starts at
// midnight. Clock times are placed with time.Date, so a span on a DST day lasts what the
// wall clock says it lasts, and "24:00" is the next local midnight.
func (c Calendar) openSpans(y int, m time.Month, d int) [][2]time.Time {
	noon := time.Date(y, m, d, 12, 0, 0, 0, c.loc) // normalises d past the month's end
	y, m, d = noon.Date()
	if c.holidays[fmt.Sprintf("%04d-%02d-%02d", y, m, d)] {
		return nil
	}
	wd := noon.Weekday()
	out := make([][2]time.Time, 0, len(c.week[wd]))
	for _, s := range c.week[wd] {
		out = append(out, [2]time.Time{
			time.Date(y, m, d, s.From/60, s.From%60, 0, 0, c.loc),
			time.Date(y, m, d, s.To/60, s.To%60, 0, 0, c.loc),
		})
	}
	return out
}

// Add returns the instant at which d of open time has passed since start. ok is false when
// the calendar has no open time within maxCalendarDays.
func (c Calendar) Add(start time.Time, d time.Duration) (time.Time, bool) {
	local := start.In(c.loc)
	y, m, day := local.Date()
	for i := 0; i < maxCalendarDays; i++ {
		for _, sp := range c.openSpans(y, m, day+i) {
			if !sp[1].After(start) {
				continue
			}
			from := sp[0]
			if start.After(from) {
				from = start
			}
			avail := sp[1].Sub(from)
			if d <= avail {
				return from.Add(d).UTC(), true
			}
			d -= avail
		}
	}
	return time.Time{}, false
}

// Between returns the open time between a and b (zero when b is not after a).
func (c Calendar) Between(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	var total time.Duration
	local := a.In(c.loc)
	y, m, day := local.Date()
	for i := 0; i < maxCalendarDays; i++ {
		dayStart := time.Date(y, m, day+i, 0, 0, 0, 0, c.loc)
		if !dayStart.Before(b) {
			break
		}
		for _, sp := range c.openSpans(y, m, day+i) {
			from, to := sp[0], sp[1]
			if from.Before(a) {
				from = a
			}
			if to.After(b) {
				to = b
			}
			if to.After(from) {
				total += to.Sub(from)
			}
		}
	}
	return total
}
