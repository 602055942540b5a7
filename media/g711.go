// Package media is wismo's audio plumbing shared by the telephony engine and the recorder:
// G.711 mu-law and A-law (ITU-T G.711), transcoding between them, a crash-safe stereo WAV
// writer, and a Goertzel tone detector used to check what was heard.
package media

import (
	"slices"
	"sync"
)

// Payload types of the static RTP/AVP profile (RFC 3551 §6, table 4).
const (
	PayloadPCMU uint8 = 0
	PayloadPCMA uint8 = 8
)

const (
	muBias = 0x84 // ITU-T G.711 mu-law bias (132)
	muClip = 32635
)

// tables holds the decode tables and the mu-law <-> A-law transcoding maps. They are built
// once per Codecs value (no package-level state).
type tables struct {
	muToLin [256]int16
	aToLin  [256]int16
	muToA   [256]byte
	aToMu   [256]byte
}

// Codecs decodes, encodes and transcodes G.711 through lookup tables.
type Codecs struct{ t *tables }

// NewCodecs builds the G.711 lookup tables (a few kilobytes; build once and share).
func NewCodecs() Codecs {
	t := &tables{}
	for i := range 256 {
		t.muToLin[i] = MuLawDecode(byte(i))
		t.aToLin[i] = ALawDecode(byte(i))
	}
	for i := range 256 {
		t.muToA[i] = ALawEncode(t.muToLin[i])
		t.aToMu[i] = MuLawEncode(t.aToLin[i])
	}
	return Codecs{t: t}
}

// Decode appends the 16-bit linear samples of a G.711 payload of type pt to dst.
func (c Codecs) Decode(dst []int16, pt uint8, payload []byte) []int16 {
	tab := &c.t.muToLin
	if pt == PayloadPCMA {
		tab = &c.t.aToLin
	}
	for _, b := range payload {
		dst = append(dst, tab[b])
	}
	return dst
}

// Transcode rewrites payload in place from payload type from to payload type to
// (mu-law <-> A-law); equal types are left untouched.
func (c Codecs) Transcode(payload []byte, from, to uint8) {
	switch {
	case from == to:
	case from == PayloadPCMU && to == PayloadPCMA:
		for i, b := range payload {
			payload[i] = c.t.muToA[b]
		}
	case from == PayloadPCMA && to == PayloadPCMU:
		for i, b := range payload {
			payload[i] = c.t.aToMu[b]
		}
	}
}

// encodeTables map every 16-bit sample to its A-law and mu-law byte (64 KiB each, built on
// first use): announcements are encoded 160 samples per 20 ms packet for every call that
// hears one, and a lookup is several times cheaper than the segment search.
var encodeTables = sync.OnceValue(func() *[2][65536]byte {
	t := new([2][65536]byte)
	for i := range 65536 {
		t[0][i] = ALawEncode(int16(uint16(i)))
		t[1][i] = MuLawEncode(int16(uint16(i)))
	}
	return t
})

// Encode appends samples encoded as payload type pt (PCMU or PCMA) to dst.
func Encode(dst []byte, pt uint8, samples []int16) []byte {
	t := &encodeTables()[1]
	if pt == PayloadPCMA {
		t = &encodeTables()[0]
	}
	dst = slices.Grow(dst, len(samples))
	for _, s := range samples {
		dst = append(dst, t[uint16(s)])
	}
	return dst
}

// MuLawEncode encodes one 16-bit sample as mu-law (ITU-T G.711 §3).
func MuLawEncode(s int16) byte {
	v := int32(s)
	sign := byte(0)
	if v < 0 {
		v = -v
		sign = 0x80
	}
	if v > muClip {
		v = muClip
	}
	v += muBias
	exp := byte(7)
	for mask := int32(0x4000); v&mask == 0 && exp > 0; mask >>= 1 {
		exp--
	}
	mant := byte(v>>(exp+3)) & 0x0f
	return ^(sign | exp<<4 | mant)
}

// MuLawDecode decodes one mu-law byte to a 16-bit sample.
func MuLawDecode(b byte) int16 {
	b = ^b
	exp := (b >> 4) & 0x07
	mant := int32(b & 0x0f)
	v := ((mant << 3) + muBias) << exp
	v -= muBias
	if b&0x80 != 0 {
		return int16(-v)
	}
	return int16(v)
}

// ALawEncode encodes one 16-bit sample as A-law (ITU-T G.711 §2; even bits inverted).
func ALawEncode(s int16) byte {
	v := int32(s) >> 3 // A-law works on 13-bit magnitudes
	sign := byte(0x80)
	if v < 0 {
		v = -v - 1
		sign = 0
	}
	if v > 0x0fff {
		v = 0x0fff
	}
	var out byte
	if v < 32 {
		out = byte(v >> 1)
	} else {
		exp := byte(1)
		for t := v >> 5; t > 1; t >>= 1 {
			exp++
		}
		out = exp<<4 | byte(v>>exp)&0x0f
	}
	return (out | sign) ^ 0x55
}

// ALawDecode decodes one A-law byte to a 16-bit sample.
func ALawDecode(b byte) int16 {
	b ^= 0x55
	exp := (b >> 4) & 0x07
	mant := int32(b & 0x0f)
	var v int32
	if exp == 0 {
		v = mant<<4 + 8
	} else {
		v = (mant<<4 + 0x108) << (exp - 1)
	}
	if b&0x80 == 0 {
		return int16(-v)
	}
	return int16(v)
}
