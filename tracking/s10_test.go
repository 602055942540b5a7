package tracking

import (
	"encoding/csv"
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestParseS10(t *testing.T) {
	tests := []struct {
		name, in, want, errHas string
	}{
		{"valid", "RB123456785GB", "RB123456785GB", ""},
		{"valid EMS", "EE471108151FR", "EE471108151FR", ""},
		{"lowercase normalised", "rb123456785gb", "RB123456785GB", ""},
		{"spaces normalised", " RB 1234 5678 5 GB ", "RB123456785GB", ""},
		{"hyphens normalised", "RB-123-456-785-GB", "RB123456785GB", ""},
		{"wrong check digit", "RB123456786US", "", "check digit"},
		{"check digit 10 becomes 0", MakeS10("CP", 10, "DE"), MakeS10("CP", 10, "DE"), ""},
		{"bad service prefix", "ZZ123456785GB", "", "service indicator"},
		{"bad country", "RB123456785XX", "", "country code"},
		{"too short", "RB12345678GB", "", "13 characters"},
		{"too long", "RB1234567855GB", "", "13 characters"},
		{"digit in prefix", "R1123456785GB", "", "letter"},
		{"letter in serial", "RB12345A785GB", "", "digit"},
		{"empty", "", "", "13 characters"},
		{"unicode", "RБ123456785GB", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseS10(tt.in)
			if tt.want != "" {
				if err != nil || got != tt.want {
					t.Fatalf("ParseS10(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseS10(%q) = %q, want an error", tt.in, got)
			}
			if !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("ParseS10(%q) error %q, want it to mention %q", tt.in, err, tt.errHas)
			}
		})
	}
}

// TestS10CheckDigitRules pins both special cases of the check digit.
func TestS10CheckDigitRules(t *testing.T) {
	// Search for serials whose raw result is 10 and 11 and check the mapping.
	var saw10, saw11 bool
	for n := 0; n < 2000 && !(saw10 && saw11); n++ {
		s := fmt.Sprintf("%08d", n)
		sum := 0
		for i := 0; i < 8; i++ {
			sum += int(s[i]-'0') * s10Weights[i]
		}
		switch 11 - sum%11 {
		case 10:
			saw10 = true
			if d := S10CheckDigit(s); d != 0 {
				t.Errorf("serial %s: raw 10 must give 0, got %d", s, d)
			}
		case 11:
			saw11 = true
			if d := S10CheckDigit(s); d != 5 {
				t.Errorf("serial %s: raw 11 must give 5, got %d", s, d)
			}
		}
	}
	if !saw10 || !saw11 {
		t.Fatal("did not exercise both special cases")
	}
}

// TestS10SharedExamples checks the vectors shipped in postal/s10-examples.csv.
func TestS10SharedExamples(t *testing.T) {
	f, err := os.Open("postal/s10-examples.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[1:] {
		_, err := ParseS10(r[0])
		if valid := r[1] == "true"; valid != (err == nil) {
			t.Errorf("%s: valid=%v but ParseS10 error = %v", r[0], valid, err)
		}
	}
}

func FuzzParseS10(f *testing.F) {
	for _, s := range []string{"RB123456785GB", "rb 123 456 785 gb", "EE471108151FR", "", "ZZ", "RB123456786US", "ЁЖ123456785GB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		id, err := ParseS10(in)
		if err != nil {
			return
		}
		// A parsed id is canonical: parsing it again gives itself, and its check digit holds.
		again, err := ParseS10(id)
		if err != nil || again != id {
			t.Fatalf("ParseS10(%q) = %q, reparse = %q, %v", in, id, again, err)
		}
		if len(id) != 13 || S10CheckDigit(id[2:10]) != int(id[10]-'0') {
			t.Fatalf("ParseS10(%q) returned non-canonical %q", in, id)
		}
	})
}
