package cases

import (
	"context"
	"errors"
	"fmt"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/store"
)

// SLAConfigJSON is a brand's SLA configuration as GET and PUT /api/v1/sla carry it. GET lists
// every case type with its effective targets (wismo's defaults where the brand set none).
type SLAConfigJSON struct {
	BrandID           int64                  `json:"brand_id"`
	TimeZone          string                 `json:"time_zone"`
	Hours             map[string][][2]string `json:"hours"`
	Holidays          []string               `json:"holidays"`
	NearBreachPercent int                    `json:"near_breach_percent"`
	Policies          []Policy               `json:"policies"`
}

// maxSLAMinutes bounds a target: a year of business minutes.
const maxSLAMinutes = 366 * 24 * 60

// slaBrand picks the brand an SLA request is about (access.Scope.WriteBrand): the one named
// when the scope may touch it, else the scope's own.
func slaBrand(scope access.Scope, brandID int64) (int64, error) {
	brand, err := scope.WriteBrand(brandID)
	switch {
	case errors.Is(err, access.ErrBrandRequired):
		return 0, input.Invalid(input.Errorf("brand_id", "is required for an account with several brands"))
	case errors.Is(err, access.ErrPostNoBrand):
		return 0, fmt.Errorf("partner posts have no SLAs: %w", ErrForbidden)
	case errors.Is(err, access.ErrNotFound):
		return 0, fmt.Errorf("brand %d: %w", brandID, ErrNotFound)
	}
	return brand, err
}

func configJSON(brandID int64, cfg SLAConfig) SLAConfigJSON {
	out := SLAConfigJSON{BrandID: brandID, TimeZone: cfg.Calendar.Zone, Hours: cfg.Calendar.Hours(),
		Holidays: cfg.Calendar.Holidays(), NearBreachPercent: cfg.NearBreachPercent}
	for _, t := range CaseTypes {
		out.Policies = append(out.Policies, cfg.policy(t))
	}
	return out
}

// SLAConfigOf returns a brand's effective SLA configuration.
func (s *CaseService) SLAConfigOf(ctx context.Context, scope access.Scope, brandID int64) (SLAConfigJSON, error) {
	brand, err := slaBrand(scope, brandID)
	if err != nil {
		return SLAConfigJSON{}, err
	}
	cfg, err := loadSLAConfig(ctx, s.db, s.db.SQL, brand)
	if err != nil {
		return SLAConfigJSON{}, err
	}
	return configJSON(brand, cfg), nil
}

// SetSLAConfig replaces a brand's calendar and SLA targets. Policies omitted keep wismo's
// defaults. Open cases keep the due times they were given.
func (s *CaseService) SetSLAConfig(ctx context.Context, scope access.Scope, brandID int64, in SLAConfigJSON) (SLAConfigJSON, error) {
	if _, _, isPost := scope.Post(); isPost {
		return SLAConfigJSON{}, fmt.Errorf("partner posts do not set brands' SLAs: %w", ErrForbidden)
	}
	brand, err := slaBrand(scope, brandID)
	if err != nil {
		return SLAConfigJSON{}, err
	}
	cal, fe := NewCalendar(in.TimeZone, in.Hours, in.Holidays)
	errs := []*input.FieldError{fe}
	cfg := SLAConfig{Calendar: cal, NearBreachPercent: in.NearBreachPercent, Policies: map[CaseType]Policy{}}
	if cfg.NearBreachPercent == 0 {
		cfg.NearBreachPercent = DefaultNearBreachPercent
	}
	if cfg.NearBreachPercent < 1 || cfg.NearBreachPercent > 99 {
		errs = append(errs, input.Errorf("near_breach_percent", "must be 1 to 99"))
	}
	for i, p := range in.Policies {
		f := fmt.Sprintf("policies[%d]", i)
		t, fe := input.OneOf(f+".case_type", string(p.CaseType), CaseTypes)
		errs = append(errs, fe)
		if _, dup := cfg.Policies[t]; dup && fe == nil {
			errs = append(errs, input.Errorf(f+".case_type", "%s is listed twice", t))
		}
		for _, m := range []struct {
			name string
			v    int
		}{{"first_response_minutes", p.FirstResponseMinutes}, {"resolution_minutes", p.ResolutionMinutes}} {
			if m.v < 1 || m.v > maxSLAMinutes {
				errs = append(errs, input.Errorf(f+"."+m.name, "must be 1 to %d minutes", maxSLAMinutes))
			}
		}
		p.CaseType = t
		cfg.Policies[t] = p
	}
	if err := input.Invalid(errs...); err != nil {
		return SLAConfigJSON{}, err
	}
	if err := s.db.WriteTx(ctx, func(tx store.Tx) error { return saveSLAConfig(ctx, s.db, tx, brand, cfg, s.now()) }); err != nil {
		return SLAConfigJSON{}, fmt.Errorf("set SLA of brand %d: %w", brand, err)
	}
	return configJSON(brand, cfg), nil
}
