package i18n

// The plural categories of CLDR (Unicode's plural rules) that wismo's languages use.
const (
	One   = "one"
	Few   = "few"
	Many  = "many"
	Other = "other"
)

// Forms are the plural categories a language's texts must give.
func Forms(l Lang) []string {
	if l == RU {
		return []string{One, Few, Many, Other}
	}
	return []string{One, Other}
}

// Category is the plural category of the whole number n in l (CLDR rules for integers):
// Russian 1, 21, 101 are "one"; 2-4, 22-24 "few"; 0, 5-20, 25-30, 11-14 "many"; English 1 is
// "one", everything else "other".
func Category(l Lang, n int64) string {
	if n < 0 {
		n = -n
	}
	if l != RU {
		if n == 1 {
			return One
		}
		return Other
	}
	mod10, mod100 := n%10, n%100
	switch {
	case mod10 == 1 && mod100 != 11:
		return One
	case mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14):
		return Few
	default:
		return Many
	}
}
