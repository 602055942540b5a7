package compact

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// Stream is what Verify learned from an Ogg Opus file.
type Stream struct {
	Channels   int
	InputRate  int   // the original sample rate written in OpusHead
	Pages      int   // every one with a good CRC
	DurationMS int64 // (last granule position - pre-skip) / 48 (RFC 7845 §4)
}

var errNotOpus = errors.New("not an Ogg Opus stream")

// crcTable is Ogg's CRC-32: polynomial 0x04c11db7, not reflected, initial value 0 (RFC 3533 §6).
var crcTable = func() (t [256]uint32) {
	for i := range t {
		r := uint32(i) << 24
		for range 8 {
			if r&0x80000000 != 0 {
				r = r<<1 ^ 0x04c11db7
			} else {
				r <<= 1
			}
		}
		t[i] = r
	}
	return t
}()

func crc(c uint32, b []byte) uint32 {
	for _, x := range b {
		c = c<<8 ^ crcTable[byte(c>>24)^x]
	}
	return c
}

// Verify reads the Ogg Opus file at path to its end: every page must have the capture pattern
// and a correct CRC (RFC 3533 §6), the first packet must be an OpusHead (RFC 7845 §5.1), the
// last page must end the stream, and its granule position gives the playable duration. It
// decodes no audio: a file that passes is whole and says how long it plays.
func Verify(path string) (Stream, error) {
	f, err := os.Open(path)
	if err != nil {
		return Stream{}, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	var st Stream
	var preSkip, granule int64
	var hdr [27]byte
	last := false
	for {
		if _, err := io.ReadFull(r, hdr[:]); err == io.EOF {
			break
		} else if err != nil {
			return st, fmt.Errorf("page %d: %w", st.Pages, err)
		}
		if string(hdr[:4]) != "OggS" || hdr[4] != 0 {
			return st, fmt.Errorf("page %d: no capture pattern: %w", st.Pages, errNotOpus)
		}
		if last {
			return st, fmt.Errorf("page %d after the end of stream", st.Pages)
		}
		segs := make([]byte, hdr[26])
		if _, err := io.ReadFull(r, segs); err != nil {
			return st, fmt.Errorf("page %d: %w", st.Pages, err)
		}
		n := 0
		for _, s := range segs {
			n += int(s)
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(r, body); err != nil {
			return st, fmt.Errorf("page %d: truncated: %w", st.Pages, err)
		}
		want := binary.LittleEndian.Uint32(hdr[22:26])
		clear(hdr[22:26])
		if got := crc(crc(crc(0, hdr[:]), segs), body); got != want {
			return st, fmt.Errorf("page %d: CRC %08x, header says %08x", st.Pages, got, want)
		}
		if st.Pages == 0 {
			if len(body) < 19 || string(body[:8]) != "OpusHead" {
				return st, errNotOpus
			}
			st.Channels = int(body[9])
			preSkip = int64(binary.LittleEndian.Uint16(body[10:12]))
			st.InputRate = int(binary.LittleEndian.Uint32(body[12:16]))
		}
		if g := int64(binary.LittleEndian.Uint64(hdr[6:14])); g != -1 {
			granule = g
		}
		last = hdr[5]&0x04 != 0
		st.Pages++
	}
	if st.Pages == 0 {
		return st, errNotOpus
	}
	if !last {
		return st, fmt.Errorf("no end-of-stream page after %d pages: truncated", st.Pages)
	}
	st.DurationMS = max(granule-preSkip, 0) / 48
	return st, nil
}
