package amd

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrFormat is returned for a file that is not 8 kHz mono 16-bit PCM WAV; the wrapped message
// says what the file is instead.
var ErrFormat = errors.New("not an 8 kHz mono 16-bit PCM WAV")

// ReadWAV reads a RIFF WAVE file of 8 kHz mono 16-bit linear PCM and returns its samples.
func ReadWAV(r io.Reader) ([]int16, error) {
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, fmt.Errorf("%w: too short for a RIFF header", ErrFormat)
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		return nil, fmt.Errorf("%w: no RIFF/WAVE header", ErrFormat)
	}
	var fmtSeen bool
	for {
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			if fmtSeen {
				return nil, fmt.Errorf("%w: no data chunk", ErrFormat)
			}
			return nil, fmt.Errorf("%w: no fmt chunk", ErrFormat)
		}
		id, size := string(ch[0:4]), binary.LittleEndian.Uint32(ch[4:8])
		switch id {
		case "fmt ":
			if size < 16 || size > 1<<16 {
				return nil, fmt.Errorf("%w: fmt chunk of %d bytes", ErrFormat, size)
			}
			b := make([]byte, size+size%2)
			if _, err := io.ReadFull(r, b); err != nil {
				return nil, fmt.Errorf("%w: short fmt chunk", ErrFormat)
			}
			tag := binary.LittleEndian.Uint16(b[0:2])
			chans := binary.LittleEndian.Uint16(b[2:4])
			rate := binary.LittleEndian.Uint32(b[4:8])
			bits := binary.LittleEndian.Uint16(b[14:16])
			if tag == 0xFFFE && size >= 26 { // WAVE_FORMAT_EXTENSIBLE: the real tag is the sub-format's
				tag = binary.LittleEndian.Uint16(b[24:26])
			}
			if tag != 1 || chans != 1 || rate != SampleRate || bits != 16 {
				return nil, fmt.Errorf("%w: it is %s, %d Hz, %d channel(s), %d-bit", ErrFormat, encoding(tag), rate, chans, bits)
			}
			fmtSeen = true
		case "data":
			if !fmtSeen {
				return nil, fmt.Errorf("%w: data before fmt", ErrFormat)
			}
			b, err := io.ReadAll(io.LimitReader(r, int64(size)))
			if err != nil {
				return nil, fmt.Errorf("read data: %w", err)
			}
			s := make([]int16, len(b)/2)
			for i := range s {
				s[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
			}
			return s, nil
		default:
			if _, err := io.CopyN(io.Discard, r, int64(size)+int64(size%2)); err != nil {
				return nil, fmt.Errorf("%w: short %q chunk", ErrFormat, id)
			}
		}
	}
}

func encoding(tag uint16) string {
	switch tag {
	case 1:
		return "linear PCM"
	case 3:
		return "IEEE float"
	case 6:
		return "G.711 A-law"
	case 7:
		return "G.711 mu-law"
	}
	return fmt.Sprintf("format tag %d", tag)
}

// WriteWAV writes samples as an 8 kHz mono 16-bit PCM WAV (tools and tests make clips with it).
func WriteWAV(w io.Writer, samples []int16) error {
	n := uint32(2 * len(samples))
	b := make([]byte, 44+n)
	copy(b[0:], "RIFF")
	binary.LittleEndian.PutUint32(b[4:], 36+n)
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1)
	binary.LittleEndian.PutUint16(b[22:], 1)
	binary.LittleEndian.PutUint32(b[24:], SampleRate)
	binary.LittleEndian.PutUint32(b[28:], 2*SampleRate)
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], n)
	for i, s := range samples {
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(s))
	}
	_, err := w.Write(b)
	return err
}
