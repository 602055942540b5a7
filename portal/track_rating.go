package portal

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/csat"
	"github.com/wismo/wismo/tracking"
)

// Ratings on the tracking page (templates/track_rating.html; docs/csat.md): after delivery a
// 1-5 rating of the delivery, and after each of the customer's requests (cases) is resolved a
// rating of the service. A rating is shown as its score only (the comment is for the brand,
// not for everyone holding the tracking number) and can be changed for csat.ChangeWindow.
// The form works without JavaScript, carries the page's CSRF token and is rate-limited as the
// other forms are.

// Ratings keeps the customers' ratings (*csat.Service).
type Ratings interface {
	ParcelRatings(ctx context.Context, brandID int64, parcelID string) (map[string]csat.Rating, error)
	Rate(ctx context.Context, sub csat.Subject, score int, comment string) (csat.Rating, error)
	Summary(ctx context.Context, scope access.Scope, from, to time.Time) (csat.Summary, error)
}

// trackRating is one rating the page offers or shows.
type trackRating struct {
	Case   string // "" for the delivery
	Title  string
	Score  int  // the rating given (0: none yet)
	Open   bool // the customer may give or change it
	Form   form
	Scores []option
}

// loadRatings fills the page's ratings: the delivery's once the parcel is delivered, and one
// per resolved request.
func (h *trackHandler) loadRatings(c *fiber.Ctx, p *trackPage, v tracking.ParcelView) {
	if h.d.Ratings == nil {
		return
	}
	t := translator(p.Lang)
	var offer []trackRating
	if v.Phase == tracking.PhaseDelivered {
		offer = append(offer, trackRating{Title: t("rate_delivery")})
	}
	for _, r := range p.Requests {
		if r.Resolved {
			offer = append(offer, trackRating{Case: r.Number, Title: fmt.Sprintf(t("rate_case"), r.Number)})
		}
	}
	if len(offer) == 0 {
		return
	}
	given, err := h.d.Ratings.ParcelRatings(c.UserContext(), v.BrandID, v.ID)
	if err != nil {
		h.d.Log.Error("tracking page: ratings", "parcel", v.ID, "err", err)
		return
	}
	now := h.now()
	scores := make([]option, 5)
	for i := range scores {
		scores[i] = option{Value: strconv.Itoa(i + 1), Label: t("rate_" + strconv.Itoa(i+1))}
	}
	for i := range offer {
		r := &offer[i]
		r.Open, r.Scores = true, scores
		if g, ok := given[r.Case]; ok {
			r.Score, r.Open = g.Score, g.Changeable(now)
			r.Form = form{Values: map[string]string{"score": strconv.Itoa(g.Score)}}
		}
	}
	p.Ratings = offer
	if p.CSRF == "" {
		p.CSRF = csrfToken(c, h.d.SecureCookies)
	}
}

// ratingRoutes mount POST /track/:id/rating.
func ratingRoutes(app *fiber.App, h *trackHandler) {
	app.Post("/track/:id/rating", func(c *fiber.Ctx) error {
		f0, answered, err := h.formStart(c)
		if answered {
			return err
		}
		p, id, t, allowed, wait, v := f0.p, f0.id, f0.t, f0.allowed, f0.wait, f0.v
		if h.d.Ratings == nil {
			return fiber.NewError(fiber.StatusServiceUnavailable, "ratings are not available on this server")
		}
		f := readForm(c, "case", "score", "comment")
		var target *trackRating
		for i := range p.Ratings {
			if p.Ratings[i].Case == f.V("case") {
				target = &p.Ratings[i]
			}
		}
		fail := func(status int, msg string) error {
			if target != nil {
				target.Form, target.Open = f, true
			}
			p.RatingError = msg
			c.Status(status)
			return renderTrack(c, p)
		}
		if !allowed {
			minutes := int(wait.Round(time.Minute) / time.Minute)
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(wait.Seconds())+1))
			return fail(fiber.StatusTooManyRequests, fmt.Sprintf(t("err_ratelimit"), max(minutes, 1)))
		}
		if !csrfOK(c) {
			return fail(fiber.StatusForbidden, t("err_csrf"))
		}
		h.limits.tokenPassed(c.IP())
		if target == nil || !target.Open {
			p.RatingError = t("rate_err_closed")
			c.Status(fiber.StatusConflict)
			return renderTrack(c, p)
		}
		score, err := strconv.Atoi(f.V("score"))
		if err != nil || score < 1 || score > 5 {
			f.fail("score", t("rate_err_score"))
		}
		if n := utf8.RuneCountInString(f.V("comment")); n > csat.MaxComment {
			f.fail("comment", fmt.Sprintf(t("err_long"), csat.MaxComment, n))
		}
		if f.Errors != nil {
			return fail(fiber.StatusUnprocessableEntity, t("err_form"))
		}
		_, err = h.d.Ratings.Rate(c.UserContext(), csat.Subject{BrandID: v.BrandID, ParcelID: v.ID, CaseNumber: target.Case,
			OriginCountry: v.OriginCountry, DestinationCountry: v.DestinationCountry, Region: v.Recipient.Region}, score, f.V("comment"))
		if errors.Is(err, csat.ErrClosed) {
			return fail(fiber.StatusConflict, t("rate_err_closed"))
		}
		if err != nil {
			return fmt.Errorf("tracking page rating: %w", err)
		}
		h.limits.opened(id)
		h.cache.Drop(id) // the rating shows on the parcel's page from now on
		// The page itself confirms: it shows the score given (the same for every visitor, so
		// it may be cached).
		return c.Redirect("/track/"+id+"#rating", fiber.StatusSeeOther)
	})
}
