package callcenter

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
//go:embed announcements/*.wav
var shipped embed.FS

// Announcement names.
const (
	AnnNotice = "notice" // "this call is recorded", played to the customer first
	AnnQueue  = "queue"  // looped while a hotline caller waits
	AnnClosed = "closed" // outside hours or after the maximum wait: we will call you back
)

// announcements finds the audio to play.
type announcements struct{ dir string }

// load returns the samples of announcement name for brand, falling back to the site-wide
// file and then the shipped default.
func (a announcements) load(brand int64, name string) ([]int16, error) {
	var candidates []string
	if a.dir != "" {
		if brand != 0 {
			candidates = append(candidates, filepath.Join(a.dir, strconv.FormatInt(brand, 10), name+".wav"))
		}
		candidates = append(candidates, filepath.Join(a.dir, name+".wav"))
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
	b, err := shipped.ReadFile("announcements/" + name + ".wav")
	if err != nil {
		return nil, fmt.Errorf("no announcement %q: %w", name, err)
	}
	_, ch, err := media.ParseWAV(name, b)
	if err != nil {
		return nil, err
	}
	return ch[0], nil
}
