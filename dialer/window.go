package dialer

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Interval is a span of local wall-clock time, [Start, End) in minutes after midnight; End
// may be 1440 (24:00). A window never spans midnight: 22:00-02:00 is two intervals on two
// days.
type Interval struct{ Start, End int }

// Week holds the intervals of each weekday, indexed by time.Weekday. An empty day allows
// no contact at all.
type Week [7][]Interval

// Windows are a brand's (or a campaign's) contact windows per channel.
type Windows map[Channel]Week

// ErrNoWindow means a week has no interval at all: nothing can ever be due.
var ErrNoWindow = errors.New("the contact window is empty on every day")

// everyDay returns a week with the same intervals on each day.
func everyDay(ivs ...Interval) Week {
	var w Week
	for d := range w {
		w[d] = slices.Clone(ivs)
	}
	return w
}

// DefaultWindows are wismo's windows for a brand that set none: calls and SMS 09:00-21:00
// every day, email at any time.
func DefaultWindows() Windows {
	return Windows{
		Call:  everyDay(Interval{9 * 60, 21 * 60}),
		SMS:   everyDay(Interval{9 * 60, 21 * 60}),
		Email: everyDay(Interval{0, 24 * 60}),
	}
}

// For returns the week of a channel, wismo's default when the windows do not name it.
func (w Windows) For(ch Channel) Week {
	if wk, ok := w[ch]; ok {
		return wk
	}
	return DefaultWindows()[ch]
}

// Contains reports whether t, read on the wall clock of loc, lies in the week's windows.
func (w Week) Contains(t time.Time, loc *time.Location) bool {
	lt := t.In(loc)
	m := lt.Hour()*60 + lt.Minute()
	for _, iv := range w[lt.Weekday()] {
		if m >= iv.Start && m < iv.End {
			return true
		}
	}
	return false
}

func (w Week) empty() bool {
	for _, d := range w {
		if len(d) > 0 {
			return false
		}
	}
	return true
}

// Next returns the earliest instant at or after from whose wall-clock time in loc lies in
// the week's windows. It works on instants, not wall times, so daylight saving is handled:
// a window that opens inside a skipped hour opens when the clocks jump into it (or not at all
// that day when the whole window is skipped), and a repeated hour is simply lived twice.
// Candidates are from itself, each interval's opening on each local day, and each zone
// transition; the earliest candidate that lies in a window is the answer, because the
// set of in-window instants can only begin at one of them.
func (w Week) Next(from time.Time, loc *time.Location) (time.Time, error) {
	if w.empty() {
		return time.Time{}, ErrNoWindow
	}
	if w.Contains(from, loc) {
		return from, nil
	}
	var best time.Time
	consider := func(t time.Time) {
		if !t.Before(from) && (best.IsZero() || t.Before(best)) && w.Contains(t, loc) {
			best = t
		}
	}
	y, m, d := from.In(loc).Date()
	for i := -1; i <= 8; i++ {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, time.UTC) // calendar arithmetic only
		for _, iv := range w[day.Weekday()] {
			for _, t := range wallInstants(day, iv.Start, loc) {
				consider(t)
			}
		}
	}
	limit := best
	if limit.IsZero() {
		limit = from.AddDate(0, 0, 10)
	}
	for t := from; ; {
		_, end := t.In(loc).ZoneBounds()
		if end.IsZero() || !end.Before(limit) {
			break
		}
		consider(end)
		t = end
	}
	if best.IsZero() {
		return time.Time{}, ErrNoWindow // every window of the week fell into skipped hours
	}
	return best, nil
}

// wallInstants returns the instants (none, one, or two in a repeated hour) at which the wall
// clock of loc reads minute (after midnight) on the calendar day of day.
func wallInstants(day time.Time, minute int, loc *time.Location) []time.Time {
	y, m, d := day.Date()
	guess := time.Date(y, m, d, 0, minute, 0, 0, time.UTC)
	// An instant whose wall clock reads guess lies within 15 hours of it (UTC offsets span
	// -12 to +14 hours): try the offset of every zone period that touches that span.
	var offsets []int
	for t, stop := guess.Add(-15*time.Hour), guess.Add(15*time.Hour); ; {
		_, off := t.In(loc).Zone()
		if !slices.Contains(offsets, off) {
			offsets = append(offsets, off)
		}
		_, end := t.In(loc).ZoneBounds()
		if end.IsZero() || end.After(stop) {
			break
		}
		t = end
	}
	var out []time.Time
	for _, off := range offsets {
		t := guess.Add(-time.Duration(off) * time.Second)
		lt := t.In(loc)
		ly, lm, ld := lt.Date()
		if ly == y && lm == m && ld == d && lt.Hour()*60+lt.Minute() == minute && lt.Second() == 0 && !slices.ContainsFunc(out, t.Equal) {
			out = append(out, t)
		}
	}
	return out
}

// dayKeys are the JSON keys of a week, three letters each, in time.Weekday order.
const dayKeys = "sunmontuewedthufrisat"

func dayName(d int) string { return dayKeys[3*d : 3*d+3] }

func dayIndex(name string) int {
	if i := strings.Index(dayKeys, name); len(name) == 3 && i%3 == 0 {
		return i / 3
	}
	return -1
}

// MarshalJSON writes a week as {"mon": ["09:00-21:00"], ...}, every day named.
func (w Week) MarshalJSON() ([]byte, error) {
	m := make(map[string][]string, 7)
	for d, ivs := range w {
		list := make([]string, 0, len(ivs))
		for _, iv := range ivs {
			list = append(list, clock(iv.Start)+"-"+clock(iv.End))
		}
		m[dayName(d)] = list
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads {"all": [...], "sat": [...], ...}: "all" sets every day, a named day
// overrides it, and a day left out of both has no window.
func (w *Week) UnmarshalJSON(b []byte) error {
	var m map[string][]string
	if err := json.Unmarshal(b, &m); err != nil {
		return errors.New(`a week must look like {"all": ["09:00-21:00"], "sun": []}`)
	}
	var out Week
	if all, ok := m["all"]; ok {
		ivs, err := parseIntervals("all", all)
		if err != nil {
			return err
		}
		out = everyDay(ivs...)
	}
	for key, list := range m {
		if key == "all" {
			continue
		}
		d := dayIndex(key)
		if d < 0 {
			return fmt.Errorf("unknown day %q (use all, mon, tue, wed, thu, fri, sat, sun)", key)
		}
		ivs, err := parseIntervals(key, list)
		if err != nil {
			return err
		}
		out[d] = ivs
	}
	*w = out
	return nil
}

func parseIntervals(day string, list []string) ([]Interval, error) {
	out := make([]Interval, 0, len(list))
	for _, s := range list {
		a, b, ok := strings.Cut(s, "-")
		start, err1 := parseClock(a)
		end, err2 := parseClock(b)
		if !ok || err1 != nil || err2 != nil || start >= end {
			return nil, fmt.Errorf("%s: %q must be HH:MM-HH:MM with the start before the end, within 00:00-24:00", day, s)
		}
		out = append(out, Interval{start, end})
	}
	slices.SortFunc(out, func(a, b Interval) int { return a.Start - b.Start })
	for i := 1; i < len(out); i++ {
		if out[i].Start < out[i-1].End {
			return nil, fmt.Errorf("%s: intervals %s and %s overlap", day, list[i-1], list[i])
		}
	}
	return out, nil
}

func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || hh < 0 || mm < 0 || mm > 59 || hh*60+mm > 24*60 {
		return 0, fmt.Errorf("bad clock time %q", s)
	}
	return hh*60 + mm, nil
}

func clock(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }
