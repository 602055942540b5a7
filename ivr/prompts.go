// Package ivr holds wismo's automated-call pieces that phone menus reuse: prompts (a brand's
// recorded WAV per language, or its text spoken by espeak-ng), one play-and-collect primitive
// (play a prompt on a telephony leg, collect DTMF keys from RFC 4733 and SIP INFO), and the
// robocall flow built on them (docs/ivr.md).
package ivr

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/wismo/wismo/callcenter/announce"
	"github.com/wismo/wismo/media"
)

// Languages prompts are kept in, and the espeak-ng voice of each.
var voices = map[string]string{"en": "en", "ru": "ru"}

// Limits on what a brand's text may cost.
const (
	MaxTextRunes = 600              // a prompt's text, after the parcel's fields are filled in
	synthTimeout = 10 * time.Second // one espeak-ng + sox run
	memEntries   = 256              // prompts kept decoded in memory
)

// Source says where a prompt's audio came from.
type Source string

const (
	SourceRecorded Source = "recorded" // the brand's WAV
	SourceSynth    Source = "synth"    // espeak-ng, fresh or from the cache
	SourceFallback Source = "fallback" // the shipped chime
)

// ErrNoSynth is returned by Synthesize when espeak-ng or sox is not installed.
var ErrNoSynth = errors.New("ivr: no speech synthesiser (install espeak-ng and sox)")

// ErrText says a prompt's text is empty or over MaxTextRunes.
var ErrText = errors.New("ivr: prompt text is empty or too long")

// Config configures Prompts.
type Config struct {
	// Dir holds recordings (<Dir>/<brand id>/<name>.<lang>.wav) and the synthesis cache
	// (<Dir>/cache/<sha256>.wav). Empty: a temporary directory, no recordings.
	Dir string
	// Espeak and Sox are the programs; empty: looked up on PATH ("espeak-ng", "sox").
	Espeak, Sox string
	// Workers bounds concurrent synthesiser runs (default 2).
	Workers int
	// Timeout bounds one synthesiser run (default 10 s).
	Timeout time.Duration
	Log     *slog.Logger
}

// Prompts finds and makes prompt audio (8 kHz mono linear PCM).
type Prompts struct {
	cfg          Config
	espeak, sox  string
	sem          chan struct{}
	mu           sync.Mutex
	mem          map[string][]int16
	inflight     map[string]*flight
	runs         int // synthesiser runs, for tests and metrics
	warnedNoSynt sync.Once
}

type flight struct {
	done    chan struct{}
	samples []int16
	err     error
}

// New makes a Prompts. A missing synthesiser is not an error: prompts fall back to recordings
// and the chime, and a log line says so once.
func New(cfg Config) (*Prompts, error) {
	if cfg.Workers <= 0 {
		cfg.Workers = 2
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = synthTimeout
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Dir == "" {
		d, err := os.MkdirTemp("", "wismo-prompts-")
		if err != nil {
			return nil, err
		}
		cfg.Dir = d
	}
	if err := os.MkdirAll(filepath.Join(cfg.Dir, "cache"), 0o755); err != nil {
		return nil, fmt.Errorf("ivr: prompt cache: %w", err)
	}
	p := &Prompts{cfg: cfg, sem: make(chan struct{}, cfg.Workers), mem: map[string][]int16{}, inflight: map[string]*flight{}}
	p.espeak, p.sox = lookup(cfg.Espeak, "espeak-ng"), lookup(cfg.Sox, "sox")
	if !p.CanSynthesize() {
		cfg.Log.Warn("ivr: espeak-ng or sox not found: prompts play brands' recordings or the shipped chime",
			"espeak", p.espeak, "sox", p.sox)
	}
	return p, nil
}

func lookup(given, name string) string {
	if given == "" {
		given = name
	}
	path, err := exec.LookPath(given)
	if err != nil {
		return ""
	}
	return path
}

// CanSynthesize reports whether espeak-ng and sox are there.
func (p *Prompts) CanSynthesize() bool { return p.espeak != "" && p.sox != "" }

// Runs counts synthesiser runs so far (cache misses).
func (p *Prompts) Runs() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.runs
}

// Key is the cache key of a text in a language: the hash of (voice, text).
func Key(lang, text string) string {
	h := sha256.Sum256([]byte(voices[lang] + "\x00" + text))
	return hex.EncodeToString(h[:])
}

// CheckText says whether text can be spoken: not empty, at most MaxTextRunes, valid UTF-8.
func CheckText(text string) error {
	n := utf8.RuneCountInString(text)
	if n == 0 || n > MaxTextRunes || !utf8.ValidString(text) {
		return fmt.Errorf("%w (1 to %d characters, got %d)", ErrText, MaxTextRunes, n)
	}
	return nil
}

// Synthesize speaks text in lang ("en", "ru"): from memory, from the disk cache, or by one
// espeak-ng run through the bounded pool; concurrent asks for the same text share one run.
func (p *Prompts) Synthesize(ctx context.Context, lang, text string) ([]int16, error) {
	if _, ok := voices[lang]; !ok {
		return nil, fmt.Errorf("ivr: language %q: en or ru", lang)
	}
	if err := CheckText(text); err != nil {
		return nil, err
	}
	key := Key(lang, text)
	p.mu.Lock()
	if s, ok := p.mem[key]; ok {
		p.mu.Unlock()
		return s, nil
	}
	if f, ok := p.inflight[key]; ok {
		p.mu.Unlock()
		select {
		case <-f.done:
			return f.samples, f.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f := &flight{done: make(chan struct{})}
	p.inflight[key] = f
	p.mu.Unlock()

	f.samples, f.err = p.make(ctx, key, lang, text)
	p.mu.Lock()
	delete(p.inflight, key)
	if f.err == nil {
		if len(p.mem) >= memEntries {
			for k := range p.mem { // drop any one: the disk cache still has it
				delete(p.mem, k)
				break
			}
		}
		p.mem[key] = f.samples
	}
	p.mu.Unlock()
	close(f.done)
	return f.samples, f.err
}

// make reads the disk cache or runs the synthesiser into it.
func (p *Prompts) make(ctx context.Context, key, lang, text string) ([]int16, error) {
	path := filepath.Join(p.cfg.Dir, "cache", key+".wav")
	if s, err := readPrompt(path); err == nil {
		return s, nil
	}
	if !p.CanSynthesize() {
		return nil, ErrNoSynth
	}
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-p.sem }()
	p.mu.Lock()
	p.runs++
	p.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	tmp, err := os.MkdirTemp(filepath.Join(p.cfg.Dir, "cache"), "synth-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	raw, out := filepath.Join(tmp, "raw.wav"), filepath.Join(tmp, "out.wav")
	// The text goes on stdin, never argv: a text starting with "-" is not an option.
	es := exec.CommandContext(ctx, p.espeak, "-v", voices[lang], "-s", "150", "-w", raw, "--stdin")
	es.Stdin = bytes.NewBufferString(text)
	if b, err := es.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("ivr: espeak-ng: %w: %s", err, bytes.TrimSpace(b))
	}
	sx := exec.CommandContext(ctx, p.sox, raw, "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", out)
	if b, err := sx.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("ivr: sox: %w: %s", err, bytes.TrimSpace(b))
	}
	s, err := readPrompt(out)
	if err != nil {
		return nil, err
	}
	if err := os.Rename(out, path); err != nil {
		return nil, err
	}
	return s, nil
}

// readPrompt reads a WAV that must be 8 kHz mono 16-bit.
func readPrompt(path string) ([]int16, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parsePrompt(path, b)
}

func parsePrompt(name string, b []byte) ([]int16, error) {
	if err := CheckWAV(b); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	_, ch, err := media.ParseWAV(name, b)
	if err != nil {
		return nil, err
	}
	return ch[0], nil
}

// CheckWAV says whether b is a WAV a prompt may be: PCM, 8 kHz, mono, 16-bit.
func CheckWAV(b []byte) error {
	if len(b) < 44 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return errors.New("not a WAV file")
	}
	for off := 12; off+8 <= len(b); {
		id, size := string(b[off:off+4]), int(le32(b[off+4:]))
		if id == "fmt " && off+8+16 <= len(b) {
			f := b[off+8:]
			format, chans, rate, bits := le16(f), le16(f[2:]), le32(f[4:]), le16(f[14:])
			if format != 1 || chans != 1 || rate != 8000 || bits != 16 {
				return fmt.Errorf("must be 8 kHz mono 16-bit PCM, got format %d, %d channel(s), %d Hz, %d-bit", format, chans, rate, bits)
			}
			return nil
		}
		off += 8 + size + size%2
	}
	return errors.New("WAV has no fmt chunk")
}

func le16(b []byte) int { return int(b[0]) | int(b[1])<<8 }
func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

// Recorded returns the brand's recording of prompt name in lang, if there is one that is
// 8 kHz mono 16-bit. A recording of the wrong kind is logged and skipped.
func (p *Prompts) Recorded(brand int64, name, lang string) ([]int16, bool) {
	path := filepath.Join(p.cfg.Dir, strconv.FormatInt(brand, 10), name+"."+lang+".wav")
	if _, err := os.Stat(path); err != nil {
		return nil, false
	}
	s, err := readPrompt(path)
	if err != nil {
		p.cfg.Log.Warn("ivr: recorded prompt skipped", "path", path, "err", err)
		return nil, false
	}
	return s, true
}

// Fallback is the shipped chime (the call center's "notice" announcement), played when
// neither a recording nor a synthesiser is there.
func Fallback() []int16 {
	s, err := announce.Dir{}.Load(0, "notice")
	if err != nil {
		panic(err) // shipped in the binary; the tests play it
	}
	return s
}

// Audio is what to play for brand's prompt name in lang whose text (the parcel's fields filled
// in) is text: the brand's recording, else the text spoken, else the shipped chime (with a log
// line saying why). It never fails; the Source says which one it is.
func (p *Prompts) Audio(ctx context.Context, brand int64, name, lang, text string) ([]int16, Source) {
	if s, ok := p.Recorded(brand, name, lang); ok {
		return s, SourceRecorded
	}
	if text != "" {
		s, err := p.Synthesize(ctx, lang, text)
		if err == nil {
			return s, SourceSynth
		}
		if errors.Is(err, ErrNoSynth) {
			p.warnedNoSynt.Do(func() {
				p.cfg.Log.Warn("ivr: no synthesiser and no recording: playing the shipped chime", "brand", brand, "prompt", name)
			})
		} else {
			p.cfg.Log.Warn("ivr: prompt synthesis failed: playing the shipped chime", "brand", brand, "prompt", name, "lang", lang, "err", err)
		}
	}
	return Fallback(), SourceFallback
}

// WAV encodes 8 kHz mono samples as a WAV file (for previews).
func WAV(samples []int16) []byte {
	var b bytes.Buffer
	n := uint32(len(samples) * 2)
	w32 := func(v uint32) { b.Write([]byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}) }
	w16 := func(v uint16) { b.Write([]byte{byte(v), byte(v >> 8)}) }
	b.WriteString("RIFF")
	w32(36 + n)
	b.WriteString("WAVEfmt ")
	w32(16)
	w16(1)
	w16(1)
	w32(8000)
	w32(16000)
	w16(2)
	w16(16)
	b.WriteString("data")
	w32(n)
	for _, s := range samples {
		w16(uint16(s))
	}
	return b.Bytes()
}
