// Package sipuser checks and escapes the user part of SIP URIs (RFC 3261 §25.1): the caller
// ids brands and operators set, and the numbers wismo dials. sipgo writes a URI's user part
// as it is given, so a value with CR or LF in it would end the header it stands in and start
// one of the caller's choosing (P-Asserted-Identity, say). Values are checked where they
// enter (the brand and campaign APIs, the configuration) and escaped where a SIP message is
// built, so a bad value that got into the database anyway cannot forge a header.
//
// The package has no dependencies, so that domains which store caller ids (callcenter,
// dialer) check them with the same rule the SIP code uses, without importing the SIP stack.
package sipuser

import (
	"errors"
	"fmt"
	"strings"
)

// MaxCallerID is the longest caller id accepted: an E.164 number has at most 15 digits
// (ITU-T E.164 §6), and a user name on a trunk is short.
const MaxCallerID = 32

// Errors CheckCallerID wraps, for callers that map them (each message says what is wrong in
// words).
var (
	ErrControl = errors.New("control characters (line breaks, tabs, NUL) are not allowed: they would end the SIP header")
	ErrInvalid = errors.New("not a caller id")
)

// CheckCallerID reports why s cannot be the user part of the From of calls wismo places: nil
// for an E.164 number ("+" and 1 to 15 digits) or a user name made of RFC 3261 §25.1's user
// characters (letters, digits and - _ . ! ~ * ' ( ) & = + $ , /). Left out of the grammar
// on purpose: "%" escapes (no caller id needs one, and the far end would decode them), and
// ";" and "?", which lax parsers take as the start of URI parameters or headers.
func CheckCallerID(s string) error {
	switch {
	case s == "":
		return fmt.Errorf("%w: it is empty", ErrInvalid)
	case hasControl(s):
		return ErrControl
	case len(s) > MaxCallerID:
		return fmt.Errorf("%w: it is longer than %d characters", ErrInvalid, MaxCallerID)
	case s[0] == '+':
		if len(s) < 2 || len(s) > 16 || strings.Trim(s[1:], "0123456789") != "" {
			return fmt.Errorf("%w: an E.164 number is a plus and 1 to 15 digits, without spaces, such as +74951234567", ErrInvalid)
		}
		return nil
	}
	for _, r := range s {
		if r >= 0x80 || !userChar(byte(r)) || r == ';' || r == '?' {
			return fmt.Errorf("%w: %q is not allowed; use an E.164 number or letters, digits and - _ . ! ~ * ' ( ) & = + $ , /", ErrInvalid, r)
		}
	}
	return nil
}

// HasControl reports whether s holds an ASCII control character or DEL (CR and LF among
// them): such a value must never reach a SIP or mail header.
func HasControl(s string) bool { return hasControl(s) }

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// Escape returns s as a SIP URI user part: every byte outside RFC 3261 §25.1's
// `unreserved / user-unreserved` is written as an `escaped` %XX, so the value cannot end
// the URI, the header, or the message it stands in. A value that CheckCallerID accepts comes
// back unchanged.
func Escape(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if !userChar(s[i]) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if userChar(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0x0f])
	}
	return b.String()
}

// userChar reports whether c may appear unescaped in a user part (RFC 3261 §25.1):
//
//	user            = 1*( unreserved / escaped / user-unreserved )
//	user-unreserved = "&" / "=" / "+" / "$" / "," / ";" / "?" / "/"
//	unreserved      = alphanum / mark
//	mark            = "-" / "_" / "." / "!" / "~" / "*" / "'" / "(" / ")"
func userChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-_.!~*'()&=+$,;?/", c) >= 0
}
