package tracking

import (
	"fmt"
	"strings"

	"github.com/wismo/wismo/geo"
)

// s10Weights are the UPU S10 check-digit weights for the eight serial digits.
var s10Weights = [8]int{8, 6, 4, 2, 3, 5, 9, 7}

// s10ServiceLetters are the first letters of S10 service indicators that wismo accepts
// (postal/s10-service-indicators.csv).
const s10ServiceLetters = "ECHRLVUMQ"

// ParseS10 normalises and validates a UPU S10 item id: two service-indicator letters, eight
// serial digits, a check digit and the issuing post's ISO country code. Lower case, spaces and
// hyphens are accepted ("rb 1234 5678 5 gb") and the canonical form is returned.
func ParseS10(raw string) (string, error) {
	id := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '\t', '.':
			return -1
		}
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}, raw)
	if len(id) != 13 {
		return "", fmt.Errorf("must be 13 characters (2 letters, 9 digits, 2 letters), got %d", len(id))
	}
	for i := 0; i < 13; i++ {
		c := id[i]
		letter := c >= 'A' && c <= 'Z'
		digit := c >= '0' && c <= '9'
		if (i < 2 || i > 10) && !letter {
			return "", fmt.Errorf("character %d must be a letter A-Z", i+1)
		}
		if i >= 2 && i <= 10 && !digit {
			return "", fmt.Errorf("character %d must be a digit", i+1)
		}
	}
	if !strings.ContainsRune(s10ServiceLetters, rune(id[0])) {
		return "", fmt.Errorf("service indicator %q does not start with one of %s", id[:2], s10ServiceLetters)
	}
	if want := S10CheckDigit(id[2:10]); int(id[10]-'0') != want {
		return "", fmt.Errorf("check digit is %c, expected %d for serial %s", id[10], want, id[2:10])
	}
	if !geo.ValidCountry(id[11:]) {
		return "", fmt.Errorf("country code %q is not an ISO 3166-1 country", id[11:])
	}
	return id, nil
}

// S10CheckDigit computes the check digit of eight serial digits: the weighted sum with
// weights 8 6 4 2 3 5 9 7, then 11 minus the sum mod 11, where 10 becomes 0 and 11 becomes 5.
func S10CheckDigit(serial string) int {
	sum := 0
	for i := 0; i < 8; i++ {
		sum += int(serial[i]-'0') * s10Weights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 0
	case 11:
		return 5
	default:
		return c
	}
}

// MakeS10 builds a valid S10 id from a service indicator, a serial (0..99999999) and a country.
func MakeS10(service string, serial int, country string) string {
	s := fmt.Sprintf("%08d", serial%100000000)
	return fmt.Sprintf("%s%s%d%s", service, s, S10CheckDigit(s), country)
}
