package gsm

import "unicode/utf8"

// Segment sizes (3GPP TS 23.040 §9.2.3.24.1): one short message carries 140 octets of user
// data, which is 160 septets or 70 UCS-2 units; a part of a concatenated message gives 6 of
// them to its user data header (IEI 0x00), leaving 153 septets or 67 units.
const (
	SingleGSM7 = 160
	PartGSM7   = 153
	SingleUCS2 = 70
	PartUCS2   = 67
)

// Info describes how a text travels: what the template editor shows beside the SMS.
type Info struct {
	Encoding   Encoding `json:"encoding"`
	Characters int      `json:"characters"`  // as the reader counts them
	Units      int      `json:"units"`       // septets (GSM-7) or UTF-16 units (UCS-2)
	Segments   int      `json:"segments"`    // short messages the text is sent as
	PerSegment int      `json:"per_segment"` // capacity of one segment in units
	Remaining  int      `json:"remaining"`   // units still free in the last segment
}

// Analyze returns the encoding of s and how many segments it takes.
func Analyze(s string) Info {
	enc, parts := Split(s)
	info := Info{Encoding: enc, Characters: utf8.RuneCountInString(s), Segments: len(parts)}
	unit := 1
	if enc == UCS2 {
		unit = 2
	}
	for _, p := range parts {
		info.Units += len(p) / unit
	}
	switch {
	case enc == GSM7 && len(parts) <= 1:
		info.PerSegment = SingleGSM7
	case enc == GSM7:
		info.PerSegment = PartGSM7
	case len(parts) <= 1:
		info.PerSegment = SingleUCS2
	default:
		info.PerSegment = PartUCS2
	}
	if n := len(parts); n > 0 {
		info.Remaining = info.PerSegment - len(parts[n-1])/unit
	} else {
		info.Remaining = info.PerSegment
	}
	return info
}

// Split encodes s and cuts it into segment payloads (user data without the header). A text
// that fits one message is one part; a longer one is cut at PartGSM7 septets or PartUCS2
// units, never inside an escape sequence or a surrogate pair. The empty text is no part.
func Split(s string) (Encoding, [][]byte) {
	if s == "" {
		return Detect(s), nil
	}
	if b, err := EncodeGSM7(s); err == nil {
		return GSM7, cut(b, 1, SingleGSM7, PartGSM7, func(b []byte, end int) bool { return b[end-1] == esc })
	}
	b := EncodeUCS2(s)
	highSurrogate := func(b []byte, end int) bool { return b[end-2] >= 0xD8 && b[end-2] <= 0xDB }
	return UCS2, cut(b, 2, SingleUCS2, PartUCS2, highSurrogate)
}

// cut splits b (unit octets per unit) into parts of at most part units, or one part when it
// fits single units; splitsPair reports whether ending a part at end would split a pair.
func cut(b []byte, unit, single, part int, splitsPair func(b []byte, end int) bool) [][]byte {
	if len(b) <= single*unit {
		return [][]byte{b}
	}
	var parts [][]byte
	for start := 0; start < len(b); {
		end := min(start+part*unit, len(b))
		if end < len(b) && splitsPair(b, end) {
			end -= unit
		}
		parts = append(parts, b[start:end])
		start = end
	}
	return parts
}
