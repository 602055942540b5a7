package talk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/apierr"
	"github.com/wismo/wismo/input"
)

// Thresholds are a brand's limits for the talk flags (table talk_thresholds).
type Thresholds struct {
	DeadAirMS  int64   // longest dead air over this flags the call
	AgentShare float64 // agent talk share over this (0-1) flags the call
}

// DefaultThresholds are the limits of a brand that has not set its own.
var DefaultThresholds = Thresholds{DeadAirMS: DeadAirFlagMS, AgentShare: AgentShareFlag}

// ThresholdsJSON is the API's shape: whole seconds and percent, as people set them.
type ThresholdsJSON struct {
	BrandID         int64 `json:"brand_id"`
	DeadAirSeconds  int64 `json:"dead_air_seconds"`
	AgentSharePct   int   `json:"agent_talk_share_percent"`
	UsingDefaults   bool  `json:"using_defaults"`
	DefaultDeadAirS int64 `json:"default_dead_air_seconds"`
	DefaultSharePct int   `json:"default_agent_talk_share_percent"`
}

// JSON is t in the API's shape.
func (t Thresholds) JSON(brand int64, defaults bool) ThresholdsJSON {
	return ThresholdsJSON{BrandID: brand, DeadAirSeconds: t.DeadAirMS / 1000, AgentSharePct: int(math.Round(t.AgentShare * 100)),
		UsingDefaults: defaults, DefaultDeadAirS: DefaultThresholds.DeadAirMS / 1000, DefaultSharePct: int(math.Round(DefaultThresholds.AgentShare * 100))}
}

// ParseThresholds checks people's numbers: dead air 1-3600 s, agent talk share 1-100%.
func ParseThresholds(deadAirSeconds int64, sharePct int) (Thresholds, error) {
	var fes []*input.FieldError
	if deadAirSeconds < 1 || deadAirSeconds > 3600 {
		fes = append(fes, input.Errorf("dead_air_seconds", "must be 1-3600 seconds, got %d", deadAirSeconds))
	}
	if sharePct < 1 || sharePct > 100 {
		fes = append(fes, input.Errorf("agent_talk_share_percent", "must be 1-100 percent, got %d", sharePct))
	}
	if len(fes) > 0 {
		return Thresholds{}, input.Invalid(fes...)
	}
	return Thresholds{DeadAirMS: deadAirSeconds * 1000, AgentShare: float64(sharePct) / 100}, nil
}

// FlagsOf are m's flags under t (docs/talk-analytics.md, "Flags").
func FlagsOf(m Metrics, t Thresholds) []string {
	flags := []string{}
	if m.LongestSilenceMS > t.DeadAirMS {
		flags = append(flags, FlagDeadAir)
	}
	if m.CustomerTalkMS+m.AgentTalkMS > 0 && m.AgentShare > t.AgentShare {
		flags = append(flags, FlagAgentShare)
	}
	return flags
}

// BrandThresholds returns brand's thresholds and whether they are the defaults.
func (s *Service) BrandThresholds(ctx context.Context, brand int64) (Thresholds, bool, error) {
	t := Thresholds{}
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT dead_air_ms, agent_share FROM talk_thresholds WHERE brand_id = ?`), brand).
		Scan(&t.DeadAirMS, &t.AgentShare)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultThresholds, true, nil
	}
	if err != nil {
		return t, false, fmt.Errorf("talk thresholds of brand %d: %w", brand, err)
	}
	return t, false, nil
}

// SetThresholds stores brand's thresholds (the caller decided the brand: access.WriteBrand).
func (s *Service) SetThresholds(ctx context.Context, brand int64, t Thresholds) error {
	_, err := s.db.SQL.ExecContext(ctx, s.db.Rebind(`INSERT INTO talk_thresholds (brand_id, dead_air_ms, agent_share, updated_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (brand_id) DO UPDATE SET dead_air_ms = excluded.dead_air_ms,
		agent_share = excluded.agent_share, updated_at = excluded.updated_at`), brand, t.DeadAirMS, t.AgentShare, s.now().UTC())
	if err != nil {
		return fmt.Errorf("store talk thresholds of brand %d: %w", brand, err)
	}
	return nil
}

// Errors maps the talk API's errors to statuses.
var Errors = apierr.Mapper{{Err: input.ErrInvalid, Kind: apierr.Invalid}, {Err: ErrNotFound, Kind: apierr.NotFound}}

// ThresholdRoutes mounts the brand's thresholds (authenticated under /api/ by the portal):
//
//	GET /api/v1/talk/thresholds?brand=ID   the brand's thresholds (defaults when unset)
//	PUT /api/v1/talk/thresholds?brand=ID   {"dead_air_seconds": 20, "agent_talk_share_percent": 80}
//
// Brand managers (and admins, brand keys) change them; 422 names the field out of range.
func ThresholdRoutes(r fiber.Router, s *Service) {
	r.Get("/api/v1/talk/thresholds", func(c *fiber.Ctx) error {
		brand, err := access.QueryBrand(c)
		if err != nil {
			return err
		}
		t, def, err := s.BrandThresholds(c.UserContext(), brand)
		if err != nil {
			return err
		}
		return c.JSON(t.JSON(brand, def))
	})
	r.Put("/api/v1/talk/thresholds", func(c *fiber.Ctx) error {
		brand, err := access.QueryBrand(c, access.RoleBrandManager, access.RoleAdmin)
		if err != nil {
			return err
		}
		var in ThresholdsJSON
		if fe := input.Decode(c.Body(), &in); fe != nil {
			return Errors.Answer(c, input.Invalid(fe))
		}
		t, err := ParseThresholds(in.DeadAirSeconds, in.AgentSharePct)
		if err != nil {
			return Errors.Answer(c, err)
		}
		if err := s.SetThresholds(c.UserContext(), brand, t); err != nil {
			return err
		}
		return c.JSON(t.JSON(brand, false))
	})
}
