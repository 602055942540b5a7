package cases

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/apierr"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/tracking"
)

// CaseRoutes mounts the case API under r; authentication must have run before.
func CaseRoutes(r fiber.Router, svc *CaseService) {
	h := caseHandlers{svc: svc}
	r.Post("/api/v1/cases", h.open)
	r.Get("/api/v1/cases", h.list)
	r.Get("/api/v1/cases/sla-summary", h.slaSummary)
	r.Get("/api/v1/cases/:number", h.get)
	r.Patch("/api/v1/cases/:number", h.patch)
	r.Post("/api/v1/cases/:number/notes", h.note)
	r.Post("/api/v1/cases/:number/reopen", h.reopen)
	r.Post("/api/v1/cases/:number/escalate", h.escalate)
	r.Post("/api/v1/cases/:number/merge", h.merge)
	r.Post("/api/v1/cases/:number/attachments", h.attach)
	r.Get("/api/v1/cases/:number/attachments/:id", h.download)
	r.Post("/api/v1/escalations/:id/answer", h.answer)
	r.Put("/api/v1/posts/:id/webhook", h.setWebhook)
	r.Get("/api/v1/sla", h.getSLA)
	r.Put("/api/v1/sla", h.putSLA)
	r.Get("/api/v1/parcels/:id/timeline", h.parcelTimeline)
}

type caseHandlers struct{ svc *CaseService }

// Errors are the case domain's errors as the HTTP edge answers them (apierr); validation
// errors list every field that is wrong, in {"error": {..., "fields": [...]}}.
var Errors = apierr.Mapper{
	{Err: ErrStale, Kind: apierr.Stale},
	{Err: ErrNotFound, Kind: apierr.NotFound},
	{Err: ErrForbidden, Kind: apierr.Forbidden},
	{Err: ErrBadTransition, Kind: apierr.Conflict},
	{Err: ErrAmbiguous, Kind: apierr.Conflict},
	{Err: ErrNoPartner, Kind: apierr.Invalid},
	{Err: ErrAttachmentTooBig, Kind: apierr.TooLarge},
	{Err: ErrAttachmentType, Kind: apierr.Unsupported},
}

// decodeBody decodes a JSON object strictly; a bad body is a 422 naming the field.
func decodeBody(c *fiber.Ctx, v any) error {
	if fe := input.Decode(c.Body(), v); fe != nil {
		return input.Invalid(fe)
	}
	return nil
}

// forbidPosts refuses requests by partner posts' keys: they answer escalations, not manage cases.
func forbidPosts(p access.Principal) error {
	if _, _, isPost := p.Scope.Post(); isPost {
		return fmt.Errorf("partner posts answer escalations (POST /api/v1/escalations/{id}/answer): %w", ErrForbidden)
	}
	return nil
}

// brandParam reads ?brand_id=, which picks a brand when a case number exists in several.
func brandParam(c *fiber.Ctx) (int64, error) {
	v := c.Query("brand_id")
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, input.Invalid(input.Errorf("brand_id", "must be a brand id"))
	}
	return id, nil
}

func (h caseHandlers) open(c *fiber.Ctx) error {
	var in CaseInput
	if err := decodeBody(c, &in); err != nil {
		return Errors.Answer(c, err)
	}
	p := access.PrincipalOf(c)
	cs, err := h.svc.Open(c.UserContext(), p.Scope, ActorOf(p), in)
	if err != nil {
		return Errors.Answer(c, err)
	}
	v, err := h.svc.Detail(c.UserContext(), p.Scope, cs.Number, cs.BrandID)
	if err != nil {
		return Errors.Answer(c, err)
	}
	c.Location("/api/v1/cases/" + cs.Number)
	return c.Status(fiber.StatusCreated).JSON(v)
}

func (h caseHandlers) list(c *fiber.Ctx) error {
	f := CaseFilter{Queue: c.Query("queue"), Breached: c.Query("sla") == "breached"}
	var errs []*input.FieldError
	for _, st := range strings.Split(c.Query("status"), ",") {
		if st = strings.TrimSpace(st); st != "" {
			s, fe := input.OneOf("status", st, CaseStatuses)
			errs = append(errs, fe)
			f.Statuses = append(f.Statuses, s)
		}
	}
	if t := c.Query("type"); t != "" {
		var fe *input.FieldError
		f.Type, fe = input.OneOf("type", t, CaseTypes)
		errs = append(errs, fe)
	}
	if p := c.Query("parcel"); p != "" {
		id, err := tracking.ParseS10(p)
		if err != nil {
			errs = append(errs, input.Errorf("parcel", "%v", err))
		}
		f.ParcelID = id
	}
	for _, q := range []struct {
		name string
		dst  *int64
	}{{"assignee_id", &f.AssigneeID}, {"before", &f.Before}} {
		if v := c.Query(q.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				errs = append(errs, input.Errorf(q.name, "must be a positive number"))
			}
			*q.dst = n
		}
	}
	f.Limit = c.QueryInt("limit", 50)
	if s := c.Query("sla"); s != "" && s != "breached" {
		errs = append(errs, input.Errorf("sla", "only sla=breached filters; see /api/v1/cases/sla-summary for counts"))
	}
	if err := input.Invalid(errs...); err != nil {
		return Errors.Answer(c, err)
	}
	list, next, err := h.svc.List(c.UserContext(), access.PrincipalOf(c).Scope, f)
	if err != nil {
		return Errors.Answer(c, err)
	}
	out := fiber.Map{"cases": list}
	if next != 0 {
		out["next"] = fmt.Sprintf("/api/v1/cases?%s", nextQuery(c, next))
	}
	return c.JSON(out)
}

// nextQuery is the request's query with the page cursor moved to before.
func nextQuery(c *fiber.Ctx, before int64) string {
	args := c.Context().QueryArgs()
	var parts []string
	args.VisitAll(func(k, v []byte) {
		if string(k) != "before" {
			parts = append(parts, string(k)+"="+string(v))
		}
	})
	return strings.Join(append(parts, "before="+strconv.FormatInt(before, 10)), "&")
}

func (h caseHandlers) slaSummary(c *fiber.Ctx) error {
	sum, err := h.svc.SLASummary(c.UserContext(), access.PrincipalOf(c).Scope)
	if err != nil {
		return Errors.Answer(c, err)
	}
	return c.JSON(sum)
}

func (h caseHandlers) get(c *fiber.Ctx) error {
	brand, err := brandParam(c)
	if err != nil {
		return Errors.Answer(c, err)
	}
	v, err := h.svc.Detail(c.UserContext(), access.PrincipalOf(c).Scope, c.Params("number"), brand)
	if err != nil {
		return Errors.Answer(c, err)
	}
	c.Set(fiber.HeaderETag, ETag(v.Version))
	return c.JSON(v)
}

// ETag is a case version as an HTTP entity tag.
func ETag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// ifMatch reads If-Match (RFC 9110 §13.1.1): the version the client read, to refuse its
// change when the case moved on. No header, or "*", changes whatever the version.
func ifMatch(c *fiber.Ctx) (ctx context.Context, err error) {
	ctx = c.UserContext()
	h := strings.TrimSpace(c.Get(fiber.HeaderIfMatch))
	if h == "" || h == "*" {
		return ctx, nil
	}
	tag := strings.Trim(strings.TrimPrefix(h, "W/"), `"`)
	v, perr := strconv.ParseInt(tag, 10, 64)
	if perr != nil || v <= 0 {
		return ctx, input.Invalid(input.Errorf("If-Match", "must be the ETag of the case as GET answered it, e.g. \"3\"; got %s", h))
	}
	return IfVersion(ctx, v), nil
}

// changed answers a change with the case's detail view.
func (h caseHandlers) changed(c *fiber.Ctx, cs *Case, err error) error {
	if err != nil {
		return Errors.Answer(c, err)
	}
	v, err := h.svc.Detail(c.UserContext(), access.PrincipalOf(c).Scope, cs.Number, cs.BrandID)
	if err != nil {
		return Errors.Answer(c, err)
	}
	c.Set(fiber.HeaderETag, ETag(v.Version))
	return c.JSON(v)
}
