package wallboard

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/reports/ccmetrics"
)

// reportQuery is a report's request: ?from=YYYY-MM-DD&to=YYYY-MM-DD (both days included, in
// zone) &group=agent|queue|brand|hour &brand=ID &tz=IANA zone; and for a drill-down
// &figure=...&key=... .
type reportQuery struct {
	Q        ccmetrics.Query
	From, To string // as asked (the days)
	Brand    int64
	Figure   ccmetrics.Figure
	Key      string
}

// defaultDays is the period with no from and to: the last 7 days, today included.
const defaultDays = 7

// parseReport reads the report's parameters; every wrong one is named in the 422. zone is
// the viewer's (pages) or UTC (the API), unless ?tz= names another.
func parseReport(c *fiber.Ctx, zone *time.Location, now time.Time) (reportQuery, error) {
	var errs []*input.FieldError
	if v := strings.TrimSpace(c.Query("tz")); v != "" {
		loc, err := time.LoadLocation(v)
		if err != nil || v == "Local" {
			errs = append(errs, input.Errorf("tz", "must be an IANA time zone such as Europe/Moscow, got %q", v))
		} else {
			zone = loc
		}
	}
	if zone == nil {
		zone = time.UTC
	}
	today := now.In(zone).Format(time.DateOnly)
	r := reportQuery{From: strings.TrimSpace(c.Query("from")), To: strings.TrimSpace(c.Query("to"))}
	if r.To == "" {
		r.To = today
	}
	if r.From == "" {
		t, _ := time.ParseInLocation(time.DateOnly, r.To, zone)
		r.From = t.AddDate(0, 0, -(defaultDays - 1)).Format(time.DateOnly)
	}
	from, ferr := time.ParseInLocation(time.DateOnly, r.From, zone)
	if ferr != nil {
		errs = append(errs, input.Errorf("from", "must be a date YYYY-MM-DD, got %q", r.From))
	}
	to, terr := time.ParseInLocation(time.DateOnly, r.To, zone)
	if terr != nil {
		errs = append(errs, input.Errorf("to", "must be a date YYYY-MM-DD, got %q", r.To))
	}
	end := to.AddDate(0, 0, 1)
	switch {
	case ferr != nil || terr != nil:
	case end.Before(from.AddDate(0, 0, 1)):
		errs = append(errs, input.Errorf("to", "must not be before from (%s)", r.From))
	case end.Sub(from) > ccmetrics.MaxPeriod:
		errs = append(errs, input.Errorf("to", "the period may span at most %d days", int(ccmetrics.MaxPeriod/(24*time.Hour))))
	}
	group := ccmetrics.GroupBrand
	if v := c.Query("group"); v != "" {
		var fe *input.FieldError
		if group, fe = input.OneOf("group", v, ccmetrics.Groups); fe != nil {
			errs = append(errs, fe)
		}
	}
	scope := access.PrincipalOf(c).Scope
	if v := c.Query("brand"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		switch {
		case err != nil || id <= 0:
			errs = append(errs, input.Errorf("brand", "must be a brand id, got %q", v))
		case !scope.AllowsBrand(id):
			errs = append(errs, input.Errorf("brand", "no brand %d for this account", id))
		default:
			r.Brand, scope = id, access.Brands(id)
		}
	}
	if v := c.Query("figure"); v != "" {
		var fe *input.FieldError
		if r.Figure, fe = input.OneOf("figure", v, ccmetrics.FiguresWithCalls); fe != nil {
			errs = append(errs, fe)
		}
	}
	r.Key = c.Query("key")
	r.Q = ccmetrics.Query{Scope: scope, From: from.UTC(), To: end.UTC(), Group: group, Loc: zone}
	if len(errs) > 0 {
		return r, input.Invalid(errs...)
	}
	return r, nil
}

// values are the report's parameters as a query string (links to the CSV and drill-downs).
func (r reportQuery) values() url.Values {
	v := url.Values{"from": {r.From}, "to": {r.To}, "group": {string(r.Q.Group)}}
	if r.Brand != 0 {
		v.Set("brand", strconv.FormatInt(r.Brand, 10))
	}
	if r.Q.Loc != nil && r.Q.Loc != time.UTC {
		v.Set("tz", r.Q.Loc.String())
	}
	return v
}

// drillURL is the drill-down page of figure in group key.
func (r reportQuery) drillURL(key string, figure ccmetrics.Figure) string {
	v := r.values()
	v.Set("figure", string(figure))
	if key != "" {
		v.Set("key", key)
	}
	return "/reports/contact-center/calls?" + v.Encode()
}
