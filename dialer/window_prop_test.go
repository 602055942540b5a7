package dialer

import (
	"archive/zip"
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// systemZones lists every zone and link of the system's tz database (tzdata.zi, Debian's
// tzdata), or of Go's own copy when the system has none.
func systemZones(t *testing.T) []string {
	t.Helper()
	var names []string
	if f, err := os.Open("/usr/share/zoneinfo/tzdata.zi"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			switch {
			case len(fields) >= 2 && fields[0] == "Z":
				names = append(names, fields[1])
			case len(fields) >= 3 && fields[0] == "L":
				names = append(names, fields[2])
			}
		}
		return names
	}
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err == nil {
		if z, err := zip.OpenReader(filepath.Join(strings.TrimSpace(string(out)), "lib", "time", "zoneinfo.zip")); err == nil {
			defer z.Close()
			for _, f := range z.File {
				names = append(names, f.Name)
			}
			return names
		}
	}
	t.Fatal("no tz database: install Debian's tzdata (apt-get install tzdata)")
	return nil
}

// randomSpec draws a week of windows: on most days one or two intervals whose edges like to
// sit on the hours clocks change at (00:00-03:00), some days closed.
func randomSpec(r *rand.Rand) map[string][]string {
	edges := []int{0, 30, 60, 90, 120, 150, 180, 210, 240, 480, 540, 600, 720, 900, 1080, 1260, 1320, 1380, 1410, 1440}
	spec := map[string][]string{}
	open := 0
	for d := range 7 {
		var ivs []string
		if r.IntN(6) > 0 || (d == 6 && open == 0) {
			n := 1 + r.IntN(2)
			picks := make([]int, 0, 2*n)
			for len(picks) < 2*n {
				e := edges[r.IntN(len(edges))]
				if !slices.Contains(picks, e) {
					picks = append(picks, e)
				}
			}
			slices.Sort(picks)
			for i := 0; i < len(picks); i += 2 {
				ivs = append(ivs, clock(picks[i])+"-"+clock(picks[i+1]))
			}
			open++
		}
		spec[dayName(d)] = ivs
	}
	return spec
}

// inSpec is the independent judge: the recipient's wall clock, as text, inside an interval
// of that weekday's spec.
func inSpec(spec map[string][]string, t time.Time, loc *time.Location) bool {
	lt := t.In(loc)
	hm := lt.Format("15:04")
	for _, iv := range spec[strings.ToLower(lt.Weekday().String()[:3])] {
		a, b, _ := strings.Cut(iv, "-")
		if hm >= a && hm < b {
			return true
		}
	}
	return false
}

// TestNoContactDueOutsideItsWindow is the property test over every zone of the tz database
// and the daylight-saving transitions of 2025-2029: for contacts planned around each
// transition (inside skipped and repeated hours too) and at random instants, under random
// windows, the due time is never before the plan, always inside the window on the
// recipient's wall clock, and the earliest such minute.
func TestNoContactDueOutsideItsWindow(t *testing.T) {
	zones := systemZones(t)
	if len(zones) < 400 {
		t.Fatalf("only %d zones in the tz database", len(zones))
	}
	start, end := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	var cases, transitions int
	for zi, name := range zones {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Errorf("zone %s does not load: %v", name, err)
			continue
		}
		r := rand.New(rand.NewPCG(uint64(zi), 42))
		var froms []time.Time
		for at := start; ; {
			_, next := at.In(loc).ZoneBounds()
			if next.IsZero() || !next.Before(end) {
				break
			}
			transitions++
			for _, d := range []time.Duration{-90 * time.Minute, -time.Minute, 0, 17 * time.Minute, 45 * time.Minute, 61 * time.Minute} {
				froms = append(froms, next.Add(d))
			}
			at = next
		}
		for range 6 {
			froms = append(froms, start.Add(time.Duration(r.Int64N(int64(end.Sub(start))))).Truncate(time.Second))
		}
		for _, from := range froms {
			spec := randomSpec(r)
			raw, _ := json.Marshal(spec)
			var week Week
			if err := json.Unmarshal(raw, &week); err != nil {
				t.Fatalf("%s: %v", raw, err)
			}
			cases++
			if msg := checkDue(week, spec, from, loc); msg != "" {
				t.Errorf("%s, planned %s (%s local), windows %s: %s", name, from.UTC().Format(time.RFC3339),
					from.In(loc).Format("Mon 15:04 MST"), raw, msg)
				if t.Failed() && cases > 50 {
					t.FailNow()
				}
			}
		}
	}
	t.Logf("%d zones, %d transitions, %d planned contacts checked", len(zones), transitions, cases)
}

func checkDue(week Week, spec map[string][]string, from time.Time, loc *time.Location) string {
	due, err := week.Next(from, loc)
	if err != nil {
		return "no due time: " + err.Error()
	}
	if due.Before(from) {
		return "due " + due.Format(time.RFC3339) + " before it was planned"
	}
	if !inSpec(spec, due, loc) {
		return fmt.Sprintf("due at %s local, outside the window", due.In(loc).Format("Mon 15:04 MST"))
	}
	// Earliest: no minute between the plan and the due time is inside the window.
	for at := from; at.Before(due); at = at.Truncate(time.Minute).Add(time.Minute) {
		if inSpec(spec, at, loc) {
			return fmt.Sprintf("due %s local, but %s local was already inside the window",
				due.In(loc).Format("Mon 15:04 MST"), at.In(loc).Format("Mon 15:04 MST"))
		}
	}
	return ""
}
