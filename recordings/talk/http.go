package talk

import (
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/i18n"
)

// Routes mounts the talk analytics API on r (authenticated under /api/ by the portal):
//
//	GET /api/v1/calls/:id/talk       the call's talk analytics, one entry per recording
//	GET /api/v1/calls/:id/talk.svg   its two-lane strip (Strip)
//
// Only users and keys of the call's brand (and operators) get an answer; others, and calls not
// analysed yet, get 404.
func Routes(r fiber.Router, s *Service) {
	r.Get("/api/v1/calls/:id/talk", func(c *fiber.Ctx) error {
		id, err := strconv.ParseInt(c.Params("id"), 10, 64)
		if err != nil {
			return fiber.NewError(fiber.StatusNotFound, "no such call")
		}
		got, err := s.ForCall(c.UserContext(), access.PrincipalOf(c).Scope, id)
		if errors.Is(err, ErrNotFound) {
			return fiber.NewError(fiber.StatusNotFound, "no talk analytics for this call (not analysed yet, or not yours)")
		}
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"call_id": id, "recordings": got})
	})
	StripRoute(r, s)
	ThresholdRoutes(r, s)
	AggregateRoutes(r, s)
}

// StripRoute mounts GET /api/v1/calls/:id/talk.svg: the two-lane strip (Strip) of the call's
// first analysed recording, or of ?recording=, in the reader's language.
func StripRoute(r fiber.Router, s *Service) {
	r.Get("/api/v1/calls/:id/talk.svg", func(c *fiber.Ctx) error {
		id, err := strconv.ParseInt(c.Params("id"), 10, 64)
		if err != nil {
			return fiber.NewError(fiber.StatusNotFound, "no such call")
		}
		scope := access.PrincipalOf(c).Scope
		l := i18n.New(i18n.Negotiate(c.Get(fiber.HeaderAcceptLanguage), c.Cookies("lang")), time.UTC)
		c.Set(fiber.HeaderCacheControl, "private, no-store")
		got, err := s.ForCall(c.UserContext(), scope, id)
		if errors.Is(err, ErrNotFound) {
			// A recording of the caller's brand not analysed yet draws empty lanes (the case
			// page shows the strip under every recorded call); another brand's call is a 404.
			rec, rerr := s.recorded(c.UserContext(), scope, id)
			if rerr != nil {
				return rerr
			}
			if !rec {
				return fiber.NewError(fiber.StatusNotFound, "no such call")
			}
			c.Set(fiber.HeaderContentType, "image/svg+xml; charset=utf-8")
			return c.Send(PendingStrip(l))
		}
		if err != nil {
			return err
		}
		pick := got[0]
		if v := c.Query("recording"); v != "" {
			found := false
			for _, g := range got {
				if strconv.FormatInt(g.RecordingID, 10) == v {
					pick, found = g, true
				}
			}
			if !found {
				return fiber.NewError(fiber.StatusNotFound, "recording: not a recording of this call")
			}
		}
		c.Set(fiber.HeaderContentType, "image/svg+xml; charset=utf-8")
		th := pick.Thresholds
		if th.DeadAirMS == 0 {
			th = DefaultThresholds
		}
		return c.Send(StripOver(l, pick.Metrics, pick.Segments, th.DeadAirMS))
	})
}
