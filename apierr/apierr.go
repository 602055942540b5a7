// Package apierr is the HTTP edge's one mapping from domain errors to answers. A domain
// declares once which of its sentinel errors mean what (a Mapper: not found, forbidden,
// conflict, invalid, rate limited...), and its handlers answer every error through it.
//
// Validation errors keep the two JSON shapes the API documents for 422:
//
//   - an error that lists wrong fields (FieldLister: *input.ValidationError, callcenter's
//     FieldError) answers {"error": {"status", "message", "fields": [{"field", "message"}]}}
//     (tracking, cases, search, brand telephony settings; README "Cases and search",
//     docs/security.md);
//   - an error that lists problems with lines (ProblemLister: scripts.Problems) answers
//     {"error": {"status", "message"}, "problems": [{"field", "line", "column", "message"}]}
//     (templates, call scripts, rules; docs/comms.md).
//
// (Batch APIs answer 200, or 422 for transit standards, with one result per item: those are
// results, not errors, and their handlers write them.)
//
// Every other kind answers the app's error body, {"error": {"status", "message"}}, through
// a *fiber.Error; errors of no kind are left to the app's error handler (500, logged).
package apierr

import (
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/input"
)

// Kind is what an error means to the client.
type Kind int

// The kinds and their statuses.
const (
	Internal    Kind = iota // 500, left to the app's error handler
	BadRequest              // 400
	Forbidden               // 403
	NotFound                // 404
	Conflict                // 409
	Stale                   // 412: a write made on an older version than the stored one (If-Match)
	TooLarge                // 413
	Unsupported             // 415
	Invalid                 // 422
	RateLimited             // 429, with Retry-After when the error knows it (RetryAfter)
	Unavailable             // 503
)

var statuses = map[Kind]int{
	Internal: fiber.StatusInternalServerError, BadRequest: fiber.StatusBadRequest,
	Forbidden: fiber.StatusForbidden, NotFound: fiber.StatusNotFound, Conflict: fiber.StatusConflict,
	Stale:    fiber.StatusPreconditionFailed,
	TooLarge: fiber.StatusRequestEntityTooLarge, Unsupported: fiber.StatusUnsupportedMediaType,
	Invalid: fiber.StatusUnprocessableEntity, RateLimited: fiber.StatusTooManyRequests,
	Unavailable: fiber.StatusServiceUnavailable,
}

// Status is the HTTP status of the kind.
func (k Kind) Status() int { return statuses[k] }

// Rule says that an error matching Err (errors.Is) is of Kind.
type Rule struct {
	Err  error
	Kind Kind
}

// Mapper is a domain's rules, tried in order: the first whose Err matches decides.
type Mapper []Rule

// FieldLister is a validation error that names its wrong fields: a 422 with the fields
// inside "error".
type FieldLister interface {
	error
	FieldErrors() []input.FieldError
}

// ProblemLister is a validation error of programs or texts (templates, scripts, rules): a
// 422 with its list beside "error", under "problems".
type ProblemLister interface {
	error
	ProblemList() any
}

// RetryAfter is a rate-limited error that knows when to come back.
type RetryAfter interface {
	error
	RetryAfter() time.Duration
}

// Kind returns the kind of err under m's rules (Internal when none matches).
func (m Mapper) Kind(err error) Kind {
	for _, r := range m {
		if errors.Is(err, r.Err) {
			return r.Kind
		}
	}
	return Internal
}

// Answer answers err: a nil error is nil; a listed validation error writes its 422 body; a
// *fiber.Error a handler made is kept as it is; an error matching a rule becomes a
// *fiber.Error of the rule's status with the error's words; any other is returned for the
// app's error handler (500).
func (m Mapper) Answer(c *fiber.Ctx, err error) error {
	if err == nil {
		return nil
	}
	var fl FieldLister
	var pl ProblemLister
	var fe *fiber.Error
	switch {
	case errors.As(err, &pl):
		return c.Status(fiber.StatusUnprocessableEntity).JSON(fiber.Map{
			"error":    fiber.Map{"status": fiber.StatusUnprocessableEntity, "message": pl.Error()},
			"problems": pl.ProblemList()})
	case errors.As(err, &fl):
		return c.Status(fiber.StatusUnprocessableEntity).JSON(fiber.Map{"error": fiber.Map{
			"status": fiber.StatusUnprocessableEntity, "message": fl.Error(), "fields": fl.FieldErrors()}})
	case errors.As(err, &fe):
		return fe
	}
	k := m.Kind(err)
	if k == Internal {
		return err
	}
	var ra RetryAfter
	if k == RateLimited && errors.As(err, &ra) {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int((ra.RetryAfter()+time.Second-1)/time.Second)))
	}
	return fiber.NewError(k.Status(), err.Error())
}
