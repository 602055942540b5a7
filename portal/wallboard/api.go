package wallboard

import (
	"errors"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/apierr"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/reports/ccmetrics"
)

// The API: GET /api/v1/reports/contact-center?from=&to=&group=agent|queue|brand|hour&brand=&tz=
// (JSON; .csv for CSV), GET .../calls?...&figure=&key= (the drill-down), GET and PUT
// .../targets (service-level targets). Dates are days in tz (UTC by default), both included;
// a wrong parameter is a 422 naming it. Brand keys and staff of reportRoles may read; partner
// posts' keys see no brand's calls (403).

var errs = apierr.Mapper{{Err: access.ErrNotFound, Kind: apierr.NotFound}}

// fieldsOf turns ErrTooManyCalls into the 422 that names the period's end.
func fieldsOf(err error) error {
	if errors.Is(err, ccmetrics.ErrTooManyCalls) {
		return input.Invalid(input.Errorf("to", "%s", ccmetrics.ErrTooManyCalls.Error()))
	}
	return err
}

func answer(c *fiber.Ctx, err error) error { return errs.Answer(c, fieldsOf(err)) }

// reader lets in brand keys and users of reportRoles (admins always).
func reader(c *fiber.Ctx) error {
	p := access.PrincipalOf(c)
	switch {
	case p.Kind == "post_key":
		return fiber.NewError(fiber.StatusForbidden, "partner posts' keys see no brand's calls: use a brand's key or a staff login")
	case p.User != nil && p.User.Role != access.RoleAdmin && !slices.Contains(reportRoles, p.User.Role):
		return fiber.NewError(fiber.StatusForbidden, "only supervisors and brand managers may read the contact-center reports")
	}
	return nil
}

func (p *pages) apiReport(c *fiber.Ctx) error {
	if err := reader(c); err != nil {
		return err
	}
	q, err := parseReport(c, time.UTC, p.o.Metrics.Now())
	if err != nil {
		return answer(c, err)
	}
	r, err := p.o.Metrics.Report(c.UserContext(), q.Q)
	if err != nil {
		return answer(c, err)
	}
	if r.Rows == nil {
		r.Rows = []ccmetrics.Figures{}
	}
	return c.JSON(r)
}

func (p *pages) apiReportCSV(c *fiber.Ctx) error {
	if err := reader(c); err != nil {
		return err
	}
	return p.sendCSV(c, time.UTC)
}

func (p *pages) apiCalls(c *fiber.Ctx) error {
	if err := reader(c); err != nil {
		return err
	}
	q, err := parseReport(c, time.UTC, p.o.Metrics.Now())
	if err == nil && q.Figure == "" {
		err = input.Invalid(input.Errorf("figure", "name the figure whose calls to list: one of the report's counts, such as offered or abandoned"))
	}
	if err != nil {
		return answer(c, err)
	}
	list, total, err := p.o.Metrics.Calls(c.UserContext(), q.Q, q.Key, q.Figure)
	if err != nil {
		return answer(c, err)
	}
	return c.JSON(fiber.Map{"figure": q.Figure, "key": q.Key, "total": total, "calls": list})
}

func (p *pages) apiTargets(c *fiber.Ctx) error {
	if err := reader(c); err != nil {
		return err
	}
	list, err := p.o.Metrics.Targets(c.UserContext(), access.PrincipalOf(c).Scope)
	if err != nil {
		return answer(c, err)
	}
	return c.JSON(fiber.Map{"targets": list, "default": ccmetrics.Target{Seconds: ccmetrics.DefaultSLSeconds, Target: ccmetrics.DefaultSLTarget}})
}

// apiSetTarget: PUT {"brand_id", "queue_id" (optional), "seconds", "target"}.
func (p *pages) apiSetTarget(c *fiber.Ctx) error {
	var in ccmetrics.Target
	if err := c.BodyParser(&in); err != nil {
		return fiber.NewError(fiber.StatusBadRequest, `body must be {"brand_id": 1, "queue_id": 2, "seconds": 20, "target": 0.8}`)
	}
	brand, err := access.WriteBrand(c, in.BrandID, reportRoles...)
	if err != nil {
		return err
	}
	in.BrandID = brand
	pr := access.PrincipalOf(c)
	by := pr.Label
	if pr.User != nil {
		by = pr.User.Email
	}
	if err := p.o.Metrics.SetTarget(c.UserContext(), pr.Scope, in, by); err != nil {
		return answer(c, err)
	}
	return c.JSON(fiber.Map{"target": in})
}
