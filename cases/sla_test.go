package cases

import (
	"testing"
	"time"
)

func mustCalendar(t *testing.T, zone string, hours map[string][][2]string, holidays ...string) Calendar {
	t.Helper()
	c, fe := NewCalendar(zone, hours, holidays)
	if fe != nil {
		t.Fatal(fe)
	}
	return c
}

func everyDay(from, to string) map[string][][2]string {
	h := map[string][][2]string{}
	for _, d := range weekdayNames {
		h[d] = [][2]string{{from, to}}
	}
	return h
}

func at(t *testing.T, zone, local string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", local, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCalendarAdd(t *testing.T) {
	office := DefaultHours
	lunch := map[string][][2]string{"mon": {{"09:00", "13:00"}, {"14:00", "18:00"}}}
	tests := []struct {
		name     string
		zone     string
		hours    map[string][][2]string
		holidays []string
		start    string // local time in zone
		add      time.Duration
		want     string // local time in zone
	}{
		{"within the day", "Europe/Moscow", office, nil, "2026-11-18 10:00", 2 * time.Hour, "2026-11-18 12:00"},
		{"Friday evening runs into Monday", "Europe/Moscow", office, nil, "2026-11-20 17:00", 2 * time.Hour, "2026-11-23 10:00"},
		{"weekend start waits for Monday", "Europe/Moscow", office, nil, "2026-11-21 12:00", time.Hour, "2026-11-23 10:00"},
		{"before opening", "Europe/Moscow", office, nil, "2026-11-23 07:00", 30 * time.Minute, "2026-11-23 09:30"},
		{"exactly at closing", "Europe/Moscow", office, nil, "2026-11-23 09:00", 9 * time.Hour, "2026-11-23 18:00"},
		{"a holiday Monday is skipped", "Europe/Moscow", office, []string{"2026-11-23"}, "2026-11-20 17:00", 2 * time.Hour, "2026-11-24 10:00"},
		{"New Year holidays", "Europe/Moscow", office, []string{"2027-01-01", "2027-01-04", "2027-01-05"}, "2026-12-31 17:00", 2 * time.Hour, "2027-01-06 10:00"},
		{"several days", "Europe/Moscow", office, nil, "2026-11-18 09:00", 5 * 9 * time.Hour, "2026-11-24 18:00"},
		{"lunch break", "Europe/Moscow", lunch, nil, "2026-11-23 12:30", time.Hour, "2026-11-23 14:30"},
		{"Vladivostok hours", "Asia/Vladivostok", office, nil, "2026-11-20 17:30", time.Hour, "2026-11-23 09:30"},
		{"7-day hotline works on Sunday", "Europe/Moscow", everyDay("08:00", "22:00"), nil, "2026-11-21 21:00", 2 * time.Hour, "2026-11-22 09:00"},
		{"24x7 across spring forward is real time", "Europe/London", everyDay("00:00", "24:00"), nil, "2026-03-28 12:00", 24 * time.Hour, "2026-03-29 13:00"},
		{"24x7 across fall back is real time", "America/New_York", everyDay("00:00", "24:00"), nil, "2026-10-31 12:00", 24 * time.Hour, "2026-11-01 11:00"},
		{"office hours across fall back", "America/New_York", everyDay("08:00", "20:00"), nil, "2026-10-31 19:00", 2 * time.Hour, "2026-11-01 09:00"},
		{"office hours across spring forward", "Europe/Berlin", everyDay("08:00", "20:00"), nil, "2026-03-28 19:30", time.Hour, "2026-03-29 08:30"},
		{"a night span over the DST gap is an hour shorter", "Europe/Berlin", map[string][][2]string{"sun": {{"00:00", "06:00"}}}, nil, "2026-03-29 00:00", 5 * time.Hour, "2026-03-29 06:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cal := mustCalendar(t, tt.zone, tt.hours, tt.holidays...)
			got, ok := cal.Add(at(t, tt.zone, tt.start), tt.add)
			want := at(t, tt.zone, tt.want)
			if !ok || !got.Equal(want) {
				t.Fatalf("Add(%s, %s) = %s (ok %v), want %s", tt.start, tt.add, got.In(want.Location()), ok, want)
			}
			if back := cal.Between(at(t, tt.zone, tt.start), got); back != tt.add {
				t.Fatalf("Between(start, Add(start, %s)) = %s", tt.add, back)
			}
		})
	}
}

func TestCalendarBetween(t *testing.T) {
	tests := []struct {
		name       string
		zone       string
		hours      map[string][][2]string
		holidays   []string
		from, to   string
		want       time.Duration
		toZoneName string
	}{
		{"over a weekend", "Europe/Moscow", DefaultHours, nil, "2026-11-20 17:00", "2026-11-23 10:00", 2 * time.Hour, ""},
		{"reversed is zero", "Europe/Moscow", DefaultHours, nil, "2026-11-23 10:00", "2026-11-20 17:00", 0, ""},
		{"a whole holiday week", "Europe/Moscow", DefaultHours, []string{"2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"}, "2026-11-23 00:00", "2026-11-30 00:00", 0, ""},
		{"24x7 over fall back is 25 hours", "America/New_York", everyDay("00:00", "24:00"), nil, "2026-10-31 12:00", "2026-11-01 12:00", 25 * time.Hour, ""},
		{"24x7 over spring forward is 23 hours", "Europe/London", everyDay("00:00", "24:00"), nil, "2026-03-28 12:00", "2026-03-29 12:00", 23 * time.Hour, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cal := mustCalendar(t, tt.zone, tt.hours, tt.holidays...)
			if got := cal.Between(at(t, tt.zone, tt.from), at(t, tt.zone, tt.to)); got != tt.want {
				t.Fatalf("Between = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestNewCalendarErrors(t *testing.T) {
	tests := []struct {
		name, zone string
		hours      map[string][][2]string
		holidays   []string
		field      string
	}{
		{"unknown zone", "Mars/Olympus", DefaultHours, nil, "time_zone"},
		{"not a weekday", "UTC", map[string][][2]string{"funday": {{"09:00", "10:00"}}}, nil, "hours.funday"},
		{"end before start", "UTC", map[string][][2]string{"mon": {{"18:00", "09:00"}}}, nil, "hours.mon[0]"},
		{"bad clock", "UTC", map[string][][2]string{"mon": {{"9:00", "18:00"}}}, nil, "hours.mon[0]"},
		{"overlap", "UTC", map[string][][2]string{"mon": {{"09:00", "13:00"}, {"12:00", "18:00"}}}, nil, "hours.mon"},
		{"never open", "UTC", map[string][][2]string{"mon": {}}, nil, "hours"},
		{"bad holiday", "UTC", DefaultHours, []string{"2026-13-01"}, "holidays[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, fe := NewCalendar(tt.zone, tt.hours, tt.holidays)
			if fe == nil || fe.Field != tt.field {
				t.Fatalf("got %v, want an error on %s", fe, tt.field)
			}
		})
	}
}

func TestEvalTimer(t *testing.T) {
	cal := mustCalendar(t, "UTC", everyDay("00:00", "24:00"))
	base := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	due := base.Add(100 * time.Minute)
	early, late := base.Add(time.Minute), due.Add(time.Minute)
	tests := []struct {
		name   string
		now    time.Time
		met    *time.Time
		paused bool
		want   string
	}{
		{"plenty of time", base, nil, false, SLAOk},
		{"less than 20% left", due.Add(-19 * time.Minute), nil, false, SLANearBreach},
		{"exactly 20% left is not near", due.Add(-20 * time.Minute), nil, false, SLAOk},
		{"due now", due, nil, false, SLABreached},
		{"met in time", late, &early, false, SLAMet},
		{"met late", late.Add(time.Hour), &late, false, SLAMetLate},
		{"paused", due.Add(time.Hour), nil, true, SLAPaused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := evalTimer(cal, 20, 100, &due, tt.met, tt.paused, tt.now); got.State != tt.want {
				t.Fatalf("state %s, want %s", got.State, tt.want)
			}
		})
	}
}
