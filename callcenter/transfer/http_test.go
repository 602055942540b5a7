package transfer

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// Refusals answer with their status and name the field as every 422 of the API does.
func TestRefusalsNameTheField(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		field  string
	}{
		{forbidden("number", "this brand does not allow transfers to external numbers"), 403, "number"},
		{invalid("agent_id", "not an agent of this call's brand"), 422, "agent_id"},
		{invalid("kind", "choose blind or attended"), 422, "kind"},
		{ErrNoCall, 409, ""},
		{ErrShiftLine, 409, ""},
		{fmt.Errorf("agent_id: the agent is on_call, not available: %w", ErrBusy), 409, ""},
		{ErrNotYet, 409, ""},
		{ErrNoTransfer, 404, ""},
	} {
		app := fiber.New()
		app.Get("/", func(c *fiber.Ctx) error { return answer(c, tc.err) })
		res, err := app.Test(httptest.NewRequest("GET", "/", nil))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		if res.StatusCode != tc.status {
			t.Errorf("%v: status %d, want %d (%s)", tc.err, res.StatusCode, tc.status, raw)
			continue
		}
		if tc.field == "" {
			continue
		}
		var body struct {
			Error struct {
				Fields []struct{ Field string } `json:"fields"`
			} `json:"error"`
		}
		if err := json.Unmarshal(raw, &body); err != nil || len(body.Error.Fields) != 1 || body.Error.Fields[0].Field != tc.field {
			t.Errorf("%v: body %s, want the field %s named", tc.err, raw, tc.field)
		}
	}
}
