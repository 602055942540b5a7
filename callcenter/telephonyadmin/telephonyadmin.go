// Package telephonyadmin is the HTTP API of call control's settings: a brand's caller id,
// recording notice and hotline hours, and the operators' hotline queues (split out of
// callcenter for size).
package telephonyadmin

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/apierr"
	"github.com/wismo/wismo/callcenter"
)

// brandSettingsJSON is the API shape of BrandSettings.
type brandSettingsJSON struct {
	CallerID        string `json:"caller_id"`
	RecordingNotice *bool  `json:"recording_notice"`
	HotlineOpen     string `json:"hotline_open"`
	HotlineClose    string `json:"hotline_close"`
	TimeZone        string `json:"time_zone"`
}

// Routes mounts the brand and operator settings of telephony:
//
//	GET, PUT /api/v1/brands/:id/telephony  caller id, recording notice, hotline hours (the
//	                                       brand's key, its brand managers, supervisors, admins);
//	                                       a bad field is a 422 naming it (a caller id is an
//	                                       E.164 number or a SIP user name, sipuser.CheckCallerID)
//	POST /api/v1/hotline/queues            {"name", "brand_id" (0 = every brand), "ring_seconds",
//	                                       "max_wait_seconds", "numbers": [...]} (operators)
//
// adminErrors are call control's errors as the HTTP edge answers them (apierr).
var adminErrors = apierr.Mapper{{Err: callcenter.ErrInvalid, Kind: apierr.Invalid}}

func Routes(r fiber.Router, c *callcenter.Center) {
	// The brand in the path, through access.WriteBrand: agents read it, the others change it.
	brandOf := func(ctx *fiber.Ctx) (int64, error) {
		id, err := strconv.ParseInt(ctx.Params("id"), 10, 64)
		if err != nil || id <= 0 {
			return 0, fiber.NewError(fiber.StatusNotFound, "no such brand")
		}
		if ctx.Method() == fiber.MethodGet {
			return access.WriteBrand(ctx, id)
		}
		return access.WriteBrand(ctx, id, access.RoleSupervisor, access.RoleBrandManager, access.RoleAdmin)
	}
	r.Get("/api/v1/brands/:id/telephony", func(ctx *fiber.Ctx) error {
		id, err := brandOf(ctx)
		if err != nil {
			return err
		}
		s, err := c.Brand(ctx.UserContext(), id)
		if err != nil {
			return err
		}
		return ctx.JSON(brandSettingsJSON{CallerID: s.CallerID, RecordingNotice: &s.RecordingNotice,
			HotlineOpen: s.Open, HotlineClose: s.Close, TimeZone: s.TimeZone})
	})
	r.Put("/api/v1/brands/:id/telephony", func(ctx *fiber.Ctx) error {
		id, err := brandOf(ctx)
		if err != nil {
			return err
		}
		cur, err := c.Brand(ctx.UserContext(), id)
		if err != nil {
			return err
		}
		var in brandSettingsJSON
		if err := ctx.BodyParser(&in); err != nil {
			return fiber.NewError(fiber.StatusBadRequest, "body must be JSON brand telephony settings")
		}
		if in.CallerID != "" {
			cur.CallerID = in.CallerID
		}
		if in.RecordingNotice != nil {
			cur.RecordingNotice = *in.RecordingNotice
		}
		if in.HotlineOpen != "" {
			cur.Open = in.HotlineOpen
		}
		if in.HotlineClose != "" {
			cur.Close = in.HotlineClose
		}
		if in.TimeZone != "" {
			cur.TimeZone = in.TimeZone
		}
		// A bad field answers {"error": {status, message, fields}} like every field error.
		if err := c.SetBrand(ctx.UserContext(), id, cur); err != nil {
			return adminErrors.Answer(ctx, err)
		}
		return ctx.SendStatus(fiber.StatusNoContent)
	})
	r.Post("/api/v1/hotline/queues", func(ctx *fiber.Ctx) error {
		if !access.PrincipalOf(ctx).Scope.All() {
			return fiber.NewError(fiber.StatusForbidden, "hotline queues are set up by operators")
		}
		var in struct {
			Name    string   `json:"name"`
			BrandID int64    `json:"brand_id"`
			Ring    int      `json:"ring_seconds"`
			MaxWait int      `json:"max_wait_seconds"`
			Numbers []string `json:"numbers"`
		}
		if err := ctx.BodyParser(&in); err != nil || in.Name == "" || len(in.Numbers) == 0 {
			return fiber.NewError(fiber.StatusBadRequest, `body must be {"name": "...", "numbers": ["+7..."], ...}`)
		}
		if in.Ring <= 0 {
			in.Ring = 15
		}
		if in.MaxWait <= 0 {
			in.MaxWait = 120
		}
		q, err := c.AddQueue(ctx.UserContext(), callcenter.Queue{Name: in.Name, BrandID: in.BrandID,
			Ring: time.Duration(in.Ring) * time.Second, MaxWait: time.Duration(in.MaxWait) * time.Second}, in.Numbers...)
		if err != nil {
			return fiber.NewError(fiber.StatusConflict, "queue name or number already in use, or no such brand")
		}
		return ctx.Status(fiber.StatusCreated).JSON(fiber.Map{"id": q.ID})
	})
}
