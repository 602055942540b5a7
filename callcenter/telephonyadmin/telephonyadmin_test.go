package telephonyadmin

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/store/storetest"
)

// adminAPI serves the telephony admin routes over brands One and Two and returns a caller
// of them with One's key.
func adminAPI(t *testing.T) (c *callcenter.Center, one, two int64, call func(method, path, body string) (int, string)) {
	t.Helper()
	db := storetest.Open(t)
	ctx := context.Background()
	acc := access.NewService(db)
	b1, key1, _ := acc.CreateBrand(ctx, "One")
	b2, _, _ := acc.CreateBrand(ctx, "Two")
	c = callcenter.NewCenter(callcenter.Config{}, db, callcenter.NewAgents(db, "wismo", acc), nil, nil, storetest.Logger(t), nil)
	app := fiber.New()
	app.Use(access.Authenticate(acc))
	Routes(app, c)
	call = func(method, path, body string) (int, string) {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key1)
		req.Header.Set("Content-Type", "application/json")
		return serve(t, app, req)
	}
	return c, b1.ID, b2.ID, call
}

func TestBrandTelephonySettingsAPI(t *testing.T) {
	ctx := context.Background()
	c, b1, b2, call := adminAPI(t)
	p1 := "/api/v1/brands/" + strconv.FormatInt(b1, 10) + "/telephony"
	code, body := call("GET", p1, "")
	var s brandSettingsJSON
	if json.Unmarshal([]byte(body), &s); code != 200 || s.RecordingNotice == nil || !*s.RecordingNotice {
		t.Fatalf("defaults: %d %s (the recording notice is on by default)", code, body)
	}
	if code, body := call("PUT", p1, `{"recording_notice": false, "hotline_open": "09:00", "hotline_close": "18:00", "time_zone": "Asia/Novosibirsk", "caller_id": "+74950000000"}`); code != 204 {
		t.Fatalf("put: %d %s", code, body)
	}
	got, _ := c.Brand(ctx, b1)
	if got.RecordingNotice || got.TimeZone != "Asia/Novosibirsk" || got.CallerID != "+74950000000" {
		t.Fatalf("stored: %+v", got)
	}
	nsk, _ := time.LoadLocation("Asia/Novosibirsk")
	if !got.OpenAt(time.Date(2026, 11, 20, 10, 0, 0, 0, nsk)) || got.OpenAt(time.Date(2026, 11, 20, 19, 0, 0, 0, nsk)) {
		t.Fatal("hotline hours not applied in the brand's zone")
	}
	if code, _ := call("PUT", p1, `{"time_zone": "Mars/Olympus"}`); code != 422 {
		t.Fatalf("bad zone: %d", code)
	}
	if code, _ := call("GET", "/api/v1/brands/"+strconv.FormatInt(b2, 10)+"/telephony", ""); code != 404 {
		t.Fatalf("another brand's settings: %d", code)
	}
	if code, _ := call("POST", "/api/v1/hotline/queues", `{"name": "q", "numbers": ["+74951112233"]}`); code != 403 {
		t.Fatalf("a brand key created a queue: %d", code)
	}
}

// TestBrandCallerIDRefusesHeaderInjection: a caller id with a line break would end the From
// header of every INVITE the brand's calls send and add headers of the caller's choosing;
// the API refuses it with a 422 that names caller_id and says why, and keeps the old value.
func TestBrandCallerIDRefusesHeaderInjection(t *testing.T) {
	c, b, _, call := adminAPI(t)
	path := "/api/v1/brands/" + strconv.FormatInt(b, 10) + "/telephony"
	put := func(callerID string) (int, string, string) {
		body, _ := json.Marshal(map[string]string{"caller_id": callerID})
		code, raw := call("PUT", path, string(body))
		var out struct {
			Error struct {
				Message string                  `json:"message"`
				Fields  []callcenter.FieldError `json:"fields"`
			} `json:"error"`
		}
		json.Unmarshal([]byte(raw), &out)
		field := ""
		if len(out.Error.Fields) == 1 {
			field = out.Error.Fields[0].Field
		}
		return code, field, out.Error.Message
	}
	if code, _, msg := put("+74950000000"); code != 204 {
		t.Fatalf("a good caller id: %d %s", code, msg)
	}
	for _, bad := range []struct{ value, words string }{
		{"+7999\r\nP-Asserted-Identity: <sip:evil@x>", "control characters"},
		{"+7999\nX-Evil: 1", "control characters"},
		{"+7 999 123", "E.164"},
		{"shop <sip:evil@x>", "not allowed"},
		{"shop;user=phone", "not allowed"},
	} {
		code, field, msg := put(bad.value)
		if code != 422 || field != "caller_id" || !strings.Contains(msg, bad.words) {
			t.Errorf("caller_id %q: %d, field %q, message %q; want 422 naming caller_id with %q", bad.value, code, field, msg, bad.words)
		}
	}
	if got, _ := c.Brand(context.Background(), b); got.CallerID != "+74950000000" {
		t.Fatalf("the stored caller id became %q", got.CallerID)
	}
}

// serve has app answer req and returns the status and body.
func serve(t *testing.T, app *fiber.App, req *http.Request) (int, string) {
	t.Helper()
	res, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}
