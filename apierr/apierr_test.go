package apierr_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/apierr"
	"github.com/wismo/wismo/input"
)

// The sentinel errors of a made-up domain and its rules.
var errMissing, errTaken, errNope, errSlow, errBad = errors.New("not found"), errors.New("conflict"),
	errors.New("not allowed"), errors.New("too many"), errors.New("invalid")

var rules = apierr.Mapper{{Err: errMissing, Kind: apierr.NotFound}, {Err: errTaken, Kind: apierr.Conflict},
	{Err: errNope, Kind: apierr.Forbidden}, {Err: errSlow, Kind: apierr.RateLimited}, {Err: errBad, Kind: apierr.Invalid}}

// problems is a domain's list of problems with lines, as scripts.Problems.
type problems []struct {
	Field   string `json:"field"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Message string `json:"message"`
}

func (p problems) Error() string    { return "invalid: " + p[0].Field + ": " + p[0].Message }
func (p problems) ProblemList() any { return p }

type slow struct{ wait time.Duration }

func (s slow) Error() string             { return "too many requests: wait" }
func (s slow) Unwrap() error             { return errSlow }
func (s slow) RetryAfter() time.Duration { return s.wait }

// answer runs err through the mapper behind the app's usual error body.
func answer(t *testing.T, err error) (int, map[string]any) {
	t.Helper()
	app := fiber.New(fiber.Config{ErrorHandler: func(c *fiber.Ctx, err error) error {
		code, msg := 500, "internal error"
		var fe *fiber.Error
		if errors.As(err, &fe) {
			code, msg = fe.Code, fe.Message
		}
		return c.Status(code).JSON(fiber.Map{"error": fiber.Map{"status": code, "message": msg}})
	}})
	app.Get("/", func(c *fiber.Ctx) error { return rules.Answer(c, err) })
	resp, e := app.Test(httptest.NewRequest("GET", "/", nil))
	if e != nil {
		t.Fatal(e)
	}
	raw, _ := io.ReadAll(resp.Body)
	var body map[string]any
	if len(raw) > 0 {
		if e := json.Unmarshal(raw, &body); e != nil {
			t.Fatalf("body %q: %v", raw, e)
		}
	}
	if resp.StatusCode == 429 {
		body["retry_after"] = resp.Header.Get("Retry-After")
	}
	return resp.StatusCode, body
}

func TestEachKindAnswersItsStatus(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want int
	}{
		{"not found", fmt.Errorf("case BA-1: %w", errMissing), 404},
		{"conflict", fmt.Errorf("close: %w", errTaken), 409},
		{"forbidden", errNope, 403},
		{"invalid without fields", fmt.Errorf("windows: %w", errBad), 422},
		{"rate limited", slow{wait: 1500 * time.Millisecond}, 429},
		{"a handler's own status", fiber.NewError(fiber.StatusBadRequest, "the body must be JSON"), 400},
		{"anything else", errors.New("disk on fire"), 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := answer(t, tc.err)
			if code != tc.want {
				t.Fatalf("status %d, want %d (%v)", code, tc.want, body)
			}
			e, _ := body["error"].(map[string]any)
			if e == nil || e["status"] != float64(tc.want) {
				t.Fatalf("body %v: want {\"error\": {\"status\": %d, ...}}", body, tc.want)
			}
			if tc.want < 500 && e["message"] != tc.err.Error() {
				t.Errorf("message %q, want the error's words %q", e["message"], tc.err.Error())
			}
			if tc.want == 500 && e["message"] != "internal error" {
				t.Errorf("an unmapped error's words reached the client: %q", e["message"])
			}
			if tc.want == 429 && body["retry_after"] != "2" {
				t.Errorf("Retry-After %v, want 2 (seconds, rounded up)", body["retry_after"])
			}
		})
	}
}

func TestKindStatuses(t *testing.T) {
	want := map[apierr.Kind]int{apierr.BadRequest: 400, apierr.Forbidden: 403, apierr.NotFound: 404,
		apierr.Conflict: 409, apierr.TooLarge: 413, apierr.Unsupported: 415, apierr.Invalid: 422,
		apierr.RateLimited: 429, apierr.Unavailable: 503, apierr.Internal: 500}
	for k, s := range want {
		if k.Status() != s {
			t.Errorf("kind %d: status %d, want %d", k, k.Status(), s)
		}
	}
}

// The 422 with fields is documented for parcels, events, cases, search and brand telephony
// settings (README "Cases and search", docs/security.md): the fields sit inside "error".
func TestFieldErrorsKeepTheirDocumentedShape(t *testing.T) {
	err := fmt.Errorf("open case: %w", input.Invalid(input.Errorf("type", "must be one of ..."), input.Errorf("parcels", "name at least one parcel")))
	code, body := answer(t, err)
	if code != 422 {
		t.Fatalf("status %d", code)
	}
	raw, _ := json.Marshal(body) // keys sorted
	want := `{"error":{"fields":[{"field":"type","message":"must be one of ..."},{"field":"parcels","message":"name at least one parcel"}],"message":"type: must be one of ...","status":422}}`
	if string(raw) != want {
		t.Fatalf("422 body\n got %s\nwant %s", raw, want)
	}
}

// The 422 with problems is documented for templates, call scripts and rules (scripts.Routes,
// docs/comms.md): the list sits beside "error", with lines and columns.
func TestProblemsKeepTheirDocumentedShape(t *testing.T) {
	p := problems{{Field: "condition", Line: 2, Column: 7, Message: "unknown variable .parcel.code"}}
	code, body := answer(t, fmt.Errorf("save rule: %w", p))
	if code != 422 {
		t.Fatalf("status %d", code)
	}
	raw, _ := json.Marshal(body) // keys sorted
	want := `{"error":{"message":"invalid: condition: unknown variable .parcel.code","status":422},"problems":[{"column":7,"field":"condition","line":2,"message":"unknown variable .parcel.code"}]}`
	if string(raw) != want {
		t.Fatalf("422 body\n got %s\nwant %s", raw, want)
	}
}
