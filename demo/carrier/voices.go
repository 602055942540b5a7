package carrier

import (
	"embed"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/wismo/wismo/media"
)

// The voices, made once by tools/demo-voices.sh (espeak-ng and sox) and committed: 8 kHz
// mono G.711 mu-law WAV, so that a clip's data is the PCMU payload as it goes on the wire.
//
//go:embed voices/*.wav
var voiceFiles embed.FS

// voices are the clips of one language.
type voices struct {
	personHello, personReply, personBye     []byte // the person who answers
	callerComplaint, callerAgain, callerBye []byte // the customer who calls the hotline
	voicemail                               []byte // greeting and beep
}

// loadVoices reads the clips of every language (the embedded files are checked by the
// package's tests, so an error here is a broken build).
func loadVoices() (map[string]*voices, error) {
	out := map[string]*voices{}
	for _, lang := range []string{"ru", "en"} {
		v := &voices{}
		for _, c := range []struct {
			name string
			dst  *[]byte
		}{
			{"person-hello", &v.personHello}, {"person-reply", &v.personReply}, {"person-bye", &v.personBye},
			{"caller-complaint", &v.callerComplaint}, {"caller-again", &v.callerAgain}, {"caller-bye", &v.callerBye},
			{"voicemail", &v.voicemail},
		} {
			name := "voices/" + lang + "-" + c.name + ".wav"
			b, err := voiceFiles.ReadFile(name)
			if err != nil {
				return nil, err
			}
			if *c.dst, err = muLawData(b); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
		out[lang] = v
	}
	return out, nil
}

// errNotMuLaw is a WAV that is not 8 kHz mono G.711 mu-law.
var errNotMuLaw = errors.New("not an 8 kHz mono mu-law WAV (tools/demo-voices.sh makes them)")

// muLawData returns the samples of a RIFF WAVE file whose format is WAVE_FORMAT_MULAW (7),
// 8000 Hz, one channel, 8 bits: the chunks are walked in order, since sox writes a fact
// chunk between fmt and data.
func muLawData(b []byte) ([]byte, error) {
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, errNotMuLaw
	}
	fmtOK := false
	for p := 12; p+8 <= len(b); {
		id, size := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:p+8]))
		body := b[p+8:]
		if size > len(body) {
			return nil, fmt.Errorf("chunk %q runs past the end: %w", id, errNotMuLaw)
		}
		body = body[:size]
		switch id {
		case "fmt ":
			if size < 16 {
				return nil, errNotMuLaw
			}
			format, channels := binary.LittleEndian.Uint16(body), binary.LittleEndian.Uint16(body[2:])
			rate, bits := binary.LittleEndian.Uint32(body[4:]), binary.LittleEndian.Uint16(body[14:])
			fmtOK = format == 7 && channels == 1 && rate == 8000 && bits == 8
			if !fmtOK {
				return nil, fmt.Errorf("format %d, %d channels, %d Hz, %d bits: %w", format, channels, rate, bits, errNotMuLaw)
			}
		case "data":
			if !fmtOK {
				return nil, errNotMuLaw
			}
			return body, nil
		}
		p += 8 + size + size&1 // chunks are padded to an even size
	}
	return nil, fmt.Errorf("no data chunk: %w", errNotMuLaw)
}

// Clip is one of the demo voices as 8 kHz 16-bit samples: lang "ru" or "en", name one of
// person-hello, person-reply, person-bye, caller-complaint, caller-again, caller-bye,
// voicemail. The demo's call history records them (demo.Workspace).
func Clip(lang, name string) ([]int16, error) {
	b, err := voiceFiles.ReadFile("voices/" + lang + "-" + name + ".wav")
	if err != nil {
		return nil, fmt.Errorf("demo voice %s-%s: %w", lang, name, err)
	}
	data, err := muLawData(b)
	if err != nil {
		return nil, err
	}
	out := make([]int16, len(data))
	for i, v := range data {
		out[i] = media.MuLawDecode(v)
	}
	return out, nil
}
