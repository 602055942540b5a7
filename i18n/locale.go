package i18n

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Locale is a reader's language and time zone: what every text, date and number on their page
// is written for. The zero Locale writes English in UTC.
type Locale struct {
	Lang Lang
	Zone *time.Location
	cat  *Catalog
}

// New returns the locale of a reader of lang in zone (nil: UTC) with the default catalog.
func New(lang Lang, zone *time.Location) Locale {
	return Locale{Lang: lang, Zone: zone, cat: Default()}
}

// With returns l reading its texts from c (tests).
func (l Locale) With(c *Catalog) Locale { l.cat = c; return l }

func (l Locale) catalog() *Catalog {
	if l.cat == nil {
		return Default()
	}
	return l.cat
}

func (l Locale) lang() Lang {
	if l.Lang == "" {
		return EN
	}
	return l.Lang
}

func (l Locale) zone() *time.Location {
	if l.Zone == nil {
		return time.UTC
	}
	return l.Zone
}

// T is the text of key with its placeholders filled from args, given as name, value pairs:
// T("case.assigned", "number", "MM-000123", "agent", "Anna"). A missing key shows as itself,
// so a page never hides that a text is missing (the catalog test keeps that from shipping).
func (l Locale) T(key string, args ...any) string {
	m, ok := l.catalog().lookup(l.lang(), key)
	if !ok {
		return key
	}
	text := m.Text
	if m.Forms != nil { // a plural used without a count reads as "other"
		text = m.Forms[Other]
	}
	return l.fill(text, args)
}

// N is the plural text of key for the count n ("{n}" in it is n, written for the reader),
// with further placeholders from args as in T.
func (l Locale) N(key string, n int, args ...any) string {
	m, ok := l.catalog().lookup(l.lang(), key)
	if !ok {
		return key
	}
	text := m.Text
	if m.Forms != nil {
		text = m.Forms[Category(l.lang(), int64(n))]
		if text == "" {
			text = m.Forms[Other]
		}
	}
	return l.fill(text, append([]any{"n", n}, args...))
}

// fill replaces each {name} in text with its value in args.
func (l Locale) fill(text string, args []any) string {
	if len(args) == 0 || !strings.Contains(text, "{") {
		return text
	}
	var b strings.Builder
	for {
		open := strings.IndexByte(text, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(text[open:], '}')
		if end < 0 {
			break
		}
		name := text[open+1 : open+end]
		v, ok := argValue(args, name)
		b.WriteString(text[:open])
		if ok {
			b.WriteString(l.Format(v))
		} else {
			b.WriteString(text[open : open+end+1])
		}
		text = text[open+end+1:]
	}
	b.WriteString(text)
	return b.String()
}

func argValue(args []any, name string) (any, bool) {
	for i := 0; i+1 < len(args); i += 2 {
		if k, _ := args[i].(string); k == name {
			return args[i+1], true
		}
	}
	return nil, false
}

// Format writes a value for the reader: numbers grouped, times as DateTime, durations in words.
func (l Locale) Format(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return l.Number(int64(x))
	case int64:
		return l.Number(x)
	case time.Time:
		return l.DateTime(x)
	case time.Duration:
		return l.Duration(x)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// Date is t's calendar day in the reader's zone: 06.12.2026 in Russian, 6 Dec 2026 in English.
func (l Locale) Date(t time.Time) string {
	t = t.In(l.zone())
	if l.lang() == RU {
		return t.Format("02.01.2006")
	}
	return t.Format("2 Jan 2006")
}

// Time is t's time of day in the reader's zone, 24-hour: 14:05.
func (l Locale) Time(t time.Time) string { return t.In(l.zone()).Format("15:04") }

// DateTime is t's day and time in the reader's zone with the zone named:
// "06.12.2026 14:05 MSK", "6 Dec 2026 14:05 UTC+7".
func (l Locale) DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return l.Date(t) + " " + l.Time(t) + " " + ZoneName(t.In(l.zone()))
}

// ZoneName names t's zone the way a reader recognises it: its abbreviation where it has a
// real one (MSK, CET, UTC), else the offset (UTC+7, UTC+5:30): the IANA database names most
// Russian zones only by their offset ("+07").
func ZoneName(t time.Time) string {
	abbr, off := t.Zone()
	if abbr != "" && (abbr[0] < '0' || abbr[0] > '9') && abbr[0] != '+' && abbr[0] != '-' {
		return abbr
	}
	if off == 0 {
		return "UTC"
	}
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	s := "UTC" + sign + strconv.Itoa(off/3600)
	if m := off % 3600 / 60; m != 0 {
		s += fmt.Sprintf(":%02d", m)
	}
	return s
}

// separators of thousands and decimals: Russian writes 1 234 567,89 (a no-break space),
// English 1,234,567.89.
func (l Locale) separators() (thousands, decimal string) {
	if l.lang() == RU {
		return "\u00a0", ","
	}
	return ",", "."
}

// Number writes a whole number with its thousands grouped: 1 234 567 / 1,234,567.
func (l Locale) Number(n int64) string {
	th, _ := l.separators()
	return group(strconv.FormatInt(n, 10), th)
}

func group(digits, sep string) string {
	neg := strings.HasPrefix(digits, "-")
	digits = strings.TrimPrefix(digits, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Decimal writes a decimal number given as text ("1200.5", as amounts are stored) with two
// decimals and grouped thousands; text that is not a number comes back as it is.
func (l Locale) Decimal(amount string) string {
	f, err := strconv.ParseFloat(strings.TrimSpace(amount), 64)
	if err != nil {
		return amount
	}
	s := strconv.FormatFloat(f, 'f', 2, 64)
	whole, frac, _ := strings.Cut(s, ".")
	th, dec := l.separators()
	return group(whole, th) + dec + frac
}

// NumberText rewrites a number written the machine way ("1234567.5", "-12", "93.3%") for the
// reader: thousands grouped and the reader's decimal mark, the digits after the point kept as
// they are ("1 234 567,5", "93,3%"). Text that is not such a number is returned as it is.
func (l Locale) NumberText(s string) string {
	body, pct := strings.CutSuffix(s, "%")
	neg := strings.HasPrefix(body, "-")
	whole, frac, hasFrac := strings.Cut(strings.TrimPrefix(body, "-"), ".")
	if whole == "" || strings.Trim(whole, "0123456789") != "" || (hasFrac && (frac == "" || strings.Trim(frac, "0123456789") != "")) {
		return s
	}
	th, dec := l.separators()
	out := group(whole, th)
	if neg {
		out = "-" + out
	}
	if hasFrac {
		out += dec + frac
	}
	if pct {
		out += "%"
	}
	return out
}

// currencySymbols are the currencies readers know by a sign.
var currencySymbols = map[string]string{"RUB": "₽", "USD": "$", "EUR": "€", "GBP": "£", "CNY": "¥", "TRY": "₺", "KZT": "₸"}

// Money writes an amount in a currency: "1 200,00 ₽" in Russian (the sign after, as Russian
// does), "₽1,200.00" in English; a currency without a known sign is written by its code
// ("1 200,00 BYN", "BYN 1,200.00").
func (l Locale) Money(amount, currency string) string {
	n := l.Decimal(amount)
	code := strings.ToUpper(currency)
	sym, ok := currencySymbols[code]
	switch {
	case l.lang() == RU && ok:
		return n + "\u00a0" + sym
	case l.lang() == RU:
		return n + "\u00a0" + code
	case ok:
		return sym + n
	}
	return code + " " + n
}

// Duration writes d in words, its two largest units: "2 hours 5 minutes", "2 часа 5 минут",
// "45 seconds". Under a second it is "less than a minute"'s word for the reader.
func (l Locale) Duration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	units := []struct {
		key  string
		size time.Duration
	}{{"time.days", 24 * time.Hour}, {"time.hours", time.Hour}, {"time.minutes", time.Minute}, {"time.seconds", time.Second}}
	var parts []string
	for _, u := range units {
		if n := int(d / u.size); n > 0 {
			parts = append(parts, l.N(u.key, n))
			d -= time.Duration(n) * u.size
		} else if len(parts) > 0 {
			break // "2 days 5 minutes" says less than "2 days"
		}
		if len(parts) == 2 {
			break
		}
	}
	if len(parts) == 0 {
		return l.T("time.moment")
	}
	return strings.Join(parts, " ")
}

// Until says how far t is from now in words: "in 2 hours 5 minutes" or "2 hours 5 minutes ago".
func (l Locale) Until(t, now time.Time) string {
	d := t.Sub(now)
	if d >= 0 {
		return l.T("time.in", "d", l.Duration(d))
	}
	return l.T("time.ago", "d", l.Duration(-d))
}
