package ivr

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/media"
)

func needSynth(t *testing.T) {
	t.Helper()
	p, _ := New(Config{Dir: t.TempDir(), Log: slog.New(slog.DiscardHandler)})
	if !p.CanSynthesize() {
		if os.Getenv("CI") == "true" {
			t.Fatal("espeak-ng and sox are needed: apt-get install espeak-ng sox")
		}
		t.Skip("espeak-ng or sox missing: apt-get install espeak-ng sox")
	}
}

// TestSynthesizeSpeaksBothLanguagesAndCaches: the customer hears speech (seconds of audio, not
// silence) in Russian and English; the second ask, and a restarted server, run no synthesiser.
func TestSynthesizeSpeaksBothLanguagesAndCaches(t *testing.T) {
	needSynth(t)
	dir := t.TempDir()
	p, err := New(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, c := range []struct{ lang, text string }{{"ru", "Ваша посылка будет доставлена завтра."}, {"en", "Your parcel arrives tomorrow."}} {
		s, err := p.Synthesize(ctx, c.lang, c.text)
		if err != nil {
			t.Fatal(err)
		}
		if secs := float64(len(s)) / 8000; secs < 1 || secs > 10 {
			t.Errorf("%s: %.1f s of audio", c.lang, secs)
		}
		if media.RMS(s) < 300 {
			t.Errorf("%s: audio is silent (RMS %.0f)", c.lang, media.RMS(s))
		}
	}
	if p.Runs() != 2 {
		t.Fatalf("runs %d, want 2", p.Runs())
	}
	if _, err := p.Synthesize(ctx, "ru", "Ваша посылка будет доставлена завтра."); err != nil || p.Runs() != 2 {
		t.Fatalf("second ask ran the synthesiser again (runs %d, err %v)", p.Runs(), err)
	}
	p2, _ := New(Config{Dir: dir})
	if _, err := p2.Synthesize(ctx, "en", "Your parcel arrives tomorrow."); err != nil || p2.Runs() != 0 {
		t.Fatalf("disk cache missed after a restart (runs %d, err %v)", p2.Runs(), err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "cache", "*.wav"))
	if len(files) != 2 {
		t.Errorf("cache files %v", files)
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if err := CheckWAV(b); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestBusyLineRunsOneSynthesis: 20 calls asking for the same new text at once run espeak-ng once.
func TestBusyLineRunsOneSynthesis(t *testing.T) {
	needSynth(t)
	p, _ := New(Config{Dir: t.TempDir(), Workers: 1})
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := p.Synthesize(context.Background(), "en", "Press one to confirm.")
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if p.Runs() != 1 {
		t.Fatalf("%d synthesiser runs for one text, want 1", p.Runs())
	}
}

// TestSynthTimeLimit: a synthesiser that hangs is killed at the time limit and the call plays
// the chime instead.
func TestSynthTimeLimit(t *testing.T) {
	dir := t.TempDir()
	hang := filepath.Join(dir, "hang.sh")
	os.WriteFile(hang, []byte("#!/bin/sh\nexec sleep 30\n"), 0o755)
	p, _ := New(Config{Dir: dir, Espeak: hang, Sox: hang, Timeout: 300 * time.Millisecond, Log: slog.New(slog.DiscardHandler)})
	start := time.Now()
	s, src := p.Audio(context.Background(), 1, "robocall", "en", "Hello")
	if src != SourceFallback || len(s) == 0 {
		t.Fatalf("source %s, %d samples", src, len(s))
	}
	if time.Since(start) > 10*time.Second {
		t.Fatalf("the hung synthesiser was not stopped (%s)", time.Since(start))
	}
}

// TestFallbackWithoutSynth: no espeak-ng on the machine: the recorded prompt plays, else the
// shipped chime, and the log says so.
func TestFallbackWithoutSynth(t *testing.T) {
	dir := t.TempDir()
	var log strings.Builder
	p, _ := New(Config{Dir: dir, Espeak: "/nonexistent/espeak-ng", Log: slog.New(slog.NewTextHandler(&log, nil))})
	if p.CanSynthesize() {
		t.Fatal("a missing program counts as a synthesiser")
	}
	if s, src := p.Audio(context.Background(), 7, "robocall", "ru", "Привет"); src != SourceFallback || len(s) != len(Fallback()) {
		t.Fatalf("source %s", src)
	}
	if !strings.Contains(log.String(), "shipped chime") {
		t.Errorf("no log line says the chime plays: %s", log.String())
	}
	os.MkdirAll(filepath.Join(dir, "7"), 0o755)
	rec := make([]int16, 4000)
	for i := range rec {
		rec[i] = int16(i % 100 * 50)
	}
	os.WriteFile(filepath.Join(dir, "7", "robocall.ru.wav"), WAV(rec), 0o644)
	if s, src := p.Audio(context.Background(), 7, "robocall", "ru", "Привет"); src != SourceRecorded || len(s) != 4000 {
		t.Fatalf("recorded prompt: source %s, %d samples", src, len(s))
	}
	// Another brand does not get brand 7's recording.
	if _, src := p.Audio(context.Background(), 8, "robocall", "ru", "Привет"); src == SourceRecorded {
		t.Fatal("brand 8 played brand 7's recording")
	}
}

// TestRecordingMustBe8kMono: a 16 kHz or stereo recording is refused (it would play at the
// wrong speed or as noise).
func TestRecordingMustBe8kMono(t *testing.T) {
	good := WAV(make([]int16, 80))
	if err := CheckWAV(good); err != nil {
		t.Fatal(err)
	}
	bad := append([]byte(nil), good...)
	bad[24], bad[25] = 0x80, 0x3e // 16000 Hz
	if err := CheckWAV(bad); err == nil || !strings.Contains(err.Error(), "16000 Hz") {
		t.Fatalf("16 kHz accepted: %v", err)
	}
	stereo := append([]byte(nil), good...)
	stereo[22] = 2
	if err := CheckWAV(stereo); err == nil {
		t.Fatal("stereo accepted")
	}
	if err := CheckWAV([]byte("hello")); err == nil {
		t.Fatal("not a WAV accepted")
	}
	if len(Fallback()) == 0 {
		t.Fatal("no shipped chime")
	}
}

func TestTextBudget(t *testing.T) {
	p, _ := New(Config{Dir: t.TempDir(), Log: slog.New(slog.DiscardHandler)})
	if _, err := p.Synthesize(context.Background(), "en", strings.Repeat("a", MaxTextRunes+1)); err == nil {
		t.Fatal("over-long text accepted")
	}
	if _, err := p.Synthesize(context.Background(), "de", "Hallo"); err == nil {
		t.Fatal("language de accepted")
	}
	if Key("en", "x") == Key("ru", "x") {
		t.Fatal("the cache key ignores the voice")
	}
}

func defaultCatalog() *i18n.Catalog { return i18n.Default() }
