// Package announce finds the call center's announcements: a brand's own WAV, the site's, or
// the shipped chimes (callcenter, docs/telephony.md).
package announce

import (
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/wismo/wismo/media"
)

// The shipped default announcements: short chimes, 8 kHz mono 16-bit. A brand's own go in
// <data dir>/announcements/<brand id>/<name>.wav, a site-wide one in
// <data dir>/announcements/<name>.wav.
//
//go:embed *.wav
var shipped embed.FS

// Announcement names.
const (
	Notice = "notice" // "this call is recorded", played to the customer first
	Queue  = "queue"  // looped while a hotline caller waits
	Closed = "closed" // outside hours or after the maximum wait: we will call you back
)

// Dir finds the audio to play under a directory (<data dir>/announcements; "": the shipped
// chimes only).
type Dir string

// load returns the samples of announcement name for brand, falling back to the site-wide
// file and then the shipped default.
func (a Dir) Load(brand int64, name string) ([]int16, error) {
	var candidates []string
	if string(a) != "" {
		if brand != 0 {
			candidates = append(candidates, filepath.Join(string(a), strconv.FormatInt(brand, 10), name+".wav"))
		}
		candidates = append(candidates, filepath.Join(string(a), name+".wav"))
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
	b, err := shipped.ReadFile(name + ".wav")
	if err != nil {
		return nil, fmt.Errorf("no announcement %q: %w", name, err)
	}
	_, ch, err := media.ParseWAV(name, b)
	if err != nil {
		return nil, err
	}
	return ch[0], nil
}
