package dialer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
)

func campaignRoutes(r fiber.Router, h handlers) {
	r.Get("/api/v1/campaigns", h.listCampaigns)
	r.Post("/api/v1/campaigns", h.saveCampaign)
	r.Get("/api/v1/campaigns/:id", h.getCampaign)
	r.Put("/api/v1/campaigns/:id", h.saveCampaign)
	r.Get("/api/v1/campaigns/:id/queue", h.queue)
	for path, status := range map[string]string{"start": "running", "pause": "paused", "stop": "stopped"} {
		r.Post("/api/v1/campaigns/:id/"+path, func(c *fiber.Ctx) error { return h.setStatus(c, status) })
	}
}

func campaignID(c *fiber.Ctx) int64 {
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	return id
}

func (h handlers) listCampaigns(c *fiber.Ctx) error {
	brand, err := access.QueryBrand(c)
	if err != nil {
		return err
	}
	list, err := h.svc.Campaigns(c.UserContext(), brand)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"campaigns": list})
}

func (h handlers) getCampaign(c *fiber.Ctx) error {
	brand, err := access.QueryBrand(c)
	if err != nil {
		return err
	}
	k, err := h.svc.Campaign(c.UserContext(), brand, campaignID(c))
	if err != nil {
		return dialerErrors.Answer(c, err)
	}
	return c.JSON(k)
}

func (h handlers) saveCampaign(c *fiber.Ctx) error {
	brand, err := access.QueryBrand(c, managers...)
	if err != nil {
		return err
	}
	var in Campaign
	if err := c.BodyParser(&in); err != nil {
		return bodyErr(err)
	}
	in.ID = campaignID(c)
	k, err := h.svc.SaveCampaign(c.UserContext(), brand, in)
	if err != nil {
		return dialerErrors.Answer(c, err)
	}
	if c.Method() == fiber.MethodPost {
		c.Status(fiber.StatusCreated)
	}
	return c.JSON(k)
}

func (h handlers) setStatus(c *fiber.Ctx, status string) error {
	brand, err := access.QueryBrand(c, managers...)
	if err != nil {
		return err
	}
	k, err := h.svc.SetCampaignStatus(c.UserContext(), brand, campaignID(c), status)
	if err != nil {
		return dialerErrors.Answer(c, err)
	}
	return c.JSON(k)
}

// queue lists the campaign's due calls in the order the telephony engine takes them.
func (h handlers) queue(c *fiber.Ctx) error {
	brand, err := access.QueryBrand(c)
	if err != nil {
		return err
	}
	list, err := h.svc.Queue(c.UserContext(), brand, campaignID(c), min(max(c.QueryInt("limit", 100), 1), 1000))
	if err != nil {
		return dialerErrors.Answer(c, err)
	}
	return c.JSON(fiber.Map{"contacts": list})
}

// Queue returns a campaign's planned calls that are due, earliest first: while no telephony
// engine is attached (Options.Calls is nil) they wait here.
func (s *Service) Queue(ctx context.Context, brand, campaign int64, limit int) ([]Contact, error) {
	if _, err := s.Campaign(ctx, brand, campaign); err != nil {
		return nil, err
	}
	out, err := s.queryContacts(ctx, s.db.SQL, `SELECT `+contactCols+` FROM contacts c WHERE c.campaign_id = ? AND c.status = 'planned'
		AND c.due_at <= ? ORDER BY c.due_at, c.id LIMIT ?`, campaign, s.now(), limit)
	if out == nil {
		out = []Contact{}
	}
	return out, err
}

// ownsContact checks that a contact belongs to brand.
func (s *Service) ownsContact(ctx context.Context, brand, id int64) error {
	var b int64
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT brand_id FROM contacts WHERE id = ?`), id).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && b != brand) {
		return fmt.Errorf("contact %d: %w", id, ErrNotFound)
	}
	return err
}
