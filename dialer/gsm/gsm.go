// Package gsm encodes SMS text the way the network carries it: the GSM 03.38 default
// alphabet (GSM-7) when every character has a place in it, UCS-2 (UTF-16BE) otherwise, and
// splits long text into concatenated segments that each fit one short message with its
// user data header. The template editor uses Analyze to show the encoding and the number of
// segments; the SMPP client uses Split to build submit_sm PDUs.
package gsm

import (
	"errors"
	"sync"
	"unicode/utf16"
)

// Encoding is the character encoding of a short message.
type Encoding string

// The two encodings every SMSC supports.
const (
	GSM7 Encoding = "GSM-7"
	UCS2 Encoding = "UCS-2"
)

// esc is the escape septet that introduces a character of the extension table.
const esc = 0x1B

// basic is the GSM 03.38 default alphabet, indexed by septet (3GPP TS 23.038 §6.2.1).
// 0x1B is the escape to the extension table and maps to no character of its own.
const basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// extSeptet returns the septet that follows ESC for a character of the extension table
// (3GPP TS 23.038 §6.2.1.1); each such character costs two septets.
func extSeptet(r rune) (byte, bool) {
	switch r {
	case '\f':
		return 0x0A, true
	case '^':
		return 0x14, true
	case '{':
		return 0x28, true
	case '}':
		return 0x29, true
	case '\\':
		return 0x2F, true
	case '[':
		return 0x3C, true
	case '~':
		return 0x3D, true
	case ']':
		return 0x3E, true
	case '|':
		return 0x40, true
	case '€':
		return 0x65, true
	}
	return 0, false
}

// extRune is the inverse of extSeptet.
func extRune(b byte) (rune, bool) {
	for _, r := range "\f^{}\\[~]|€" {
		if s, _ := extSeptet(r); s == b {
			return r, true
		}
	}
	return 0, false
}

// septetOf maps the basic alphabet's characters to their septets; built once, read-only.
var septetOf = sync.OnceValue(func() map[rune]byte {
	m := make(map[rune]byte, 128)
	i := 0
	for _, r := range basic {
		if i != esc {
			m[r] = byte(i)
		}
		i++
	}
	return m
})

// runeOf maps septets back to the basic alphabet; built once, read-only.
var runeOf = sync.OnceValue(func() []rune { return []rune(basic) })

// ErrNotGSM7 is returned when text has a character outside the GSM 03.38 alphabet.
var ErrNotGSM7 = errors.New("text has characters outside the GSM 03.38 alphabet")

// septets returns how many septets r takes in GSM-7 (0 when it has no place there).
func septets(r rune) int {
	if r == esc {
		return 0
	}
	if _, ok := septetOf()[r]; ok {
		return 1
	}
	if _, ok := extSeptet(r); ok {
		return 2
	}
	return 0
}

// Detect returns GSM7 when every character of s is in the GSM 03.38 alphabet (basic or
// extension table), UCS2 otherwise: a single Cyrillic letter or emoji forces UCS-2.
func Detect(s string) Encoding {
	for _, r := range s {
		if septets(r) == 0 {
			return UCS2
		}
	}
	return GSM7
}

// EncodeGSM7 returns s as unpacked septets, one per octet, as SMPP's data_coding 0 carries
// them; extension characters become ESC followed by their septet.
func EncodeGSM7(s string) ([]byte, error) {
	out := make([]byte, 0, len(s))
	table := septetOf()
	for _, r := range s {
		if b, ok := table[r]; ok && r != esc {
			out = append(out, b)
			continue
		}
		if b, ok := extSeptet(r); ok {
			out = append(out, esc, b)
			continue
		}
		return nil, ErrNotGSM7
	}
	return out, nil
}

// DecodeGSM7 reads unpacked septets; an unknown extension septet reads as a space, as the
// specification asks of receivers.
func DecodeGSM7(b []byte) string {
	out := make([]rune, 0, len(b))
	table := runeOf()
	for i := 0; i < len(b); i++ {
		c := b[i] & 0x7F
		if c == esc && i+1 < len(b) {
			i++
			if r, ok := extRune(b[i] & 0x7F); ok {
				out = append(out, r)
			} else {
				out = append(out, ' ')
			}
			continue
		}
		if c == esc {
			continue
		}
		out = append(out, table[c])
	}
	return string(out)
}

// EncodeUCS2 returns s as UTF-16BE: UCS-2 for the basic plane, surrogate pairs beyond it
// (what handsets display).
func EncodeUCS2(s string) []byte {
	units := utf16.Encode([]rune(s))
	out := make([]byte, 2*len(units))
	for i, u := range units {
		out[2*i], out[2*i+1] = byte(u>>8), byte(u)
	}
	return out
}

// DecodeUCS2 reads UTF-16BE; a trailing odd octet is ignored.
func DecodeUCS2(b []byte) string {
	units := make([]uint16, len(b)/2)
	for i := range units {
		units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(units))
}
