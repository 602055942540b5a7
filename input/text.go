package input

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Text that is not valid UTF-8 is rejected with its field, never repaired. encoding/json
// replaces invalid bytes and lone UTF-16 surrogate escapes ("\ud800") with U+FFFD without a
// word, so a damaged name would be stored and shown as if the sender had meant it. RFC 8259
// §8.1: JSON text exchanged between systems MUST be encoded in UTF-8; §8.2: a string with a
// lone surrogate has unpredictable meaning.

// SuspectText reports whether raw may hold text that encoding/json would replace. It is
// cheap enough for every request body; a false positive (a valid surrogate pair, "\ud83d\ude00")
// only sends the body through the item-by-item decoder, which looks closer.
func SuspectText(raw []byte) bool {
	return !utf8.Valid(raw) || hasSurrogateEscape(raw)
}

// hasSurrogateEscape reports a \uD800-\uDFFF escape anywhere in b (or a backslash-u that
// only looks like one: that is enough to look closer).
func hasSurrogateEscape(b []byte) bool {
	for {
		i := bytes.Index(b, []byte(`\u`))
		if i < 0 || i+3 >= len(b) {
			return false
		}
		if (b[i+2] == 'd' || b[i+2] == 'D') && strings.IndexByte("89abcdefABCDEF", b[i+3]) >= 0 {
			return true
		}
		b = b[i+2:]
	}
}

// badText finds the first string in the JSON value raw that is not valid text (invalid
// UTF-8, a lone surrogate escape) and names its field as the API does ("recipient.name",
// "contents[0].description"); nil when there is none or raw is not well-formed JSON (the
// strict decoder then says what is wrong).
func badText(raw []byte) *FieldError {
	dec := json.NewDecoder(bytes.NewReader(raw))
	var stack []textFrame
	from := int64(0)
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		// The bytes since the previous token: separators, blanks and this token as written.
		written := raw[from:dec.InputOffset()]
		from = dec.InputOffset()
		var top *textFrame
		if n := len(stack); n > 0 {
			top = &stack[n-1]
		}
		if top != nil && !top.array && top.inKey {
			if tok == json.Delim('}') {
				stack = valueDone(stack[:len(stack)-1])
				continue
			}
			if !validText(written) {
				// Named by the object that holds the name (the item itself: no field).
				return Errorf(textPath(stack[:len(stack)-1]), "has a field name that is not valid UTF-8")
			}
			top.key, top.inKey = tok.(string), false
			continue
		}
		switch tok {
		case json.Delim(']'), json.Delim('}'):
			stack = valueDone(stack[:len(stack)-1])
			continue
		}
		if top != nil && top.array {
			top.index++
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, textFrame{inKey: true})
		case json.Delim('['):
			stack = append(stack, textFrame{array: true, index: -1})
		default:
			if _, isString := tok.(string); isString && !validText(written) {
				return Errorf(textPath(stack), "is not valid UTF-8")
			}
			stack = valueDone(stack)
		}
	}
}

// textFrame is an object or array badText is inside.
type textFrame struct {
	array bool
	key   string // object: the member being read
	inKey bool   // object: the next token is a member name
	index int    // array: the element being read
}

// valueDone marks the value of the innermost container read: an object expects a name next.
func valueDone(stack []textFrame) []textFrame {
	if n := len(stack); n > 0 && !stack[n-1].array {
		stack[n-1].inKey = true
	}
	return stack
}

// textPath names the value being read as the API's field errors do.
func textPath(stack []textFrame) string {
	var b strings.Builder
	for i, f := range stack {
		switch {
		case f.array:
			b.WriteString("[" + strconv.Itoa(f.index) + "]")
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.key)
		}
	}
	return b.String()
}

// validText reports whether the written form of a JSON string (with whatever separators
// precede it) is valid UTF-8 and its escapes name characters: a \uD800-\uDBFF escape must be
// followed by a \uDC00-\uDFFF one, and a \uDC00-\uDFFF escape may not stand alone.
func validText(s []byte) bool {
	if !utf8.Valid(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		i++
		if i >= len(s) || s[i] != 'u' {
			continue // \\, \", \n ...: the escaped character is skipped with i
		}
		r := hex4(s[i+1:])
		i += 4
		switch {
		case r >= 0xD800 && r < 0xDC00:
			if i+6 < len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
				if lo := hex4(s[i+3:]); lo >= 0xDC00 && lo <= 0xDFFF {
					i += 6
					continue
				}
			}
			return false
		case r >= 0xDC00 && r <= 0xDFFF:
			return false
		}
	}
	return true
}

// hex4 reads four hex digits (-1 if b does not start with them).
func hex4(b []byte) int {
	if len(b) < 4 {
		return -1
	}
	n, err := strconv.ParseUint(string(b[:4]), 16, 16)
	if err != nil {
		return -1
	}
	return int(n)
}
