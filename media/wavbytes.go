package media

import "encoding/binary"

// EncodeWAV returns interleaved 16-bit samples at rate with channels as a whole WAV file in
// memory (what an upload to a speech server sends).
func EncodeWAV(rate, channels int, interleaved []int16) []byte {
	b := wavHeader(rate, channels, int64(2*len(interleaved)))
	for _, s := range interleaved {
		b = binary.LittleEndian.AppendUint16(b, uint16(s))
	}
	return b
}
