package casepages_test

import (
	"context"
	"strings"
	"testing"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/portal/casepages"
	"github.com/wismo/wismo/recordings/transcribe"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// storedTranscripts answers call 9's transcript as the transcripts job stored it.
type storedTranscripts struct{ failed bool }

func (s storedTranscripts) ForCall(_ context.Context, _ access.Scope, call int64) ([]transcribe.Transcript, error) {
	if call != 9 {
		return nil, transcribe.ErrNotFound
	}
	if s.failed {
		return []transcribe.Transcript{{RecordingID: 41, CallID: 9, Side: "customer", Error: "pocketsphinx: \"ru\": language not supported"},
			{RecordingID: 41, CallID: 9, Side: "agent", Error: "pocketsphinx: \"ru\": language not supported"}}, nil
	}
	return []transcribe.Transcript{
		{RecordingID: 41, CallID: 9, Side: "customer", Text: "the courier was rude my card is [card]", Segments: []transcribe.Segment{
			{StartMS: 300, EndMS: 2400, Text: "the courier was rude"}, {StartMS: 65000, EndMS: 67000, Text: "my card is [card]"}}},
		{RecordingID: 41, CallID: 9, Side: "agent", Text: "can you call me back tomorrow", Segments: []transcribe.Segment{
			{StartMS: 2600, EndMS: 4700, Text: "can you call me back tomorrow"}}},
	}, nil
}

// The call's entry shows its dialogue under the player, both sides labelled in the reader's
// language, in the order it was said; a call the engine could not transcribe says so.
func TestTimelineCallShowsItsTranscript(t *testing.T) {
	for _, tc := range []struct {
		lang   string
		failed bool
		want   []string
	}{
		{"en", false, []string{`<summary>Transcript</summary>`, `<dt class="transcript-customer">Customer <span class="muted">0:00</span></dt><dd>the courier was rude</dd>` +
			`<dt class="transcript-agent">Agent <span class="muted">0:02</span></dt><dd>can you call me back tomorrow</dd>` +
			`<dt class="transcript-customer">Customer <span class="muted">1:05</span></dt><dd>my card is [card]</dd>`, "card and phone numbers are hidden"}},
		{"ru", false, []string{`<summary>Расшифровка</summary>`, `<dt class="transcript-customer">Клиент`, `<dt class="transcript-agent">Оператор`, "номера карт и телефонов скрыты"}},
		{"en", true, []string{`<summary>Transcript</summary>`, `No transcript of this call: pocketsphinx: &#34;ru&#34;: language not supported`}},
	} {
		e := newEnv(t, nil, func(_ *env, o *casepages.Options) { o.Transcripts = storedTranscripts{failed: tc.failed} })
		e.Cases.AddTimelineSource(callSource{})
		e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"))
		c := e.openCase(e.ScopeA(), "RB123456785GB", cases.CaseInput{})
		_, page, _ := e.login("agent@a.example", tc.lang).get("/cases/" + c.Number)
		for _, want := range tc.want {
			if !strings.Contains(page, want) {
				t.Errorf("%s (failed %v): the call's entry lacks %q", tc.lang, tc.failed, want)
			}
		}
	}
}
