package floor

import (
	"context"
	"slices"
	"strings"

	"github.com/wismo/wismo/demo"
	"github.com/wismo/wismo/recordings/transcribe"
)

// Scripts are the texts the demo voices were spoken from (tools/demo-voices.sh, by
// espeak-ng), by clip: the demo calls are recorded from these clips, so these texts are
// what was said.
var Scripts = map[string]string{
	"en-person-hello":     "Hello? Yes, speaking.",
	"en-person-reply":     "I see. So when will it be delivered?",
	"en-person-bye":       "Okay, thank you. Goodbye!",
	"en-caller-complaint": "Hello! I am calling about my parcel. It still has not arrived. Can you tell me where it is?",
	"en-caller-again":     "Hello? Can you hear me?",
	"en-caller-bye":       "All right, thanks. Bye.",
	"ru-person-hello":     "Алло? Да, слушаю вас.",
	"ru-person-reply":     "Да, понятно. А когда мне её привезут?",
	"ru-person-bye":       "Хорошо, спасибо. До свидания!",
	"ru-caller-complaint": "Здравствуйте! Я звоню по поводу моей посылки. Она до сих пор не пришла. Подскажите, где она сейчас?",
	"ru-caller-again":     "Алло? Вы меня слышите?",
	"ru-caller-bye":       "Ладно, спасибо. До свидания.",
}

// ScriptEngine is the demo's speech "engine" (name "demo-script"): it recognises nothing.
// It finds each demo voice clip in the channel by its samples (the demo recordings are made
// of the clips unchanged) and returns the text the clip was spoken from, timed where the
// clip lies. Audio that is not a demo clip gives no text. It is for the demo only: real
// calls are transcribed by pocketsphinx or a speech server (docs/transcripts.md).
type ScriptEngine struct {
	Voice func(lang, name string) ([]int16, error) // carrier.Clip
}

// Name names the engine in call_transcripts.engine.
func (ScriptEngine) Name() string { return "demo-script" }

// probe is how many samples of a clip, from its first loud one, identify it.
const probe = 64

// Transcribe finds the demo clips in pcm, in the order they are heard.
func (e ScriptEngine) Transcribe(ctx context.Context, pcm []int16, rate int, lang string) (transcribe.Result, error) {
	type hit struct {
		at, n int
		text  string
		lang  string
	}
	var hits []hit
	names := make([]string, 0, len(Scripts))
	for k := range Scripts {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, name := range names {
		l, clip, _ := strings.Cut(name, "-")
		samples, err := e.Voice(l, clip)
		if err != nil {
			return transcribe.Result{}, err
		}
		first := slices.IndexFunc(samples, func(s int16) bool { return s > 300 || s < -300 })
		if first < 0 || first+probe > len(samples) {
			continue
		}
		key := samples[first : first+probe]
		for at := 0; at+probe <= len(pcm); {
			i := indexOf(pcm[at:], key)
			if i < 0 {
				break
			}
			hits = append(hits, hit{at: at + i - first, n: len(samples), text: Scripts[name], lang: l})
			at += i + probe
		}
		if ctx.Err() != nil {
			return transcribe.Result{}, ctx.Err()
		}
	}
	slices.SortFunc(hits, func(a, b hit) int { return a.at - b.at })
	var res transcribe.Result
	res.Segments = []transcribe.Segment{}
	var texts []string
	for _, h := range hits {
		ms := func(n int) int64 { return int64(max(n, 0)) * 1000 / int64(rate) }
		res.Segments = append(res.Segments, transcribe.Segment{StartMS: ms(h.at), EndMS: ms(h.at + h.n), Text: h.text})
		texts = append(texts, h.text)
		res.Language = h.lang
	}
	res.Text = strings.Join(texts, " ")
	return res, nil
}

// indexOf is the first index of key in s, or -1.
func indexOf(s, key []int16) int {
	for i := 0; i+len(key) <= len(s); i++ {
		if s[i] == key[0] && slices.Equal(s[i:i+len(key)], key) {
			return i
		}
	}
	return -1
}

// transcripts transcribes every finished demo recording through the transcripts service
// with the script engine, as the job would with a real engine.
func transcripts(ctx context.Context, d demo.WorkspaceDeps, sum *Summary) error {
	svc := transcribe.NewService(d.DB, ScriptEngine{Voice: d.Voice}, d.Log)
	for range 100 { // bounded: 100 batches of 50
		n, err := svc.TranscribePending(ctx, 50)
		if err != nil {
			return err
		}
		sum.Transcribed += n
		if n < 50 {
			return nil
		}
	}
	return nil
}
