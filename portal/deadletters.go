package portal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/outbox"
)

// DeadLetters lists and resolves the outbox messages consumers set aside because their
// handling kept failing (outbox.DeadLetters). Admins see every letter; a supervisor sees the
// letters of their brands, and may retry or discard those.
type DeadLetters interface {
	List(ctx context.Context, scope access.Scope, f outbox.LetterFilter) ([]outbox.DeadLetter, error)
	Get(ctx context.Context, scope access.Scope, id int64) (outbox.DeadLetter, error)
	Retry(ctx context.Context, scope access.Scope, id int64, actor string) (outbox.DeadLetter, error)
	Discard(ctx context.Context, scope access.Scope, id int64, actor string) (outbox.DeadLetter, error)
}

// deadLetterRoles may see and act on dead letters: the people who run the operation.
// Brand managers write the rules and templates that fail, but retrying is an operator's
// call; agents and API keys get 403.
var deadLetterRoles = []access.Role{access.RoleSupervisor}

// deadLetterRoutes mount the JSON API under /api/v1/dead-letters (on api, authenticated)
// and the staff page /dead-letters.
func deadLetterRoutes(app *fiber.App, api fiber.Router, d Deps) {
	ready := func(c *fiber.Ctx) error {
		if d.DeadLetters == nil {
			return fiber.NewError(fiber.StatusServiceUnavailable, viewerLocale(c, d, pageSession(c).User).T("dl.err_unavailable"))
		}
		return c.Next()
	}
	staff := func(c *fiber.Ctx) error {
		p := access.PrincipalOf(c)
		if p.User == nil || (p.User.Role != access.RoleAdmin && p.User.Role != access.RoleSupervisor) {
			return fiber.NewError(fiber.StatusForbidden, "dead letters are open to admins and supervisors only")
		}
		return c.Next()
	}
	api.Get("/api/v1/dead-letters", ready, staff, func(c *fiber.Ctx) error {
		_, ls, err := listLetters(c, d)
		if err != nil {
			return err
		}
		out := make([]fiber.Map, 0, len(ls))
		for _, l := range ls {
			out = append(out, letterJSON(l))
		}
		return c.JSON(fiber.Map{"dead_letters": out})
	})
	api.Get("/api/v1/dead-letters/:id", ready, staff, func(c *fiber.Ctx) error {
		l, err := changeLetter(c, d, func(dl DeadLetters, ctx context.Context, scope access.Scope, id int64, _ string) (outbox.DeadLetter, error) {
			return dl.Get(ctx, scope, id)
		})
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"dead_letter": letterJSON(l)})
	})
	act := func(do letterChange, status int) fiber.Handler {
		return func(c *fiber.Ctx) error {
			l, err := changeLetter(c, d, do)
			if err != nil {
				return err
			}
			return c.Status(status).JSON(fiber.Map{"dead_letter": letterJSON(l)})
		}
	}
	// 202: the retry happens at the consumer's next turn, on whichever node runs it.
	api.Post("/api/v1/dead-letters/:id/retry", ready, staff, act(DeadLetters.Retry, fiber.StatusAccepted))
	api.Post("/api/v1/dead-letters/:id/discard", ready, staff, act(DeadLetters.Discard, fiber.StatusOK))

	guard := requirePage(d, deadLetterRoles...)
	app.Get("/dead-letters", guard, ready, func(c *fiber.Ctx) error {
		f, ls, err := listLetters(c, d)
		if err != nil {
			return err
		}
		names := map[int64]string{}
		if d.Access != nil {
			brands, err := d.Access.Brands(c.UserContext(), access.PrincipalOf(c).Scope)
			if err != nil {
				return err
			}
			for _, b := range brands {
				names[b.ID] = b.Name
			}
		}
		return render(c, d, "deadletters.html", "dl.dead_letters", newLettersPage(c, viewerLocale(c, d, pageSession(c).User), f, ls, names))
	})
	pageAct := func(do letterChange, done string) fiber.Handler {
		return func(c *fiber.Ctx) error {
			l, err := changeLetter(c, d, do)
			if err != nil {
				return err
			}
			q := url.Values{"done": {done}, "letter": {strconv.FormatInt(l.ID, 10)}}
			if s := c.FormValue("status"); s != "" {
				q.Set("status", s)
			}
			return c.Redirect("/dead-letters?"+q.Encode(), fiber.StatusSeeOther)
		}
	}
	app.Post("/dead-letters/:id/retry", guard, ready, pageAct(DeadLetters.Retry, "retried"))
	app.Post("/dead-letters/:id/discard", guard, ready, pageAct(DeadLetters.Discard, "discarded"))
}

// listLetters lists the letters the request's filter and caller's scope select.
func listLetters(c *fiber.Ctx, d Deps) (outbox.LetterFilter, []outbox.DeadLetter, error) {
	f, err := letterFilter(c)
	if err != nil {
		return f, nil, err
	}
	ls, err := d.DeadLetters.List(c.UserContext(), access.PrincipalOf(c).Scope, f)
	return f, ls, letterError(err)
}

// letterChange is a DeadLetters method that acts on one letter for an actor.
type letterChange func(DeadLetters, context.Context, access.Scope, int64, string) (outbox.DeadLetter, error)

// changeLetter applies do to the letter named by the path's :id, as the caller.
func changeLetter(c *fiber.Ctx, d Deps, do letterChange) (outbox.DeadLetter, error) {
	id, err := letterID(c)
	if err != nil {
		return outbox.DeadLetter{}, err
	}
	p := access.PrincipalOf(c)
	l, err := do(d.DeadLetters, c.UserContext(), p.Scope, id, p.Label)
	return l, letterError(err)
}

func letterID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fiber.NewError(fiber.StatusBadRequest, fmt.Sprintf("id: %q is not a dead letter id (a positive whole number)", c.Params("id")))
	}
	return id, nil
}

func letterFilter(c *fiber.Ctx) (outbox.LetterFilter, error) {
	f := outbox.LetterFilter{Consumer: strings.TrimSpace(c.Query("consumer")), Status: c.Query("status")}
	if f.Status == "waiting" {
		f.Status = ""
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return f, fiber.NewError(fiber.StatusBadRequest, fmt.Sprintf("limit: %q must be a whole number from 1 to 1000", v))
		}
		f.Limit = n
	}
	return f, nil
}

// letterError maps the dead-letter service's sentinels to statuses (nil stays nil).
func letterError(err error) error {
	switch {
	case errors.Is(err, outbox.ErrLetterNotFound):
		return fiber.NewError(fiber.StatusNotFound, err.Error())
	case errors.Is(err, outbox.ErrLetterStatus):
		return fiber.NewError(fiber.StatusConflict, err.Error())
	case errors.Is(err, outbox.ErrLetterFilter):
		return fiber.NewError(fiber.StatusBadRequest, err.Error())
	}
	return err
}

// letterJSON is a dead letter as the API shows it.
func letterJSON(l outbox.DeadLetter) fiber.Map {
	m := l.Message
	payload := json.RawMessage(m.Payload)
	if !json.Valid(payload) {
		payload, _ = json.Marshal(string(m.Payload))
	}
	return fiber.Map{"id": l.ID, "consumer": l.Consumer, "ref": m.Ref(), "message_id": m.ID, "part": m.Part, "topic": m.Topic,
		"brand_id": m.BrandID, "item_id": m.ItemID, "payload": payload, "created_at": m.CreatedAt, "error": l.Error,
		"attempts": l.Attempts, "first_failed_at": l.FirstFailedAt, "last_failed_at": l.LastFailedAt, "status": l.Status,
		"updated_at": l.UpdatedAt, "updated_by": l.UpdatedBy}
}

// lettersPage is the data of templates/deadletters.html.
type lettersPage struct {
	Filter   outbox.LetterFilter
	Statuses []string
	Done     string
	Letters  []letterRow
}

type letterRow struct {
	ID                                            int64
	Ref, Consumer, Topic, Item, Status, By, Brand string
	Attempts                                      int
	FirstFailed, LastFailed, Summary, Error       string
	Payload                                       string
	Waiting                                       bool // dead or retry: can be discarded
	Dead                                          bool // can be retried
}

// brandName is a brand's name for the page, its id when unknown, "—" for none.
func brandName(names map[int64]string, id int64) string {
	if n, ok := names[id]; ok {
		return n
	}
	if id == 0 {
		return "—"
	}
	return "#" + strconv.FormatInt(id, 10)
}

// letterDone is the notice after an action: what was done ("retried", "discarded") to which letter.
func letterDone(loc i18n.Locale, done, id string) string {
	if _, err := strconv.ParseInt(id, 10, 64); err != nil || (done != "retried" && done != "discarded") {
		return ""
	}
	return loc.T("dl.done_"+done, "id", id)
}

func newLettersPage(c *fiber.Ctx, loc i18n.Locale, f outbox.LetterFilter, ls []outbox.DeadLetter, brands map[int64]string) lettersPage {
	p := lettersPage{Filter: f, Statuses: []string{outbox.StatusDead, outbox.StatusRetry, outbox.StatusResolved, outbox.StatusDiscarded},
		Done: letterDone(loc, c.Query("done"), c.Query("letter"))}
	when := func(t time.Time) string { return loc.DateTime(t) }
	for _, l := range ls {
		summary, _, _ := strings.Cut(l.Error, "\n")
		payload := string(l.Message.Payload)
		if b, err := json.MarshalIndent(l.Message.Payload, "", "  "); err == nil {
			payload = string(b)
		}
		p.Letters = append(p.Letters, letterRow{ID: l.ID, Ref: l.Message.Ref(), Consumer: l.Consumer, Topic: l.Message.Topic,
			Item: l.Message.ItemID, Status: l.Status, By: l.UpdatedBy, Brand: brandName(brands, l.Message.BrandID), Attempts: l.Attempts,
			FirstFailed: when(l.FirstFailedAt), LastFailed: when(l.LastFailedAt), Summary: summary, Error: l.Error, Payload: payload,
			Waiting: l.Status == outbox.StatusDead || l.Status == outbox.StatusRetry, Dead: l.Status == outbox.StatusDead})
	}
	return p
}
