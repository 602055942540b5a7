// Package announce finds the audio call control plays to callers: a brand's own recording, the
// site's, or the shipped default (short chimes and, for the abandoned-call message, a spoken
// sentence in each language), all 8 kHz mono 16-bit PCM WAV. A brand's own go in
// <data dir>/announcements/<brand id>/<name>.wav, a site-wide one in
// <data dir>/announcements/<name>.wav.
package announce

import (
	"context"
	"embed"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/telephony"
)

//go:embed wav/*.wav
var shipped embed.FS

// Dir is where the brands' and the site's announcements are (<data dir>/announcements; ""
// for the shipped ones only).
type Dir struct{ Path string }

// Load returns the samples of announcement name for brand, falling back to the site-wide
// file and then the shipped default.
func (a Dir) Load(brand int64, name string) ([]int16, error) {
	var candidates []string
	if a.Path != "" {
		if brand != 0 {
			candidates = append(candidates, filepath.Join(a.Path, strconv.FormatInt(brand, 10), name+".wav"))
		}
		candidates = append(candidates, filepath.Join(a.Path, name+".wav"))
	}
	for _, p := range candidates {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		rate, ch, err := media.ReadWAV(p)
		if err != nil || rate != 8000 {
			return nil, fmt.Errorf("announcement %s must be 8 kHz 16-bit PCM WAV: %v", p, err)
		}
		return ch[0], nil
	}
	b, err := shipped.ReadFile("wav/" + name + ".wav")
	if err != nil {
		return nil, fmt.Errorf("no announcement %q: %w", name, err)
	}
	_, ch, err := media.ParseWAV(name, b)
	if err != nil {
		return nil, err
	}
	return ch[0], nil
}

// Abandoned is the name of the message a person hears whom no agent could take in time
// (issue 16: an abandoned call), in lang ("ru", else English): abandon_ru or abandon_en.
func Abandoned(lang string) string {
	if lang == "ru" {
		return "abandon_ru"
	}
	return "abandon_en"
}

// Player plays audio to a leg (telephony.Endpoint).
type Player interface {
	Play(ctx context.Context, leg *telephony.Leg, samples []int16, loop bool)
}

// PlayAbandoned plays brand's abandoned-call message in lang to leg, unless the leg ended.
func (a Dir) PlayAbandoned(ctx context.Context, p Player, leg *telephony.Leg, brand int64, lang string) error {
	s, err := a.Load(brand, Abandoned(lang))
	if err == nil && leg.EndedBy() == "" {
		p.Play(ctx, leg, s, false)
	}
	return err
}

// Ringback is one cadence of the ringing tone an agent hears while the customer's phone
// rings: 425 Hz, 1 s on, 4 s off (ITU-T E.180 / the European ringing tone).
func Ringback() []int16 {
	s := make([]int16, 5*8000)
	for i := range 8000 {
		s[i] = int16(6000 * math.Sin(2*math.Pi*425*float64(i)/8000))
	}
	return s
}
