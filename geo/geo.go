// Package geo answers the questions of place that several domains ask: is this an ISO
// country, which IANA zone does a recipient live in, what is this phone number in E.164.
// Its tables are in geo_tables.go.
package geo

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // zones must resolve the same on every machine, whatever /usr/share/zoneinfo holds

	"github.com/nyaruka/phonenumbers"
)

// ValidCountry reports whether cc is an ISO 3166-1 alpha-2 code (upper case).
func ValidCountry(cc string) bool {
	_, ok := countryZones[cc]
	return ok
}

// CountryZone returns a country's main IANA zone.
func CountryZone(cc string) (string, bool) {
	z, ok := countryZones[cc]
	return z, ok
}

// RegionZone returns the zone of an ISO 3166-2 subdivision code such as RU-NVS.
func RegionZone(code string) (string, bool) {
	z, ok := regionZones[strings.ToUpper(strings.TrimSpace(code))]
	return z, ok
}

// zoneCache holds loaded zones: time.LoadLocation parses the tz database on every call,
// which was a third of ingest's CPU before this cache.
var zoneCache sync.Map // name -> *time.Location

// LoadZone loads an IANA zone by name, rejecting the empty name and "Local".
func LoadZone(name string) (*time.Location, error) {
	if loc, ok := zoneCache.Load(name); ok {
		return loc.(*time.Location), nil
	}
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("unknown IANA time zone %q", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown IANA time zone %q", name)
	}
	zoneCache.Store(name, loc)
	return loc, nil
}

// ErrPhone is wrapped by every phone-number error.
var ErrPhone = errors.New("invalid phone number")

// NormalizePhone parses a phone number written in any common format, reading national
// numbers as numbers of defaultCountry, and returns it in E.164 (+79131234567).
func NormalizePhone(raw, defaultCountry string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", fmt.Errorf("%w: empty", ErrPhone)
	}
	num, err := phonenumbers.Parse(raw, defaultCountry)
	if err != nil {
		return "", fmt.Errorf("%w: %q is not a phone number", ErrPhone, raw)
	}
	if !phonenumbers.IsValidNumber(num) {
		return "", fmt.Errorf("%w: %q is not a valid number for its country", ErrPhone, raw)
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// PhoneZone returns the zone of an E.164 number when the numbering plan places it in exactly
// one zone. It never answers for +7: libphonenumber maps Russian mobiles to every Russian zone
// (and +7 is Kazakhstan too), so a phone never decides a Russian recipient's zone.
func PhoneZone(e164 string) (string, bool) {
	if strings.HasPrefix(e164, "+7") {
		return "", false
	}
	num, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return "", false
	}
	// A number of a country that keeps one clock everywhere is labelled with that country's
	// zone: libphonenumber names a neighbour's zone for some (+375 Belarus -> Europe/Moscow).
	if cc := phonenumbers.GetRegionCodeForNumber(num); cc != "" && !multiOffset[cc] {
		if z, ok := countryZones[cc]; ok {
			return z, true
		}
	}
	zones, err := phonenumbers.GetTimezonesForNumber(num)
	if err != nil || len(zones) != 1 || zones[0] == phonenumbers.UNKNOWN_TIMEZONE {
		return "", false
	}
	if _, err := LoadZone(zones[0]); err != nil {
		return "", false
	}
	return zones[0], true
}

// multiOffset lists the countries whose zones keep different clocks: there a number's
// country does not decide its zone, and only libphonenumber's single answer (an area code)
// may.
var multiOffset = map[string]bool{
	"AQ": true, "AU": true, "BR": true, "CA": true, "CD": true, "CL": true, "EC": true, "ES": true,
	"FM": true, "GL": true, "ID": true, "KI": true, "KZ": true, "MN": true, "MX": true, "NZ": true,
	"PF": true, "PG": true, "PT": true, "RU": true, "UA": true, "UM": true, "US": true,
}

// ZoneRule records which input decided a recipient's zone.
type ZoneRule string

// The rules, in order of precedence.
const (
	ZoneGiven   ZoneRule = "given"
	ZoneRegion  ZoneRule = "region"
	ZonePhone   ZoneRule = "phone"
	ZoneCountry ZoneRule = "country"
)

// RecipientZone chooses a recipient's IANA zone: a zone given in the data wins (it must be a
// real zone); else the ISO 3166-2 region; else a phone (E.164) that maps to exactly one zone;
// else the destination country's main zone.
func RecipientZone(given, region, phoneE164, country string) (string, ZoneRule, error) {
	if given != "" {
		if _, err := LoadZone(given); err != nil {
			return "", "", err
		}
		return given, ZoneGiven, nil
	}
	if z, ok := RegionZone(region); ok {
		return z, ZoneRegion, nil
	}
	if z, ok := PhoneZone(phoneE164); ok {
		return z, ZonePhone, nil
	}
	if z, ok := CountryZone(country); ok {
		return z, ZoneCountry, nil
	}
	return "", "", fmt.Errorf("no time zone known for country %q", country)
}
