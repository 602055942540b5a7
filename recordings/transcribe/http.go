package transcribe

import (
	"cmp"
	"errors"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
)

// Routes mounts the transcript API on r (authenticated under /api/ by the portal):
//
//	GET /api/v1/calls/:id/transcript   the call's transcripts, one entry per recording and side
//
// Only users and keys of the call's brand (and operators) get an answer; others, and calls not
// transcribed yet, get 404.
func Routes(r fiber.Router, s *Service) {
	r.Get("/api/v1/calls/:id/transcript", func(c *fiber.Ctx) error {
		id, err := strconv.ParseInt(c.Params("id"), 10, 64)
		if err != nil {
			return fiber.NewError(fiber.StatusNotFound, "no such call")
		}
		got, err := s.ForCall(c.UserContext(), access.PrincipalOf(c).Scope, id)
		if errors.Is(err, ErrNotFound) {
			return fiber.NewError(fiber.StatusNotFound, "no transcript for this call (not transcribed yet, or not yours)")
		}
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderCacheControl, "private, no-store")
		return c.JSON(fiber.Map{"call_id": id, "transcripts": got, "lines": Dialogue(got)})
	})
}

// Line is one segment of a call's dialogue: who said it, when, what.
type Line struct {
	RecordingID int64  `json:"recording_id"`
	Side        string `json:"side"`
	StartMS     int64  `json:"start_ms"`
	Text        string `json:"text"`
}

// Dialogue interleaves both sides' segments of each recording by time (a side whose engine
// gave no times is one line at its start).
func Dialogue(ts []Transcript) []Line {
	var out []Line
	for _, t := range ts {
		if len(t.Segments) == 0 {
			if t.Text != "" {
				out = append(out, Line{RecordingID: t.RecordingID, Side: t.Side, Text: t.Text})
			}
			continue
		}
		for _, sg := range t.Segments {
			if sg.Text != "" {
				out = append(out, Line{RecordingID: t.RecordingID, Side: t.Side, StartMS: sg.StartMS, Text: sg.Text})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Line) int {
		if a.RecordingID != b.RecordingID {
			return cmp.Compare(a.RecordingID, b.RecordingID)
		}
		return cmp.Compare(a.StartMS, b.StartMS)
	})
	return out
}
