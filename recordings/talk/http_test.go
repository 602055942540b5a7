package talk

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store/storetest"
)

// TestStripRoute: before the job ran, the call's own brand gets empty lanes saying the call
// is not analysed yet and another brand a 404; after it ran, the strip has the agent's
// segment; a recording of another call is refused.
func TestStripRoute(t *testing.T) {
	db, b1, b2, callID := twoBrandsAndACall(t)
	ctx, now := context.Background(), time.Now().UTC()
	r := rand.New(rand.NewPCG(9, 10))
	path := writeStereo(t, channel(r, 3000, 20, false), channel(r, 3000, 20, true, burst{1000, 2000}))
	if _, err := db.SQL.ExecContext(ctx, db.Rebind(`INSERT INTO recordings (call_id, brand_id, path, started_at, finished_at) VALUES (?, ?, ?, ?, ?)`),
		callID, b1.ID, path, now, now); err != nil {
		t.Fatal(err)
	}
	svc := NewService(db, storetest.Logger(t))
	get := func(brand int64, url string) (int, string) {
		app := fiber.New()
		app.Use(func(c *fiber.Ctx) error {
			access.SetPrincipal(c, access.Principal{Kind: "brand_key", Scope: access.Brands(brand)})
			return c.Next()
		})
		Routes(app, svc)
		req := httptest.NewRequest("GET", url, nil)
		req.Header.Set("Accept-Language", "en")
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	svg := fmt.Sprintf("/api/v1/calls/%d/talk.svg", callID)
	if code, body := get(b1.ID, svg); code != 200 || !strings.Contains(body, "Not analysed yet") {
		t.Errorf("own call before analysis: %d %.200s, want 200 with empty lanes", code, body)
	}
	if code, _ := get(b2.ID, svg); code != 404 {
		t.Errorf("another brand's call before analysis: %d, want 404", code)
	}
	if code, _ := get(b1.ID, fmt.Sprintf("/api/v1/calls/%d/talk", callID)); code != 404 {
		t.Errorf("JSON before analysis: %d, want 404", code)
	}
	if _, err := svc.AnalyzePending(ctx, Batch); err != nil {
		t.Fatal(err)
	}
	if code, body := get(b1.ID, svg); code != 200 || !strings.Contains(body, `class="talk-agent" data-start-ms="1000"`) {
		t.Errorf("own call after analysis: %d %.300s, want the agent's segment at 1000 ms", code, body)
	}
	if code, _ := get(b2.ID, svg); code != 404 {
		t.Errorf("another brand's call after analysis: %d, want 404", code)
	}
	if code, _ := get(b1.ID, svg+"?recording=999999"); code != 404 {
		t.Errorf("a recording not of this call: %d, want 404", code)
	}
	if code, body := get(b1.ID, fmt.Sprintf("/api/v1/calls/%d/talk", callID)); code != 200 || !strings.Contains(body, `"agent_first_word_ms":1000`) {
		t.Errorf("JSON after analysis: %d %.300s", code, body)
	}
}
