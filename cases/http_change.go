package cases

import (
	"io"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/tracking"
)

// Handlers that change a case, escalations, attachments and SLA configuration.

// changeCase reads the caller, the brand and the JSON body a case change takes, runs do and
// answers with the changed case. Partner posts may only add notes (staffOnly false).
func changeCase[T any](h caseHandlers, c *fiber.Ctx, staffOnly bool, do func(p access.Principal, brand int64, in T) (*Case, error)) error {
	p := access.PrincipalOf(c)
	if staffOnly {
		if err := forbidPosts(p); err != nil {
			return Errors.Answer(c, err)
		}
	}
	brand, err := brandParam(c)
	if err != nil {
		return Errors.Answer(c, err)
	}
	var in T
	if err := decodeBody(c, &in); err != nil {
		return Errors.Answer(c, err)
	}
	ctx, err := ifMatch(c)
	if err != nil {
		return Errors.Answer(c, err)
	}
	c.SetUserContext(ctx)
	cs, err := do(p, brand, in)
	return h.changed(c, cs, err)
}

func (h caseHandlers) patch(c *fiber.Ctx) error {
	return changeCase(h, c, true, func(p access.Principal, brand int64, in CasePatch) (*Case, error) {
		return h.svc.Update(c.UserContext(), p.Scope, ActorOf(p), c.Params("number"), brand, in)
	})
}

func (h caseHandlers) note(c *fiber.Ctx) error {
	return changeCase(h, c, false, func(p access.Principal, brand int64, in struct {
		Text string `json:"text"`
	}) (*Case, error) {
		return h.svc.AddNote(c.UserContext(), p.Scope, ActorOf(p), c.Params("number"), brand, in.Text)
	})
}

func (h caseHandlers) reopen(c *fiber.Ctx) error {
	return changeCase(h, c, true, func(p access.Principal, brand int64, in struct {
		Reason string `json:"reason"`
	}) (*Case, error) {
		return h.svc.Reopen(c.UserContext(), p.Scope, ActorOf(p), c.Params("number"), brand, in.Reason)
	})
}

func (h caseHandlers) escalate(c *fiber.Ctx) error {
	return changeCase(h, c, true, func(p access.Principal, brand int64, in struct {
		To      string `json:"to"`
		Message string `json:"message"`
	}) (*Case, error) {
		return h.svc.Escalate(c.UserContext(), p.Scope, ActorOf(p), c.Params("number"), brand, in.To, in.Message)
	})
}

// merge closes the case as a duplicate of {"into": "BA-000123"} and answers with the case kept.
func (h caseHandlers) merge(c *fiber.Ctx) error {
	return changeCase(h, c, true, func(p access.Principal, brand int64, in struct {
		Into string `json:"into"`
	}) (*Case, error) {
		return h.svc.Merge(c.UserContext(), p.Scope, ActorOf(p), c.Params("number"), brand, in.Into)
	})
}

func (h caseHandlers) answer(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.NewError(fiber.StatusNotFound, "no escalation "+c.Params("id"))
	}
	var in struct {
		Message string `json:"message"`
	}
	if err := decodeBody(c, &in); err != nil {
		return Errors.Answer(c, err)
	}
	p := access.PrincipalOf(c)
	cs, err := h.svc.AnswerEscalation(c.UserContext(), p.Scope, ActorOf(p), id, in.Message)
	if err != nil {
		return Errors.Answer(c, err)
	}
	return c.JSON(fiber.Map{"number": cs.Number, "status": cs.Status})
}

func (h caseHandlers) setWebhook(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.NewError(fiber.StatusNotFound, "no post "+c.Params("id"))
	}
	var in struct {
		URL    string `json:"url"`
		Secret string `json:"secret"`
	}
	if err := decodeBody(c, &in); err != nil {
		return Errors.Answer(c, err)
	}
	secret, err := h.svc.SetPostWebhook(c.UserContext(), access.PrincipalOf(c).Scope, id, in.URL, in.Secret)
	if err != nil {
		return Errors.Answer(c, err)
	}
	return c.JSON(fiber.Map{"post_id": id, "url": in.URL, "secret": secret, "signature_header": SignatureHeader})
}

func (h caseHandlers) attach(c *fiber.Ctx) error {
	p := access.PrincipalOf(c)
	brand, err := brandParam(c)
	if err != nil {
		return Errors.Answer(c, err)
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return Errors.Answer(c, input.Invalid(input.Errorf("file", "send the file as multipart/form-data field \"file\"")))
	}
	if fh.Size > MaxAttachmentBytes {
		return fiber.NewError(fiber.StatusRequestEntityTooLarge, "an attachment is at most "+strconv.Itoa(MaxAttachmentBytes)+" bytes")
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxAttachmentBytes+1))
	if err != nil {
		return err
	}
	v, err := h.svc.AddAttachment(c.UserContext(), p.Scope, ActorOf(p), c.Params("number"), brand, fh.Filename, data)
	if err != nil {
		return Errors.Answer(c, err)
	}
	return c.Status(fiber.StatusCreated).JSON(v)
}

func (h caseHandlers) download(c *fiber.Ctx) error {
	brand, err := brandParam(c)
	if err != nil {
		return Errors.Answer(c, err)
	}
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.NewError(fiber.StatusNotFound, "no attachment "+c.Params("id"))
	}
	a, err := h.svc.Attachment(c.UserContext(), access.PrincipalOf(c).Scope, c.Params("number"), brand, id)
	if err != nil {
		return Errors.Answer(c, err)
	}
	c.Set(fiber.HeaderContentType, a.ContentType)
	c.Set(fiber.HeaderContentDisposition, "attachment; filename*=UTF-8''"+url.PathEscape(a.Filename))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(a.Data)
}

func (h caseHandlers) getSLA(c *fiber.Ctx) error {
	brand, err := brandParam(c)
	if err != nil {
		return Errors.Answer(c, err)
	}
	cfg, err := h.svc.SLAConfigOf(c.UserContext(), access.PrincipalOf(c).Scope, brand)
	if err != nil {
		return Errors.Answer(c, err)
	}
	return c.JSON(cfg)
}

func (h caseHandlers) putSLA(c *fiber.Ctx) error {
	p := access.PrincipalOf(c)
	if p.User != nil && p.User.Role == access.RoleAgent {
		return fiber.NewError(fiber.StatusForbidden, "agents do not set SLAs; a brand manager, supervisor or admin does")
	}
	brand, err := brandParam(c)
	if err != nil {
		return Errors.Answer(c, err)
	}
	var in SLAConfigJSON
	if err := decodeBody(c, &in); err != nil {
		return Errors.Answer(c, err)
	}
	if brand == 0 {
		brand = in.BrandID
	}
	cfg, err := h.svc.SetSLAConfig(c.UserContext(), p.Scope, brand, in)
	if err != nil {
		return Errors.Answer(c, err)
	}
	return c.JSON(cfg)
}

func (h caseHandlers) parcelTimeline(c *fiber.Ctx) error {
	id := tracking.ParcelParam(c)
	tl, err := h.svc.ParcelTimeline(c.UserContext(), access.PrincipalOf(c).Scope, id)
	if err != nil {
		return Errors.Answer(c, err)
	}
	if tl == nil {
		tl = []TimelineEntry{}
	}
	if canonical, err := tracking.ParseS10(id); err == nil {
		id = canonical
	}
	return c.JSON(fiber.Map{"parcel": id, "timeline": tl})
}
