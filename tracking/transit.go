package tracking

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/store"
)

// TransitStandard overrides the promised transit time (working days from posting) of a
// brand for a lane and service level; an empty country matches every country.
type TransitStandard struct {
	OriginCountry      string       `json:"origin_country"`
	DestinationCountry string       `json:"destination_country"`
	ServiceLevel       ServiceLevel `json:"service_level"`
	Days               int          `json:"days"`
}

// maxTransitDays bounds a promise: a quarter of a year of working days.
const maxTransitDays = 60

// TransitStandards returns wismo's defaults per service level and the brand's overrides.
func (s *Service) TransitStandards(ctx context.Context, scope access.Scope) (map[ServiceLevel]int, []TransitStandard, error) {
	brand, err := scope.WriteBrand(0)
	if err != nil {
		return nil, nil, fmt.Errorf("transit standards belong to one brand: %w", ErrForbidden)
	}
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT origin_country, destination_country, service_level, days
		FROM transit_standards WHERE brand_id = ? ORDER BY service_level, origin_country, destination_country`), brand)
	if err != nil {
		return nil, nil, fmt.Errorf("transit standards: %w", err)
	}
	defer rows.Close()
	out := []TransitStandard{}
	for rows.Next() {
		var t TransitStandard
		if err := rows.Scan(&t.OriginCountry, &t.DestinationCountry, &t.ServiceLevel, &t.Days); err != nil {
			return nil, nil, err
		}
		out = append(out, t)
	}
	return postalReference().transit, out, rows.Err()
}

// TransitErrors lists what is wrong with a set of transit standards, by index.
type TransitErrors []Result

func (e TransitErrors) Error() string { return fmt.Sprintf("%d transit standards are invalid", len(e)) }

// SetTransitStandards replaces the brand's overrides with in, all or nothing. The new promises
// apply to parcels registered or posted from now on.
func (s *Service) SetTransitStandards(ctx context.Context, scope access.Scope, in []TransitStandard) error {
	brand, err := scope.WriteBrand(0)
	if err != nil {
		return fmt.Errorf("transit standards belong to one brand: %w", ErrForbidden)
	}
	var bad TransitErrors
	seen := map[TransitStandard]bool{}
	for i := range in {
		t := &in[i]
		var fe *input.FieldError
		t.ServiceLevel = ServiceLevel(strings.ToLower(string(t.ServiceLevel)))
		if t.OriginCountry, fe = input.Country("origin_country", t.OriginCountry, false); fe == nil {
			t.DestinationCountry, fe = input.Country("destination_country", t.DestinationCountry, false)
		}
		switch {
		case fe != nil:
		case t.ServiceLevel != Premium && t.ServiceLevel != Standard && t.ServiceLevel != Economy:
			fe = input.Errorf("service_level", "must be premium, standard or economy")
		case t.Days < 1 || t.Days > maxTransitDays:
			fe = input.Errorf("days", "must be 1 to %d working days", maxTransitDays)
		case seen[TransitStandard{t.OriginCountry, t.DestinationCountry, t.ServiceLevel, 0}]:
			fe = input.Errorf("service_level", "this lane and service level is listed twice")
		}
		seen[TransitStandard{t.OriginCountry, t.DestinationCountry, t.ServiceLevel, 0}] = true
		if fe != nil {
			bad = append(bad, Result{Index: i, Status: StatusRejected, Error: fe})
		}
	}
	if len(bad) > 0 {
		return bad
	}
	err = s.db.WriteTx(ctx, func(tx store.Tx) error {
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`DELETE FROM transit_standards WHERE brand_id = ?`), brand); err != nil {
			return err
		}
		return s.db.BulkExec(ctx, tx, `INSERT INTO transit_standards (brand_id, origin_country, destination_country, service_level, days)`,
			"", 5, len(in), nil, func(i int, dst []any) []any {
				return append(dst, brand, in[i].OriginCountry, in[i].DestinationCountry, string(in[i].ServiceLevel), in[i].Days)
			})
	})
	if err != nil {
		return fmt.Errorf("set transit standards: %w", err)
	}
	s.transitMu.Lock()
	clear(s.transitCache)
	s.transitMu.Unlock()
	return nil
}

// transitRoutes: GET and PUT /api/v1/transit-standards for a brand's key or its managers.
func transitRoutes(r fiber.Router, svc *Service) {
	r.Get("/api/v1/transit-standards", func(c *fiber.Ctx) error {
		defaults, overrides, err := svc.TransitStandards(c.UserContext(), access.PrincipalOf(c).Scope)
		if err != nil {
			return trackingErrors.Answer(c, err)
		}
		return c.JSON(fiber.Map{"defaults": defaults, "standards": overrides})
	})
	r.Put("/api/v1/transit-standards", func(c *fiber.Ctx) error {
		p := access.PrincipalOf(c)
		if p.User != nil && p.User.Role != access.RoleBrandManager && p.User.Role != access.RoleAdmin {
			return fiber.NewError(fiber.StatusForbidden, "only brand managers change transit standards")
		}
		var in struct {
			Standards []TransitStandard `json:"standards"`
		}
		if err := c.BodyParser(&in); err != nil {
			return fiber.NewError(fiber.StatusBadRequest, `the body must be {"standards": [{"origin_country", "destination_country", "service_level", "days"}]}`)
		}
		// Invalid standards answer 422 with one result per item, as the batch APIs do.
		var bad TransitErrors
		err := svc.SetTransitStandards(c.UserContext(), p.Scope, in.Standards)
		if errors.As(err, &bad) {
			return c.Status(fiber.StatusUnprocessableEntity).JSON(fiber.Map{"results": bad})
		}
		if err != nil {
			return trackingErrors.Answer(c, err)
		}
		return c.JSON(fiber.Map{"standards": in.Standards})
	})
}
