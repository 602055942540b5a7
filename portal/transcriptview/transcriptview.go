// Package transcriptview is a recorded call's transcript as the staff pages show it (the case
// page's timeline and the call page): both sides' lines in the order they were said, each
// with its time from the start of the recording, or the engine's error when no side could be
// transcribed. The template that draws it is "transcript" in portal/templates/call_sections.html.
package transcriptview

import (
	"fmt"

	"github.com/wismo/wismo/recordings/transcribe"
)

// Line is one line of the dialogue.
type Line struct {
	Side string // customer or agent
	At   string // m:ss from the start of the recording
	Text string
}

// View is one recording's transcript: Transcribed is false while the job has not run.
type View struct {
	Lines       []Line
	Error       string // why there is no line (only when there is none)
	Transcribed bool
}

// Of builds the view of recording's transcripts among ts (a call's, both sides).
func Of(ts []transcribe.Transcript, recording int64) View {
	var v View
	var mine []transcribe.Transcript
	for _, t := range ts {
		if t.RecordingID == recording {
			mine = append(mine, t)
			if t.Error != "" && v.Error == "" {
				v.Error = t.Error
			}
		}
	}
	for _, l := range transcribe.Dialogue(mine) {
		s := l.StartMS / 1000
		v.Lines = append(v.Lines, Line{Side: l.Side, At: fmt.Sprintf("%d:%02d", s/60, s%60), Text: l.Text})
	}
	if len(v.Lines) > 0 {
		v.Error = ""
	}
	v.Transcribed = len(mine) > 0
	return v
}
