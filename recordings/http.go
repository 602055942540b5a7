package recordings

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
)

// Routes mounts playback on r (authenticated under /api/ by the portal):
//
//	GET /api/v1/recordings/:id        the row as JSON
//	GET /api/v1/recordings/:id/audio  the audio as stored (WAV, or Opus in Ogg once
//	                                  compacted), with Range support (RFC 9110 §14);
//	                                  ?download=1 as an attachment
//
// Only users and keys of the call's brand (and operators) get an answer; others get 404.
// Each playback is written to the audit log once: the request that starts at the first byte
// (a player asks for later ranges as it seeks; those are the same playback).
func Routes(r fiber.Router, s *Service) {
	load := func(c *fiber.Ctx) (Recording, error) {
		id, err := strconv.ParseInt(c.Params("id"), 10, 64)
		if err != nil {
			return Recording{}, fiber.NewError(fiber.StatusNotFound, "no such recording")
		}
		rec, err := s.Get(c.UserContext(), access.PrincipalOf(c).Scope, id)
		if errors.Is(err, ErrNotFound) {
			return rec, fiber.NewError(fiber.StatusNotFound, "no such recording")
		}
		return rec, err
	}
	r.Get("/api/v1/recordings/:id", func(c *fiber.Ctx) error {
		rec, err := load(c)
		if err != nil {
			return err
		}
		return c.JSON(rec)
	})
	r.Get("/api/v1/recordings/:id/audio", func(c *fiber.Ctx) error {
		rec, err := load(c)
		if err != nil {
			return err
		}
		action := ActionPlay
		if c.Query("download") != "" {
			action = ActionDownload
			c.Attachment(fmt.Sprintf("call-%d-recording-%d%s", rec.CallID, rec.ID, Ext(rec.Format)))
		}
		if rng := c.Get(fiber.HeaderRange); rng == "" || strings.HasPrefix(rng, "bytes=0-") {
			p := access.PrincipalOf(c)
			e := AuditEntry{BrandID: rec.BrandID, RecordingID: rec.ID, CallID: rec.CallID, Action: action, Detail: p.Label}
			if p.User != nil {
				e.UserID = p.User.ID
			}
			if err := s.Audit(c.UserContext(), e); err != nil {
				return err // no playback that the log cannot show
			}
		}
		body, size, ctype, err := s.Open(c.UserContext(), rec)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, ctype)
		c.Set(fiber.HeaderCacheControl, "private, no-store")
		return serveRange(c, body, size)
	})
}
