package search

import (
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/geo"
	"github.com/wismo/wismo/textkey"
	"github.com/wismo/wismo/tracking"
)

// MaxQueryChars bounds a search query.
const MaxQueryChars = 200

// phoneCountries are the countries whose national formats a phone query is read in, most
// likely first: the destinations wismo's brands ship to. International formats (+44...)
// need none.
var phoneCountries = []string{"RU", "KZ", "BY", "UA", "GB", "DE", "FR", "US", "CA", "AU", "IL", "BR", "MX", "PL", "IT", "ES", "NL", "TR", "CN"}

// Plan is what one search-box query may mean; every reading is looked up and the results
// ranked together.
type Plan struct {
	Raw         string
	IDs         []string   // S10 ids written in full (normalised)
	TypoIDs     []string   // valid S10 ids one character replaced away from what was typed
	TypoSwaps   []string   // valid S10 ids two swapped, one missing or one extra character away
	Fragment    string     // part of an id (upper case, no separators)
	Phones      []string   // E.164 readings of a phone number
	Email       string     // a full address, lower case
	EmailPrefix string     // the start of an address
	CaseNumber  string     // MM-000123
	CaseSeq     int64      // a case number's digits alone
	Names       []NameTerm // words of a name
}

// NameTerm is one word of a name query: folded, and as a Latin skeleton.
type NameTerm struct{ Folded, Skeleton string }

// Empty reports whether the plan looks for nothing.
func (p *Plan) Empty() bool {
	return len(p.IDs) == 0 && len(p.TypoIDs) == 0 && len(p.TypoSwaps) == 0 && p.Fragment == "" && len(p.Phones) == 0 && p.Email == "" &&
		p.EmailPrefix == "" && p.CaseNumber == "" && p.CaseSeq == 0 && len(p.Names) == 0
}

var (
	caseNumberRE = regexp.MustCompile(`^([A-Za-z]{1,4})[-\s]?0*([0-9]{1,9})$`)
	phoneCharsRE = regexp.MustCompile(`^\+?[0-9 ()\-.]+$`)
)

// ParseQuery reads a search-box query.
func ParseQuery(q string) *Plan {
	q = strings.TrimSpace(q)
	if r := []rune(q); len(r) > MaxQueryChars {
		q = string(r[:MaxQueryChars])
	}
	p := &Plan{Raw: q}
	if q == "" {
		return p
	}
	compact := strings.ToUpper(strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '.' || r == '\t' || r == '_' {
			return -1
		}
		return r
	}, q))
	s10ish := false
	if isAlnumASCII(compact) && len(compact) >= 12 && len(compact) <= 14 {
		if id, err := tracking.ParseS10(compact); err == nil {
			p.IDs = []string{id}
			s10ish = true
		}
		p.TypoIDs, p.TypoSwaps = typoCandidates(compact)
		s10ish = s10ish || len(p.TypoIDs)+len(p.TypoSwaps) > 0
	}
	digits := countDigits(compact)
	if !s10ish && isAlnumASCII(compact) && len(compact) >= 4 && len(compact) <= 13 && digits >= 3 && longestDigitRun(compact) <= 9 {
		p.Fragment = compact
	}
	if phoneCharsRE.MatchString(q) && digits >= 7 && digits <= 15 {
		p.Phones = phoneReadings(q)
	}
	if strings.Contains(q, "@") {
		em := strings.ToLower(q)
		if a, err := mail.ParseAddress(em); err == nil && a.Address == em {
			p.Email = em
		} else if !strings.ContainsAny(em, " \t") {
			p.EmailPrefix = em
		}
		return p
	}
	if m := caseNumberRE.FindStringSubmatch(q); m != nil {
		n, _ := strconv.ParseInt(m[2], 10, 64)
		p.CaseNumber = cases.FormatCaseNumber(strings.ToUpper(m[1]), n)
	}
	if digits == len(compact) && digits >= 1 && digits <= 7 {
		p.CaseSeq, _ = strconv.ParseInt(compact, 10, 64)
	}
	if !s10ish && p.CaseNumber == "" {
		p.Names = nameTerms(q)
	}
	return p
}

// nameTerms folds the words of a query that hold letters (at most five).
func nameTerms(q string) []NameTerm {
	var out []NameTerm
	for _, tok := range textkey.Words(textkey.Fold(q)) {
		if !strings.ContainsFunc(tok, unicode.IsLetter) || strings.ContainsFunc(tok, unicode.IsDigit) {
			continue
		}
		t := NameTerm{Folded: tok, Skeleton: textkey.Skeleton(tok)}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
		if len(out) == 5 {
			break
		}
	}
	return out
}

// phoneReadings returns the E.164 numbers a phone query may mean.
func phoneReadings(q string) []string {
	var out []string
	for _, cc := range phoneCountries {
		if e164, err := geo.NormalizePhone(q, cc); err == nil && !slices.Contains(out, e164) {
			out = append(out, e164)
		}
		if strings.HasPrefix(strings.TrimSpace(q), "+") {
			break // international: the default country plays no part
		}
	}
	return out
}

func isAlnumASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return s != ""
}

func longestDigitRun(s string) int {
	best, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

func countDigits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

const (
	s10Letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	s10Digits  = "0123456789"
)

// typoCandidates returns the valid S10 ids one typing mistake away from s (upper case,
// 12 to 14 characters): one character replaced, and apart from those two neighbours swapped,
// one left out or one too many. The check digit and the country code rule most out.
func typoCandidates(s string) (replaced, other []string) {
	seen := map[string]bool{}
	var out []string
	try := func(c string) {
		if c == s || seen[c] {
			return
		}
		seen[c] = true
		if id, err := tracking.ParseS10(c); err == nil && id == c {
			out = append(out, c)
		}
	}
	alphabet := func(i int) string {
		if i < 2 || i > 10 {
			return s10Letters
		}
		return s10Digits
	}
	b := []byte(s)
	switch len(s) {
	case 13:
		for i := range b {
			orig := b[i]
			for _, r := range []byte(alphabet(i)) {
				if r != orig {
					b[i] = r
					try(string(b))
				}
			}
			b[i] = orig
		}
		replaced, out = out, nil
		for i := 0; i+1 < len(b); i++ {
			b[i], b[i+1] = b[i+1], b[i]
			try(string(b))
			b[i], b[i+1] = b[i+1], b[i]
		}
	case 14:
		for i := range s {
			try(s[:i] + s[i+1:])
		}
	case 12:
		for i := 0; i <= len(s); i++ {
			for _, r := range alphabet(i) {
				try(s[:i] + string(r) + s[i:])
			}
		}
	}
	slices.Sort(replaced)
	slices.Sort(out)
	return replaced, out
}
