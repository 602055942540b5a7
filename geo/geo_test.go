package geo

import (
	"testing"

	"github.com/nyaruka/phonenumbers"
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		raw, country, want string
		wantErr            bool
	}{
		{"+7 913 123-45-67", "RU", "+79131234567", false},
		{"8 (913) 123 45 67", "RU", "+79131234567", false},
		{"89131234567", "RU", "+79131234567", false},
		{"+44 20 7946 0123", "RU", "+442079460123", false},
		{"020 7946 0123", "GB", "+442079460123", false},
		{"(201) 555-0123", "US", "+12015550123", false},
		{"+49 30 901820", "DE", "+4930901820", false},
		{"12", "RU", "", true},
		{"call me", "RU", "", true},
		{"", "RU", "", true},
		{"+7 000 000 00 00", "RU", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := NormalizePhone(tt.raw, tt.country)
			if (err != nil) != tt.wantErr {
				t.Fatalf("NormalizePhone(%q, %s) error = %v, wantErr %v", tt.raw, tt.country, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("NormalizePhone(%q, %s) = %q, want %q", tt.raw, tt.country, got, tt.want)
			}
		})
	}
}

func TestRecipientZone(t *testing.T) {
	tests := []struct {
		name                          string
		given, region, phone, country string
		want                          string
		rule                          ZoneRule
		wantErr                       bool
	}{
		{"given zone wins over everything", "Asia/Omsk", "RU-NVS", "+79131234567", "RU", "Asia/Omsk", ZoneGiven, false},
		{"region decides when no zone", "", "RU-NVS", "+79131234567", "RU", "Asia/Novosibirsk", ZoneRegion, false},
		{"region code is case-insensitive", "", "ru-kgd", "", "RU", "Europe/Kaliningrad", ZoneRegion, false},
		{"free-text region falls through", "", "Novosibirsk oblast", "", "RU", "Europe/Moscow", ZoneCountry, false},
		{"+7 phone never decides", "", "", "+79131234567", "RU", "Europe/Moscow", ZoneCountry, false},
		{"+7 Kazakh phone never decides", "", "", "+77012345678", "KZ", "Asia/Almaty", ZoneCountry, false},
		{"single-zone phone decides", "", "", "+4930901820", "FR", "Europe/Berlin", ZonePhone, false},
		{"US state decides", "", "US-CA", "+12015550123", "US", "America/Los_Angeles", ZoneRegion, false},
		{"country main zone", "", "", "", "AU", "Australia/Sydney", ZoneCountry, false},
		{"unknown given zone is an error", "Mars/Olympus", "", "", "RU", "", "", true},
		{"Local is not a zone", "Local", "", "", "RU", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, rule, err := RecipientZone(tt.given, tt.region, tt.phone, tt.country)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, wantErr %v", err, tt.wantErr)
			}
			if got != tt.want || rule != tt.rule {
				t.Errorf("RecipientZone = %q (%s), want %q (%s)", got, rule, tt.want, tt.rule)
			}
		})
	}
}

// TestPhoneZoneByCountry: a number of a country that keeps one clock is labelled with that
// country's zone (a +375 number was labelled Europe/Moscow).
func TestPhoneZoneByCountry(t *testing.T) {
	for _, tc := range []struct{ phone, want string }{
		{"+375291234567", "Europe/Minsk"}, {"+37491234567", "Asia/Yerevan"}, {"+995555123456", "Asia/Tbilisi"},
		{"+996555123456", "Asia/Bishkek"}, {"+998901234567", "Asia/Tashkent"}, {"+992917123456", "Asia/Dushanbe"},
		{"+994501234567", "Asia/Baku"}, {"+37369123456", "Europe/Chisinau"}, {"+4930901820", "Europe/Berlin"},
	} {
		if z, ok := PhoneZone(tc.phone); !ok || z != tc.want {
			t.Errorf("PhoneZone(%s) = %q %v, want %s", tc.phone, z, ok, tc.want)
		}
		if z, rule, err := RecipientZone("", "", tc.phone, "RU"); err != nil || z != tc.want || rule != ZonePhone {
			t.Errorf("RecipientZone(phone %s) = %q %s %v, want %s by phone", tc.phone, z, rule, err, tc.want)
		}
	}
	// Every country with one clock: its example number maps to its own zone.
	checked := 0
	for cc, want := range countryZones {
		if multiOffset[cc] {
			continue
		}
		num := phonenumbers.GetExampleNumberForType(cc, phonenumbers.MOBILE)
		if num == nil {
			continue
		}
		e164 := phonenumbers.Format(num, phonenumbers.E164)
		if phonenumbers.GetRegionCodeForNumber(num) != cc {
			continue // a shared plan (+1, +7, +44 ...) names another country first
		}
		checked++
		if z, ok := PhoneZone(e164); ok && z != want {
			t.Errorf("%s %s: zone %s, want %s", cc, e164, z, want)
		}
	}
	if checked < 150 {
		t.Errorf("only %d countries checked", checked)
	}
}
