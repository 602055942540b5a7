package transcribe

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/store/storetest"
)

// needSphinx returns the installed pocketsphinx, or skips outside CI.
func needSphinx(t testing.TB) *Sphinx {
	t.Helper()
	s, err := NewSphinx("", 1)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v: run tools/install-test-deps.sh", err)
		}
		t.Skipf("SKIPPING (peer missing): %v", err)
	}
	return s
}

// expectWords reads the committed expected text of a clip.
func expectWords(t *testing.T, name string) []string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(b))
}

// wordMatch holds a transcript to its expected words the way docs/transcripts.md says:
// every key word present, and at least half of all expected words.
func wordMatch(t *testing.T, got string, want, keys []string) {
	t.Helper()
	words := map[string]bool{}
	for _, w := range strings.Fields(strings.ToLower(got)) {
		words[w] = true
	}
	for _, k := range keys {
		if !words[k] {
			t.Errorf("key word %q missing from %q", k, got)
		}
	}
	hit := 0
	for _, w := range want {
		if words[w] {
			hit++
		}
	}
	if 2*hit < len(want) {
		t.Errorf("%q holds %d of the %d words of %q", got, hit, len(want), strings.Join(want, " "))
	}
	t.Logf("heard %q: %d of %d expected words", got, hit, len(want))
}

// TestSphinxTranscribesEachSide runs the real pocketsphinx on each channel of the committed
// call clip (8 kHz, doubled to 16 kHz by Upsample2).
func TestSphinxTranscribesEachSide(t *testing.T) {
	storetest.OnePass(t)
	s := needSphinx(t)
	rate, chans, err := media.ReadWAV("testdata/call.wav")
	if err != nil || len(chans) != 2 || rate != 8000 {
		t.Fatalf("clip: rate %d, %d channels, %v", rate, len(chans), err)
	}
	for _, tc := range []struct {
		side    int
		want    string
		keys    []string
		startMS int64 // where the clip placed the speech
	}{
		{0, "call.customer.txt", []string{"rude"}, 300},
		{1, "call.agent.txt", []string{"call", "tomorrow"}, 2600},
	} {
		res, err := s.Transcribe(context.Background(), chans[tc.side], rate, "en")
		if err != nil {
			t.Fatal(err)
		}
		wordMatch(t, res.Text, expectWords(t, tc.want), tc.keys)
		if len(res.Segments) == 0 {
			t.Fatalf("no segments in %+v", res)
		}
		// pocketsphinx's word times are 10 ms frames; its voice detector starts an utterance
		// a little before the first word.
		if d := res.Segments[0].StartMS - tc.startMS; d < -300 || d > 400 {
			t.Errorf("side %d: first segment starts at %d ms, speech at %d ms", tc.side, res.Segments[0].StartMS, tc.startMS)
		}
	}
}

func TestSphinxRefusesRussian(t *testing.T) {
	s := &Sphinx{}
	if _, err := s.Transcribe(context.Background(), nil, 8000, "ru-RU"); err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Fatalf("err = %v", err)
	}
}

func TestParseSphinx(t *testing.T) {
	out := "the career was rude to me\n<s> 0.880 1.130 1.000100\nthe 1.140 1.380 0.84\ncareer 1.390 1.860 0.90\nwas(2) 1.870 2.080 0.98\n" +
		"<sil> 2.090 2.200 0.9\n[NOISE] 2.2 2.3 0.5\nrude 2.310 2.400 0.7\n</s> 2.830 3.070 1.000000\n" +
		"can you call\n<s> 5.070 5.150 0.99\ncan 5.160 5.430 0.17\nyou 5.440 5.630 0.98\ncall 5.640 5.890 0.94\n</s> 5.9 6.0 1\n"
	r := parseSphinx(out)
	if r.Text != "the career was rude can you call" || len(r.Segments) != 2 {
		t.Fatalf("%+v", r)
	}
	if s := r.Segments[0]; s.StartMS != 1140 || s.EndMS != 2410 || s.Text != "the career was rude" {
		t.Errorf("segment 0: %+v", s)
	}
	if s := r.Segments[1]; s.StartMS != 5160 || s.Text != "can you call" {
		t.Errorf("segment 1: %+v", s)
	}
}

// TestJobWithPocketsphinx: the transcripts job with the real engine on the committed call
// stores both sides with their words and segment times, readable by the call's brand.
func TestJobWithPocketsphinx(t *testing.T) {
	storetest.OnePass(t)
	eng := needSphinx(t)
	db, one, _, callID, _ := recordedCall(t, 1, "testdata/call.wav")
	svc := NewService(db, eng, storetest.Logger(t))
	if n, err := svc.TranscribePending(context.Background(), Batch); n != 1 || err != nil {
		t.Fatalf("stored %d, %v", n, err)
	}
	got, err := svc.ForCall(context.Background(), access.Brands(one.ID), callID)
	if err != nil || len(got) != 2 {
		t.Fatalf("%+v %v", got, err)
	}
	wordMatch(t, got[0].Text, expectWords(t, "call.customer.txt"), []string{"rude"})
	wordMatch(t, got[1].Text, expectWords(t, "call.agent.txt"), []string{"tomorrow"})
	if got[0].Engine != "pocketsphinx" || got[0].AudioMS != 5000 || len(got[1].Segments) == 0 || got[1].Segments[0].StartMS < 2300 {
		t.Errorf("stored %+v", got)
	}
}
