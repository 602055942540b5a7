package branding

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wismo/wismo/i18n"
)

// Problem is one thing wrong with a look, beside the field it is about. Key is a catalog key
// (i18n/catalog/*/branding.json) and Args its named arguments, so that the editor says it in
// the manager's language.
type Problem struct {
	Field string
	Key   string
	Args  []any
}

// Problems are a look's problems; the error says them in English.
type Problems []Problem

func (p Problems) Error() string {
	loc := i18n.New(i18n.Lang("en"), nil)
	var out []string
	for _, pr := range p {
		out = append(out, pr.Field+": "+loc.T(pr.Key, pr.Args...))
	}
	return "invalid look: " + strings.Join(out, "; ")
}

// The caps of what a manager writes.
const (
	MaxShopURL = 300
	MaxHours   = 120
	MaxFooter  = 500
	MaxWord    = 200 // one overridden customer sentence
	MinDigits  = 7   // a hotline number's digits
	MaxDigits  = 15  // E.164
	// MinContrast is WCAG 2's AA ratio for normal text.
	MinContrast = 4.5
)

// Langs are the languages a look writes texts in.
var Langs = []string{"en", "ru"}

// The neutral look's colours (portal/static/wismo.css): the page's background and its text.
const (
	pageBG   = "#f6f7fb"
	cardBG   = "#ffffff"
	inkDark  = "#1d2330"
	inkOnBar = "#ffffff"
)

var hexColour = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// Check validates a look and returns it cleaned up (trimmed, colours in lower case).
func Check(l Look) (Look, Problems) {
	var probs Problems
	add := func(field, key string, args ...any) {
		probs = append(probs, Problem{Field: field, Key: key, Args: args})
	}
	l.ShopURL = strings.TrimSpace(l.ShopURL)
	if l.ShopURL != "" {
		u, err := url.Parse(l.ShopURL)
		switch {
		case utf8.RuneCountInString(l.ShopURL) > MaxShopURL:
			add("shop_url", "br.err_too_long", "max", MaxShopURL)
		case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil:
			add("shop_url", "br.err_url")
		}
	}
	l.Hotline = strings.TrimSpace(l.Hotline)
	if l.Hotline != "" {
		if _, ok := TelURI(l.Hotline); !ok {
			add("hotline", "br.err_phone", "min", MinDigits, "max", MaxDigits)
		}
	}
	hours, footer := map[string]string{}, map[string]string{}
	for _, lang := range Langs {
		h := strings.TrimSpace(l.Hours[lang])
		if p := plainText(h, MaxHours, false); p != "" {
			add("hours_"+lang, p, "max", MaxHours)
		}
		hours[lang] = h
		f := strings.TrimSpace(strings.ReplaceAll(l.Footer[lang], "\r\n", "\n"))
		if p := plainText(f, MaxFooter, true); p != "" {
			add("footer_"+lang, p, "max", MaxFooter)
		}
		footer[lang] = f
	}
	l.Hours, l.Footer = hours, footer
	l.Bar, l.Accent = strings.ToLower(strings.TrimSpace(l.Bar)), strings.ToLower(strings.TrimSpace(l.Accent))
	if l.Bar != "" {
		if !hexColour.MatchString(l.Bar) {
			add("bar", "br.err_colour")
		} else if _, r := BarInk(l.Bar); r < MinContrast {
			add("bar", "br.err_bar_contrast", "ratio", ratio(r), "min", ratio(MinContrast))
		}
	}
	if l.Accent != "" {
		if !hexColour.MatchString(l.Accent) {
			add("accent", "br.err_colour")
		} else if r := min(Contrast(l.Accent, pageBG), Contrast(l.Accent, cardBG)); r < MinContrast {
			add("accent", "br.err_accent_contrast", "ratio", ratio(r), "min", ratio(MinContrast))
		}
	}
	words := Words{}
	for lang, m := range l.Words {
		if !isLang(lang) {
			add("words_"+lang, "br.err_words_lang", "lang", lang)
			continue
		}
		for k, v := range m {
			v = strings.TrimSpace(v)
			switch {
			case !Overridable(k):
				add("words_"+lang, "br.err_words_key", "key", k)
			case v == "":
				add("words_"+lang, "br.err_words_empty", "key", k)
			case plainText(v, MaxWord, false) != "":
				add("words_"+lang, "br.err_words_long", "key", k, "max", MaxWord)
			default:
				if words[lang] == nil {
					words[lang] = map[string]string{}
				}
				words[lang][k] = v
			}
		}
	}
	l.Words = words
	return l, probs
}

func isLang(s string) bool {
	for _, l := range Langs {
		if l == s {
			return true
		}
	}
	return false
}

// plainText checks a text a page shows as it is: a length cap and no control characters (but
// new lines where lines is set). It returns the problem's key, "" when fine.
func plainText(s string, max int, lines bool) string {
	if !utf8.ValidString(s) {
		return "br.err_text"
	}
	if utf8.RuneCountInString(s) > max {
		return "br.err_too_long"
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(lines && r == '\n') {
			return "br.err_text"
		}
	}
	return ""
}

func ratio(r float64) string { return strconv.FormatFloat(math.Floor(r*10)/10, 'f', 1, 64) }

// TelURI makes a click-to-call link of a hotline number: "+7 (495) 123-45-67" ->
// "tel:+74951234567". Only digits, spaces, dashes, dots, brackets and a leading + are
// allowed, with 7 to 15 digits.
func TelURI(number string) (string, bool) {
	var digits strings.Builder
	for i, r := range strings.TrimSpace(number) {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == '+' && i == 0:
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return "", false
		}
	}
	n := digits.Len()
	if n < MinDigits || n > MaxDigits {
		return "", false
	}
	if strings.HasPrefix(strings.TrimSpace(number), "+") {
		return "tel:+" + digits.String(), true
	}
	return "tel:" + digits.String(), true
}

// Contrast is WCAG 2's contrast ratio of two #rrggbb colours (1 to 21).
func Contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// BarInk is the text colour for a header background, white or dark (the page's ink, or black
// where the ink would read poorly), whichever reads better, and its contrast. White or black
// always reach 4.5:1 against any colour.
func BarInk(bar string) (string, float64) {
	white, black := Contrast(bar, inkOnBar), Contrast(bar, "#000000")
	if white >= black {
		return inkOnBar, white
	}
	if dark := Contrast(bar, inkDark); dark >= MinContrast {
		return inkDark, dark
	}
	return "#000000", black
}

func luminance(c string) float64 {
	var rgb [3]float64
	for i := range 3 {
		v, _ := strconv.ParseUint(c[1+2*i:3+2*i], 16, 8)
		x := float64(v) / 255
		if x <= 0.04045 {
			rgb[i] = x / 12.92
		} else {
			rgb[i] = math.Pow((x+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*rgb[0] + 0.7152*rgb[1] + 0.0722*rgb[2]
}

// phaseWords are the phases whose names a brand may reword.
var phaseWords = []string{"registered", "posted", "export", "in_transit", "arrived", "customs", "at_sorting_center",
	"at_delivery_office", "out_for_delivery", "ready_for_pickup", "delivery_attempted", "delivered", "returning",
	"returned", "cancelled"}

// overridablePrefixes are the customer words a brand may reword: what an event, a reason or an
// action means to the customer, the way back, and the promise badges.
var overridablePrefixes = []string{"event.", "reason.", "action.", "return.", "badge_"}

// Overridable tells whether a brand may override a key of the track catalog (written without
// "track."): the customer words for events, reasons, actions, phases and badges that the
// catalog has.
func Overridable(key string) bool {
	if !i18n.Default().Has("track." + key) {
		return false
	}
	for _, p := range overridablePrefixes {
		if strings.HasPrefix(key, p) && len(key) > len(p) {
			return true
		}
	}
	for _, p := range phaseWords {
		if key == p {
			return true
		}
	}
	return false
}

// OverridableKeys lists the keys a brand may override, in catalog order (sorted).
func OverridableKeys() []string {
	var out []string
	for k := range i18n.Default().Texts(i18n.Lang("en"), "track.") {
		k = strings.TrimPrefix(k, "track.")
		if Overridable(k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// Stylesheet is a brand's colours as CSS: custom properties the neutral stylesheet
// (portal/static/wismo.css) reads; empty colours keep the neutral ones. scope is the selector
// they apply to (".track" on the tracking page, ".brand-preview" in the editor).
func Stylesheet(scope string, l Look) string {
	var b strings.Builder
	fmt.Fprintf(&b, "/* wismo: the look of brand %d, version %d */\n", l.BrandID, l.Version)
	var props []string
	if hexColour.MatchString(l.Accent) {
		props = append(props, "--accent:"+l.Accent)
	}
	if hexColour.MatchString(l.Bar) {
		ink, _ := BarInk(l.Bar)
		props = append(props, "--bar:"+l.Bar, "--bar-ink:"+ink)
	}
	if len(props) > 0 {
		fmt.Fprintf(&b, "%s{%s}\n", scope, strings.Join(props, ";"))
	}
	return b.String()
}
