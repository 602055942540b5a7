package carrier

import (
	"io/fs"
	"testing"
	"time"

	"github.com/wismo/wismo/media"
)

// TestVoices: every clip of both languages is there and is 8 kHz mono mu-law, each a few
// seconds long, together small enough to commit; the voicemail ends with its beep.
func TestVoices(t *testing.T) {
	all, err := loadVoices()
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	fs.WalkDir(voiceFiles, "voices", func(path string, d fs.DirEntry, err error) error {
		if info, err := d.Info(); err == nil && !d.IsDir() {
			total += int(info.Size())
		}
		return nil
	})
	if total == 0 || total > 600_000 {
		t.Errorf("the voices take %d bytes, want under 600 KB", total)
	}
	for lang, v := range all {
		for name, clip := range map[string][]byte{"person-hello": v.personHello, "person-reply": v.personReply, "person-bye": v.personBye,
			"caller-complaint": v.callerComplaint, "caller-again": v.callerAgain, "caller-bye": v.callerBye, "voicemail": v.voicemail} {
			if d := clipTime(clip); d < time.Second || d > 12*time.Second {
				t.Errorf("%s-%s lasts %v", lang, name, d)
			}
			if rms := media.RMS(decode(clip)); rms < 500 {
				t.Errorf("%s-%s is nearly silent (RMS %.0f)", lang, name, rms)
			}
		}
		s := decode(v.voicemail)
		if share := media.ToneShare(s[len(s)-4000:], 8000, beepHz); share < 0.8 {
			t.Errorf("%s voicemail: the last half second is not the %v Hz beep (share %.2f)", lang, beepHz, share)
		}
	}
}

// beepHz is the voicemail's beep (tools/demo-voices.sh).
const beepHz = 1000.0

func decode(clip []byte) []int16 {
	out := make([]int16, len(clip))
	for i, b := range clip {
		out[i] = media.MuLawDecode(b)
	}
	return out
}

// TestMuLawData refuses what is not the carrier's format, saying so.
func TestMuLawData(t *testing.T) {
	pcm := []byte("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00")
	for name, b := range map[string][]byte{"empty": nil, "16-bit PCM": pcm, "truncated": pcm[:30]} {
		if _, err := muLawData(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
