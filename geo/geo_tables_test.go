package geo

import (
	"regexp"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"
)

// russiaZones is every tzdata zone in Russia, by UTC offset.
var russiaZones = []string{
	"Europe/Kaliningrad",                                // +02
	"Europe/Moscow", "Europe/Kirov", "Europe/Volgograd", // +03
	"Europe/Samara", "Europe/Astrakhan", "Europe/Saratov", "Europe/Ulyanovsk", // +04
	"Asia/Yekaterinburg",                                                                      // +05
	"Asia/Omsk",                                                                               // +06
	"Asia/Novosibirsk", "Asia/Barnaul", "Asia/Tomsk", "Asia/Novokuznetsk", "Asia/Krasnoyarsk", // +07
	"Asia/Irkutsk",                                // +08
	"Asia/Chita", "Asia/Yakutsk", "Asia/Khandyga", // +09
	"Asia/Vladivostok", "Asia/Ust-Nera", // +10
	"Asia/Magadan", "Asia/Sakhalin", "Asia/Srednekolymsk", // +11
	"Asia/Kamchatka", "Asia/Anadyr", // +12
}

// russiaZonesInsideSubjects are zones used only in parts of a multi-zone
// subject (all within RU-SA), so no RU- entry maps to them.
var russiaZonesInsideSubjects = map[string]bool{
	"Asia/Khandyga":      true,
	"Asia/Ust-Nera":      true,
	"Asia/Srednekolymsk": true,
}

func TestGeoTablesZonesLoad(t *testing.T) {
	tables := []struct {
		name string
		m    map[string]string
	}{
		{"regionZones", regionZones},
		{"countryZones", countryZones},
	}
	for _, tb := range tables {
		t.Run(tb.name, func(t *testing.T) {
			if len(tb.m) == 0 {
				t.Fatal("table is empty")
			}
			for key, zone := range tb.m {
				if _, err := time.LoadLocation(zone); err != nil {
					t.Errorf("%s[%q] = %q: %v", tb.name, key, zone, err)
				}
			}
		})
	}
}

func TestGeoTablesCountryCount(t *testing.T) {
	if got, want := len(countryZones), 249; got != want {
		t.Errorf("len(countryZones) = %d, want %d", got, want)
	}
	code := regexp.MustCompile(`^[A-Z]{2}$`)
	for cc := range countryZones {
		if !code.MatchString(cc) {
			t.Errorf("countryZones key %q is not an upper-case alpha-2 code", cc)
		}
	}
}

func TestGeoTablesRegionKeys(t *testing.T) {
	key := regexp.MustCompile(`^([A-Z]{2})-[A-Z0-9]{1,3}$`)
	for k := range regionZones {
		m := key.FindStringSubmatch(k)
		if m == nil {
			t.Errorf("regionZones key %q is not of the form CC-XXX", k)
			continue
		}
		if _, ok := countryZones[m[1]]; !ok {
			t.Errorf("regionZones key %q: country %q is not in countryZones", k, m[1])
		}
	}
}

func TestGeoTablesRussia(t *testing.T) {
	used := map[string]bool{}
	n := 0
	for k, zone := range regionZones {
		if strings.HasPrefix(k, "RU-") {
			n++
			used[zone] = true
		}
	}
	if n != 83 {
		t.Errorf("regionZones has %d RU- keys, want 83", n)
	}
	for _, zone := range russiaZones {
		t.Run(zone, func(t *testing.T) {
			if used[zone] {
				if russiaZonesInsideSubjects[zone] {
					t.Errorf("%s is both used and listed as inside-subject only", zone)
				}
				return
			}
			if !russiaZonesInsideSubjects[zone] {
				t.Errorf("no RU- entry maps to %s", zone)
			}
		})
	}
	if len(russiaZones) != 26 {
		t.Errorf("russiaZones has %d zones, want 26", len(russiaZones))
	}
}

func TestGeoTablesSpotChecks(t *testing.T) {
	tests := []struct {
		table map[string]string
		key   string
		want  string
	}{
		{regionZones, "RU-NVS", "Asia/Novosibirsk"},
		{regionZones, "RU-KGD", "Europe/Kaliningrad"},
		{regionZones, "RU-CHU", "Asia/Anadyr"},
		{regionZones, "RU-MOW", "Europe/Moscow"},
		{regionZones, "RU-SAM", "Europe/Samara"},
		{regionZones, "RU-SA", "Asia/Yakutsk"},
		{regionZones, "US-CA", "America/Los_Angeles"},
		{regionZones, "US-AZ", "America/Phoenix"},
		{regionZones, "US-IN", "America/Indiana/Indianapolis"},
		{regionZones, "US-HI", "Pacific/Honolulu"},
		{regionZones, "US-AK", "America/Anchorage"},
		{regionZones, "KZ-75", "Asia/Almaty"},  // Almaty city, current code
		{regionZones, "KZ-ALA", "Asia/Almaty"}, // Almaty city, former code
		{regionZones, "KZ-39", "Asia/Qostanay"},
		{regionZones, "BR-AM", "America/Manaus"},
		{regionZones, "AU-WA", "Australia/Perth"},
		{countryZones, "RU", "Europe/Moscow"},
		{countryZones, "US", "America/New_York"},
		{countryZones, "CA", "America/Toronto"},
		{countryZones, "AU", "Australia/Sydney"},
		{countryZones, "BR", "America/Sao_Paulo"},
		{countryZones, "MX", "America/Mexico_City"},
		{countryZones, "KZ", "Asia/Almaty"},
		{countryZones, "CN", "Asia/Shanghai"},
		{countryZones, "ID", "Asia/Jakarta"},
		{countryZones, "DE", "Europe/Berlin"},
		{countryZones, "ES", "Europe/Madrid"},
		{countryZones, "PT", "Europe/Lisbon"},
		{countryZones, "GB", "Europe/London"},
		{countryZones, "UA", "Europe/Kyiv"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			got, ok := tt.table[tt.key]
			if !ok {
				t.Fatalf("%q missing", tt.key)
			}
			if got != tt.want {
				t.Errorf("%q = %q, want %q", tt.key, got, tt.want)
			}
		})
	}
}

// TestGeoTablesRegionCounts checks that every multi-zone demo country lists
// all of its subdivisions.
func TestGeoTablesRegionCounts(t *testing.T) {
	counts := map[string]int{}
	for k := range regionZones {
		counts[k[:2]]++
	}
	want := map[string]int{
		"RU": 83,
		"US": 57, // 50 states + DC + 6 outlying areas
		"CA": 13,
		"AU": 8,
		"BR": 27,
		"MX": 32,
		"KZ": 37, // 20 current codes + 17 former alphabetic codes
	}
	for cc, n := range want {
		if counts[cc] != n {
			t.Errorf("regionZones has %d %s- keys, want %d", counts[cc], cc, n)
		}
	}
	for cc, n := range counts {
		if _, ok := want[cc]; !ok {
			t.Errorf("regionZones has %d keys for unexpected country %s", n, cc)
		}
	}
}
