package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"unsafe"
)

// wavHeaderSize is the size of the canonical 44-byte RIFF/WAVE header (PCM "fmt " chunk of
// 16 bytes followed by the "data" chunk header).
const wavHeaderSize = 44

// ErrNotWAV reports a file that is not a 16-bit PCM WAV wismo can read or repair.
var ErrNotWAV = errors.New("not a 16-bit PCM WAV file")

// WAVWriter writes 16-bit PCM WAV. The header's sizes are rewritten after every Flush, so a
// file cut off by a crash is at most one flush behind and RepairWAV makes it exact.
type WAVWriter struct {
	f        *os.File
	channels int
	rate     int
	data     int64 // bytes of sample data written
	buf      []byte
}

// CreateWAV creates path (which must not exist) for 16-bit PCM at rate with channels.
func CreateWAV(path string, rate, channels int) (*WAVWriter, error) {
	// 0600: a recording is a customer's voice, for the user wismo runs as alone.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	w := &WAVWriter{f: f, channels: channels, rate: rate}
	if _, err := f.Write(wavHeader(rate, channels, 0)); err != nil {
		f.Close()
		return nil, err
	}
	return w, nil
}

// wavHeader builds the 44-byte header for dataBytes of samples.
func wavHeader(rate, channels int, dataBytes int64) []byte {
	h := make([]byte, wavHeaderSize)
	le := binary.LittleEndian
	copy(h[0:], "RIFF")
	le.PutUint32(h[4:], uint32(36+dataBytes))
	copy(h[8:], "WAVEfmt ")
	le.PutUint32(h[16:], 16)
	le.PutUint16(h[20:], 1) // PCM
	le.PutUint16(h[22:], uint16(channels))
	le.PutUint32(h[24:], uint32(rate))
	le.PutUint32(h[28:], uint32(rate*channels*2))
	le.PutUint16(h[32:], uint16(channels*2))
	le.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	le.PutUint32(h[40:], uint32(dataBytes))
	return h
}

// littleEndian is whether int16s in memory are already WAV's byte order.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// WriteSamples appends interleaved samples (len a multiple of the channel count).
func (w *WAVWriter) WriteSamples(interleaved []int16) error {
	if len(interleaved) == 0 {
		return nil
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(&interleaved[0])), 2*len(interleaved)) // as stored on little-endian machines
	if !littleEndian {
		w.buf = w.buf[:0]
		for _, s := range interleaved {
			w.buf = binary.LittleEndian.AppendUint16(w.buf, uint16(s))
		}
		b = w.buf
	}
	n, err := w.f.Write(b)
	w.data += int64(n)
	return err
}

// Flush rewrites the header's sizes to cover what has been written so far.
func (w *WAVWriter) Flush() error {
	_, err := w.f.WriteAt(wavHeader(w.rate, w.channels, w.data), 0)
	return err
}

// Frames returns how many sample frames (one sample per channel) were written.
func (w *WAVWriter) Frames() int64 { return w.data / int64(2*w.channels) }

// Close finishes the header, syncs and closes the file.
func (w *WAVWriter) Close() error {
	err := w.Flush()
	if serr := w.f.Sync(); err == nil {
		err = serr
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// RepairWAV makes the header of a WAV cut off mid-write match its length: the data size is
// what the file holds, rounded down to whole frames (a torn last frame is cut). It reports
// whether anything changed.
func RepairWAV(path string) (bool, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return false, err
	}
	defer f.Close()
	h := make([]byte, wavHeaderSize)
	if _, err := io.ReadFull(f, h); err != nil || string(h[0:4]) != "RIFF" || string(h[8:16]) != "WAVEfmt " {
		return false, fmt.Errorf("%s: %w", path, ErrNotWAV)
	}
	le := binary.LittleEndian
	channels := int(le.Uint16(h[22:]))
	rate := int(le.Uint32(h[24:]))
	if channels < 1 || le.Uint16(h[34:]) != 16 {
		return false, fmt.Errorf("%s: %w", path, ErrNotWAV)
	}
	st, err := f.Stat()
	if err != nil {
		return false, err
	}
	frame := int64(2 * channels)
	data := (st.Size() - wavHeaderSize) / frame * frame
	if int64(le.Uint32(h[40:])) == data && st.Size() == wavHeaderSize+data {
		return false, nil
	}
	if err := f.Truncate(wavHeaderSize + data); err != nil {
		return false, err
	}
	if _, err := f.WriteAt(wavHeader(rate, channels, data), 0); err != nil {
		return false, err
	}
	return true, f.Sync()
}

// ReadWAV reads a 16-bit PCM WAV file and returns
// its rate and one sample slice per channel.
func ReadWAV(path string) (rate int, chans [][]int16, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, nil, err
	}
	return ParseWAV(path, b)
}

// ParseWAV parses a 16-bit PCM WAV held in b; name is for errors.
func ParseWAV(path string, b []byte) (rate int, chans [][]int16, err error) {
	le := binary.LittleEndian
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return 0, nil, fmt.Errorf("%s: %w", path, ErrNotWAV)
	}
	// Walk the chunks (RIFF, "Multimedia Programming Interface and Data Specifications 1.0"):
	// other writers (baresip's sndfile) put extra chunks before "data".
	channels := 0
	for off := 12; off+8 <= len(b); {
		id, size := string(b[off:off+4]), int(le.Uint32(b[off+4:]))
		body := b[off+8:]
		if size > len(body) {
			size = len(body) // a cut-off file: take what is there
		}
		switch id {
		case "fmt ":
			if size < 16 || le.Uint16(body[14:]) != 16 {
				return 0, nil, fmt.Errorf("%s: %w", path, ErrNotWAV)
			}
			channels, rate = int(le.Uint16(body[2:])), int(le.Uint32(body[4:]))
		case "data":
			if channels == 0 {
				return 0, nil, fmt.Errorf("%s: %w", path, ErrNotWAV)
			}
			chans = make([][]int16, channels)
			frames := size / (2 * channels)
			for i := range chans {
				chans[i] = make([]int16, frames)
			}
			for fi := range frames {
				for c := range channels {
					chans[c][fi] = int16(le.Uint16(body[(fi*channels+c)*2:]))
				}
			}
			return rate, chans, nil
		}
		off += 8 + size + size%2
	}
	return 0, nil, fmt.Errorf("%s: no data chunk: %w", path, ErrNotWAV)
}
