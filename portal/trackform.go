package portal

import (
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/tracking"
)

// formPost is what every tracking-page form post that acts on a parcel starts with
// (formStart): the page, the number, the page's words, whether the rate limits allow the
// post (checked before the parcel is read; the handler charges and refuses) and the parcel.
type formPost struct {
	p       trackPage
	id      string
	t       func(string) string
	allowed bool
	wait    time.Duration
	v       tracking.ParcelView
}

// formStart reads a form post's page and parcel. When answered is set the answer has been
// written (a malformed number, a body over maxFormBytes, no such parcel) or err is set: the
// handler returns err.
func (h *trackHandler) formStart(c *fiber.Ctx) (f formPost, answered bool, err error) {
	p, id, ok := h.start(c)
	if !ok {
		return f, true, renderTrack(c, p)
	}
	t := translator(p.Lang)
	if len(c.Body()) > maxFormBytes {
		p.Error = fmt.Sprintf(t("err_toolarge"), maxFormBytes>>10)
		c.Status(fiber.StatusRequestEntityTooLarge)
		return f, true, renderTrack(c, p)
	}
	allowed, wait, _ := h.limits.check(c.IP(), id)
	v, found, err := h.load(c, &p, id)
	if err != nil {
		return f, true, err
	}
	if !found {
		return f, true, renderTrack(c, p)
	}
	return formPost{p: p, id: id, t: t, allowed: allowed, wait: wait, v: v}, false, nil
}
