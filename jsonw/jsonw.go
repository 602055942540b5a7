// Package jsonw writes and reads the few JSON shapes wismo handles by the thousand (outbox
// messages of ingested events, import lines) without encoding/json's reflection. Each reader
// gives up, rather than guess, on anything but plain input, and its callers then fall back to
// encoding/json; fuzz tests hold both sides to encoding/json.
package jsonw

import "unicode/utf8"

const hex = "0123456789abcdef"

// AppendString appends s as a JSON string: quotes, backslashes and control characters
// escaped, invalid UTF-8 replaced by U+FFFD (as encoding/json does).
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// AppendField appends `,"name":"value"` (no comma before the first field), or nothing for an
// empty value when omitEmpty.
func AppendField(dst []byte, name, value string, omitEmpty bool) []byte {
	if omitEmpty && value == "" {
		return dst
	}
	if len(dst) > 0 && dst[len(dst)-1] != '{' {
		dst = append(dst, ',')
	}
	dst = append(dst, '"')
	dst = append(dst, name...)
	dst = append(dst, '"', ':')
	return AppendString(dst, value)
}

// SkipValue returns the end of the JSON object, array, string or literal starting at b[i]:
// it follows strings (with escapes) and brackets, and leaves validation to the consumer's
// decoder.
func SkipValue(b []byte, i int) (int, bool) {
	depth := 0
	for i < len(b) {
		switch c := b[i]; c {
		case '"':
			i++
			for i < len(b) && b[i] != '"' {
				if b[i] == '\\' {
					i++
				}
				i++
			}
			if i >= len(b) {
				return 0, false
			}
			i++
		case '{', '[':
			depth++
			i++
		case '}', ']':
			if depth == 0 {
				return i, true // the end of the enclosing part
			}
			depth--
			i++
		case ',':
			if depth == 0 {
				return i, true
			}
			i++
		default:
			i++
		}
		if depth == 0 && i > 0 && (b[i-1] == '}' || b[i-1] == ']' || b[i-1] == '"') {
			return i, true
		}
	}
	return 0, false
}

// EachField calls fn with each key and raw value of the JSON object b, in order, without a
// decoder, for the hot payloads that AppendJSON writes. It reports false (and the caller
// decodes b with encoding/json instead) when b is not a plain object, a key holds an escape,
// or fn returns false. Values are not validated: fn reads them strictly (PlainString).
func EachField(b []byte, fn func(key, value []byte) bool) bool {
	return walk(b, '{', '}', func(i int) (int, bool) {
		if b[i] != '"' {
			return 0, false
		}
		end := i + 1
		for end < len(b) && b[end] != '"' && b[end] != '\\' {
			end++
		}
		if end >= len(b) || b[end] != '"' {
			return 0, false
		}
		key := b[i+1 : end]
		i = skipSpace(b, end+1)
		if i >= len(b) || b[i] != ':' {
			return 0, false
		}
		i = skipSpace(b, i+1)
		vend, ok := SkipValue(b, i)
		return vend, ok && vend != i && fn(key, b[i:vend])
	})
}

// PlainString returns the JSON string v without its quotes when it holds no escape (and is
// valid UTF-8); ok is false otherwise, for the caller to decode it properly.
func PlainString(v []byte) (s string, ok bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", false
	}
	in := v[1 : len(v)-1]
	for _, c := range in {
		if c == '"' || c == '\\' || c < 0x20 {
			return "", false
		}
	}
	if !utf8.Valid(in) {
		return "", false
	}
	return string(in), true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// EachElement calls fn with each raw element of the JSON array b, in order, without a
// decoder; false (the caller then decodes b with encoding/json) when b is not an array of
// values it can delimit or fn returns false.
func EachElement(b []byte, fn func(elem []byte) bool) bool {
	return walk(b, '[', ']', func(i int) (int, bool) {
		end, ok := SkipValue(b, i)
		return end, ok && end != i && fn(b[i:end])
	})
}

// walk reads b as exactly one JSON container opened by open and closed by close, calling
// member at the start of each member for where it ends; it reports false on anything else
// (a missing separator, a trailing comma, bytes after the close) or when member does.
func walk(b []byte, open, close byte, member func(i int) (int, bool)) bool {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != open {
		return false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == close {
		return skipSpace(b, i+1) == len(b)
	}
	for i < len(b) {
		end, ok := member(i)
		if !ok {
			return false
		}
		i = skipSpace(b, end)
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case close:
			return skipSpace(b, i+1) == len(b)
		default:
			return false
		}
	}
	return false
}
