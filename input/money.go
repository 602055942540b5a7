package input

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// currencyExponent returns the number of minor-unit digits of an ISO 4217 currency.
func currencyExponent(cur string) int {
	switch cur {
	case "JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF", "PYG", "RWF", "KMF", "GNF", "DJF", "VUV", "XPF":
		return 0
	case "BHD", "KWD", "OMR", "JOD", "TND", "IQD", "LYD":
		return 3
	}
	return 2
}

var amountRE = regexp.MustCompile(`^[0-9]{1,12}(\.[0-9]{1,3})?$`)

// Money checks an amount given as a decimal string ("1200.00") in an ISO 4217 currency and
// returns it in minor units with the currency upper-cased; field names the errors
// (field.currency, field.amount).
func Money(field, amount, currency string) (minor int64, cur string, fe *FieldError) {
	cur = strings.ToUpper(strings.TrimSpace(currency))
	if len(cur) != 3 || strings.Trim(cur, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return 0, "", Errorf(field+".currency", "must be an ISO 4217 code such as RUB")
	}
	amt := strings.TrimSpace(amount)
	if !amountRE.MatchString(amt) {
		return 0, "", Errorf(field+".amount", "must be a decimal string such as \"1200.00\", got %q", amount)
	}
	exp := currencyExponent(cur)
	whole, frac, _ := strings.Cut(amt, ".")
	if len(frac) > exp {
		return 0, "", Errorf(field+".amount", "%s has %d decimal places at most", cur, exp)
	}
	frac += strings.Repeat("0", exp-len(frac))
	minor, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, "", Errorf(field+".amount", "is out of range")
	}
	return minor, cur, nil
}

// FormatMinor writes an amount in minor units of currency back as a decimal string.
func FormatMinor(minor int64, currency string) string {
	exp := currencyExponent(currency)
	if exp == 0 {
		return strconv.FormatInt(minor, 10)
	}
	p := int64(math.Pow10(exp))
	return fmt.Sprintf("%d.%0*d", minor/p, exp, minor%p)
}
