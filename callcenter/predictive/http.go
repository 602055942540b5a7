package predictive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/apierr"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/pacing"
	"github.com/wismo/wismo/reports"
)

// ErrNotFound is a campaign that is not the brand's.
var ErrNotFound = errors.New("not found")

var mapper = apierr.Mapper{{Err: ErrNotFound, Kind: apierr.NotFound}, {Err: input.ErrInvalid, Kind: apierr.Invalid}}

// Pacing is a campaign's pacing settings and figures, as the API shows them.
type Pacing struct {
	CampaignID   int64   `json:"campaign_id"`
	Mode         string  `json:"mode"`
	MaxDialRatio float64 `json:"max_dial_ratio"`
	// AbandonLimit is the share of person-answered calls that may be abandoned (0.03).
	AbandonLimit float64               `json:"abandon_limit"`
	Abandons     reports.AbandonWindow `json:"last_24h"`
	Month        reports.AbandonWindow `json:"last_30d"`
	// Live is the brand's last pacing decision on this node (predictive campaigns only).
	Live *Decision `json:"live,omitempty"`
}

// Routes mounts the campaign pacing API (authenticated under /api/; the brand is
// access.QueryBrand's):
//
//	GET /api/v1/campaigns/{id}/pacing   {"campaign_id", "mode", "max_dial_ratio", "abandon_limit",
//	                                     "last_24h": {"answered", "abandoned", "rate", "over"}, "last_30d": {...},
//	                                     "live": {the brand's last pacing decision}}
//	PUT /api/v1/campaigns/{id}/pacing   {"max_dial_ratio": 2.5}   brand managers; 1 to 5
func Routes(r fiber.Router, p *Pacer) {
	r.Get("/api/v1/campaigns/:id/pacing", func(c *fiber.Ctx) error {
		brand, err := access.QueryBrand(c)
		if err != nil {
			return err
		}
		out, err := p.Pacing(c.UserContext(), brand, campaignID(c))
		return answer(c, out, err)
	})
	r.Put("/api/v1/campaigns/:id/pacing", func(c *fiber.Ctx) error {
		brand, err := access.QueryBrand(c, access.RoleBrandManager, access.RoleAdmin)
		if err != nil {
			return err
		}
		var in struct {
			MaxDialRatio *float64 `json:"max_dial_ratio"`
		}
		if fe := input.Decode(c.Body(), &in); fe != nil {
			return mapper.Answer(c, input.Invalid(fe))
		}
		if in.MaxDialRatio == nil {
			return mapper.Answer(c, input.Invalid(input.Errorf("max_dial_ratio", "is required: calls ringing at once per logged-in agent, from 1 to 5")))
		}
		if err := p.SetMaxDialRatio(c.UserContext(), brand, campaignID(c), *in.MaxDialRatio); err != nil {
			return mapper.Answer(c, err)
		}
		out, err := p.Pacing(c.UserContext(), brand, campaignID(c))
		return answer(c, out, err)
	})
}

func answer(c *fiber.Ctx, out Pacing, err error) error {
	if err != nil {
		return mapper.Answer(c, err)
	}
	return c.JSON(out)
}

func campaignID(c *fiber.Ctx) int64 {
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	return id
}

// Pacing returns campaign's pacing settings and abandon figures for brand.
func (p *Pacer) Pacing(ctx context.Context, brand, campaign int64) (Pacing, error) {
	out := Pacing{CampaignID: campaign, AbandonLimit: reports.AbandonLimit}
	var ratio sql.NullFloat64
	err := p.db.SQL.QueryRowContext(ctx, p.db.Rebind(`SELECT k.mode, cp.max_dial_ratio FROM campaigns k
		LEFT JOIN campaign_pacing cp ON cp.campaign_id = k.id WHERE k.id = ? AND k.brand_id = ?`), campaign, brand).Scan(&out.Mode, &ratio)
	if errors.Is(err, sql.ErrNoRows) {
		return out, fmt.Errorf("campaign %d: %w", campaign, ErrNotFound)
	}
	if err != nil {
		return out, err
	}
	out.MaxDialRatio = pacing.DefaultMaxDialRatio
	if ratio.Valid {
		out.MaxDialRatio = ratio.Float64
	}
	list, err := reports.Abandons(ctx, p.db, access.Brands(brand), campaign, p.now())
	if err != nil {
		return out, err
	}
	if len(list) == 1 {
		out.Abandons, out.Month = list[0].Day, list[0].Month
	}
	if out.Mode == string(pacing.Predictive) {
		if d := p.Last(brand); !d.At.IsZero() {
			out.Live = &d
		}
	}
	return out, nil
}

// SetMaxDialRatio stores campaign's maximum dial ratio (calls ringing at once per logged-in
// agent): a number from 1 to 5.
func (p *Pacer) SetMaxDialRatio(ctx context.Context, brand, campaign int64, ratio float64) error {
	if !(ratio >= 1 && ratio <= 5) {
		return input.Invalid(input.Errorf("max_dial_ratio", "must be from 1 to 5 (calls ringing at once per logged-in agent), not %g", ratio))
	}
	var id int64
	err := p.db.SQL.QueryRowContext(ctx, p.db.Rebind(`SELECT id FROM campaigns WHERE id = ? AND brand_id = ?`), campaign, brand).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("campaign %d: %w", campaign, ErrNotFound)
	}
	if err != nil {
		return err
	}
	_, err = p.db.SQL.ExecContext(ctx, p.db.Rebind(`INSERT INTO campaign_pacing (campaign_id, brand_id, max_dial_ratio, updated_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (campaign_id) DO UPDATE SET max_dial_ratio = excluded.max_dial_ratio, updated_at = excluded.updated_at`),
		campaign, brand, ratio, p.now())
	return err
}
