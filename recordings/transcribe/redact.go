package transcribe

import (
	"regexp"
	"strings"
)

// What Redact puts in place of a number.
const (
	CardMark  = "[card]"
	PhoneMark = "[phone]"
)

// digitWords are the spoken digits Redact reads, English and Russian. "to", "for" and "too"
// are left out: they are words far more often than digits.
var digitWords = map[string]byte{
	"zero": '0', "oh": '0', "o": '0', "one": '1', "two": '2', "three": '3', "four": '4', "five": '5',
	"six": '6', "seven": '7', "eight": '8', "nine": '9',
	"ноль": '0', "нуль": '0', "один": '1', "одна": '1', "два": '2', "две": '2', "три": '3', "четыре": '4',
	"пять": '5', "шесть": '6', "семь": '7', "восемь": '8', "девять": '9',
}

var (
	tokenRE = regexp.MustCompile(`\+?[\p{L}\p{N}]+`)
	// gapRE is what may stand between the groups of one number: spaces, dashes, dots,
	// commas, brackets ("four, one, one" as a server punctuates spoken digits).
	gapRE = regexp.MustCompile(`^[\s\-.,()/]*$`)
)

// Redact replaces card numbers and phone numbers in a transcript (docs/transcripts.md):
//
//   - a run of digits, written as digits or spoken as digit words ("four one one one"), in
//     groups separated by spaces, dashes, dots, commas or brackets, is one number;
//   - a number of 13 to 19 digits that passes the Luhn check is a card: CardMark;
//   - any other number of 7 to 15 digits is a phone number (or too like one to keep): PhoneMark;
//   - shorter numbers (amounts, times, house numbers) stay.
func Redact(s string) string {
	var b strings.Builder
	last := 0
	for _, sp := range numberSpans(s) {
		b.WriteString(s[last:sp.from])
		b.WriteString(sp.mark)
		last = sp.to
	}
	b.WriteString(s[last:])
	return b.String()
}

// span is a number to hide: s[from:to] is replaced by mark.
type span struct {
	from, to int
	mark     string
}

// numberSpans finds the numbers Redact hides in s, in order.
func numberSpans(s string) []span {
	toks := tokenRE.FindAllStringIndex(s, -1)
	var out []span
	for i := 0; i < len(toks); {
		d, ok := digitsOf(s[toks[i][0]:toks[i][1]])
		if !ok {
			i++
			continue
		}
		j, digits := i+1, d
		for j < len(toks) && gapRE.MatchString(s[toks[j-1][1]:toks[j][0]]) {
			d, ok := digitsOf(s[toks[j][0]:toks[j][1]])
			if !ok {
				break
			}
			digits += d
			j++
		}
		if mark := markFor(digits); mark != "" {
			out = append(out, span{from: toks[i][0], to: toks[j-1][1], mark: mark})
		}
		i = j
	}
	return out
}

// digitsOf returns a token's digits: the token itself when it is digits, the digit a digit
// word stands for.
func digitsOf(tok string) (string, bool) {
	tok = strings.TrimPrefix(tok, "+")
	if tok == "" {
		return "", false
	}
	if tok[0] >= '0' && tok[0] <= '9' {
		for _, r := range tok {
			if r < '0' || r > '9' {
				return "", false // digits of another script: not a number Redact reads
			}
		}
		return tok, true
	}
	if d, ok := digitWords[strings.ToLower(tok)]; ok {
		return string(d), true
	}
	return "", false
}

func markFor(digits string) string {
	n := len(digits)
	switch {
	case n >= 13 && n <= 19 && luhn(digits):
		return CardMark
	case n >= 7 && n <= 15:
		return PhoneMark
	}
	return ""
}

// luhn reports whether digits pass the Luhn check (ISO/IEC 7812-1 Annex B).
func luhn(digits string) bool {
	sum := 0
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if (len(digits)-1-i)%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// RedactResult redacts a result's text and each of its segments. The segments are read as
// one text, so a number the engine cut across two segments (a customer reading out a card
// pauses between groups) is found whole and hidden in each part: the first part shows the
// mark, the others lose their digits.
func RedactResult(r Result) Result {
	r.Text = Redact(r.Text)
	texts := make([]string, len(r.Segments))
	for i, sg := range r.Segments {
		texts[i] = sg.Text
	}
	joined := strings.Join(texts, " ")
	spans := numberSpans(joined)
	segs := make([]Segment, len(r.Segments))
	at := 0 // where segment i starts in joined
	for i, sg := range r.Segments {
		end := at + len(sg.Text)
		var b strings.Builder
		last := at
		for _, sp := range spans {
			if sp.to <= at || sp.from >= end {
				continue
			}
			from, to := max(sp.from, at), min(sp.to, end)
			b.WriteString(joined[last:from])
			if from == sp.from {
				b.WriteString(sp.mark)
			}
			last = to
		}
		b.WriteString(joined[last:end])
		sg.Text = strings.TrimSpace(b.String())
		segs[i] = sg
		at = end + 1
	}
	r.Segments = segs
	return r
}
