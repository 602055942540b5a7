// Package stopword says whether a customer's SMS reply asks to stop messages: the dialer's
// STOP handling and package inbound share the one list.
package stopword

import (
	"strings"
	"unicode"
)

// Is reports whether a mobile-originated text asks to stop messages: the word alone, in
// English or Russian, whatever the case and the punctuation around it.
func Is(text string) bool {
	w := strings.ToUpper(strings.TrimFunc(text, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }))
	switch w {
	case "STOP", "СТОП", "STOP ALL", "UNSUBSCRIBE", "ОТПИСАТЬСЯ", "ОТПИСКА":
		return true
	}
	return false
}
