package transcriptview_test

import (
	"reflect"
	"testing"

	"github.com/wismo/wismo/portal/transcriptview"
	"github.com/wismo/wismo/recordings/transcribe"
)

// Of keeps the one recording's sides, in the order said, times as m:ss; an engine's error
// shows only when no line was transcribed; no rows is "not transcribed yet".
func TestOf(t *testing.T) {
	said := []transcribe.Transcript{
		{RecordingID: 7, Side: "customer", Segments: []transcribe.Segment{{StartMS: 300, Text: "hello"}, {StartMS: 65000, Text: "bye"}}},
		{RecordingID: 7, Side: "agent", Error: "timeout", Segments: []transcribe.Segment{{StartMS: 2600, Text: "how can I help"}}},
		{RecordingID: 8, Side: "agent", Segments: []transcribe.Segment{{StartMS: 0, Text: "another recording"}}},
	}
	failed := []transcribe.Transcript{{RecordingID: 7, Side: "customer", Error: "no engine"}, {RecordingID: 7, Side: "agent", Error: "no engine"}}
	for _, tc := range []struct {
		name string
		in   []transcribe.Transcript
		want transcriptview.View
	}{
		{"both sides", said, transcriptview.View{Transcribed: true, Lines: []transcriptview.Line{
			{Side: "customer", At: "0:00", Text: "hello"}, {Side: "agent", At: "0:02", Text: "how can I help"}, {Side: "customer", At: "1:05", Text: "bye"}}}},
		{"failed", failed, transcriptview.View{Transcribed: true, Error: "no engine"}},
		{"not yet", nil, transcriptview.View{}},
	} {
		if got := transcriptview.Of(tc.in, 7); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
