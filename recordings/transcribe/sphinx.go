package transcribe

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/wismo/wismo/media"
)

// PauseMS is the pause between words that starts a new segment.
const PauseMS = 500

// SphinxModel is where Debian's pocketsphinx-en-us puts the English model.
const SphinxModel = "/usr/share/pocketsphinx/model/en-us"

// Sphinx is Debian 12's pocketsphinx (0.8+5prealpha, the pocketsphinx_continuous program)
// with its US English model, run as a subprocess per channel: English only, slow but offline.
// Each run is bounded in time (Timeout plus TimePerSecond for each second of audio), in
// address space (MemoryBytes, through util-linux's prlimit when present) and in number
// (at most Concurrency at once; the others wait their turn or their context).
type Sphinx struct {
	Bin           string        // pocketsphinx_continuous
	Model         string        // SphinxModel: the directory of en-us/, en-us.lm.bin, cmudict-en-us.dict
	Timeout       time.Duration // fixed part of a run's time budget (loading the model: ~1 s)
	TimePerSecond time.Duration // and this per second of audio
	MemoryBytes   int64         // address-space limit of a run; 0 = none
	TempDir       string        // for the 16 kHz WAV handed to the program; "" = os.TempDir()

	slots chan struct{}
	prl   string // prlimit's path, "" when absent
}

// NewSphinx returns the engine at bin (looked up in PATH) with the defaults of
// docs/transcripts.md, or an error when the program or its model is not installed.
func NewSphinx(bin string, concurrency int) (*Sphinx, error) {
	if bin == "" {
		bin = "pocketsphinx_continuous"
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		return nil, fmt.Errorf("pocketsphinx: %w (Debian packages pocketsphinx and pocketsphinx-en-us)", err)
	}
	if _, err := os.Stat(filepath.Join(SphinxModel, "en-us.lm.bin")); err != nil {
		return nil, fmt.Errorf("pocketsphinx model: %w (Debian package pocketsphinx-en-us)", err)
	}
	s := &Sphinx{Bin: path, Model: SphinxModel, Timeout: 30 * time.Second, TimePerSecond: 2 * time.Second,
		MemoryBytes: 512 << 20, slots: make(chan struct{}, max(concurrency, 1))}
	s.prl, _ = exec.LookPath("prlimit")
	return s, nil
}

// Name implements Engine.
func (s *Sphinx) Name() string { return "pocketsphinx" }

// Transcribe implements Engine: English only. The channel's pauses are dropped first (compact:
// the engine decodes silence as slowly as speech), the talk left is cut at pauses into runs
// of at most ChunkSeconds (one utterance each: memory and time grow with an utterance), each
// doubled from 8 to 16 kHz (Upsample2); segment times are mapped back to the channel's.
func (s *Sphinx) Transcribe(ctx context.Context, pcm []int16, rate int, lang string) (Result, error) {
	if l := baseLang(lang); l != "" && l != "en" {
		return Result{}, fmt.Errorf("pocketsphinx: %q: %w", lang, ErrUnsupportedLanguage)
	}
	if rate != 8000 && rate != 16000 {
		return Result{}, fmt.Errorf("pocketsphinx: sample rate %d Hz: only 8000 and 16000 are read", rate)
	}
	talk, pieces := compact(pcm, rate)
	res := Result{Segments: []Segment{}, Language: "en"}
	if len(pieces) == 0 {
		return res, nil // this side never talked
	}
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	var texts []string
	for _, run := range chunks(pieces, ChunkSeconds*rate) {
		start, last := run[0].at, run[len(run)-1]
		audio := talk[start : last.at+last.to-last.from]
		if rate == 8000 {
			audio = Upsample2(audio)
		}
		got, err := s.run(ctx, audio)
		if err != nil {
			return Result{}, err
		}
		for _, sg := range got.Segments {
			sg.StartMS = original(sg.StartMS+int64(start)*1000/int64(rate), pieces, rate)
			sg.EndMS = original(sg.EndMS+int64(start)*1000/int64(rate), pieces, rate)
			res.Segments = append(res.Segments, sg)
		}
		if got.Text != "" {
			texts = append(texts, got.Text)
		}
	}
	res.Text = strings.Join(texts, " ")
	return res, nil
}

// ChunkSeconds bounds the talk one pocketsphinx run decodes as one utterance.
const ChunkSeconds = 60

// chunks groups consecutive pieces into runs of at most max samples of talk (a single longer
// piece is a run of its own).
func chunks(pieces []piece, max int) [][]piece {
	var out [][]piece
	begin := 0
	for i := 1; i <= len(pieces); i++ {
		if i == len(pieces) || pieces[i].at+pieces[i].to-pieces[i].from-pieces[begin].at > max {
			out = append(out, pieces[begin:i])
			begin = i
		}
	}
	return out
}

// run decodes 16 kHz audio as one utterance under the time and memory budgets.
func (s *Sphinx) run(ctx context.Context, pcm []int16) (Result, error) {
	f, err := os.CreateTemp(s.TempDir, "wismo-sphinx-*.wav")
	if err != nil {
		return Result{}, fmt.Errorf("pocketsphinx: %w", err)
	}
	path := f.Name()
	f.Close()
	defer os.Remove(path)
	if err := os.WriteFile(path, media.EncodeWAV(16000, 1, pcm), 0o600); err != nil {
		return Result{}, fmt.Errorf("pocketsphinx: %w", err)
	}
	budget := s.Timeout + time.Duration(len(pcm)/16000+1)*s.TimePerSecond
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	// -remove_silence no: pocketsphinx's own voice detector loses speech after a second or
	// more of digital silence (a recorded side waiting for the other); the audio is decoded
	// as one utterance and parseSphinx cuts segments at the pauses between words.
	args := []string{"-infile", path, "-time", "yes", "-remove_silence", "no", "-logfn", "/dev/null",
		"-hmm", filepath.Join(s.Model, "en-us"), "-lm", filepath.Join(s.Model, "en-us.lm.bin"),
		"-dict", filepath.Join(s.Model, "cmudict-en-us.dict")}
	name := s.Bin
	if s.prl != "" && s.MemoryBytes > 0 {
		args = append([]string{"--as=" + strconv.FormatInt(s.MemoryBytes, 10), "--", s.Bin}, args...)
		name = s.prl
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.WaitDelay = 2 * time.Second
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return Result{}, fmt.Errorf("pocketsphinx: over its time budget of %s: %w", budget, ctx.Err())
		}
		return Result{}, fmt.Errorf("pocketsphinx: %w: %s", err, lastLine(stderr.String()))
	}
	return parseSphinx(out.String()), nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return s
}

// parseSphinx reads pocketsphinx_continuous -time yes output: per utterance a line of the
// hypothesis, then one "word start end confidence" line per word (seconds from the start of
// the file), opened by <s> and closed by </s>. Fillers (<sil>, [NOISE], ++...++) are left
// out and alternate pronunciations ("was(2)") lose their mark. A segment is an utterance, cut
// again where more than PauseMS pass between two words.
func parseSphinx(out string) Result {
	res := Result{Segments: []Segment{}}
	var cur *Segment
	var words []string
	flush := func() {
		if cur != nil && len(words) > 0 {
			cur.Text = strings.Join(words, " ")
			res.Segments = append(res.Segments, *cur)
		}
		cur, words = nil, nil
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 4 {
			continue // a hypothesis line
		}
		start, err1 := strconv.ParseFloat(f[1], 64)
		end, err2 := strconv.ParseFloat(f[2], 64)
		if _, err3 := strconv.ParseFloat(f[3], 64); err1 != nil || err2 != nil || err3 != nil {
			continue // a hypothesis of four words
		}
		w := f[0]
		switch {
		case w == "<s>":
			flush()
			cur = &Segment{StartMS: -1}
			continue
		case w == "</s>":
			flush()
			continue
		case strings.HasPrefix(w, "<") || strings.HasPrefix(w, "[") || strings.HasPrefix(w, "++"):
			continue
		}
		if i := strings.IndexByte(w, '('); i > 0 {
			w = w[:i]
		}
		if cur != nil && len(words) > 0 && int64(start*1000)-cur.EndMS > PauseMS {
			flush()
		}
		if cur == nil {
			cur = &Segment{StartMS: -1}
		}
		if cur.StartMS < 0 {
			cur.StartMS = int64(start * 1000)
		}
		cur.EndMS = int64(end*1000) + 10 // end is the last frame's start; a frame is 10 ms
		words = append(words, w)
	}
	flush()
	texts := make([]string, len(res.Segments))
	for i, sg := range res.Segments {
		texts[i] = sg.Text
	}
	res.Text = strings.Join(texts, " ")
	res.Language = "en"
	return res
}
