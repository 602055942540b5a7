package dialer

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func parseUTC(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestRussiasElevenZones: at one instant, each of Russia's eleven offsets (+02 to +12, one
// zone each from tracking/postal/russia-timezones.csv) gets its SMS now, or at 09:00 local the
// next morning when 21:00 has passed there.
func TestRussiasElevenZones(t *testing.T) {
	sms := DefaultWindows().For(SMS)
	tests := []struct {
		zone, from, want string
	}{
		{"Europe/Kaliningrad", "2026-06-15T12:00:00Z", "2026-06-15T12:00:00Z"}, // 14:00
		{"Europe/Moscow", "2026-06-15T12:00:00Z", "2026-06-15T12:00:00Z"},      // 15:00
		{"Europe/Samara", "2026-06-15T12:00:00Z", "2026-06-15T12:00:00Z"},      // 16:00
		{"Asia/Yekaterinburg", "2026-06-15T12:00:00Z", "2026-06-15T12:00:00Z"}, // 17:00
		{"Asia/Omsk", "2026-06-15T12:00:00Z", "2026-06-15T12:00:00Z"},          // 18:00
		{"Asia/Novosibirsk", "2026-06-15T12:00:00Z", "2026-06-15T12:00:00Z"},   // 19:00
		{"Asia/Irkutsk", "2026-06-15T12:00:00Z", "2026-06-15T12:00:00Z"},       // 20:00
		{"Asia/Yakutsk", "2026-06-15T12:00:00Z", "2026-06-16T00:00:00Z"},       // 21:00: closed
		{"Asia/Vladivostok", "2026-06-15T12:00:00Z", "2026-06-15T23:00:00Z"},   // 22:00
		{"Asia/Magadan", "2026-06-15T12:00:00Z", "2026-06-15T22:00:00Z"},       // 23:00
		{"Asia/Kamchatka", "2026-06-15T12:00:00Z", "2026-06-15T21:00:00Z"},     // 00:00 next day
		// Early morning everywhere: 03:00 UTC is 05:00 in Kaliningrad, 15:00 in Kamchatka.
		{"Europe/Kaliningrad", "2026-01-10T03:00:00Z", "2026-01-10T07:00:00Z"},
		{"Europe/Moscow", "2026-01-10T03:00:00Z", "2026-01-10T06:00:00Z"},
		{"Asia/Novosibirsk", "2026-01-10T03:00:00Z", "2026-01-10T03:00:00Z"},
		{"Asia/Kamchatka", "2026-01-10T03:00:00Z", "2026-01-10T03:00:00Z"},
		{"Asia/Anadyr", "2026-01-10T09:30:00Z", "2026-01-10T21:00:00Z"}, // 21:30 local
	}
	for _, tt := range tests {
		t.Run(tt.zone+" "+tt.from, func(t *testing.T) {
			got, err := sms.Next(parseUTC(tt.from), mustZone(t, tt.zone))
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(parseUTC(tt.want)) {
				t.Fatalf("due %s (%s local), want %s", got.UTC().Format(time.RFC3339),
					got.In(mustZone(t, tt.zone)).Format("Mon 15:04"), tt.want)
			}
		})
	}
}

// TestDaylightSaving covers windows that open inside a skipped hour and contacts planned
// inside a skipped or a repeated hour (New York: 2026-03-08 02:00 EST jumps to 03:00 EDT;
// 2026-11-01 02:00 EDT falls back to 01:00 EST).
func TestDaylightSaving(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	week := func(spec string) Week {
		var w Week
		if err := json.Unmarshal([]byte(spec), &w); err != nil {
			t.Fatal(err)
		}
		return w
	}
	tests := []struct {
		name, week, from, want string
	}{
		{"window opening in the skipped hour opens at the jump", `{"all":["02:30-04:00"]}`,
			"2026-03-08T06:59:00Z", "2026-03-08T07:00:00Z"}, // 01:59 EST -> 03:00 EDT
		{"window wholly skipped waits a day", `{"all":["02:00-02:59"]}`,
			"2026-03-08T06:00:00Z", "2026-03-09T06:00:00Z"}, // next 02:00 EDT
		{"planned at a skipped wall time, window already open", `{"all":["01:00-05:00"]}`,
			"2026-03-08T07:30:00Z", "2026-03-08T07:30:00Z"}, // 03:30 EDT, inside
		{"repeated hour, first pass before the opening", `{"all":["01:30-22:00"]}`,
			"2026-11-01T05:00:00Z", "2026-11-01T05:30:00Z"}, // 01:00 EDT -> 01:30 EDT
		{"repeated hour, second pass before the opening", `{"all":["01:30-22:00"]}`,
			"2026-11-01T06:10:00Z", "2026-11-01T06:30:00Z"}, // 01:10 EST -> 01:30 EST
		{"repeated hour, inside on the first pass", `{"all":["01:30-22:00"]}`,
			"2026-11-01T05:45:00Z", "2026-11-01T05:45:00Z"},
		{"window closing in the repeated hour", `{"all":["00:00-01:30"]}`,
			"2026-11-01T05:40:00Z", "2026-11-01T06:00:00Z"}, // 01:40 EDT closed; 01:00 EST open again
		{"23:00 waits for the morning", `{"all":["09:00-21:00"]}`,
			"2026-07-02T03:00:00Z", "2026-07-02T13:00:00Z"},
		{"weekend closed", `{"all":["09:00-21:00"],"sat":[],"sun":[]}`,
			"2026-07-04T15:00:00Z", "2026-07-06T13:00:00Z"}, // Saturday -> Monday 09:00
		{"two intervals a day", `{"all":["09:00-12:00","14:00-18:00"]}`,
			"2026-07-06T17:00:00Z", "2026-07-06T18:00:00Z"}, // 13:00 -> 14:00
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := week(tt.week).Next(parseUTC(tt.from), ny)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(parseUTC(tt.want)) {
				t.Fatalf("due %s (%s), want %s", got.UTC().Format(time.RFC3339), got.In(ny).Format("Mon 15:04 MST"), tt.want)
			}
		})
	}
}

func TestWeekJSON(t *testing.T) {
	var w Week
	if err := json.Unmarshal([]byte(`{"all":["09:00-21:00"],"sun":["10:00-18:00"],"sat":[]}`), &w); err != nil {
		t.Fatal(err)
	}
	if len(w[time.Saturday]) != 0 || w[time.Sunday][0] != (Interval{600, 1080}) || w[time.Monday][0] != (Interval{540, 1260}) {
		t.Fatalf("parsed %+v", w)
	}
	b, _ := json.Marshal(w)
	var back Week
	if err := json.Unmarshal(b, &back); err != nil || !sameWeek(back, w) {
		t.Fatalf("round trip %s: %v", b, err)
	}
	for _, bad := range []string{`{"all":["21:00-09:00"]}`, `{"all":["9-21"]}`, `{"all":["09:00-25:00"]}`,
		`{"funday":["09:00-10:00"]}`, `{"all":["09:00-12:00","11:00-13:00"]}`} {
		if err := json.Unmarshal([]byte(bad), &w); err == nil {
			t.Errorf("%s was accepted", bad)
		}
	}
	if _, err := (Week{}).Next(time.Now(), time.UTC); err != ErrNoWindow {
		t.Errorf("an empty week gave %v", err)
	}
}

func sameWeek(a, b Week) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return strings.EqualFold(string(ja), string(jb))
}
