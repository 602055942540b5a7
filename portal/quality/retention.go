package quality

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/recordings/retention"
)

// Retention is the brands' recording retention (retention.Service); nil hides its form.
type Retention interface {
	Days(ctx context.Context, brand int64) (retention.Setting, error)
	SetDays(ctx context.Context, brand int64, days int, by string) (retention.Setting, error)
}

// retentionForm is the retention card of /quality (brand managers and admins).
type retentionForm struct {
	retention.Setting
	Value string // what the field shows: the stored days, or what was typed into a refused form
	Error string
	Max   int
}

const retentionKey = "quality.retention"

// retentionOf is the brand's retention card for managers (nil for others or without the service).
func (p *pages) retentionOf(c *fiber.Ctx, f Frame) (*retentionForm, error) {
	if p.o.Retention == nil || !f.Manager {
		return nil, nil
	}
	s, err := p.o.Retention.Days(c.UserContext(), f.Brand.ID)
	if err != nil {
		return nil, err
	}
	r := &retentionForm{Setting: s, Value: strconv.Itoa(s.Days), Max: retention.MaxDays}
	if refused, ok := c.Locals(retentionKey).(retentionForm); ok {
		r.Value, r.Error = refused.Value, refused.Error
	}
	return r, nil
}

// saveRetention is the retention form of /quality: days to keep the brand's recordings (0:
// forever); a refused value answers 422 with the page and the error beside the field.
func (p *pages) saveRetention(c *fiber.Ctx) error {
	f, err := p.frameOf(c, "overview")
	if err != nil {
		return err
	}
	if p.o.Retention == nil {
		return fiber.NewError(fiber.StatusNotFound, "retention is not set up on this server")
	}
	v := strings.TrimSpace(c.FormValue("days"))
	days, err := strconv.Atoi(v)
	if err == nil {
		_, err = p.o.Retention.SetDays(c.UserContext(), f.Brand.ID, days, access.PrincipalOf(c).Label)
	}
	var ne *strconv.NumError
	switch {
	case err == nil:
		return back(c, "/quality", f.Brand.ID, "retention")
	case errors.As(err, &ne), errors.Is(err, input.ErrInvalid):
		c.Locals(retentionKey, retentionForm{Value: v, Error: p.loc(c).T("retention.err.days", "max", retention.MaxDays)})
		c.Status(fiber.StatusUnprocessableEntity)
		return p.overview(c)
	}
	return err
}
